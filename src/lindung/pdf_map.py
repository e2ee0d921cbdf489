"""Choropleth maps and their legends drawn straight onto a reportlab canvas (see `pdf.py`).

    scale = ColorScale(rates, low=0.0, high=1.0)
    features = [(code, geometry, scale.color(rates_by_code[code])) for code, geometry in rows]
    draw_map(doc.canvas, x, y, 300, 240, features, labels={"52.03.01": "Keruak"})
    draw_legend(doc.canvas, x + 310, y + 240, scale.legend(format_percent))

`x, y` is the lower-left corner of the map's frame, in points as reportlab counts them (from
the bottom of the page). The areas are fitted into the frame keeping their proportions, filled,
then outlined in thin white lines drawn over every fill so each border shows whole. Pass
geometries already simplified (`regions.geometry.simplify`): a PDF holds every position.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from reportlab.lib.colors import HexColor, black, white
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.pathobject import PDFPathObject

from lindung.pdf import FONT_SIZE, REGULAR, printable
from lindung.regions.geometry import Projection, bounds, project

OUTLINE = 0.5  # points, white, between areas
EVEN_ODD = 0  # reportlab.pdfgen.canvas.FILL_EVEN_ODD, missing from types-reportlab
LABEL_SIZE = 5.5
LABEL_HALO = 1.2  # a white edge round the label letters, readable on the darkest green
SWATCH = (12.0, 8.0)  # legend colour box, width x height
LEGEND_LEADING = FONT_SIZE * 1.5


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
    features: list[tuple[str, Mapping[str, Any], str]],
    *,
    labels: Mapping[str, str] | None = None,
) -> None:
    """Draw each (code, GeoJSON Polygon/MultiPolygon, "#rrggbb") filled inside the frame.

    `labels` maps codes to short texts printed small at the centre of the area's bounding box
    (which can fall outside a crescent-shaped area). Holes are left empty (even-odd fill).
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
    canvas.setStrokeColor(white)
    canvas.setLineWidth(OUTLINE)
    canvas.setLineJoin(1)  # round: no spikes at sharp corners
    for _code, path, _color in paths:
        canvas.drawPath(path, stroke=1, fill=0)
    if labels:
        for code, geometry, _color in features:
            if text := labels.get(code):
                min_lng, min_lat, max_lng, max_lat = bounds([geometry])
                _label(canvas, *to_page((min_lng + max_lng) / 2, (min_lat + max_lat) / 2), text)
    canvas.restoreState()


def _label(canvas: Canvas, x: float, y: float, text: str) -> None:
    """Centred on (x, y): first a white outline of the letters, then the letters."""
    text = printable(text)
    canvas.setFont(REGULAR, LABEL_SIZE)
    baseline = y - LABEL_SIZE * 0.35
    canvas.setStrokeColor(white)
    canvas.setLineWidth(LABEL_HALO)
    halo = canvas.beginText()
    halo.setTextRenderMode(1)  # stroke only
    halo.setFont(REGULAR, LABEL_SIZE)
    halo.setTextOrigin(x - canvas.stringWidth(text, REGULAR, LABEL_SIZE) / 2, baseline)
    halo.textOut(text)
    canvas.drawText(halo)
    canvas.setFillColor(black)
    canvas.drawCentredString(x, baseline, text)


def draw_legend(
    canvas: Canvas, x: float, y: float, legend: Sequence[tuple[str, str, str]]
) -> float:
    """Draw (low label, high label, "#rrggbb") rows downward from `y`, the legend's top.

    Returns the y below the last row, where a "no data" row or a note can follow.
    """
    width, height = SWATCH
    canvas.saveState()
    canvas.setFont(REGULAR, FONT_SIZE)
    canvas.setLineWidth(0.25)
    canvas.setStrokeColor(HexColor("#888888"))
    for low, high, color in legend:
        y -= LEGEND_LEADING
        canvas.setFillColor(HexColor(color))
        canvas.rect(x, y, width, height, stroke=1, fill=1)
        canvas.setFillColor(black)
        text = f"{low} \N{EN DASH} {high}" if high != low else low
        canvas.drawString(x + width + 4, y + 1, printable(text))
    canvas.restoreState()
    return y
