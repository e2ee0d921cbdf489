"""`lindung reindex_names`: write every worker's search tokens again (after the rules of
registry.names change)."""

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from lindung.formats import format_number
from lindung.registry.name_index import rebuild_tokens


class Command(BaseCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _("Rebuild the name tokens the worker search matches.")

    def handle(self, *args: Any, **options: Any) -> None:
        tokens = rebuild_tokens()
        self.stdout.write(_("%(tokens)s name tokens written.") % {"tokens": format_number(tokens)})
