"""Reading CSV files, and loading the wilayah tree from a small copy of idn-area-data."""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from lindung.regions.loaders import TREE_FILES, LoadError, load_tree, read_csv, read_csv_rows
from lindung.regions.models import Region

TREE_SIZE = 91_599
LOMBOK_TIMUR_SIZE = 1 + 1 + 21 + 254  # the province, the kabupaten, its kecamatan and desa


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Messages in their English source form: the tests match their text."""
    with translation.override("en"):
        yield


def lombok_timur_tree(folder: Path, edit: Callable[[str, str], str] | None = None) -> Path:
    """idn-area-data cut down to Nusa Tenggara Barat > Lombok Timur, written into `folder`.

    `edit(filename, text)` may change a file's text before it is written.
    """
    for filename, _columns, level, _pattern in TREE_FILES:
        header, *lines = (settings.LINDUNG_AREA_DATA / filename).read_text().splitlines()
        prefix = {1: "52,", 2: "52.03,"}.get(level, "52.03.")
        text = "\n".join([header, *(line for line in lines if line.startswith(prefix))]) + "\n"
        (folder / filename).write_text(edit(filename, text) if edit else text)
    return folder


def rename(filename: str, old: str, new: str) -> Callable[[str, str], str]:
    def edit(name: str, text: str) -> str:
        return text.replace(old, new) if name == filename else text

    return edit


def test_it_reads_rows_with_their_line_numbers_skipping_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("kode,nama\n52.03, Lombok Timur \n\n,,\n52.03.07,Selong\n")
    header, rows = read_csv_rows(path)
    assert header == ["kode", "nama"]
    assert rows == [(2, ["52.03", "Lombok Timur"]), (5, ["52.03.07", "Selong"])]


def test_it_accepts_a_byte_order_mark_and_crlf_line_ends(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes("\ufeffcode,name\r\n52,Nusa Tenggara Barat\r\n".encode())
    frame = read_csv(path, ["code", "name"])
    assert frame.rows() == [("52", "Nusa Tenggara Barat", 2)]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "a.csv is empty"),
        (b"kode,nama\n52.03,Lombok Timur\n52.03.07", "line 3 has 1 values where the header has 2"),
        (b"kode,nama\n52.03,Lombok, Timur\n", "line 2 has 3 values where the header has 2"),
        (b'kode,nama\n52.03,"Lombok Timur\n', "line 2 cannot be read as CSV"),
        (
            b"kode,nama\n52.03,Lombok\n52.03.07,Sel\xe9ong\n",
            r"not UTF-8 text \(invalid byte at line 3\)",
        ),
    ],
    ids=["empty", "cut-last-line", "unquoted-comma", "open-quote", "latin-1"],
)
def test_it_names_the_line_of_a_broken_csv(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(content)
    with pytest.raises(LoadError, match=message):
        read_csv_rows(path)


def test_it_refuses_a_csv_with_other_columns(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("id,nama\n52,NTB\n")
    with pytest.raises(LoadError, match="expected the columns code,name in line 1, found id,nama"):
        read_csv(path, ["code", "name"])


@pytest.mark.django_db
def test_it_reports_a_changed_name_as_one_update(tmp_path: Path) -> None:
    source = lombok_timur_tree(tmp_path, rename("villages.csv", ",Pancor\n", ",Pancor Baru\n"))
    result = load_tree(source)
    assert result.updated == {4: 1}
    assert result.created == {}
    assert sum(result.unchanged.values()) == LOMBOK_TIMUR_SIZE - 1
    assert result.missing_from_source == TREE_SIZE - LOMBOK_TIMUR_SIZE
    pancor = Region.objects.get(code="52.03.07.1001")
    assert (pancor.name, pancor.name_key) == ("Pancor Baru", "pancor baru")
    assert load_tree(source).changed == 0


@pytest.mark.django_db
def test_it_adds_a_new_village_and_keeps_regions_missing_from_the_source(tmp_path: Path) -> None:
    new_line = "52.03.07.2099,52.03.07,Desa Contoh\n"
    source = lombok_timur_tree(
        tmp_path, lambda name, text: text + new_line if name == "villages.csv" else text
    )
    result = load_tree(source)
    assert result.created == {4: 1}
    assert Region.objects.get(code="52.03.07.2099").name_key == "contoh"
    assert Region.objects.count() == TREE_SIZE + 1


@pytest.mark.django_db
def test_it_updates_a_name_key_when_the_normaliser_changed(tmp_path: Path) -> None:
    Region.objects.filter(code="52.03.07.1001").update(name_key="stale")
    result = load_tree(lombok_timur_tree(tmp_path))
    assert result.updated == {4: 1}
    assert Region.objects.get(code="52.03.07.1001").name_key == "pancor"


def _break(filename: str, change: Callable[[str], str]) -> Callable[[str, str], str]:
    """Rename Pancor (a valid change), then break `filename` with `change`."""

    def edit(name: str, text: str) -> str:
        text = text.replace(",Pancor\n", ",Pancor Baru\n") if name == "villages.csv" else text
        return change(text) if name == filename else text

    return edit


BROKEN_TREES = {
    "empty-file": ("villages.csv", lambda text: "", "villages.csv is empty"),
    "header-only": (
        "districts.csv",
        lambda text: text.splitlines()[0] + "\n",
        "districts.csv has a header but no rows",
    ),
    "cut-last-line": (
        "villages.csv",
        lambda text: text[
            :-21
        ],  # "…\n52.03.21.2010,52.03.21,Kalijaga Baru\n" → "…\n52.03.21.2010,52"
        "line 255 has 2 values where the header has 3",
    ),
    "cut-in-a-code": (
        "villages.csv",
        lambda text: text.rstrip("\n").rsplit("\n", 1)[0] + "\n52.03.21.20",
        "values where the header has 3",
    ),
    "wrong-header": (
        "regencies.csv",
        lambda text: text.replace("code,province_code,name", "kode,kode_provinsi,nama"),
        "expected the columns code,province_code,name in line 1",
    ),
    "unknown-parent": (
        "villages.csv",
        lambda text: text + "52.03.99.2001,52.03.99,Nowhere\n",
        "the parent code '52.03.99' of 52.03.99.2001 is unknown",
    ),
    "duplicate-code": (
        "districts.csv",
        lambda text: text + "52.03.07,52.03,Selong Lagi\n",
        "the code 52.03.07 appears more than once",
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", BROKEN_TREES, ids=list(BROKEN_TREES))
def test_it_refuses_a_broken_tree_and_changes_nothing(tmp_path: Path, case: str) -> None:
    filename, change, message = BROKEN_TREES[case]
    source = lombok_timur_tree(tmp_path, _break(filename, change))
    with pytest.raises(LoadError, match=message):
        load_tree(source)
    assert Region.objects.get(code="52.03.07.1001").name == "Pancor"
    assert Region.objects.count() == TREE_SIZE


@pytest.mark.django_db
def test_it_refuses_a_tree_with_a_non_utf8_file(tmp_path: Path) -> None:
    source = lombok_timur_tree(tmp_path, rename("villages.csv", ",Pancor\n", ",Pancor Baru\n"))
    path = source / "villages.csv"
    path.write_bytes(path.read_bytes().replace(b"Selong", b"S\xe9long"))
    with pytest.raises(LoadError, match=r"villages.csv is not UTF-8 text \(invalid byte at line"):
        load_tree(source)
    assert Region.objects.get(code="52.03.07.1001").name == "Pancor"


@pytest.mark.django_db
def test_it_refuses_a_folder_without_the_tree_files(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="Folder not found"):
        load_tree(tmp_path / "missing")
    with pytest.raises(LoadError, match=r"File not found: .*provinces\.csv"):
        load_tree(tmp_path)
    assert Region.objects.count() == TREE_SIZE
