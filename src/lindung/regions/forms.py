from django import forms
from django.utils.translation import gettext_lazy as _

from lindung.regions.models import Deployment


class DecreeSettingsForm(forms.ModelForm[Deployment]):
    """What the decrees of the head of region say (the lampiran of an approved list)."""

    class Meta:
        model = Deployment
        fields = ["head_title", "head_name", "signing_place", "decree_subject"]
        widgets = {"decree_subject": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"head_name": _("As printed under the signature, e.g. H. M. Sukiman Azmy.")}
