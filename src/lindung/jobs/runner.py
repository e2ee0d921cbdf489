"""Which process runs a job ("host:pid:start") and whether it is still alive.

Jobs and import batches (`registry/recovery.py`) both name their process this way: the start
time tells a pid used again by another process from the one that died.
"""

import os
import socket
from pathlib import Path


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
