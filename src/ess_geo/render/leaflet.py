"""Leaflet pieces of the offline HTML map: the vendored Leaflet inlined, and the page's controls.

:class:`OfflineMap` is a :class:`folium.Map` whose page loads no external resource (Leaflet's JS and
CSS are vendored in ``ess_geo/_vendor/leaflet`` and inlined). The controls (:class:`HtmlControl`
for the title block and legend, :class:`MetricScale`, :class:`DepartementLabels`,
:class:`FitTerritory`) are small Leaflet macros; every text they embed is escaped here.
"""

from __future__ import annotations

import base64
import html
import json
from functools import lru_cache
from importlib import resources
from typing import Any, cast

import folium
from branca.element import Element, Figure, MacroElement
from jinja2 import Template


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


@lru_cache(maxsize=1)
def leaflet_assets() -> tuple[str, str]:
    """Vendored Leaflet (JS, CSS), the CSS's images inlined as data URIs.

    Returns
    -------
    (str, str)
        JavaScript source and CSS text.
    """
    base = resources.files("ess_geo") / "_vendor" / "leaflet"
    js = (base / "leaflet.js").read_text(encoding="utf-8")
    css = (base / "leaflet.css").read_text(encoding="utf-8")
    for name in ("layers.png", "layers-2x.png"):
        data = base64.b64encode((base / "images" / name).read_bytes()).decode("ascii")
        css = css.replace(f"url(images/{name})", f"url(data:image/png;base64,{data})")
    # default marker images are never used (sites are circle markers): no relative file request
    css = css.replace("url(images/marker-icon.png)", "none")
    # never let the inlined code close its own <script>/<style> element
    return js.replace("</script", "<\\/script"), css.replace("</style", "<\\/style")


@lru_cache(maxsize=8)
def _compiled(text: str) -> Template:
    """``text`` as the jinja template branca's :class:`Element` would compile, once per process."""
    return Template(text)


class ConstantElement(Element):
    """An :class:`Element` of fixed text (the inlined Leaflet, the page CSS) compiled once per process.

    ``Element(text)`` compiles ``text`` as a jinja template on every map; jinja lexes the 150 kB of
    inlined Leaflet each time (about a tenth of a second per map of ``report --maps``). The
    compiled template is the same object for the same text, so every page is rendered the same.
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self._template_str = text
        self._template = _compiled(text)


class OfflineMap(folium.Map):
    """A :class:`folium.Map` whose page loads no external resource.

    folium's default page pulls Leaflet, jQuery, Bootstrap and Font Awesome from CDNs; an ARS
    laptop on an intranet would then show a blank page. This subclass declares no external JS or
    CSS and inlines the vendored Leaflet instead.
    """

    default_js: list = []  # noqa: RUF012  (folium reads these class attributes)
    default_css: list = []  # noqa: RUF012

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        js, css = leaflet_assets()
        cast(Figure, self.get_root()).header.add_child(ConstantElement(f"<style>{css}</style>\n<script>{js}</script>"), name="leaflet_inline")


class HtmlControl(MacroElement):
    """A Leaflet control showing a fixed block of (already escaped) HTML.

    Leaflet stacks controls in each corner, so the title block, legend, zoom buttons and scale
    never overlap whatever the window size.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.control({position: {{ this.position|tojson }}});
        {{ this.get_name() }}.onAdd = function (map) {
            var div = L.DomUtil.create("div", {{ this.css_class|tojson }});
            div.innerHTML = {{ this.html_json }};
            L.DomEvent.disableClickPropagation(div);
            L.DomEvent.disableScrollPropagation(div);
            return div;
        };
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, html_text: str, *, position: str, css_class: str) -> None:
        super().__init__()
        self._name = "HtmlControl"
        self.position = position
        self.css_class = css_class
        # JSON string literal; "</" escaped so the text can never close the <script> element.
        self.html_json = json.dumps(html_text).replace("</", "<\\/")


class MetricScale(MacroElement):
    """Leaflet scale bar in kilometres only (French readers; Leaflet adds miles by default)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        L.control.scale({metric: true, imperial: false, position: "bottomright"}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "MetricScale"


class DepartementLabels(MacroElement):
    """Permanent small département-code labels (non-interactive), like the printed map's."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var labels = {{ this.labels_json }};
            var group = L.layerGroup();
            labels.forEach(function (l) {
                L.marker([l[1], l[0]], {interactive: false, keyboard: false, icon: L.divIcon({
                    className: "ess-dep-label" + (l[3] ? " ess-dep-label-in" : ""), html: l[2],
                    iconSize: null, iconAnchor: [0, 0]})}).addTo(group);
            });
            group.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, labels: list[tuple[float, float, str, bool]]) -> None:
        super().__init__()
        self._name = "DepartementLabels"
        self.labels_json = json.dumps([[round(x, 5), round(y, 5), _esc(t), bool(b)] for x, y, t, b in labels]).replace("</", "<\\/")


class FitTerritory(MacroElement):
    """Fit the initial view to the territory once the title block and legend are laid out.

    The padding is the real width of the title block (left) when the window is wide enough,
    so the territory fills the free part of the frame whatever the window size.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map) {
            var b = L.latLngBounds({{ this.bounds_json }});
            function fit() {
                var size = map.getSize();
                var title = document.querySelector(".ess-title");
                var left = title ? title.offsetWidth + 20 : 20;
                if (left > size.x * 0.45) { left = 20; }
                map.fitBounds(b, {paddingTopLeft: [left, 20], paddingBottomRight: [20, 30], animate: false});
            }
            setTimeout(fit, 0);
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, bounds: tuple[float, float, float, float]) -> None:
        super().__init__()
        self._name = "FitTerritory"
        minx, miny, maxx, maxy = bounds
        self.bounds_json = json.dumps([[miny, minx], [maxy, maxx]])


__all__ = [
    "ConstantElement", "DepartementLabels", "FitTerritory", "HtmlControl", "MetricScale", "OfflineMap", "leaflet_assets"]
