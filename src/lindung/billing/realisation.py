# Over 600 lines: the pure computation and its one database read belong together (read → compute).
"""Realisation against the pagu: per funding source and month of a fiscal year, what the budget
allows, what the approved list commits, what was billed and paid, what remains, and where the
year ends at the current rate, with a warning when it ends above the pagu or too far below it.

    result = realisation(2027)                          # read the database, compute as of today
    result = compute(read(2027), on=day, deadline=…, threshold=0.1)   # the pure step alone

`read` is the one database read: aggregates only (no person appears), small frames whatever
the number of participants. `monthly` and `compute` are pure functions over those frames.

The columns, per source and month (money in whole rupiah):

- **pagu**: the active policy's `annual_budget` of the source. The budget is annual; the month
  rows show an even twelfth of it (the monthly share a budget office compares against).
- **committed**: the approved list in force (`Beneficiary.cost` summed per source: what the
  list costs for the year), spread evenly over the policy's coverage months.
- **billed**: the lines of live bills (every state but BATAL) in the month they cover. Lines
  refunded after a death or a removal are no longer owed and are left out.
- **paid**: money paid (`Payment.amount`) in the month of its date, less refunds received from
  BPJS (`Refund` DITERIMA) in the month received. A payment dated outside the fiscal year
  (arrears paid in January of the next year) counts in December, one dated before it in
  January, so the year's total is all the money of its bills.
- **remaining**: the pagu less the money paid to date (negative: overspent).
- **forecast**: the money the year will take by December, month by month. Not a rate drawn
  from the months so far: bills are prepaid for several months (six by default), so an average
  of past payments swings with the billing calendar. It is what the Dinas is already bound to
  pay for the participants it has, which a budget office can check line by line: the money
  paid so far, plus what live bills still owe, in the month they fall due (an overdue bill
  now), plus every month of today's registered participants that no bill carries yet, at that
  month's contribution (`services.Prices`, the price its bill will carry) in that month (a past
  month now, as arrears), less refunds claimed from BPJS and not yet received (now).
  Candidates on the list not yet registered are not in it: they stay in "committed" until the
  branch registers them. A year over forecasts what was paid; one not begun starts in January.

Warnings (per source):

- **shortfall** (kurang anggaran): the forecast to December exceeds the pagu; the amount is the
  shortfall.
- **unspent**: from 1 January of the fiscal year until the APBD-P deadline
  (`LINDUNG_APBDP_DEADLINE`, month-day, default "09-30"), the forecast leaves more than
  `LINDUNG_UNSPENT_WARNING` (a share of the pagu, default 0.10) unspent: money that can still
  be moved in the budget revision. After the deadline nothing can move, so no warning.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import polars as pl
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count, F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from lindung.billing.models import Bill, BillLine, BillState, Payment, Refund, RefundState
from lindung.billing.services import Prices
from lindung.enrollment.models import Participation, State
from lindung.formats import format_date, format_number, format_rupiah
from lindung.rules.policy import active_policy
from lindung.targeting.lists import current_list
from lindung.targeting.models import Beneficiary

DEFAULT_DEADLINE = "09-30"  # the APBD-P (budget revision) is passed by the end of September
DEFAULT_THRESHOLD = 0.10

SOURCES = {"source": pl.String, "label": pl.String, "pagu": pl.Int64}
COMMITTED = {"source": pl.String, "amount": pl.Int64}
AMOUNTS = {"source": pl.String, "month": pl.Date, "amount": pl.Int64}  # month: any day of it
COUNTS = {"source": pl.String, "month": pl.Date, "count": pl.Int64}
MONTHLY = {
    "source": pl.String,
    "month": pl.Date,
    "pagu": pl.Int64,
    "committed": pl.Int64,
    "billed": pl.Int64,
    "paid": pl.Int64,
    "paid_to_date": pl.Int64,
    "remaining": pl.Int64,
    "forecast": pl.Int64,
    "forecast_to_date": pl.Int64,
    "actual": pl.Boolean,
}


@dataclass(frozen=True)
class Inputs:
    """What `read` takes from the database for one fiscal year (frames of the schemas above)."""

    fiscal_year: int
    sources: pl.DataFrame  # SOURCES: the policy's sources in its order
    committed: pl.DataFrame  # COMMITTED: the list in force, per source
    billed: pl.DataFrame  # AMOUNTS: live bills' lines by the month they cover
    paid: pl.DataFrame  # AMOUNTS: payments (+) and refunds received (negative) by date
    owed: pl.DataFrame  # AMOUNTS: live bills' unpaid amount by due date, refunds claimed (negative)
    registered: pl.DataFrame  # COUNTS: registered participants by effective date
    on_bills: pl.DataFrame  # COUNTS: their months that a bill carries
    prices: pl.DataFrame  # AMOUNTS: one participant-month of a source
    coverage_months: int = 12


def empty_inputs(fiscal_year: int, sources: Iterable[tuple[str, str, int]] = ()) -> Inputs:
    """Inputs with nothing but the sources (code, label, pagu): a start for tests."""
    return Inputs(
        fiscal_year=fiscal_year,
        sources=pl.DataFrame(list(sources), schema=SOURCES, orient="row"),
        committed=pl.DataFrame(schema=COMMITTED),
        billed=pl.DataFrame(schema=AMOUNTS),
        paid=pl.DataFrame(schema=AMOUNTS),
        owed=pl.DataFrame(schema=AMOUNTS),
        registered=pl.DataFrame(schema=COUNTS),
        on_bills=pl.DataFrame(schema=COUNTS),
        prices=pl.DataFrame(schema=AMOUNTS),
    )


@dataclass(frozen=True)
class Month:
    month: datetime.date
    pagu: int  # a twelfth of the pagu
    committed: int
    billed: int
    paid: int
    paid_to_date: int
    remaining: int
    forecast: int
    forecast_to_date: int
    actual: bool  # the month is over: its forecast is what was paid


@dataclass(frozen=True)
class Figures:
    """One funding source's year (or all sources together: `code` empty)."""

    code: str
    label: str
    pagu: int
    committed: int
    billed: int
    paid: int
    forecast: int
    months: tuple[Month, ...]

    @property
    def remaining(self) -> int:
        return self.pagu - self.paid

    @property
    def shortfall(self) -> int:
        return max(0, self.forecast - self.pagu)

    @property
    def unspent(self) -> int:
        return max(0, self.pagu - self.forecast)

    @property
    def paid_share(self) -> float | None:
        return self.paid / self.pagu if self.pagu else None

    @property
    def forecast_share(self) -> float | None:
        return self.forecast / self.pagu if self.pagu else None


@dataclass(frozen=True)
class BudgetWarning:
    kind: Literal["shortfall", "unspent"]
    source: str
    amount: int  # the shortfall, or the money left unspent
    message: str


@dataclass(frozen=True)
class Realisation:
    fiscal_year: int
    on: datetime.date  # the figures as of this day
    deadline: datetime.date  # the APBD-P deadline of the fiscal year
    threshold: float  # the unspent share that warns
    sources: tuple[Figures, ...]
    total: Figures
    warnings: tuple[BudgetWarning, ...] = field(default=())


# ---------------------------------------------------------------------------------------------
# Settings


def apbdp_deadline(fiscal_year: int) -> datetime.date:
    """`LINDUNG_APBDP_DEADLINE` ("MM-DD") in `fiscal_year`."""
    text = str(getattr(settings, "LINDUNG_APBDP_DEADLINE", DEFAULT_DEADLINE))
    try:
        month, day = (int(part) for part in text.strip().split("-"))
        return datetime.date(fiscal_year, month, day)
    except ValueError as error:
        raise ImproperlyConfigured(
            f"LINDUNG_APBDP_DEADLINE must be a month and day as MM-DD, not {text!r}."
        ) from error


def unspent_threshold() -> float:
    """`LINDUNG_UNSPENT_WARNING`: the share of a pagu left unspent that warns (0 to 1)."""
    value = getattr(settings, "LINDUNG_UNSPENT_WARNING", DEFAULT_THRESHOLD)
    try:
        share = float(value)
    except (TypeError, ValueError) as error:
        raise ImproperlyConfigured("LINDUNG_UNSPENT_WARNING must be a share (0.10).") from error
    if not 0 <= share <= 1:
        raise ImproperlyConfigured("LINDUNG_UNSPENT_WARNING must lie between 0 and 1.")
    return share


# ---------------------------------------------------------------------------------------------
# The pure steps


def months_of(fiscal_year: int) -> list[datetime.date]:
    return [datetime.date(fiscal_year, month, 1) for month in range(1, 13)]


def spread(total: int, months: int) -> list[int]:
    """`total` in whole rupiah over the first `months` of twelve: equal shares that add up to
    `total` exactly (the remainder goes to the later months), nothing after them."""
    months = max(1, min(12, months))
    shares = [total * m // months - total * (m - 1) // months for m in range(1, months + 1)]
    return shares + [0] * (12 - months)


def first_open_month(fiscal_year: int, on: datetime.date) -> datetime.date | None:
    """The first month whose money is still to come as of `on`: its month in the fiscal year,
    January before it, None once it is over."""
    if on.year > fiscal_year:
        return None
    if on.year < fiscal_year:
        return datetime.date(fiscal_year, 1, 1)
    return on.replace(day=1)


def _codes(inputs: Inputs) -> list[str]:
    """The policy's sources in its order, then any other source the money names (a source
    dropped from the policy still has bills), sorted."""
    known = inputs.sources["source"].to_list()
    seen = set(known)
    others: set[str] = set()
    for frame in (inputs.committed, inputs.billed, inputs.paid, inputs.owed, inputs.registered):
        others.update(code for code in frame["source"].unique().to_list() if code not in seen)
    return [*known, *sorted(others)]


def _per_month(
    frame: pl.DataFrame,
    fiscal_year: int,
    value: str,
    name: str,
    earliest: datetime.date | None = None,
) -> pl.DataFrame:
    """`value` summed per source and month, each date moved into the fiscal year's months (and
    to `earliest` or later)."""
    low = earliest or datetime.date(fiscal_year, 1, 1)
    high = datetime.date(fiscal_year, 12, 1)
    return (
        frame.with_columns(month=pl.col("month").dt.month_start().clip(low, high))
        .group_by("source", "month")
        .agg(pl.col(value).sum().cast(pl.Int64).alias(name))
    )


def _unbilled(inputs: Inputs, grid: pl.DataFrame) -> pl.DataFrame:
    """Per source and month, the registered participants' months that no bill carries yet, at
    the month's price: the participants protected from that month on less those billed."""
    year = inputs.fiscal_year
    december = datetime.date(year, 12, 1)
    starting = _per_month(
        inputs.registered.filter(pl.col("month").dt.month_start() <= december),
        year,
        "count",
        "starting",
    )
    on_bills = _per_month(
        inputs.on_bills.filter(pl.col("month").dt.year() == year), year, "count", "on_bills"
    )
    prices = _per_month(
        inputs.prices.filter(pl.col("month").dt.year() == year), year, "amount", "price"
    )
    return (
        grid.join(starting, on=["source", "month"], how="left")
        .join(on_bills, on=["source", "month"], how="left")
        .join(prices, on=["source", "month"], how="left")
        .fill_null(0)
        .sort("source", "month")
        .with_columns(active=pl.col("starting").cum_sum().over("source"))
        .select(
            "source",
            "month",
            amount=(pl.col("active") - pl.col("on_bills")).clip(lower_bound=0) * pl.col("price"),
        )
    )


def monthly(inputs: Inputs, *, on: datetime.date) -> pl.DataFrame:
    """The month rows of every source (schema MONTHLY), sources in `_codes` order."""
    year = inputs.fiscal_year
    months = months_of(year)
    codes = _codes(inputs)
    pagu = dict(zip(inputs.sources["source"], inputs.sources["pagu"], strict=True))
    committed = _committed_totals(inputs)
    grid = pl.DataFrame(
        {
            "source": [code for code in codes for _ in months],
            "month": months * len(codes),
            "order": [i for i, _code in enumerate(codes) for _ in months],
            "pagu": [s for code in codes for s in spread(pagu.get(code, 0), 12)],
            "committed": [
                s for code in codes for s in spread(committed.get(code, 0), inputs.coverage_months)
            ],
        },
        schema={
            "source": pl.String,
            "month": pl.Date,
            "order": pl.Int64,
            "pagu": pl.Int64,
            "committed": pl.Int64,
        },
    )
    keys = grid.select("source", "month")
    frame = grid.join(
        _per_month(inputs.billed, year, "amount", "billed"), on=["source", "month"], how="left"
    ).join(_per_month(inputs.paid, year, "amount", "paid"), on=["source", "month"], how="left")
    first = first_open_month(year, on)
    if first is None:
        frame = frame.with_columns(expected=pl.lit(0, pl.Int64))
    else:
        coming = pl.concat(
            [
                inputs.owed.select("source", "month", "amount"),
                _unbilled(inputs, keys).filter(pl.col("amount") != 0),
            ]
        )
        expected = _per_month(coming, year, "amount", "expected", earliest=first)
        frame = frame.join(expected, on=["source", "month"], how="left")
    open_from = first or datetime.date(year + 1, 1, 1)
    return (
        frame.fill_null(0)
        .sort("order", "month")
        .with_columns(
            paid_to_date=pl.col("paid").cum_sum().over("source"),
            forecast=pl.col("paid") + pl.col("expected"),
            actual=pl.col("month") < open_from,
        )
        .with_columns(
            remaining=pl.col("pagu").sum().over("source") - pl.col("paid_to_date"),
            forecast_to_date=pl.col("forecast").cum_sum().over("source"),
        )
        .select(list(MONTHLY))
        .cast(MONTHLY)  # type: ignore[arg-type]
    )


def _committed_totals(inputs: Inputs) -> dict[str, int]:
    totals = inputs.committed.group_by("source").agg(pl.col("amount").sum())
    return {str(code): int(amount) for code, amount in totals.iter_rows()}


def _figures(code: str, label: str, pagu: int, committed: int, rows: pl.DataFrame) -> Figures:
    months = tuple(Month(**row) for row in rows.drop("source").iter_rows(named=True))
    return Figures(
        code=code,
        label=label,
        pagu=pagu,
        committed=committed,
        billed=sum(m.billed for m in months),
        paid=sum(m.paid for m in months),
        forecast=sum(m.forecast for m in months),
        months=months,
    )


def _total(figures: Sequence[Figures], fiscal_year: int) -> Figures:
    """All sources together: each column summed (the month's `actual` is the same for all)."""
    months = []
    for i, month in enumerate(months_of(fiscal_year)):
        rows = [f.months[i] for f in figures]
        sums = {
            name: sum(getattr(row, name) for row in rows)
            for name in (
                "pagu", "committed", "billed", "paid", "paid_to_date", "remaining", "forecast",
                "forecast_to_date",
            )
        }  # fmt: skip
        actual = rows[0].actual if rows else False
        months.append(Month(month=month, actual=actual, **sums))
    return Figures(
        code="",
        label=_("All sources"),
        pagu=sum(f.pagu for f in figures),
        committed=sum(f.committed for f in figures),
        billed=sum(f.billed for f in figures),
        paid=sum(f.paid for f in figures),
        forecast=sum(f.forecast for f in figures),
        months=tuple(months),
    )


def _percent(share: float) -> str:
    return f"{format_number(share * 100, 1)}%"


def warnings_for(
    figures: Figures, *, on: datetime.date, deadline: datetime.date, threshold: float
) -> list[BudgetWarning]:
    """The source's warnings as of `on` (see the module's docstring)."""
    found: list[BudgetWarning] = []
    if figures.shortfall > 0:
        found.append(
            BudgetWarning(
                kind="shortfall",
                source=figures.code,
                amount=figures.shortfall,
                message=_(
                    "%(source)s: budget shortfall (kurang anggaran) of %(shortfall)s. The "
                    "forecast to December is %(forecast)s against a pagu of %(pagu)s."
                )
                % {
                    "source": figures.label,
                    "shortfall": format_rupiah(figures.shortfall),
                    "forecast": format_rupiah(figures.forecast),
                    "pagu": format_rupiah(figures.pagu),
                },
            )
        )
    in_window = datetime.date(deadline.year, 1, 1) <= on <= deadline
    if in_window and figures.pagu > 0 and figures.unspent > threshold * figures.pagu:
        found.append(
            BudgetWarning(
                kind="unspent",
                source=figures.code,
                amount=figures.unspent,
                message=_(
                    "%(source)s: at the current rate %(unspent)s of the pagu (%(share)s) stays "
                    "unspent by December, more than %(threshold)s. Propose the change in the "
                    "APBD-P before %(deadline)s."
                )
                % {
                    "source": figures.label,
                    "unspent": format_rupiah(figures.unspent),
                    "share": _percent(figures.unspent / figures.pagu),
                    "threshold": _percent(threshold),
                    "deadline": format_date(deadline),
                },
            )
        )
    return found


def compute(
    inputs: Inputs,
    *,
    on: datetime.date,
    deadline: datetime.date,
    threshold: float,
    source: str | None = None,
) -> Realisation:
    """The realisation of `inputs` as of `on` (of one `source`, or every source). Pure."""
    frame = monthly(inputs, on=on)
    labels = dict(zip(inputs.sources["source"], inputs.sources["label"], strict=True))
    pagu = dict(zip(inputs.sources["source"], inputs.sources["pagu"], strict=True))
    committed = _committed_totals(inputs)
    codes = [c for c in _codes(inputs) if source is None or c == source]
    figures = [
        _figures(
            code,
            str(labels.get(code) or code.upper()),
            int(pagu.get(code, 0)),
            committed.get(code, 0),
            frame.filter(pl.col("source") == code),
        )
        for code in codes
    ]
    warnings = [
        w for f in figures for w in warnings_for(f, on=on, deadline=deadline, threshold=threshold)
    ]
    return Realisation(
        fiscal_year=inputs.fiscal_year,
        on=on,
        deadline=deadline,
        threshold=threshold,
        sources=tuple(figures),
        total=_total(figures, inputs.fiscal_year),
        warnings=tuple(warnings),
    )


# ---------------------------------------------------------------------------------------------
# The database


_ALIASES = {"amount": "total", "count": "n"}  # a model's own field name cannot be an alias


def _frame(rows: Iterable[dict[str, Any]], schema: dict[str, Any]) -> pl.DataFrame:
    names = [_ALIASES.get(name, name) for name in schema]
    return pl.DataFrame([[row[n] for n in names] for row in rows], schema=schema, orient="row")


def read(fiscal_year: int, kabupaten: str | None = None) -> Inputs:
    """The aggregates of `fiscal_year` the realisation is computed from (no person data), for
    `kabupaten` (left out: the installation's only one): its policy's pagu, its list, the bills
    of its wadah."""
    policy, _version = active_policy(kabupaten)
    kabupaten = policy.deployment[0] if policy.deployment else None
    approved = current_list(fiscal_year, kabupaten) if kabupaten else None
    # Its own wadah's bills and participants (the only ones in an installation of one).
    of_bill = {"bill__wadah__kabupaten": kabupaten} if kabupaten else {}
    of_wadah = {"wadah__kabupaten": kabupaten} if kabupaten else {}
    committed = (
        Beneficiary.objects.filter(beneficiary_list=approved)
        .values("source")
        .annotate(total=Sum("cost"))
        .order_by()
    )
    bills = Bill.objects.filter(fiscal_year=fiscal_year, **of_wadah).exclude(state=BillState.BATAL)
    billed = (
        BillLine.objects.filter(bill__in=bills, refunded=False)
        .values("month", source=F("bill__source"))
        .annotate(total=Sum("amount"))
        .order_by()
    )
    payments = (
        Payment.objects.filter(bill__fiscal_year=fiscal_year, **of_bill)
        .values(source=F("bill__source"), month=F("paid_on"))
        .annotate(total=Sum("amount"))
        .order_by()
    )
    refunds = Refund.objects.filter(bill__fiscal_year=fiscal_year, **of_bill)
    received = (
        refunds.filter(state=RefundState.DITERIMA)
        .values(source=F("bill__source"), month=F("received_on"))
        .annotate(total=-Sum("amount"))
        .order_by()
    )
    unpaid = (
        bills.filter(amount__gt=F("paid"))
        .values("source", month=F("due_date"))
        .annotate(total=Sum(F("amount") - F("paid")))
        .order_by()
    )
    claimed = (
        refunds.filter(state=RefundState.DIAJUKAN)
        .values(source=F("bill__source"), month=F("first_month"))
        .annotate(total=-Sum("amount"))
        .order_by()
    )
    participations = Participation.objects.filter(
        fiscal_year=fiscal_year, state=State.TERDAFTAR, wadah__isnull=False, **of_wadah
    )
    registered = [
        row | {"month": row["month"] or datetime.date(fiscal_year, 1, 1)}
        for row in participations.values("source", month=F("effective_from"))
        .annotate(n=Count("id"))
        .order_by()
    ]
    on_bills = (
        BillLine.objects.filter(participation__in=participations, refunded=False)
        .values("month", source=F("participation__source"))
        .annotate(n=Count("id"))
        .order_by()
    )
    registered_frame = _frame(registered, COUNTS)
    prices = Prices(policy)
    price_rows = [
        {"source": code, "month": month, "total": prices.of(code, month)[3]}
        for code in registered_frame["source"].unique().sort().to_list()
        for month in months_of(fiscal_year)
    ]
    return Inputs(
        fiscal_year=fiscal_year,
        sources=pl.DataFrame(
            [(s.code, s.label, s.annual_budget) for s in policy.sources],
            schema=SOURCES,
            orient="row",
        ),
        committed=_frame(committed, COMMITTED),
        billed=_frame(billed, AMOUNTS),
        paid=pl.concat([_frame(payments, AMOUNTS), _frame(received, AMOUNTS)]),
        owed=pl.concat([_frame(unpaid, AMOUNTS), _frame(claimed, AMOUNTS)]),
        registered=registered_frame,
        on_bills=_frame(on_bills, COUNTS),
        prices=_frame(price_rows, AMOUNTS),
        coverage_months=policy.coverage_months,
    )


def realisation(
    fiscal_year: int,
    *,
    source: str | None = None,
    on: datetime.date | None = None,
    kabupaten: str | None = None,
) -> Realisation:
    """The realisation of `fiscal_year` (one `source` or all) in `kabupaten` as of `on` (default
    today), with the APBD-P deadline and unspent threshold of the settings."""
    return compute(
        read(fiscal_year, kabupaten),
        on=on or timezone.localdate(),
        deadline=apbdp_deadline(fiscal_year),
        threshold=unspent_threshold(),
        source=source,
    )
