"""PDF maps: filled areas with white outlines, legible labels and a titled legend on a reportlab
canvas; areas without data hatched."""

import re
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from lindung.pdf_map import draw_legend, draw_map
from lindung.regions.geometry import ColorScale

LIGHT, DARK = "#fde725", "#3b528b"
NO_DATA_TEXT = "no data or hidden"


def square(lng: float, lat: float, size: float = 0.1) -> dict[str, Any]:
    ring = [[lng, lat], [lng + size, lat], [lng + size, lat + size], [lng, lat + size], [lng, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def rgb(hex_color: str) -> tuple[float, float, float]:
    red, green, blue = (int(hex_color[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return red, green, blue


def fill_colours(content: str) -> list[tuple[float, float, float]]:
    return [
        (float(r), float(g), float(b))
        for r, g, b in re.findall(r"([\d.]+) ([\d.]+) ([\d.]+) rg", content)
    ]


def same(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return all(abs(x - y) < 0.002 for x, y in zip(a, b, strict=True))


def page_content(tmp_path: Path, draw: Any) -> tuple[str, str]:
    path = tmp_path / "map.pdf"
    canvas = Canvas(str(path), pagesize=A4, pageCompression=1)
    draw(canvas)
    canvas.showPage()
    canvas.save()
    page = PdfReader(path).pages[0]
    content = page.get_contents()
    assert content is not None
    return content.get_data().decode("latin-1"), page.extract_text()


def test_it_fills_each_area_with_its_colour_and_outlines_it_in_white(tmp_path: Path) -> None:
    features = [
        ("52.03.01", square(116.4, -8.7), LIGHT),
        ("52.03.02", square(116.5, -8.7), DARK),
    ]

    content, _text = page_content(tmp_path, lambda c: draw_map(c, 50, 400, 300, 200, features))

    assert content.count("f*") == 2  # one even-odd fill per area
    colours = fill_colours(content)
    assert any(same(c, rgb(LIGHT)) for c in colours)
    assert any(same(c, rgb(DARK)) for c in colours)
    assert "1 1 1 RG" in content  # white outlines
    assert len(re.findall(r"\bS\b", content)) == 2


def test_the_areas_fit_the_frame_keeping_their_proportions(tmp_path: Path) -> None:
    features = [
        ("52.03.01", square(116.4, -8.7), LIGHT),
        ("52.03.02", square(116.5, -8.7), DARK),
    ]

    content, _text = page_content(tmp_path, lambda c: draw_map(c, 50, 400, 300, 200, features))

    points = [(float(x), float(y)) for x, y in re.findall(r"([\d.]+) ([\d.]+) [ml]\b", content)]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    assert min(xs) >= 50 and max(xs) <= 350 and min(ys) >= 400 and max(ys) <= 600
    # two squares side by side: twice as wide as tall (near the equator, cos(8.65°) ≈ 0.99)
    assert (max(xs) - min(xs)) / (max(ys) - min(ys)) == pytest.approx(2 * 0.9886, rel=0.01)


def test_it_prints_the_labels(tmp_path: Path) -> None:
    features = [("52.03.01", square(116.4, -8.7), LIGHT), ("52.03.02", square(116.5, -8.7), DARK)]

    _content, text = page_content(
        tmp_path,
        lambda c: draw_map(c, 50, 400, 300, 200, features, labels={"52.03.02": "Jerowaru"}),
    )

    assert "Jerowaru" in text


def test_a_map_without_areas_draws_nothing(tmp_path: Path) -> None:
    content, _text = page_content(tmp_path, lambda c: draw_map(c, 50, 400, 300, 200, []))

    assert "f*" not in content


def test_the_legend_lists_each_class_with_its_colour(tmp_path: Path) -> None:
    legend = [("0%", "50%", LIGHT), ("50%", "100%", DARK)]
    bottoms: list[float] = []

    content, text = page_content(
        tmp_path, lambda c: bottoms.append(draw_legend(c, 400, 600, legend))
    )

    assert "0% – 50%" in text and "50% – 100%" in text
    colours = fill_colours(content)
    assert any(same(c, rgb(LIGHT)) for c in colours)
    assert any(same(c, rgb(DARK)) for c in colours)
    assert bottoms[0] < 600 - 2 * 8


def test_the_legend_starts_with_its_title(tmp_path: Path) -> None:
    legend = [("0", "10", LIGHT), (NO_DATA_TEXT, "", ColorScale.NO_DATA)]

    _content, text = page_content(
        tmp_path, lambda c: draw_legend(c, 400, 600, legend, title="Sponsored workers (workers)")
    )

    assert text.index("Sponsored workers") < text.index("0 – 10") < text.index(NO_DATA_TEXT)


def test_labels_sit_inside_their_area_and_skip_tiny_or_crowded_ones(tmp_path: Path) -> None:
    crescent = [[116.4, -8.7], [116.8, -8.7], [116.8, -8.3], [116.4, -8.3], [116.4, -8.4],
                [116.7, -8.4], [116.7, -8.6], [116.4, -8.6], [116.4, -8.7]]  # fmt: skip
    features = [
        ("big", {"type": "Polygon", "coordinates": [crescent]}, LIGHT),
        ("tiny", square(116.45, -8.5, size=0.002), DARK),  # in the crescent's opening
        ("twin", {"type": "Polygon", "coordinates": [crescent]}, DARK),  # its name would cover
    ]
    names = {"big": "Sakra Timur", "tiny": "Kecil", "twin": "Kembar"}

    _content, text = page_content(
        tmp_path, lambda c: draw_map(c, 50, 400, 300, 300, features, labels=names)
    )

    assert "Sakra Timur" in text  # at the crescent's pole of inaccessibility, inside it
    assert "Kecil" not in text  # no room in so small an area
    assert "Kembar" not in text  # it would overlap a name already placed


def test_areas_without_data_are_hatched(tmp_path: Path) -> None:
    features = [("a", square(116.4, -8.7), LIGHT), ("b", square(116.5, -8.7), ColorScale.NO_DATA)]

    content, _text = page_content(tmp_path, lambda c: draw_map(c, 50, 400, 300, 200, features))

    assert content.count("W* n") == 1  # the no-data area clips its hatch lines
    assert content.count(" l S") > 10
