"""The lampiran of an approved list as the Bagian Hukum expects it: the annex of the decree (SK)
of the head of region, as PDF and XLSX with one structure.

    heading = lampiran_heading(approved)          # LAMPIRAN KEPUTUSAN BUPATI …, NOMOR, TANGGAL …
    write_lampiran_pdf(approved, entries, changes, path, show_nik=True, area="")
    write_lampiran_xlsx(approved, entries, changes, path, show_nik=True, area="")

The heading block (NOMOR, TANGGAL, TENTANG) prints dotted placeholders until an admin enters the
decree's number and date; the head of region's title and name, the place of signing and the
default subject come from the deployment (`regions.Deployment`). The workers follow grouped by
kecamatan, then desa (Kemendagri code order), by name within a desa, numbered 1…n over the
whole document, each desa and kecamatan closed by a subtotal (workers, contribution for the
year) and the whole by a total; then the recapitulation per funding source and per kecamatan,
and the signature block: place, date, the office, space to sign, the name. No user's name
appears anywhere in the files (the approver is on the list's page and in the audit log).

The monthly contribution is not printed: a list carries what each worker costs for the fiscal
year, and the monthly amount varies within a year (PP 50/2025 reduces some months).
"""

import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import astuple, dataclass
from datetime import date
from functools import wraps
from pathlib import Path
from typing import Any, NamedTuple, ParamSpec, TypeVar

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import override

from lindung.bulk import ordered_rows
from lindung.formats import format_date, mask_nik
from lindung.pdf import LEADING, Band, Bold, Document, Rupiah, TableRow
from lindung.regions.models import Deployment, Region, RegionType
from lindung.registry.models import Occupation
from lindung.targeting.exports import totals_columns, totals_tables, write_changes_sheet
from lindung.targeting.lists import source_labels
from lindung.targeting.models import Beneficiary, BeneficiaryList, ListChange
from lindung.xlsx import Column, Kind, Workbook

DOTS = "………"  # a blank to be filled in by hand, until the decree is known
PROGRESS_EVERY = 1000  # rows between two progress reports

Progress = Callable[[int], None]
P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class Heading:
    """What the heading and the signature block of the lampiran print."""

    office: str  # "BUPATI LOMBOK TIMUR"
    number: str
    date: str
    subject: str
    title: str  # the list's title, centred above the table
    place_date: str  # "Selong, 28 Mei 2027"
    signer: str  # the head of region's name, or dots

    def fingerprint(self) -> str:
        """A digest of every printed text: the files are made again when it changes."""
        return hashlib.sha256("\x1f".join(astuple(self)).encode()).hexdigest()


def in_deployment_language(write: Callable[P, R]) -> Callable[P, R]:
    """`write` run in the deployment's language (LANGUAGE_CODE): a lampiran is a legal
    document, the same whoever asks for it."""

    @wraps(write)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with override(settings.LANGUAGE_CODE):
            return write(*args, **kwargs)

    return run


def deployment_heading(kabupaten: str | None = None) -> dict[str, str]:
    """What the deployment's decree settings say now: the office (of `kabupaten`'s head when
    given: each kabupaten/kota's lists are its own head's decrees), the signer's name, the place
    of signing and the default subject (empty texts when not set)."""
    deployment = Deployment.objects.filter(pk=1).first()
    if deployment is None:
        return {"office": "Bupati", "signer": "", "place": "", "subject": ""}
    own = deployment.decree_for(kabupaten)
    return {
        "office": deployment.head_of_region(kabupaten),
        "signer": own["head_name"],
        "place": own["signing_place"],
        "subject": own["decree_subject"],
    }


@in_deployment_language
def lampiran_heading(approved: BeneficiaryList) -> Heading:
    """The texts in the deployment's language (LANGUAGE_CODE), whoever reads the page."""
    # A signed decree keeps what the settings said when it was entered (`set_decree`).
    settings_now = approved.decree_heading or deployment_heading(approved.kabupaten)
    subject = approved.decree_subject or settings_now.get("subject", "")
    if not subject:
        subject = _(
            "Recipients of contribution assistance for employment social security for "
            "vulnerable workers, fiscal year %(year)s"
        ) % {"year": approved.fiscal_year}
    elif not approved.decree_subject and str(approved.fiscal_year) not in subject:
        subject = _("%(subject)s, fiscal year %(year)s") % {
            "subject": subject,
            "year": approved.fiscal_year,
        }
    when = format_date(approved.decree_date) if approved.decree_date else DOTS
    place = settings_now.get("place") or DOTS
    return Heading(
        office=str(settings_now.get("office") or "Bupati").upper(),
        number=approved.decree or DOTS,
        date=when,
        subject=subject.upper(),
        title=(
            _("List of beneficiaries, fiscal year %(year)s") % {"year": approved.fiscal_year}
        ).upper(),
        place_date=f"{place}, {when}",
        signer=settings_now.get("signer") or DOTS,
    )


# --- the rows, grouped ---------------------------------------------------------------------------


class Line(NamedTuple):
    number: int
    nik: str
    name: str
    sex: str
    born: date
    occupation: str
    source: str
    cost: int
    desa: str
    kecamatan: str


class Group(NamedTuple):
    """A kecamatan's or a desa's title row ("Kecamatan Selong", "Desa Sukamaju")."""

    level: str  # "kecamatan" or "desa"
    name: str


class Subtotal(NamedTuple):
    level: str  # "desa", "kecamatan" or "all"
    name: str  # the area's name ("Desa Sukamaju"), empty for the total
    workers: int
    cost: int


Item = Line | Group | Subtotal
RawRow = tuple[str, str, str, str, str, date, str, str, int]  # kec, desa, nik, name, …, cost

FIELDS = ("kecamatan_id", "desa_id", "nik", "name", "sex", "birth_date", "occupation", "source",
          "cost")  # fmt: skip


def grouped(rows: Iterable[RawRow], names: dict[str, str]) -> Iterator[Item]:
    """Lines between their groups' titles and subtotals. `rows` come sorted by kecamatan, desa
    and name (`FIELDS` in that order); `names` gives each region code its printed name."""
    kecamatan = desa = None
    kec_count = kec_cost = desa_count = desa_cost = total = total_cost = 0
    for kec, ds, nik, name, sex, born, occupation, source, cost in rows:
        if ds != desa and desa is not None:
            yield Subtotal("desa", names.get(desa, desa), desa_count, desa_cost)
        if kec != kecamatan:
            if kecamatan is not None:
                yield Subtotal("kecamatan", names.get(kecamatan, kecamatan), kec_count, kec_cost)
            yield Group("kecamatan", names.get(kec, kec))
            kecamatan, kec_count, kec_cost = kec, 0, 0
        if ds != desa:
            yield Group("desa", names.get(ds, ds))
            desa, desa_count, desa_cost = ds, 0, 0
        total += 1
        kec_count, desa_count = kec_count + 1, desa_count + 1
        kec_cost, desa_cost, total_cost = kec_cost + cost, desa_cost + cost, total_cost + cost
        yield Line(total, nik, name, sex, born, occupation, source, cost,
                   names.get(ds, ds), names.get(kec, kec))  # fmt: skip
    if desa is not None and kecamatan is not None:
        yield Subtotal("desa", names.get(desa, desa), desa_count, desa_cost)
        yield Subtotal("kecamatan", names.get(kecamatan, kecamatan), kec_count, kec_cost)
    yield Subtotal("all", "", total, total_cost)


def area_names(codes: Iterable[str]) -> dict[str, str]:
    """Region code → its name as the lampiran prints it: "Kecamatan Selong", "Desa Sukamaju"."""
    words: dict[str, str] = {
        RegionType.KECAMATAN: "Kecamatan",
        RegionType.DESA: "Desa",
        RegionType.KELURAHAN: "Kelurahan",
        RegionType.DESA_ADAT: "Desa Adat",
    }
    regions = Region.objects.filter(code__in=set(codes)).values_list("code", "name", "type")
    return {code: f"{words.get(kind, '')} {name}".strip() for code, name, kind in regions}


def lampiran_items(
    approved: BeneficiaryList, entries: QuerySet[Beneficiary], *, show_nik: bool
) -> Iterator[Item]:
    """The entries grouped, with the source's label, the occupation's and masked NIK as asked."""
    codes = entries.values_list("kecamatan_id", "desa_id").distinct().order_by()
    names = area_names({c for pair in codes for c in pair})
    sources = source_labels(approved.scenario)
    occupations = dict(Occupation.choices)
    rows = ordered_rows(entries.order_by("kecamatan_id", "desa_id", "name", "nik"), FIELDS)
    for item in grouped(rows, names):
        if isinstance(item, Line):
            yield item._replace(
                nik=item.nik if show_nik else mask_nik(item.nik),
                occupation=str(occupations.get(item.occupation, item.occupation)),
                source=sources.get(item.source, item.source),
            )
        else:
            yield item


def subtotal_label(item: Subtotal) -> str:
    if item.level == "all":
        return _("Total: %(count)s workers") % {"count": f"{item.workers:,}".replace(",", ".")}
    return _("Total %(area)s: %(count)s workers") % {
        "area": item.name,
        "count": f"{item.workers:,}".replace(",", "."),
    }


def _headers() -> list[str]:
    return [_("No"), "NIK", _("Name"), _("Sex"), _("Birth date"), _("Occupation"),
            _("Funding source"), _("Contribution per year")]  # fmt: skip


def _heading_pairs(heading: Heading) -> list[tuple[str, str]]:
    return [(_("NUMBER"), heading.number), (_("DATE"), heading.date),
            (_("ABOUT"), heading.subject)]  # fmt: skip


def _annex_title(heading: Heading) -> str:
    return _("ANNEX TO THE DECREE OF THE %(office)s") % {"office": heading.office}


def _page_header(approved: BeneficiaryList, heading: Heading) -> str:
    return _("Annex to the decree of the %(office)s number %(number)s, list %(list)s") % {
        "office": heading.office.title(),
        "number": heading.number,
        "list": f"{approved.number}/v{approved.version}",
    }


def _area_line(area: str) -> list[str]:
    return [_("Extract for %(area)s") % {"area": area}] if area else []


def _report(progress: Progress | None, items: Iterator[Item]) -> Iterator[Item]:
    done = 0
    for item in items:
        if isinstance(item, Line):
            done += 1
            if progress is not None and done % PROGRESS_EVERY == 0:
                progress(done)
        yield item
    if progress is not None:
        progress(done)


# --- PDF -----------------------------------------------------------------------------------------


@in_deployment_language
def write_lampiran_pdf(
    approved: BeneficiaryList,
    entries: QuerySet[Beneficiary],
    path: Path,
    *,
    show_nik: bool,
    area: str = "",
    progress: Progress | None = None,
) -> int:
    """The lampiran as PDF (landscape A4), in the deployment's language; returns the number
    of workers."""
    heading = lampiran_heading(approved)
    counted: list[int] = []

    def rows() -> Iterator[TableRow]:
        for item in _report(progress, lampiran_items(approved, entries, show_nik=show_nik)):
            if isinstance(item, Line):
                yield [item.number, item.nik, item.name, item.sex, format_date(item.born),
                       item.occupation, item.source, Rupiah(item.cost)]  # fmt: skip
            elif isinstance(item, Group):
                yield Band(item.name.upper() if item.level == "kecamatan" else item.name)
            else:
                if item.level == "all":
                    counted.append(item.workers)
                yield Bold(["", "", subtotal_label(item), "", "", "", "", Rupiah(item.cost)])

    with Document(path, header=_page_header(approved, heading), landscape=True) as doc:
        doc.canvas.setAuthor(heading.office.title())
        doc.canvas.setCreator("Lindung")
        doc.fields(_annex_title(heading), _heading_pairs(heading))
        doc.space(LEADING_SPACE)
        doc.heading(heading.title)
        doc.text(_area_line(area), align="center")
        doc.space()
        doc.table(_headers(), rows())
        for section, columns, table in totals_tables(approved, entries):
            doc.space(LEADING_SPACE)
            doc.heading(section, size=9, align="left")
            doc.space(LEADING / 2)
            doc.table(
                columns,
                [[Rupiah(v) if j >= 2 else v for j, v in enumerate(r)] for r in table],
                stretch=False,
                bold_last=True,
            )
        doc.space(LEADING_SPACE)
        doc.block(_signature(heading), align="right")
    return counted[0] if counted else 0


LEADING_SPACE = 18.0  # points between the parts of the document


def _signature(heading: Heading) -> list[str]:
    return [heading.place_date, f"{heading.office},", "", "", "", "", heading.signer]


# --- XLSX ----------------------------------------------------------------------------------------


@in_deployment_language
def write_lampiran_xlsx(
    approved: BeneficiaryList,
    entries: QuerySet[Beneficiary],
    changes: QuerySet[ListChange],
    path: Path,
    *,
    show_nik: bool,
    area: str = "",
    progress: Progress | None = None,
) -> int:
    """The lampiran as XLSX, as the PDF: heading rows, group and subtotal rows, the header
    frozen; the desa and kecamatan in two more columns to filter by. Then the totals and, for a
    revision, the changes. In the deployment's language; returns the number of workers."""
    heading = lampiran_heading(approved)
    count = 0
    with Workbook(path) as book:
        book.properties(title=_page_header(approved, heading), author=heading.office.title())
        sheet = book.sheet(_("Lampiran"))
        lines: list[tuple[str, bool]] = [
            (_annex_title(heading), True),
            *((f"{label} : {value}", False) for label, value in _heading_pairs(heading)),
            ("", False),
            (heading.title, True),
            *((line, False) for line in _area_line(area)),
        ]
        for i, (text, bold) in enumerate(lines):
            if text:
                sheet.text(i, 0, text, book.bold if bold else None)
        top = len(lines) + 1
        sheet.header(top, _xlsx_columns())
        row = top
        band = book.style({"bold": True, "bg_color": "#F2F2F2"})
        for item in _report(progress, lampiran_items(approved, entries, show_nik=show_nik)):
            row += 1
            if isinstance(item, Line):
                sheet.row(row, [item.number, item.nik, item.name, item.sex,
                                format_date(item.born), item.occupation, item.source, item.cost,
                                item.desa, item.kecamatan])  # fmt: skip
            elif isinstance(item, Group):
                sheet.text(row, 0, item.name.upper() if item.level == "kecamatan" else item.name,
                           band)  # fmt: skip
            else:
                count = item.workers if item.level == "all" else count
                sheet.row(row, [None, None, subtotal_label(item), None, None, None, None,
                                item.cost], book.bold)  # fmt: skip
        row += 2
        for i, text in enumerate(_signature(heading)):
            if text:
                sheet.text(
                    row + i, 5, text, book.bold if i == len(_signature(heading)) - 1 else None
                )
        _write_totals_sheet(book, approved, entries)
        if approved.previous_id is not None:
            write_changes_sheet(book, changes, show_nik, source_labels(approved.scenario))
    return count


def _xlsx_columns() -> list[Column]:
    kinds = [Kind.INTEGER, Kind.TEXT, Kind.TEXT, Kind.TEXT, Kind.TEXT, Kind.TEXT, Kind.TEXT,
             Kind.MONEY]  # fmt: skip
    widths: Sequence[float | None] = [7, 19, 32, 5, 16, 20, 14, 16]
    columns = [Column(h, k, w) for h, k, w in zip(_headers(), kinds, widths, strict=True)]
    return [*columns, Column(_("Desa/kelurahan"), width=22), Column(_("Kecamatan"), width=18)]


def _write_totals_sheet(
    book: Workbook, approved: BeneficiaryList, entries: QuerySet[Beneficiary]
) -> None:
    totals = book.sheet(_("Totals"))
    row = 0
    for title, columns, rows in totals_tables(approved, entries):
        totals.text(row, 0, title, book.bold)
        totals.header(row + 1, totals_columns(columns), freeze=False)
        values: list[Any]
        for i, values in enumerate(rows, start=row + 2):
            totals.row(i, values)
        row += len(rows) + 3
