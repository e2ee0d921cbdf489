"""The lampiran SK Bupati as PDF: the approved list of workers whose contributions the regency pays.

Landscape A4: title and subtitle lines, the worker table (header repeated on every page), then
the totals tables (per funding source, per kecamatan, …) and an optional signature block. Every
string comes in already translated; the caller formats dates. Integers are printed 1.234 and
money is passed as `lindung.pdf.Rupiah(amount)` to be printed Rp1.234 (both aligned right), so
money stays integer rupiah up to the page.
"""

from collections.abc import Iterable, Sequence
from pathlib import Path

from lindung.pdf import LEADING, Document


def write_list_pdf(
    path: Path,
    *,
    title: str,
    subtitle_lines: list[str],
    header: list[str],
    rows: Iterable[Sequence[str | int]],
    totals: list[tuple[str, list[str], list[Sequence[str | int]]]],
    signature: list[str] | None = None,
) -> int:
    """Write the list to `path`; returns the number of worker rows written.

    `totals` holds (section title, column headers, rows) tables printed after the list, the last
    row of each (its "Jumlah" row) in bold. `signature` lines are printed at the right under it,
    e.g. ["Selong, 28 Mei 2027", "Bupati Lombok Timur", "", "", "", "(nama)"].
    """
    with Document(path, header=title, landscape=True) as doc:
        doc.heading(title)
        doc.text(subtitle_lines, align="center")
        doc.space()
        written = doc.table(header, rows)
        for section, columns, section_rows in totals:
            doc.space(2 * LEADING)
            doc.heading(section, size=9, align="left")
            doc.space(LEADING / 2)
            doc.table(columns, section_rows, stretch=False, bold_last=True)
        if signature:
            doc.space(2 * LEADING)
            doc.block(signature, align="right")
    return written
