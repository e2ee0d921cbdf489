"""The Indonesian translation catalogue: extract, update, compile — without gettext tools.

    uv run python -m lindung.ui.catalogue          update locale/id/LC_MESSAGES/django.po from
                                                   the code and templates, then compile django.mo

Extraction reads Python files with Babel and templates through Django's own `templatize` (what
`makemessages` feeds to xgettext), so the result matches `makemessages`. The test suite uses the
same extraction to fail on any message without an Indonesian translation. Development only:
needs the dev dependencies (babel, polib).
"""

import io
import re
import sys
from collections.abc import Iterator
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent
PO_PATH = PACKAGE_DIR / "locale" / "id" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")
KEYWORDS = {
    "_": None,
    "gettext": None,
    "gettext_lazy": None,
    "gettext_noop": None,
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "npgettext_lazy": ((1, "c"), 2, 3),
}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|\{(\w*)\}")
# (context, singular, plural) → list of "path:line" where it is used
Key = tuple[str | None, str, str | None]


def _source_files() -> Iterator[Path]:
    for path in sorted(PACKAGE_DIR.rglob("*")):
        parts = set(path.relative_to(PACKAGE_DIR).parts)
        if parts & {"tests", "migrations", "__pycache__", "locale", "static"}:
            continue
        if path.suffix in {".py", ".html", ".txt"} and path.is_file():
            yield path


def extract() -> dict[Key, list[str]]:
    """Every translatable message in the package's code and templates."""
    from babel.messages.extract import extract as babel_extract
    from django.utils.translation.template import templatize

    found: dict[Key, list[str]] = {}
    for path in _source_files():
        text = path.read_text(encoding="utf-8")
        if path.suffix != ".py":
            if "{%" not in text:
                continue
            text = templatize(text, origin=str(path))
        results = babel_extract(
            "python", io.BytesIO(text.encode()), keywords=KEYWORDS, options={"encoding": "utf-8"}
        )
        for lineno, message, _comments, context in results:
            if isinstance(message, tuple):
                singular, plural = message[0], message[1]
            else:
                singular, plural = message, None
            if not singular:
                continue
            where = f"{path.relative_to(PACKAGE_DIR)}:{lineno}"
            found.setdefault((context, singular, plural), []).append(where)
    return found


def placeholders(text: str) -> set[str]:
    return {m.group(1) or m.group(2) for m in PLACEHOLDER.finditer(text)}


def update() -> None:
    """Bring django.po in line with the code (keeping translations), then compile django.mo."""
    import polib

    messages = extract()
    po = polib.pofile(str(PO_PATH)) if PO_PATH.exists() else polib.POFile()
    po.metadata = {
        "Project-Id-Version": "lindung",
        "Language": "id",
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": "nplurals=1; plural=0;",
    }
    existing = {(e.msgctxt, e.msgid, e.msgid_plural or None): e for e in po}
    fresh = polib.POFile()
    fresh.metadata = po.metadata
    for key in sorted(messages, key=lambda k: (k[1], k[0] or "")):
        context, singular, plural = key
        entry = existing.get(key) or polib.POEntry(
            msgctxt=context, msgid=singular, msgid_plural=plural or "",
            msgstr="", msgstr_plural={0: ""} if plural else {},
        )  # fmt: skip
        entry.occurrences = [(w.split(":")[0], "") for w in messages[key][:3]]
        entry.occurrences = list(dict.fromkeys(entry.occurrences))
        if "%(" in singular and "python-format" not in entry.flags:
            entry.flags.append("python-format")
        fresh.append(entry)
    PO_PATH.parent.mkdir(parents=True, exist_ok=True)
    fresh.save(str(PO_PATH))
    fresh.save_as_mofile(str(MO_PATH))
    missing = [e.msgid for e in fresh if not (e.msgstr or any(e.msgstr_plural.values()))]
    sys.stdout.write(f"{PO_PATH}: {len(fresh)} messages, {len(missing)} untranslated\n")


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lindung.settings")
    django.setup()
    update()
