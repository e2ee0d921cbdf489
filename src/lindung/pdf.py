"""PDF documents on A4: a header line on every page, "Page X of Y" footers, long tables.

    with Document(path, header="Lampiran SK Bupati …", landscape=True) as doc:
        doc.heading("Daftar penerima")
        doc.text(["Tahun anggaran 2027"])
        doc.table(["No", "Nama", "Iuran"], rows)   # ints right-aligned 1.234, Rupiah(…) Rp1.234
        doc.block(["Bupati Lombok Timur", "", "", "(nama)"], align="right")

Tables are drawn straight on the canvas, one row at a time, the header row repeated on every
page: a list of 100.000 workers streams through without a flowable per cell (platypus would
build and split one `LongTable` in memory). Cells wrap onto more lines rather than being cut,
so a long name is printed in full; numbers stay on one line. Column widths come from the header
and the first rows, shrunk to fit the page.

The text uses DejaVu Sans when Debian's fonts-dejavu-core is installed, the built-in Helvetica
otherwise; characters the font cannot show are replaced (accents dropped, else "?") instead of
printed as boxes. Money is integer rupiah: pass `Rupiah(amount)` and the table prints Rp1.234.567.
"""

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, islice
from pathlib import Path
from types import TracebackType
from typing import Literal

from django.utils.translation import gettext as _
from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import A4
from reportlab.lib.pagesizes import landscape as rotate
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.textobject import PDFTextObject

from lindung.formats import format_number, format_rupiah

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")  # Debian's fonts-dejavu-core
MARGIN = 36.0  # points: half an inch
FONT_SIZE = 8.0
LEADING = FONT_SIZE * 1.2
PAD = 2.5  # inside a cell, every side
SAMPLE_ROWS = 500  # rows measured to size the columns
HEADER_FILL = Color(0.88, 0.88, 0.88)
BAND_FILL = Color(0.95, 0.95, 0.95)
TOTAL_PAGES_FORM = "total_pages"

Align = Literal["left", "right", "center"]
Cell = str | int


class Rupiah(int):
    """An amount of money in a table cell: printed as Rp1.234.567 and aligned right."""


@dataclass(frozen=True, slots=True)
class Band:
    """A table row of one bold text across the whole table, shaded: a group's title."""

    text: str


@dataclass(frozen=True, slots=True)
class Bold:
    """A table row printed bold: a group's subtotal."""

    cells: Sequence["Cell"]


TableRow = Sequence["Cell"] | Band | Bold


def _load_fonts() -> tuple[str, str]:
    regular, bold = DEJAVU / "DejaVuSans.ttf", DEJAVU / "DejaVuSans-Bold.ttf"
    if not (regular.is_file() and bold.is_file()):
        return "Helvetica", "Helvetica-Bold"
    pdfmetrics.registerFont(TTFont("DejaVuSans", str(regular)))
    pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(bold)))
    return "DejaVuSans", "DejaVuSans-Bold"


REGULAR, BOLD = _load_fonts()


def _can_show(char: str) -> bool:
    font = pdfmetrics.getFont(REGULAR)
    if isinstance(font, TTFont):
        return ord(char) in font.face.charToGlyph
    try:
        char.encode("cp1252")  # the WinAnsi encoding reportlab gives the standard fonts
    except UnicodeEncodeError:
        return False
    return True


@lru_cache(maxsize=4096)
def _replace(char: str) -> str:
    if _can_show(char):
        return char
    base = "".join(c for c in unicodedata.normalize("NFKD", char) if _can_show(c))
    return "".join(c for c in base if not unicodedata.combining(c)) or "?"


def printable(text: str) -> str:
    """The text with every character the font cannot show replaced: Ṣalāḥ → Salah, 王 → ?."""
    if text.isascii():
        return text
    return "".join(_replace(c) for c in text)


def format_cell(value: Cell) -> tuple[str, Align]:
    if isinstance(value, Rupiah):
        return format_rupiah(value), "right"
    if isinstance(value, int):
        return format_number(value), "right"
    return printable(value), "left"


@lru_cache(maxsize=16384)
def _wrap(text: str, font: str, width: float) -> tuple[tuple[str, float], ...]:
    """Lines of at most `width` points with their widths; a word too long is cut by characters."""
    full = pdfmetrics.stringWidth(text, font, FONT_SIZE)
    if full <= width or not text:
        return ((text, full),)
    lines: list[tuple[str, float]] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if pdfmetrics.stringWidth(candidate, font, FONT_SIZE) <= width:
            line = candidate
            continue
        if line:
            lines.append((line, pdfmetrics.stringWidth(line, font, FONT_SIZE)))
        line = word
        while pdfmetrics.stringWidth(line, font, FONT_SIZE) > width and len(line) > 1:
            cut = len(line) - 1
            while cut > 1 and pdfmetrics.stringWidth(line[:cut], font, FONT_SIZE) > width:
                cut -= 1
            lines.append((line[:cut], pdfmetrics.stringWidth(line[:cut], font, FONT_SIZE)))
            line = line[cut:]
    lines.append((line, pdfmetrics.stringWidth(line, font, FONT_SIZE)))
    return tuple(lines)


def _lines(text: str, align: Align, font: str, width: float) -> tuple[tuple[str, float], ...]:
    """A cell's lines: text wraps inside the padding, a number stays on one line."""
    if align == "right":
        return ((text, pdfmetrics.stringWidth(text, font, FONT_SIZE)),)
    return _wrap(text, font, width - 2 * PAD)


def _shorten(text: str, width: float) -> str:
    """The text cut to one line of `width` points, with an ellipsis if cut."""
    if pdfmetrics.stringWidth(text, BOLD, FONT_SIZE) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "...", BOLD, FONT_SIZE) > width:
        text = text[:-1]
    return text.rstrip() + "..."


def column_widths(natural: Sequence[float], available: float, *, stretch: bool) -> list[float]:
    """Natural widths if they fit (stretched to `available` if asked), else the widest capped."""
    total = sum(natural)
    if total <= available:
        return [w * available / total for w in natural] if stretch else list(natural)
    remaining, cap = available, available
    for done, width in enumerate(sorted(natural)):
        share = remaining / (len(natural) - done)
        if width > share:
            cap = share
            break
        remaining -= width
    return [min(w, cap) for w in natural]


class Document:
    """One PDF file written page by page; `close()` (or leaving the `with`) saves it."""

    def __init__(self, path: Path, *, header: str, landscape: bool = False) -> None:
        self.size = rotate(A4) if landscape else A4
        self.canvas = Canvas(str(path), pagesize=self.size, pageCompression=1)
        self.canvas.setTitle(header)
        self.header = _shorten(printable(header), self.size[0] - 2 * MARGIN)
        self.width = self.size[0] - 2 * MARGIN
        self.top = self.size[1] - MARGIN - 2 * LEADING  # below the header line
        self.bottom = MARGIN + 2 * LEADING  # above the footer
        self.page = 0
        self.text_object: PDFTextObject | None = None
        self.font: tuple[str, float] = ("", 0.0)
        self.y = 0.0
        self._start_page()

    def __enter__(self) -> "Document":
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if kind is None:
            self.close()

    # Pages

    def _start_page(self) -> None:
        self.page += 1
        self.text_object = self.canvas.beginText()
        self.font = ("", 0.0)  # the text object's current font and size
        self._draw(MARGIN, self.size[1] - MARGIN - FONT_SIZE, self.header, BOLD)
        line = self.size[1] - MARGIN - LEADING - 2
        self.canvas.setLineWidth(0.5)
        self.canvas.line(MARGIN, line, self.size[0] - MARGIN, line)
        self.y = self.top

    def _end_page(self) -> None:
        before, _marker, after = _("Page %(page)s of %(pages)s").partition("%(pages)s")
        before, after = before % {"page": self.page}, after % {"page": self.page}
        self._draw(MARGIN, MARGIN, before, REGULAR)
        assert self.text_object is not None  # noqa: S101 - set by _start_page
        self.canvas.drawText(self.text_object)
        x = MARGIN + pdfmetrics.stringWidth(before, REGULAR, FONT_SIZE)
        self.canvas.saveState()
        self.canvas.translate(x, MARGIN)
        self.canvas.doForm(TOTAL_PAGES_FORM)  # drawn in close(), once the count is known
        self.canvas.restoreState()
        if after:
            digits = pdfmetrics.stringWidth("0" * len(str(self.page)), REGULAR, FONT_SIZE)
            self.canvas.setFont(REGULAR, FONT_SIZE)
            self.canvas.drawString(x + digits, MARGIN, after)
        self.canvas.showPage()

    def new_page(self) -> None:
        self._end_page()
        self._start_page()

    def _room(self, height: float) -> None:
        if self.y - height < self.bottom and self.y < self.top:
            self.new_page()

    def close(self) -> int:
        """Save the file; returns the number of pages."""
        self._end_page()
        self.canvas.beginForm(TOTAL_PAGES_FORM)
        self.canvas.setFont(REGULAR, FONT_SIZE)
        self.canvas.drawString(0, 0, str(self.page))
        self.canvas.endForm()
        self.canvas.save()
        return self.page

    # Text

    def _draw(self, x: float, y: float, text: str, font: str, size: float = FONT_SIZE) -> None:
        assert self.text_object is not None  # noqa: S101 - set by _start_page
        if (font, size) != self.font:
            self.text_object.setFont(font, size)
            self.font = (font, size)
        self.text_object.setTextOrigin(x, y)
        self.text_object.textOut(text)

    def heading(self, text: str, *, size: float = 11, align: Align = "center") -> None:
        """Bold lines, wrapped to the page width."""
        words, line, lines = printable(text).split(), "", []
        for word in words:
            candidate = f"{line} {word}" if line else word
            if line and pdfmetrics.stringWidth(candidate, BOLD, size) > self.width:
                lines.append(line)
                candidate = word
            line = candidate
        lines.append(line)
        self._room(len(lines) * size * 1.3)
        for line in lines:
            self.y -= size * 1.3
            self._line(line, BOLD, size, align)

    def text(self, lines: Sequence[str], *, align: Align = "left", bold: bool = False) -> None:
        """Lines of body text (each wrapped to the page width), kept together on one page."""
        font = BOLD if bold else REGULAR
        wrapped = [
            piece for line in lines for piece, _w in _wrap(printable(line), font, self.width)
        ]
        self._room(len(wrapped) * LEADING)
        for line in wrapped:
            self.y -= LEADING
            self._line(line, font, FONT_SIZE, align)

    def block(self, lines: Sequence[str], *, align: Align = "left") -> None:
        """Lines in a column a third of the page wide at the left or right, e.g. a signature."""
        column = self.width / 3
        self._room(len(lines) * LEADING)
        x = MARGIN + (self.width - column if align == "right" else 0)
        for line in lines:
            self.y -= LEADING
            text = printable(line)
            offset = (column - pdfmetrics.stringWidth(text, REGULAR, FONT_SIZE)) / 2
            self._draw(x + offset, self.y, text, REGULAR)

    def fields(self, title: str, pairs: Sequence[tuple[str, str]], *, share: float = 0.45) -> None:
        """A block at the right, `share` of the page wide: a bold title, then "LABEL : value"
        lines with the colons aligned and long values wrapped under themselves (the heading of
        a lampiran: NOMOR, TANGGAL, TENTANG)."""
        column = self.width * share
        x = MARGIN + self.width - column
        labels = [printable(label) for label, _value in pairs]
        label_width = max(
            (pdfmetrics.stringWidth(t, REGULAR, FONT_SIZE) for t in labels), default=0
        )
        colon = pdfmetrics.stringWidth(" : ", REGULAR, FONT_SIZE)
        value_x = x + label_width + colon
        title_lines = _wrap(printable(title), BOLD, column)
        values = [_wrap(printable(v), REGULAR, x + column - value_x) for _label, v in pairs]
        self._room((len(title_lines) + sum(len(v) for v in values)) * LEADING)
        for line, _width in title_lines:
            self.y -= LEADING
            self._draw(x, self.y, line, BOLD)
        for label, lines in zip(labels, values, strict=True):
            self.y -= LEADING
            self._draw(x, self.y, label, REGULAR)
            self._draw(x + label_width, self.y, " : ", REGULAR)
            for i, (line, _width) in enumerate(lines):
                if i:
                    self.y -= LEADING
                self._draw(value_x, self.y, line, REGULAR)

    def space(self, height: float = LEADING) -> None:
        self.y -= height

    def _line(self, text: str, font: str, size: float, align: Align) -> None:
        width = pdfmetrics.stringWidth(text, font, size)
        x = {"left": MARGIN, "right": MARGIN + self.width - width}.get(
            align, MARGIN + (self.width - width) / 2
        )
        self._draw(x, self.y, text, font, size)

    # Tables

    def table(
        self,
        header: Sequence[str],
        rows: Iterable[TableRow],
        *,
        stretch: bool = True,
        bold_last: bool = False,
    ) -> int:
        """Draw the rows under the header, repeated on every page; returns the rows drawn.

        `rows` is read once, so a generator streams; ints are printed 1.234, `Rupiah` Rp1.234,
        both aligned right. `bold_last` prints the last row bold (a "Jumlah" row). A `Band` is
        one bold text across the table (a group's title), a `Bold` row a subtotal; both are
        counted in the rows drawn.
        """
        stream = iter(rows)
        sample = [_format_row(row) for row in islice(stream, SAMPLE_ROWS)]
        titles = [printable(h) for h in header]
        natural = [pdfmetrics.stringWidth(t, BOLD, FONT_SIZE) for t in titles]
        font = BOLD if bold_last else REGULAR  # conservative: any sampled row may be the last
        more = len(sample) == SAMPLE_ROWS  # numbers further down may have more digits
        for row, bold in sample:
            if isinstance(row, str):
                continue  # a band spans the table: it wraps to the table's width
            for i, (text, align) in enumerate(row):
                shown = f"000.{text}" if more and align == "right" else text
                width = pdfmetrics.stringWidth(shown, BOLD if bold else font, FONT_SIZE)
                natural[i] = max(natural[i], width)
        widths = column_widths([w + 2 * PAD for w in natural], self.width, stretch=stretch)
        table = _Table(self, titles, widths)
        formatted = chain(sample, (_format_row(row) for row in stream))
        count = 0
        pending: _Formatted | None = None
        for item in formatted:  # one row behind, to know which is the last
            if pending is not None:
                table.draw(*pending)
                count += 1
            pending = item
        if pending is not None:
            table.draw(pending[0], pending[1] or bold_last)
            count += 1
        table.finish()
        return count


_Formatted = tuple[list[tuple[str, Align]] | str, bool]


def _format_row(row: TableRow) -> _Formatted:
    """A row's cells as (text, alignment) and whether it is bold; a band as its text."""
    if isinstance(row, Band | Bold):
        if isinstance(row, Band):
            return printable(row.text), True
        return [format_cell(v) for v in row.cells], True
    return [format_cell(v) for v in row], False


class _Table:
    """The part of a table on the current page: rows drawn one by one, grid closed per page."""

    def __init__(self, doc: Document, titles: list[str], widths: list[float]) -> None:
        self.doc, self.widths = doc, widths
        self.xs = [MARGIN + sum(widths[:i]) for i in range(len(widths) + 1)]
        self.header: list[tuple[str, Align]] = [(t, "center") for t in titles]
        header_height = self._height(self.header, BOLD)
        doc._room(header_height + 3 * LEADING)  # never a header alone at a page's foot
        self._start()

    def _height(self, cells: Sequence[tuple[str, Align]], font: str) -> float:
        lines = max(
            len(_lines(text, align, font, w))
            for (text, align), w in zip(cells, self.widths, strict=True)
        )
        return lines * LEADING + 2 * PAD

    def _start(self) -> None:
        self.page_top = self.doc.y
        self.bands: list[tuple[float, float]] = []  # (top, bottom) of this page's bands
        height = self._height(self.header, BOLD)
        canvas = self.doc.canvas
        canvas.setFillColor(HEADER_FILL)
        canvas.rect(MARGIN, self.doc.y - height, self.xs[-1] - MARGIN, height, stroke=0, fill=1)
        canvas.setFillColor(black)
        self._cells(self.header, BOLD)

    def draw(self, cells: Sequence[tuple[str, Align]] | str, bold: bool = False) -> None:
        if isinstance(cells, str):
            self.band(cells)
        else:
            self.row(cells, bold=bold)

    def row(self, cells: Sequence[tuple[str, Align]], *, bold: bool = False) -> None:
        font = BOLD if bold else REGULAR
        height = self._height(cells, font)
        if self.doc.y - height < self.doc.bottom:
            self._break_page()
        self._cells(cells, font)

    def _break_page(self) -> None:
        self._close_grid()
        self.doc.new_page()
        self._start()

    def band(self, text: str) -> None:
        """One bold text across the table, shaded; never the last line of a page."""
        width = self.xs[-1] - MARGIN
        lines = _wrap(text, BOLD, width - 2 * PAD)
        height = len(lines) * LEADING + 2 * PAD
        if self.doc.y - height - LEADING - 2 * PAD < self.doc.bottom:
            self._break_page()
        top = self.doc.y
        canvas = self.doc.canvas
        canvas.setFillColor(BAND_FILL)
        canvas.rect(MARGIN, top - height, width, height, stroke=0, fill=1)
        canvas.setFillColor(black)
        for i, (line, _width) in enumerate(lines):
            self.doc._draw(
                MARGIN + PAD, top - PAD - (i + 1) * LEADING + 0.3 * FONT_SIZE, line, BOLD
            )
        self.doc.y = top - height
        canvas.line(MARGIN, self.doc.y, self.xs[-1], self.doc.y)
        self.bands.append((top, self.doc.y))

    def _cells(self, cells: Sequence[tuple[str, Align]], font: str) -> None:
        top = self.doc.y
        lines = 1
        for (text, align), x, width in zip(cells, self.xs[:-1], self.widths, strict=True):
            wrapped = _lines(text, align, font, width)
            lines = max(lines, len(wrapped))
            for i, (line, line_width) in enumerate(wrapped):
                if align == "right":
                    left = x + width - PAD - line_width
                elif align == "center":
                    left = x + (width - line_width) / 2
                else:
                    left = x + PAD
                self.doc._draw(left, top - PAD - (i + 1) * LEADING + 0.3 * FONT_SIZE, line, font)
        self.doc.y = top - lines * LEADING - 2 * PAD
        self.doc.canvas.line(MARGIN, self.doc.y, self.xs[-1], self.doc.y)

    def _close_grid(self) -> None:
        canvas, top, bottom = self.doc.canvas, self.page_top, self.doc.y
        canvas.line(MARGIN, top, self.xs[-1], top)
        outer = [self.xs[0], self.xs[-1]]
        canvas.lines([(x, top, x, bottom) for x in outer])
        # The lines between columns stop at the bands, which span the table.
        edges = [top, *(y for band in self.bands for y in band), bottom]
        segments = list(zip(edges[::2], edges[1::2], strict=True))
        canvas.lines([(x, a, x, b) for x in self.xs[1:-1] for a, b in segments if a > b])

    def finish(self) -> None:
        self._close_grid()
