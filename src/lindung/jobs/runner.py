"""Which process runs a job ("host:pid:start") and whether it is still alive.

Jobs and import batches (`registry/recovery.py`) both name their process this way: the start
time tells a pid used again by another process from the one that died.
"""

import os
import socket
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from django.utils import timezone


def _host() -> str:
    return socket.gethostname()[:40]


def _start_time(pid: int) -> str:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    return stat.rsplit(")", 1)[1].split()[19]  # field 22, counted after the command name


def runner_id(pid: int | None = None) -> str:
    """ "host:pid:start" of this process (or of `pid` on this host)."""
    pid = os.getpid() if pid is None else pid
    return f"{_host()}:{pid}:{_start_time(pid)}"


def runner_prefix(pid: int) -> str:
    """The start of the runner ids of process `pid` on this host, alive or not."""
    return f"{_host()}:{pid}:"


def runner_alive(runner: str) -> bool | None:
    """Whether the process a runner id names is alive; None when it cannot be told here."""
    host, _sep, rest = runner.partition(":")
    pid_text, _sep, start = rest.partition(":")
    if not runner or host != _host() or not pid_text.isdigit():
        return None
    pid = int(pid_text)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # alive, owned by another user
    return not start or _start_time(pid) == start


def has_stopped(
    runner: str,
    last_progress: datetime,
    quiet_for: timedelta,
    *,
    waiting: Callable[[], bool] = lambda: False,
    now: datetime | None = None,
) -> bool:
    """Whether work held by `runner` has stopped: its process on this host is gone, or, when
    that cannot be told here, it made no progress since `last_progress` for `quiet_for` and is
    not `waiting` (still queued for a worker)."""
    alive = runner_alive(runner)
    if alive is not None:
        return not alive
    if last_progress > (now or timezone.now()) - quiet_for:
        return False
    return not waiting()
