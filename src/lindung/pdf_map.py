"""Choropleth maps and their legends drawn straight onto a reportlab canvas (see `pdf.py`).

    scale = ColorScale(rates, low=0.0, high=1.0)
    features = [(code, geometry, scale.color(rates_by_code[code])) for code, geometry in rows]
    draw_map(doc.canvas, x, y, 300, 240, features, labels={"52.03.01": "Keruak"})
    draw_legend(doc.canvas, x + 310, y + 240, scale.legend(format_percent), title="Covered (%)")

`x, y` is the lower-left corner of the map's frame, in points as reportlab counts them (from
the bottom of the page). The areas are fitted into the frame keeping their proportions, filled,
then outlined in thin white lines drawn over every fill so each border shows whole. Areas
without data (`ColorScale.NO_DATA`) are hatched as well as grey. Names go at a point well inside
each area, in black letters with a white edge; a name that does not fit its area or would
overlap a name already placed (larger areas first) is left out. Pass geometries already
simplified (`regions.geometry.simplify`): a PDF holds every position.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from reportlab.lib.colors import HexColor, black, white
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.pathobject import PDFPathObject

from lindung.pdf import BOLD, FONT_SIZE, REGULAR, printable
from lindung.regions.geometry import ColorScale, Projection, bounds, label_point, project

OUTLINE = 0.5  # points, white, between areas
EVEN_ODD = 0  # reportlab.pdfgen.canvas.FILL_EVEN_ODD, missing from types-reportlab
LABEL_SIZE = 6.5
LABEL_HALO = 2.0  # a white edge round the label letters, readable on the darkest colour
LABEL_GAP = 1.5  # points kept free between two names
HATCH_STEP = 4.0  # points between the hatch lines of an area without data
SWATCH = (12.0, 8.0)  # legend colour box, width x height
LEGEND_LEADING = FONT_SIZE * 1.5
LEGEND_WIDTH = 118.0  # points: the title wraps within this


def _polygons(geometry: Mapping[str, Any]) -> list[Any]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    return list(geometry["coordinates"])


def _path(canvas: Canvas, geometry: Mapping[str, Any], to_page: Projection) -> PDFPathObject:
    path = canvas.beginPath()
    for polygon in _polygons(geometry):
        for ring in polygon:
            path.moveTo(*to_page(*ring[0][:2]))
            for position in ring[1:]:
                path.lineTo(*to_page(*position[:2]))
            path.close()
    return path


def draw_map(
    canvas: Canvas,
    x: float,
    y: float,
    width: float,
    height: float,
    features: Sequence[tuple[str, Mapping[str, Any], str]],
    *,
    labels: Mapping[str, str] | None = None,
) -> None:
    """Draw each (code, GeoJSON Polygon/MultiPolygon, "#rrggbb") filled inside the frame.

    `labels` maps codes to short texts (names) printed at a point well inside each area (see
    the module's notes on which are left out). Holes are left empty (even-odd fill).
    """
    if not features:
        return
    box = bounds(geometry for _code, geometry, _color in features)
    in_frame = project(box, width, height, OUTLINE, y_up=True)

    def to_page(lng: float, lat: float) -> tuple[float, float]:
        frame_x, frame_y = in_frame(lng, lat)
        return x + frame_x, y + frame_y

    paths = [(code, _path(canvas, geometry, to_page), color) for code, geometry, color in features]
    canvas.saveState()
    for _code, path, color in paths:
        canvas.setFillColor(HexColor(color))
        canvas.drawPath(path, stroke=0, fill=1, fillMode=EVEN_ODD)  # holes stay empty
    for _code, path, color in paths:
        if color == ColorScale.NO_DATA:
            _hatch(canvas, path, x, y, width, height)
    canvas.setStrokeColor(white)
    canvas.setLineWidth(OUTLINE)
    canvas.setLineJoin(1)  # round: no spikes at sharp corners
    for _code, path, _color in paths:
        canvas.drawPath(path, stroke=1, fill=0)
    if labels:
        _labels(canvas, features, labels, to_page)
    canvas.restoreState()


def _hatch(
    canvas: Canvas, path: PDFPathObject, x: float, y: float, width: float, height: float
) -> None:
    """Thin diagonal lines across the frame, clipped to the area."""
    canvas.saveState()
    canvas.clipPath(path, stroke=0, fill=0)
    canvas.setStrokeColor(HexColor("#6b7280"))
    canvas.setLineWidth(0.4)
    offset = -height
    while offset < width:
        canvas.line(x + offset, y, x + offset + height, y + height)
        offset += HATCH_STEP
    canvas.restoreState()


Box = tuple[float, float, float, float]


def _labels(
    canvas: Canvas,
    features: Sequence[tuple[str, Mapping[str, Any], str]],
    labels: Mapping[str, str],
    to_page: Projection,
) -> None:
    """Each name at a point well inside its area, when it fits there and overlaps no name
    already placed; the larger areas (on the page) are named first."""

    def page_box(geometry: Mapping[str, Any]) -> Box:
        min_lng, min_lat, max_lng, max_lat = bounds([geometry])
        (x0, y0), (x1, y1) = to_page(min_lng, min_lat), to_page(max_lng, max_lat)
        return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)

    named = [(code, geometry, page_box(geometry)) for code, geometry, _c in features]
    named.sort(key=lambda item: (item[2][2] - item[2][0]) * (item[2][3] - item[2][1]), reverse=True)
    placed: list[Box] = []
    for code, geometry, (x0, y0, x1, y1) in named:
        text = printable(labels.get(code, ""))
        if not text:
            continue
        text_width = canvas.stringWidth(text, REGULAR, LABEL_SIZE)
        if x1 - x0 < text_width * 0.6 or y1 - y0 < LABEL_SIZE:  # a tiny area: no room
            continue
        try:
            x, y = to_page(*label_point(geometry))
        except ValueError:
            continue
        box = (x - text_width / 2, y - LABEL_SIZE / 2, x + text_width / 2, y + LABEL_SIZE / 2)
        if any(_overlap(box, other) for other in placed):
            continue
        placed.append(box)
        _label(canvas, x, y, text)


def _overlap(a: Box, b: Box) -> bool:
    return not (
        a[2] + LABEL_GAP <= b[0]
        or b[2] + LABEL_GAP <= a[0]
        or a[3] + LABEL_GAP <= b[1]
        or b[3] + LABEL_GAP <= a[1]
    )


def _label(canvas: Canvas, x: float, y: float, text: str) -> None:
    """Centred on (x, y): first a white outline of the letters, then the letters."""
    baseline = y - LABEL_SIZE * 0.35
    canvas.saveState()  # the stroke-only text mode is page state: Q ends it
    canvas.setStrokeColor(white)
    canvas.setLineWidth(LABEL_HALO)
    canvas.setLineJoin(1)  # round corners on the halo
    halo = canvas.beginText()
    halo.setTextRenderMode(1)  # stroke only
    halo.setFont(REGULAR, LABEL_SIZE)
    halo.setTextOrigin(x - canvas.stringWidth(text, REGULAR, LABEL_SIZE) / 2, baseline)
    halo.textOut(text)
    canvas.drawText(halo)
    canvas.restoreState()
    canvas.saveState()
    canvas.setFont(REGULAR, LABEL_SIZE)
    canvas.setFillColor(black)
    canvas.drawCentredString(x, baseline, text)
    canvas.restoreState()


def draw_legend(
    canvas: Canvas,
    x: float,
    y: float,
    legend: Sequence[tuple[str, str, str]],
    *,
    title: str = "",
) -> float:
    """Draw `title` (the indicator and its unit, in bold) and (low label, high label,
    "#rrggbb") rows downward from `y`, the legend's top; a `ColorScale.NO_DATA` row is hatched
    as the map is.

    Returns the y below the last row, where a "no data" row or a note can follow.
    """
    width, height = SWATCH
    canvas.saveState()
    if title:
        canvas.setFont(BOLD, FONT_SIZE)
        for line in _wrap(canvas, printable(title), LEGEND_WIDTH):
            y -= LEGEND_LEADING
            canvas.setFillColor(black)
            canvas.drawString(x, y + 1, line)
    canvas.setFont(REGULAR, FONT_SIZE)
    canvas.setLineWidth(0.25)
    canvas.setStrokeColor(HexColor("#888888"))
    for low, high, color in legend:
        y -= LEGEND_LEADING
        canvas.setFillColor(HexColor(color))
        canvas.rect(x, y, width, height, stroke=1, fill=1)
        if color == ColorScale.NO_DATA:
            swatch = canvas.beginPath()
            swatch.rect(x, y, width, height)
            _hatch(canvas, swatch, x, y, width, height)
        canvas.setFillColor(black)
        text = f"{low} \N{EN DASH} {high}" if high != low else low
        canvas.drawString(x + width + 4, y + 1, printable(text))
    canvas.restoreState()
    return y


def _wrap(canvas: Canvas, text: str, width: float) -> list[str]:
    """`text` in lines no wider than `width` (words kept whole)."""
    lines: list[str] = []
    for word in text.split():
        if lines and canvas.stringWidth(f"{lines[-1]} {word}", BOLD, FONT_SIZE) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines
