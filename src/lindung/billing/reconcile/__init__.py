"""Reconciliation with BPJS Ketenagakerjaan: the branch's recap of the wadah's members and
their contributions, compared with the approved list, the coverage ledger and the paid bills
(docs/formats/reconciliation-v1.md).

    read.read_recap(path) -> sheets.Sheet          the recap's columns, whatever their headers
    cells.parse_status / parse_month / parse_amount  one cell as branches write it
    check.normalise(frame) -> entries               one per member (rows of one KPJ added up)
    check.classify(entries, participations=…, paid=…, known=…, fiscal_year=…, on=…)  pure Polars
    check.bill_targets(rows, lines)                 the bills a commit moves
    words.message(entry, fiscal_year=…)             what an entry means and what to do
    service.store / run_check / commit / discard    the upload's life (the pages, the CLI)
    background.CHECK_KIND                           the check as a job with progress
    command.run(path, dry_run=…, as_json=…, stdout=…, by=…)   `lindung billing reconcile`
    synth.write_recap(path, fiscal_year=…, on=…)   a synthetic recap with known mismatches

Every entry falls in exactly one category (a public interface, with the row codes of
`check.RowCode`): matched, not_on_list, not_active, amount_mismatch, status_mismatch.
"""
