import datetime
import re
import tomllib
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lindung.rules.calculators import SECTORS
from lindung.rules.national import FUNDING, SCHOOL_LEVELS, RulesError, parse_month

FUNDING_CHOICES = [
    ("mandiri", _("Self-paid (mandiri)")),
    ("apbd", _("Regency budget (APBD)")),
    ("apbd_provinsi", _("Provincial budget (APBD provinsi)")),
    ("dbhcht", _("Tobacco excise share (DBHCHT)")),
    ("apbdes", _("Village budget (APBDes)")),
    ("csr", _("CSR co-funding")),
]
assert {code for code, _label in FUNDING_CHOICES} == set(FUNDING)  # noqa: S101
PROGRAM_CHOICES = [("JKK", "JKK"), ("JKM", "JKM"), ("JHT", _("JHT (optional)"))]
SECTOR_CHOICES = [("", _("Other sectors")), *[(s, _("Transport")) for s in SECTORS]]


def _this_month() -> str:
    return timezone.localdate().strftime("%Y-%m")


class CalculatorForm(forms.Form):
    """The public calculator's GET form; its query string is the whole state."""

    income = forms.IntegerField(label=_("Reported income per month (Rp)"), min_value=0)
    programs = forms.MultipleChoiceField(
        label=_("Programs"), choices=PROGRAM_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    month = forms.CharField(
        label=_("First month (YYYY-MM)"),
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-05"}),
    )
    funding = forms.ChoiceField(label=_("Paid by"), choices=FUNDING_CHOICES)
    sector = forms.ChoiceField(label=_("Sector"), choices=SECTOR_CHOICES, required=False)
    months = forms.TypedChoiceField(
        label=_("Months paid at once"),
        choices=[(n, str(n)) for n in (1, 3, 6, 12)],
        coerce=int,
    )
    months_off = forms.IntegerField(
        label=_("Months off work (STMB)"), min_value=1, max_value=120, required=False
    )

    @staticmethod
    def defaults() -> dict[str, Any]:
        return {
            "income": 1_000_000,
            "programs": ["JKK", "JKM"],
            "month": _this_month(),
            "funding": "mandiri",
            "sector": "",
            "months": 1,
            "months_off": 12,
        }

    def clean_month(self) -> datetime.date:
        try:
            year, month = parse_month(self.cleaned_data["month"])
        except RulesError as error:
            raise forms.ValidationError(error.message) from error
        return datetime.date(year, month, 1)


_LINE = re.compile(r"at line (\d+)")


class VersionForm(forms.Form):
    """A new rules version as TOML text: a copy of the latest version, edited."""

    text = forms.CharField(
        label=_("Rules (TOML)"), widget=forms.Textarea(attrs={"rows": 30, "spellcheck": "false"})
    )
    note = forms.CharField(label=_("Why this version"), max_length=500, required=False)

    error_line: int | None = None

    def clean_text(self) -> dict[str, Any]:
        text = self.cleaned_data["text"]
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            match = _LINE.search(str(error))
            self.error_line = int(match[1]) if match else None
            raise forms.ValidationError(
                _("The text is not valid TOML: %(error)s") % {"error": error}
            ) from error
        if "effective_from" not in data:
            raise forms.ValidationError(_("Set effective_from, for example 2026-07-01."))
        return data

    def numbered_lines(self) -> list[tuple[int, str, bool]]:
        """The submitted text with line numbers, the faulty line flagged."""
        text = str(self.data.get("text", ""))
        return [
            (number, line, number == self.error_line)
            for number, line in enumerate(text.splitlines(), start=1)
        ]


SCHOOL_LEVEL_CHOICES = [(level, level) for level in SCHOOL_LEVELS]
