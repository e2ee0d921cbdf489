"""Keep personal data out of the logs: one filter on every log handler, as a safety net.

Our own code logs no NIK, No. KK or name, and no URL carries one, but a library may still quote
one (a database error naming the duplicate key, a request line with its query string). Every
record that reaches a handler (settings.LOGGING for Django, `GunicornLogger` for gunicorn's
access and error logs) passes through `RedactPersonalData`:

- any run of 16 digits, also written with spaces, dots or dashes (5203 0728 0580 0001), is
  masked like the pages mask it for roles without VIEW_NIK: 5203********0001;
- query strings are cut from URLs (`/pekerja/?q=siti` → `/pekerja/`): searches by name or NIK;
- a 4xx warning (403, 400) is one line: its traceback is dropped (it says nothing an operator
  needs, and it may quote the request).
"""

import logging
import re
from typing import Any

from gunicorn import glogging

# 16 digits or more, optionally one space, dot or dash between two of them (the whole run: what
# is left of it never makes 16 digits with the mask's last four).
SIXTEEN_DIGITS = re.compile(r"(?<!\d)\d(?:[ .\-]?\d){15,}")
# A path followed by its query string; the path is kept.
QUERY_STRING = re.compile(r"(/[^\s?\"']*)\?[^\s\"']*")


def _mask(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group())
    return digits[:4] + "*" * (len(digits) - 8) + digits[-4:]


def redact(text: str) -> str:
    """`text` without 16-digit numbers (masked) and without query strings."""
    return SIXTEEN_DIGITS.sub(_mask, QUERY_STRING.sub(r"\1", text))


class RedactPersonalData(logging.Filter):
    """Rewrites each record in place (message, arguments, traceback); never drops one."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken log call must not break the request
            message = f"{record.msg} {record.args}"
        record.msg, record.args = redact(message), None
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500:
            record.exc_info, record.exc_text = None, None
        elif record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class GunicornLogger(glogging.Logger):  # type: ignore[misc]
    """gunicorn's logger (`--logger-class`) with the filter on its access and error handlers."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                if not any(isinstance(f, RedactPersonalData) for f in handler.filters):
                    handler.addFilter(RedactPersonalData())
