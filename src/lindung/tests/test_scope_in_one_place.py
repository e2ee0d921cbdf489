"""`regions/scope.py` is the only module that decides whether a region code lies under a user's
wilayah. This test reads every module of `src/lindung/` (not the scope module, tests or
migrations) and fails on a region-prefix match written by hand:

- an ORM lookup `…__startswith` / `__istartswith` on a region field (`code`, `region…`,
  `desa…`, `kecamatan…`, `kabupaten…`, `provinsi…`, `area…`), or on a field built at run time
  (`f"{field}__startswith"`);
- `x.startswith(…)` where `x` is a region code (a name or attribute such as `code`,
  `desa_id`, `region_code`) or the prefix ends in a dot (`top + "."`, `f"{code}."`);
- Polars `….str.starts_with(…)` on a region column or with a prefix ending in a dot;
- SQL text `… LIKE` / `GLOB` / `SUBSTR(` on a region column.

Use `scope.contains`, `scope.q`, `scope.sql` or `scope.expr` instead. To cover a new kind of
region field, add its name to REGION_NAME; a reviewed match that is not a scope check (none
today) goes into ALLOWED as (path relative to src/lindung, the stripped source line).
"""

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
SCOPE_MODULE = PACKAGE / "regions" / "scope.py"
REGION_NAME = re.compile(
    r"^(codes?|\w*_codes?|(region|desa|kecamatan|kabupaten|provinsi|kelurahan|area|wilayah)\w*)$",
    re.IGNORECASE,
)
LOOKUP = re.compile(r"(?:^|__)([A-Za-z_]\w*?)__i?startswith$")
SQL = re.compile(
    r"\b\w*(region|desa|kecamatan|kabupaten|provinsi|code)\w*\s+(NOT\s+)?(I?LIKE|GLOB)\b"
    r"|\bSUBSTR(ING)?\s*\(\s*[\w.]*(region|desa|kecamatan|kabupaten|provinsi|code)",
    re.IGNORECASE,
)
ALLOWED: set[tuple[str, str]] = set()


def _modules() -> list[Path]:
    return [
        path
        for path in sorted(PACKAGE.rglob("*.py"))
        if path != SCOPE_MODULE and not {"tests", "migrations"} & set(path.parts)
    ]


def _last_name(node: ast.expr) -> str:
    """`code` of `row.code.lower()`, `desa_id` of `w.desa_id`; "" for anything else."""
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        node = node.func.value  # `.lower()`, `.strip()`: look at what they are called on
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return ""


def _ends_in_dot(node: ast.expr) -> bool:
    """`top + "."` or `f"{code}."`: a prefix that stops at a level boundary."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        right = node.right
        return isinstance(right, ast.Constant) and str(right.value).endswith(".")
    if isinstance(node, ast.JoinedStr) and node.values:
        last = node.values[-1]
        return isinstance(last, ast.Constant) and str(last.value).endswith(".")
    return False


def _region_column(node: ast.expr) -> bool:
    """`pl.col("desa_id")` (or any expression over it) names a region column."""
    for inner in ast.walk(node):
        if (
            isinstance(inner, ast.Call)
            and _last_name(inner.func) == "col"
            and inner.args
            and isinstance(inner.args[0], ast.Constant)
            and REGION_NAME.match(str(inner.args[0].value))
        ):
            return True
    return False


def _lookup_is_regional(key: ast.expr | str) -> bool:
    if isinstance(key, str):
        match = LOOKUP.search(key)
        return bool(match and any(REGION_NAME.match(part) for part in match.group(1).split("__")))
    if isinstance(key, ast.Constant) and isinstance(key.value, str):
        return _lookup_is_regional(key.value)
    if isinstance(key, ast.JoinedStr):  # f"{field}__startswith": the field is decided at run time
        tail = key.values[-1] if key.values else None
        return isinstance(tail, ast.Constant) and bool(
            re.search(r"__i?startswith$", str(tail.value))
        )
    return False


def _call_problems(node: ast.Call) -> list[str]:
    found = [f"ORM lookup {k.arg}" for k in node.keywords if k.arg and _lookup_is_regional(k.arg)]
    func = node.func
    if not isinstance(func, ast.Attribute) or not node.args:
        return found
    dotted = _ends_in_dot(node.args[0])
    if func.attr == "startswith" and (REGION_NAME.match(_last_name(func.value)) or dotted):
        found.append("str.startswith on a region code")
    if func.attr == "starts_with" and (_region_column(func.value) or dotted):
        found.append("Polars str.starts_with on a region column")
    return found


def _problems(tree: ast.AST) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            found += [(node.lineno, what) for what in _call_problems(node)]
        elif isinstance(node, ast.Dict):
            keys = [key for key in node.keys if key is not None and _lookup_is_regional(key)]
            found += [(node.lineno, "ORM lookup in a dict") for _key in keys]
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and SQL.search(node.value)
            and not _is_docstring_text(node.value)
        ):
            found.append((node.lineno, "SQL prefix match on a region column"))
    return found


def _is_docstring_text(text: str) -> bool:
    """Prose mentions LIKE too ("SQLite's LIKE cannot use…"); SQL has no sentence end in it."""
    return ". " in text or text.rstrip().endswith(".")


def _hand_written_scope_checks() -> list[str]:
    report: list[str] = []
    for path in _modules():
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        relative = path.relative_to(PACKAGE).as_posix()
        for line, what in _problems(ast.parse(source, filename=str(path))):
            text = lines[line - 1].strip()
            if (relative, text) not in ALLOWED:
                report.append(f"{relative}:{line}: {what}: {text}")
    return report


def test_it_finds_no_region_prefix_match_outside_the_scope_module() -> None:
    assert _hand_written_scope_checks() == []


def test_it_would_flag_each_kind_of_hand_written_prefix_match() -> None:
    samples = {
        'Q(desa_id__startswith=code + ".")': "ORM lookup",
        'Worker.objects.filter(region__code__startswith=top + ".")': "ORM lookup",
        'Q(**{f"{field}__startswith": prefix})': "ORM lookup in a dict",
        'any(node.code.startswith(c + ".") for c in codes)': "str.startswith",
        'row[0].startswith(kabupaten + ".")': "str.startswith",
        "desa_id.startswith(top)": "str.startswith",
        'pl.col("desa_id").str.starts_with(top)': "Polars",
        'pl.col(column).str.starts_with(f"{top}.")': "Polars",
        'cursor.execute("SELECT id FROM w WHERE desa_id LIKE %s", [p])': "SQL",
        "sql = 'SELECT 1 FROM b WHERE substr(b.kecamatan_id, 1, 5) = %s'": "SQL",
    }
    for source, kind in samples.items():
        problems = _problems(ast.parse(source))
        assert [what for _line, what in problems if kind in what], source


def test_it_leaves_other_prefixes_alone() -> None:
    samples = [
        'request.path.startswith("/static/")',
        "region.name.lower().startswith(kind.lower())",
        "Q(runner__startswith=prefix)",
        'Q(nik__gte=digits, name_key__startswith="ab")',
        'pl.col("nik").str.starts_with("52")',
        '"""SQLite\'s LIKE cannot use the code index."""',
    ]
    for source in samples:
        assert _problems(ast.parse(source)) == [], source
