"""Request facts the audit trail records, carried to services without passing `request`."""

from contextvars import ContextVar

request_ip: ContextVar[str | None] = ContextVar("request_ip", default=None)
