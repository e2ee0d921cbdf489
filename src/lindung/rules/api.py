"""The calculators over the JSON API: public (no login), the same JSON as `lindung calc`."""

import datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from lindung.rules import calculators
from lindung.rules.national import RulesError, parse_month

router = Router(tags=["rules"])


class ContributionOut(Schema):
    jkk: int
    jkm: int
    jht: int
    reduction: int
    total_per_month: int
    months: int
    total: int


class BenefitLine(Schema):
    label: str
    amount: int


class BenefitOut(Schema):
    kind: str
    total: int
    breakdown: list[BenefitLine]


class ContributionQuery(Schema):
    income: int = Field(description="Reported income in rupiah")
    programs: str = Field("JKK,JKM", description="JKK,JKM or JKK,JKM,JHT")
    month: str = Field(
        description="First contribution month, YYYY-MM; each month is priced under the rules "
        "in force that month"
    )
    funding: str = Field("mandiri", description="apbd, apbd_provinsi, dbhcht, apbdes, csr, mandiri")
    sector: str = Field("", description="empty, or transport")
    months: int = Field(1, description="Months paid at once: 1, 3, 6 or 12")


class BenefitQuery(Schema):
    income: int | None = Field(None, description="Reported income in rupiah")
    months: int | None = Field(None, description="STMB: months off work")
    contribution_years: int | None = Field(None, description="JKM: years of contributions")
    children: str = Field(
        "",
        description="School levels of the children for the scholarship (jkm, jkk-death, "
        "jkk-disability), e.g. TK,SMA",
    )
    parts: str = Field(
        "",
        description="jkk-disability: body parts lost (codes of the partial disability table, "
        "comma-separated) for a partial disability; empty: total permanent disability",
    )


@router.get("/iuran", response=ContributionOut, auth=None, summary="Contribution (iuran)")
def contribution(request: HttpRequest, query: Query[ContributionQuery]) -> dict[str, int]:
    try:
        year, month = parse_month(query.month)
        result = calculators.contribution(
            query.income,
            programs=query.programs.split(","),
            month=datetime.date(year, month, 1),
            funding=query.funding,
            sector=query.sector or None,
            months=query.months,
        )
    except RulesError as error:
        raise HttpError(422, error.message) from error
    return result.as_json()


@router.get("/manfaat/{kind}", response=BenefitOut, auth=None, summary="Benefit (manfaat)")
def benefit(request: HttpRequest, kind: str, query: Query[BenefitQuery]) -> dict[str, object]:
    try:
        result = calculators.benefit(
            kind,
            income=query.income,
            months=query.months,
            contribution_years=query.contribution_years,
            children=[c.strip().upper() for c in query.children.split(",") if c.strip()],
            parts=[p.strip() for p in query.parts.split(",") if p.strip()],
        )
    except RulesError as error:
        raise HttpError(422, error.message) from error
    return result.as_json()
