"""BPJS TK branches' reports of the claims they paid, matched to the claims Lindung recorded
(docs/formats/claims-report-v1.md).

    read.read_report(path) -> sheets.Sheet        the report's columns, whatever their headers
    check.parse_kind("JKK Meninggal") -> "jkk-death"  the benefit type as branches write it
    check.normalise(frame) -> entries             one per row, cells read
    check.classify(entries, people=…, workers=…, claims=…, deaths=…, on=…)   pure Polars
    words.message(entry)                          what a row means and what to do
    service.store / run_check / commit / discard  the upload's life (the pages, the CLI)
    background.CHECK_KIND                         the check as a job with progress
    command.run(path, dry_run=…, as_json=…, stdout=…, by=…)   `lindung claims import`
    synth.write_report(path, on=…)                a synthetic report of the current claims

Every row has exactly one status (a public interface, with the codes of `check.Code`):
matched, unchanged (counted in matched), new, unmatched, problem.
"""
