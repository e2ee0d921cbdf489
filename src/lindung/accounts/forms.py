from collections import defaultdict
from typing import Any, cast

from django import forms
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext_lazy as _

from lindung.accounts.models import User
from lindung.regions.models import Level
from lindung.regions.queries import visible_regions
from lindung.roles import REQUIRED_LEVEL, Role

Choices = list[tuple[Any, Any]]


def _levels_for(role: str | None) -> list[int]:
    """The wilayah levels `role` may be bound to; every level when the role is not known yet."""
    if level := REQUIRED_LEVEL.get(role or ""):
        return [level]
    if role == Role.PROVINSI:
        return [Level.PROVINSI]
    if role in Role.values:
        return [Level.KABUPATEN_KOTA]
    return [Level.KABUPATEN_KOTA, Level.KECAMATAN, Level.DESA_KELURAHAN]


def region_choices(by: User, *, role: str | None = None, blank: str = "") -> Choices:
    """The wilayah picker: regencies, kecamatan, and desa grouped by kecamatan, within `by`'s
    scope; only the level `role` takes when a role is given. One query (~280 rows).
    """
    levels = _levels_for(role)
    regencies: Choices = []
    kecamatan: Choices = []
    desa: dict[str, Choices] = defaultdict(list)
    for region in visible_regions(by).filter(level__gte=Level.KABUPATEN_KOTA).order_by("code"):
        if region.level == Level.KABUPATEN_KOTA:
            regencies.append((region.code, region.name))
        elif region.level == Level.KECAMATAN:
            kecamatan.append((region.code, region.display_name))
        else:
            desa[region.parent_id or ""].append((region.code, region.display_name))
    if not blank:
        blank = str(_("— choose —")) if role in REQUIRED_LEVEL else str(_("Whole deployment"))
    choices: Choices = [("", blank)]
    if Level.KABUPATEN_KOTA in levels:
        choices.append((_("Regency/city"), regencies))
    if Level.KECAMATAN in levels:
        choices.append((_("Kecamatan"), kecamatan))
    if Level.DESA_KELURAHAN in levels:
        choices += [
            (_("%(kecamatan)s: desa/kelurahan") % {"kecamatan": name}, desa[code])
            for code, name in kecamatan
            if desa[code]
        ]
    return choices


class UserForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=[("", _("— choose —")), *Role.choices])
    region_code = forms.ChoiceField(
        label=_("Wilayah"),
        required=False,
        help_text=_(
            "District operators work in one kecamatan, village operators in one desa/kelurahan."
            " Other roles cover the whole deployment, or one regency/city of it."
        ),
    )
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    email = forms.EmailField(label=_("Email"), required=False)

    def __init__(self, *args: Any, by: User, for_role: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = region_choices(by, role=for_role)
        cast(forms.ChoiceField, self.fields["region_code"]).choices = choices


class UserCreateForm(UserForm):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("Letters, digits and @ . + - _ only; used to log in."),
    )
    field_order = ["username", "full_name", "role", "region_code", "phone", "email"]


def user_initial(user: User) -> dict[str, Any]:
    return {
        "full_name": user.full_name,
        "role": user.role,
        "region_code": user.region_id or "",
        "phone": user.phone,
        "email": user.email,
    }


class UserFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("username or name")}),
    )
    role = forms.ChoiceField(
        label=_("Role"), required=False, choices=[("", _("All roles")), *Role.choices]
    )
    region = forms.ChoiceField(label=_("Wilayah"), required=False)
    active = forms.TypedChoiceField(
        label=_("Status"),
        required=False,
        coerce=lambda value: value == "1",
        empty_value=None,
        choices=[("", _("Active and inactive")), ("1", _("Active")), ("0", _("Inactive"))],
    )

    def __init__(self, *args: Any, by: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = region_choices(by, blank=str(_("All wilayah")))
        cast(forms.ChoiceField, self.fields["region"]).choices = choices

    def filters(self) -> dict[str, Any]:
        """The valid filters (an invalid one is shown with its error and ignored)."""
        self.is_valid()
        data = self.cleaned_data
        return {
            "q": data.get("q", "").strip(),
            "role": data.get("role", ""),
            "region": data.get("region", ""),
            "active": data.get("active"),
        }


class OwnPasswordChangeForm(PasswordChangeForm):
    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        old, new = data.get("old_password"), data.get("new_password1")
        if old and new and old == new:
            self.add_error("new_password1", _("Choose a password different from the current one."))
        return data
