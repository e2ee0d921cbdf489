from typing import Any

from django import forms
from django.utils.translation import gettext as _

from lindung.regions.models import DECREE_FIELDS, Deployment


class DecreeSettingsForm(forms.Form):
    """What the decrees of the head of region say (the lampiran of an approved list): the
    installation's, or one kabupaten/kota's in an installation that serves several."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(
            forms.fields_for_model(
                Deployment,
                fields=list(DECREE_FIELDS),
                widgets={"decree_subject": forms.Textarea(attrs={"rows": 3})},
                help_texts={
                    "head_name": str(_("As printed under the signature, e.g. H. M. Sukiman Azmy."))
                },
            )
        )
