from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from lindung.audit.actions import Action
from lindung.audit.labels import named_models
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
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("All actions")), *Action.choices]
    )
    object_type = forms.ChoiceField(label=_("Object type"), required=False)
    object_id = forms.CharField(label=_("Object id"), required=False, max_length=64)
    date_from = _DateField(label=_("From"))
    date_to = _DateField(label=_("To"))
    batch = forms.UUIDField(label=_("Batch"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The project's models by their names for people; another type (a link's value) stays
        # choosable as its stored text.
        types = {m._meta.label_lower: str(m._meta.verbose_name) for m in named_models()}
        if (given := self.data.get("object_type", "")) and given not in types:
            types[given] = given
        ordered = sorted(types.items(), key=lambda item: item[1].lower())
        choices = [("", _("All objects")), *ordered]
        cast(forms.ChoiceField, self.fields["object_type"]).choices = choices

    def event_filter(self) -> EventFilter:
        """The valid filters (an invalid one is shown with its error and ignored)."""
        self.is_valid()
        return EventFilter(**{k: v for k, v in self.cleaned_data.items() if v not in ("", None)})
