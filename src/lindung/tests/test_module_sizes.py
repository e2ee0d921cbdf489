"""A module grows past ~600 lines only with a one-line reason at its top (migrations and tests
aside): past that, a module usually holds several things that want names of their own."""

from pathlib import Path

import lindung

LIMIT = 600
ROOT = Path(lindung.__file__).parent


def _modules() -> list[Path]:
    return [
        path
        for path in sorted(ROOT.rglob("*.py"))
        if not {"migrations", "tests"} & set(path.relative_to(ROOT).parts)
    ]


def test_every_long_module_says_why_at_its_top() -> None:
    modules = _modules()
    assert len(modules) > 100  # the walk found the package
    unexplained = [
        f"{path.relative_to(ROOT)}: {len(lines)} lines"
        for path in modules
        if len(lines := path.read_text(encoding="utf-8").splitlines()) > LIMIT
        and not lines[0].startswith(f"# Over {LIMIT} lines: ")
    ]
    assert unexplained == []
