from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lindung.audit.queries import EventFilter

_ISO_DATE = "%Y-%m-%d"


class _DateField(forms.DateField):
    def __init__(self, **kwargs: Any) -> None:
        widget = forms.DateInput(attrs={"type": "date"}, format=_ISO_DATE)
        super().__init__(required=False, input_formats=[_ISO_DATE], widget=widget, **kwargs)


class EventFilterForm(forms.Form):
    """The audit page's GET form: its query string is the page's state."""

    actor = forms.CharField(
        label=_("Actor"), required=False, max_length=150, help_text=_("Username, or “system”.")
    )
    action = forms.CharField(
        label=_("Action"),
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"placeholder": "user_updated"}),
    )
    object_type = forms.CharField(
        label=_("Object type"),
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"placeholder": "accounts.user"}),
    )
    object_id = forms.CharField(label=_("Object id"), required=False, max_length=64)
    date_from = _DateField(label=_("From"))
    date_to = _DateField(label=_("To"))
    batch = forms.UUIDField(label=_("Batch"), required=False)

    def event_filter(self) -> EventFilter:
        """The valid filters (an invalid one is shown with its error and ignored)."""
        self.is_valid()
        return EventFilter(**{k: v for k, v in self.cleaned_data.items() if v not in ("", None)})
