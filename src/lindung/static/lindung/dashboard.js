/* Lindung dashboard: choropleth maps (Leaflet) and bar charts (Chart.js), plain ES2017.
 *
 * Load after vendor/leaflet/leaflet.js and vendor/chartjs/chart.umd.js, with `defer`.
 *
 * Maps: <div class="map" data-map data-map-url="/…/peta.geojson"></div>
 *   The URL returns a GeoJSON FeatureCollection; each feature's properties have
 *   code, name, label (the name on the map: a kabupaten's without "Kabupaten"; the tooltip
 *   has the full name), value (number|null), display (formatted text), color ("#rrggbb"), url ("" = none),
 *   role ("area", "selected": the desa looked at, "context": a grey neighbour without figures)
 *   and label_at ([lat, lng] inside the area). The collection's "labels" is "all" (kabupaten, kecamatan:
 *   every name stays on the map, except one that would cover another at this zoom: larger
 *   areas first, zoom in for the rest) or "fit" (desa: also only where the name fits inside
 *   its area); every name shows on hover too.
 *   No tile layer (works offline). Areas without data are grey and hatched. Hover: tooltip
 *   "name / display" and a dark outline; click or Enter on a focused area: go to its url.
 *   A desa is shown among its neighbours, zoomed to it. When drawn the element gets
 *   data-map-ready="1", each area's <path> data-code="<code>" (and data-role), each name shown
 *   on the map a .map-label with data-label="<code>"; on a failed request data-map-error="1"
 *   and whatever the element held (a no-JS message) stays.
 *
 * Charts: <div class="chart"><canvas data-chart="coverage-data"></canvas></div>
 *         <script type="application/json" id="coverage-data">{…}</script>  (json_script)
 *   {"type": "bar", "labels": [...], "datasets": [{"label": "...", "data": [...]}],
 *    "stacked": false, "horizontal": false, "percent": false}
 *   Datasets go to Chart.js as given (a backgroundColor there wins over our palette).
 *   "percent": values are fractions shown as 12,5 %. Numbers use Intl id-ID. When drawn the
 *   canvas gets data-chart-ready="1". A horizontal chart sets its wrapper's height from the
 *   number of labels; otherwise the wrapper's width sets the size (aspect 2:1).
 *
 * Both are (re)built on DOMContentLoaded and on htmx:afterSettle inside the settled element.
 */
(function () {
  "use strict";

  var NO_DATA = "#b0b0b0"; // regions/geometry.py ColorScale.NO_DATA: hatched on the map
  var CONTEXT_OUTLINE = "#9ca3af";
  var OUTLINE = "#ffffff";
  var HIGHLIGHT = "#1f2937";
  var SINGLE = "#21918c"; // the map's middle colour, for a chart with one dataset
  var LABEL_FONT = 12; // px, as .map-label in lindung.css
  var hatches = 0;
  var PALETTE = ["#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000000"]; // Okabe–Ito
  var maps = new WeakMap(); // element → {map, request}
  var numbers = new Intl.NumberFormat("id-ID");
  var percents = new Intl.NumberFormat("id-ID", { style: "percent", maximumFractionDigits: 1 });

  function within(root, selector) {
    var found = Array.prototype.slice.call(root.querySelectorAll(selector));
    if (root.matches && root.matches(selector)) {
      found.unshift(root);
    }
    return found;
  }

  /* Maps */

  function areaStyle(feature) {
    var properties = feature.properties;
    var color = properties.hatch || properties.color || NO_DATA;
    if (properties.role === "context") {
      return { color: CONTEXT_OUTLINE, weight: 1, opacity: 1, fillColor: color, fillOpacity: 1 };
    }
    if (properties.role === "selected") {
      return { color: HIGHLIGHT, weight: 3, opacity: 1, fillColor: color, fillOpacity: 1 };
    }
    return { color: OUTLINE, weight: 1, opacity: 1, fillColor: color, fillOpacity: 1 };
  }

  /* A grey, hatched fill for areas without data: an SVG pattern in the map's own <svg>. */
  function markNoData(collection) {
    var id = "lindung-hatch-" + (hatches += 1);
    (collection.features || []).forEach(function (feature) {
      var properties = feature.properties || {};
      if (properties.role !== "context" && (properties.color || NO_DATA) === NO_DATA) {
        properties.hatch = "url(#" + id + ")";
      }
    });
    return id;
  }

  function hatchNoData(map, areas, id) {
    var svg = map.getPanes().overlayPane.querySelector("svg");
    if (!svg) {
      return;
    }
    var ns = "http://www.w3.org/2000/svg";
    var defs = document.createElementNS(ns, "defs");
    var pattern = document.createElementNS(ns, "pattern");
    pattern.setAttribute("id", id);
    pattern.setAttribute("patternUnits", "userSpaceOnUse");
    pattern.setAttribute("width", "8");
    pattern.setAttribute("height", "8");
    pattern.setAttribute("patternTransform", "rotate(45)");
    var back = document.createElementNS(ns, "rect");
    back.setAttribute("width", "8");
    back.setAttribute("height", "8");
    back.setAttribute("fill", NO_DATA);
    var line = document.createElementNS(ns, "line");
    line.setAttribute("x1", "0");
    line.setAttribute("y1", "0");
    line.setAttribute("x2", "0");
    line.setAttribute("y2", "8");
    line.setAttribute("stroke", "#4b5563");
    line.setAttribute("stroke-width", "2");
    pattern.appendChild(back);
    pattern.appendChild(line);
    defs.appendChild(pattern);
    svg.insertBefore(defs, svg.firstChild);
    areas.eachLayer(function (layer) {
      var element = layer.getElement && layer.getElement();
      if (element && layer.feature.properties.hatch) {
        element.setAttribute("data-no-data", "1");
      }
    });
  }

  /* Names on the map: every one ("all"), or where it fits at this zoom ("fit"). */
  function labelText(properties) {
    return properties.label || properties.name || properties.code || "";
  }

  function addLabels(map, areas, mode) {
    var labels = [];
    areas.eachLayer(function (layer) {
      var properties = layer.feature.properties;
      if (!properties.label_at) {
        return;
      }
      var span = document.createElement("span");
      span.textContent = labelText(properties);
      var role = properties.role || "area";
      var marker = L.marker(properties.label_at, {
        icon: L.divIcon({ className: "map-label map-label-" + role, html: span.outerHTML, iconSize: null }),
        interactive: false,
        keyboard: false,
      }).addTo(map);
      var element = marker.getElement();
      if (element) {
        element.setAttribute("data-label", properties.code);
        element.setAttribute("aria-hidden", "true");
      }
      labels.push({ layer: layer, marker: marker, role: role, text: span.textContent });
    });
    // Which names show when only some fit: the selected desa first, then larger areas.
    function size(label) {
      var bounds = label.layer.getBounds();
      var a = map.latLngToLayerPoint(bounds.getNorthWest());
      var b = map.latLngToLayerPoint(bounds.getSouthEast());
      return { width: Math.abs(b.x - a.x), height: Math.abs(b.y - a.y) };
    }
    function place() {
      var placed = [];
      var ordered = labels.slice().sort(function (p, q) {
        if ((p.role === "selected") !== (q.role === "selected")) {
          return p.role === "selected" ? -1 : 1;
        }
        var sp = size(p);
        var sq = size(q);
        return sq.width * sq.height - sp.width * sp.height;
      });
      ordered.forEach(function (label) {
        var element = label.marker.getElement();
        if (!element) {
          return;
        }
        var span = element.firstChild;
        var width = span && span.offsetWidth ? span.offsetWidth : label.text.length * LABEL_FONT * 0.6;
        var height = span && span.offsetHeight ? span.offsetHeight : LABEL_FONT * 1.2;
        var point = map.latLngToLayerPoint(label.marker.getLatLng());
        var box = { left: point.x - width / 2 - 2, right: point.x + width / 2 + 2, top: point.y - height / 2, bottom: point.y + height / 2 };
        var room = size(label);
        // "all": every name unless it would cover another (zoom in for those); "fit": and
        // only where the area is wide enough for its name.
        var fits = mode === "all" || label.role === "selected" || (room.width >= width * 0.8 && room.height >= height * 1.2);
        var free = placed.every(function (other) {
          return box.right < other.left || other.right < box.left || box.bottom < other.top || other.bottom < box.top;
        });
        var show = fits && free;
        if (show) {
          placed.push(box);
        }
        element.classList.toggle("map-label-hidden", !show);
      });
    }
    place();
    map.on("zoomend", place);
  }

  function tooltip(properties) {
    var box = document.createElement("div");
    var name = document.createElement("strong");
    name.textContent = properties.name || properties.code || "";
    box.appendChild(name);
    if (properties.display) {
      box.appendChild(document.createElement("br"));
      box.appendChild(document.createTextNode(properties.display));
    }
    return box;
  }

  function go(properties) {
    if (properties.url) {
      window.location = properties.url;
    }
  }

  function bindArea(feature, layer) {
    var properties = feature.properties;
    layer.bindTooltip(tooltip(properties), { sticky: true, direction: "top", opacity: 0.95 });
    layer.on("mouseover", function () {
      layer.setStyle({ color: HIGHLIGHT, weight: 2.5 });
      layer.bringToFront();
    });
    layer.on("mouseout", function () {
      layer.setStyle(areaStyle(feature));
      if (properties.role !== "selected") {
        layer.bringToBack();
      }
    });
    layer.on("click", function () {
      go(properties);
    });
  }

  function markPaths(areas) {
    areas.eachLayer(function (layer) {
      var element = layer.getElement && layer.getElement();
      if (!element) {
        return;
      }
      var properties = layer.feature.properties;
      element.setAttribute("data-code", properties.code);
      element.setAttribute("data-role", properties.role || "area");
      element.setAttribute("aria-label", [properties.name, properties.display].filter(Boolean).join(": "));
      if (properties.url) {
        element.setAttribute("tabindex", "0");
        element.setAttribute("role", "link");
        element.classList.add("map-area-link");
        element.addEventListener("keydown", function (event) {
          if (event.key === "Enter") {
            go(properties);
          }
        });
      } else {
        element.classList.add("map-area-plain");
      }
    });
  }

  function drawMap(element, collection) {
    var hatch = markNoData(collection);
    var areas = L.geoJSON(collection, { style: areaStyle, onEachFeature: bindArea });
    var bounds = areas.getBounds();
    var focus = null; // a desa among its neighbours: zoom to the desa
    areas.eachLayer(function (layer) {
      if (layer.feature.properties.role === "selected") {
        focus = layer.getBounds();
      }
    });
    if (!bounds.isValid()) {
      element.setAttribute("data-map-empty", "1");
      element.setAttribute("data-map-ready", "1");
      return null;
    }
    element.textContent = ""; // the no-JS fallback, if any
    var map = L.map(element, {
      attributionControl: false,
      zoomSnap: 0.25,
      scrollWheelZoom: false, // the page scrolls; zoom with the buttons or a double click
      maxBounds: bounds.pad(0.5),
    });
    map.fitBounds(focus ? focus.pad(0.6) : bounds, { padding: [8, 8] });
    areas.addTo(map);
    areas.eachLayer(function (layer) {
      if (layer.feature.properties.role === "selected") {
        layer.bringToFront();
      }
    });
    markPaths(areas);
    hatchNoData(map, areas, hatch);
    addLabels(map, areas, collection.labels || "fit");
    element.setAttribute("data-map-ready", "1");
    return map;
  }

  function initMap(element) {
    var previous = maps.get(element);
    if (previous && previous.map) {
      previous.map.remove();
    }
    var state = { map: null };
    maps.set(element, state);
    element.removeAttribute("data-map-ready");
    element.removeAttribute("data-map-error");
    element.removeAttribute("data-map-empty");
    var url = element.getAttribute("data-map-url");
    if (!url) {
      return;
    }
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/geo+json, application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (collection) {
        if (maps.get(element) === state) { // not re-initialised meanwhile
          state.map = drawMap(element, collection);
        }
      })
      .catch(function (error) {
        if (maps.get(element) === state) {
          element.setAttribute("data-map-error", "1");
        }
        console.error("map", url, error);
      });
  }

  /* Charts */

  function chartConfig(spec) {
    var format = spec.percent ? percents : numbers;
    var many = spec.datasets.length > 1;
    var datasets = spec.datasets.map(function (dataset, index) {
      var color = many ? PALETTE[index % PALETTE.length] : SINGLE;
      return Object.assign({ backgroundColor: color, borderColor: color }, dataset);
    });
    var valueAxis = spec.horizontal ? "x" : "y";
    var scales = { x: { stacked: !!spec.stacked }, y: { stacked: !!spec.stacked } };
    scales[valueAxis].beginAtZero = true;
    scales[valueAxis].ticks = {
      callback: function (value) {
        return format.format(value);
      },
    };
    return {
      type: spec.type || "bar",
      data: { labels: spec.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: !spec.horizontal,
        animation: false,
        indexAxis: spec.horizontal ? "y" : "x",
        // a tooltip anywhere along a bar's row or column, with every dataset of a stack
        interaction: { mode: "index", axis: spec.horizontal ? "y" : "x", intersect: false },
        scales: scales,
        plugins: {
          legend: { display: many },
          tooltip: {
            callbacks: {
              label: function (context) {
                var value = spec.horizontal ? context.parsed.x : context.parsed.y;
                var text = value === null || value === undefined ? "\u2013" : format.format(value);
                return context.dataset.label ? context.dataset.label + ": " + text : text;
              },
            },
          },
        },
      },
    };
  }

  function initChart(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    if (!source) {
      console.error("chart: no JSON script with id", canvas.getAttribute("data-chart"));
      return;
    }
    var spec = JSON.parse(source.textContent);
    var existing = Chart.getChart(canvas);
    if (existing) {
      existing.destroy();
    }
    if (spec.horizontal && canvas.parentNode) {
      canvas.parentNode.style.height = Math.max(160, spec.labels.length * 24 + 60) + "px";
    }
    new Chart(canvas, chartConfig(spec));
    canvas.setAttribute("data-chart-ready", "1");
  }

  /* Start */

  function init(root) {
    if (window.L) {
      within(root, "[data-map]").forEach(initMap);
    }
    if (window.Chart) {
      Chart.defaults.font.family = window.getComputedStyle(document.body).fontFamily;
      within(root, "canvas[data-chart]").forEach(initChart);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      init(document);
    });
  } else {
    init(document);
  }
  document.addEventListener("htmx:afterSettle", function (event) {
    var root = (event.detail && event.detail.elt) || event.target;
    if (root && root.querySelectorAll) {
      init(root);
    }
  });
})();
