"""Drawing only: map specs built from analysis results, HTML/PNG/PDF maps, coverage reports, table writers.

=====================  =====================================================================
module                 owns
=====================  =====================================================================
``mapspec``            map types (MapSpec, layers, legend), colours, shared map helpers
``territory_spec``     the committee map of a proposed territory (from a TerritoryCheck)
``territory_layers``   existing ESS, communes by zonage and outreach sites layers
``coverage_spec``      the coverage map of a specialty (from a CoverageResult)
``simplify``           geometry simplification for display; ``simplify_cache``: its results kept
                       between processes (content-addressed)
``html_map``           folium rendering and :func:`save_map`; ``leaflet``: offline Leaflet pieces
``static_map``         matplotlib PNG/PDF rendering
``reports``            coverage reports (HTML pages); ``cells``: French cell texts; ``xlsx``
``tables``             CSV/GeoJSON/JSON writers (coverage, access index, ``ess-geo zip``); ``spreadsheet``:
                       the one CSV convention and text-never-formula cells
``geopackage``         GeoPackage export (``--out x.gpkg``): French layers, written atomically
=====================  =====================================================================

The submodules load folium, matplotlib or XlsxWriter, so ``import ess_geo`` does not import them:
any public submodule is imported on first attribute access (PEP 562).
"""


from __future__ import annotations

from ess_geo._lazy import submodule_loader

__all__ = [
    "breaks",
    "cells",
    "comparison",
    "coverage_spec",
    "dossier_content",
    "dossier_html",
    "dossier_pdf",
    "geopackage",
    "html_map",
    "leaflet",
    "mapspec",
    "report_text",
    "reports",
    "simplify",
    "simplify_cache",
    "spreadsheet",
    "static_map",
    "tables",
    "territory_layers",
    "territory_spec",
    "xlsx",
]


__getattr__, __dir__ = submodule_loader(__name__, __all__)
