"""Other synthetic files, made by apps above the registry: `lindung synth NAME …`.

The registry's `synth` command writes worker lists. An app above it (enrollment: a BPJS
branch's answer) registers a subcommand in its `AppConfig.ready()`; `lindung synth NAME args`
runs that command with the remaining arguments.

    register("bpjs-response", BpjsResponseCommand)     # a BaseCommand subclass
"""

from collections.abc import Callable

from django.core.management.base import BaseCommand

_SUBCOMMANDS: dict[str, Callable[[], BaseCommand]] = {}


def register(name: str, factory: Callable[[], BaseCommand]) -> None:
    _SUBCOMMANDS[name] = factory


def get(name: str) -> Callable[[], BaseCommand] | None:
    return _SUBCOMMANDS.get(name)


def names() -> list[str]:
    return sorted(_SUBCOMMANDS)
