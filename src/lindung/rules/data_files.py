"""One typed reader for the rules' data files: the national rules and the regency policy.

Each file's shape is a tree of `Schema` models (pydantic) declared beside the code that uses it
(`national.py`, `policy.py`); their leaves use the types below, which check values exactly as
people are told (a whole number, a text, true or false). `read(Model, data, path=…)` validates
raw data (TOML, the JSON stored on a version, or an edit form's data) and turns the first
problem into a `RulesError` whose message names the full key path (`version.contribution.jkm
.source is missing.`): pydantic's own messages are never shown.

Rules that look at more than one value raise `rule(template, **params)` from a validator; its
`%(path)s` is filled with the path of the table that raised it. `to_toml` writes data back as
TOML (tomli-w) for the admin's editor.
"""

import datetime
import re
from collections.abc import Mapping
from typing import Annotated, Any, TypeVar

import tomli_w
from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict, PlainValidator, ValidationError
from pydantic_core import ErrorDetails, PydanticCustomError

_EXPECTED = "lindung_expected"  # ctx: what
_RULE = "lindung_rule"  # ctx: template, at, params


class RulesError(Exception):
    """Rules data or a calculator input that breaks a rule; `message` is shown to people."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Schema(BaseModel):
    """A table of a data file: unknown keys are ignored, the result is immutable."""

    model_config = ConfigDict(frozen=True, extra="ignore")


def expected(what: str) -> PydanticCustomError:
    """'<path>: expected <what>.' for the value being validated."""
    return PydanticCustomError(_EXPECTED, "expected", {"what": what})


def rule(template: str, *, at: str = "", **params: Any) -> PydanticCustomError:
    """A message of our own; `%(path)s` in `template` becomes the path of the failing table
    (or of its key `at`)."""
    return PydanticCustomError(_RULE, "rule", {"template": template, "at": at, "params": params})


def whole_number_problem(value: Any, minimum: int, maximum: int | None) -> str | None:
    """None when `value` is a whole number within the bounds; else what it should have been."""
    if (
        isinstance(value, int)
        and not isinstance(value, bool)
        and value >= minimum
        and (maximum is None or value <= maximum)
    ):
        return None
    if maximum is None:
        return _("a whole number, %(minimum)s or more") % {"minimum": minimum}
    return _("a whole number from %(minimum)s to %(maximum)s") % {
        "minimum": minimum,
        "maximum": maximum,
    }


def whole_number(value: Any, minimum: int = 0, maximum: int | None = None) -> int:
    """`value` as a whole number within the bounds: not a float, not true/false, not a text."""
    if (what := whole_number_problem(value, minimum, maximum)) is not None:
        raise expected(what)
    return int(value)


def whole(minimum: int = 0, maximum: int | None = None) -> PlainValidator:
    """The validator of a whole number within the bounds."""
    return PlainValidator(lambda value: whole_number(value, minimum, maximum))


def text(value: Any) -> str:
    """A text that is not blank, stripped."""
    if not isinstance(value, str) or not value.strip():
        raise expected(_("a text"))
    return value.strip()


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise expected(_("true or false"))
    return value


Whole = Annotated[int, whole()]
Text = Annotated[str, PlainValidator(text)]
Bool = Annotated[bool, PlainValidator(_boolean)]


S = TypeVar("S", bound=Schema)


def read(model: type[S], data: Any, *, path: str, context: Mapping[str, Any] | None = None) -> S:
    """`data` validated as `model`, or RulesError naming the first faulty key under `path`."""
    try:
        return model.model_validate(data, context=context)
    except ValidationError as error:
        raise RulesError(message(error.errors()[0], path)) from None


def message(error: ErrorDetails, path: str) -> str:
    """One pydantic error in our words."""
    where = path + "".join(
        f"[{part + 1}]" if isinstance(part, int) else f".{part}" for part in error["loc"]
    )
    kind, ctx = error["type"], error.get("ctx", {})
    if kind == _RULE:
        where += f".{ctx['at']}" if ctx["at"] else ""
        return str(ctx["template"]) % {"path": where, **ctx["params"]}
    if kind == "missing":
        return _("%(path)s is missing.") % {"path": where}
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return _("%(path)s: expected a table.") % {"path": where}
    if kind == _EXPECTED:
        what = str(ctx["what"])
    elif kind in ("list_type", "tuple_type", "too_short", "iterable_type"):
        what = _("a list of tables")
    else:
        what = _("a valid value")
    return _("%(path)s: expected %(what)s.") % {"path": where, "what": what}


def json_ready(value: Any) -> Any:
    """TOML values as JSON: dates become ISO text."""
    if isinstance(value, Mapping):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _toml_ready(value: Any) -> Any:
    """JSON data back as TOML values: ISO date texts become dates."""
    if isinstance(value, Mapping):
        return {str(k): _toml_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_toml_ready(v) for v in value]
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            return value
    return value


def to_toml(data: Mapping[str, Any]) -> str:
    """Data (e.g. one version of the rules) as TOML text, the admin form's starting point."""
    return tomli_w.dumps(_toml_ready(data))
