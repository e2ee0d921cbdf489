"""The branch's answer to a registration batch: any spreadsheet it sends, matched by NIK.

    read.read_answer(path) -> sheets.Sheet        the reader with the answer's header names
    check.check_rows(frame, batch_items, kpj_holders, ...) -> rows with codes  (pure Polars)
    service.receive(by=user, batch=batch, path=path, file_name=...) -> Answer  (checked)
    service.commit(by=user, answer=answer) -> Answer                          (one transaction)

Row codes (a public interface: `lindung enroll response --json`, the preview page):
KPJ_INVALID, NIK_NOT_IN_BATCH, STATUS_UNKNOWN, DATE_INVALID, DUPLICATE_IN_FILE, KPJ_CONFLICT.
"""
