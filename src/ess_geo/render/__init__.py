"""Drawing only: map specs built from analysis results, HTML/PNG/PDF maps, coverage reports, table writers.

=====================  =====================================================================
module                 owns
=====================  =====================================================================
``mapspec``            map types (MapSpec, layers, legend), colours, shared map helpers
``territory_spec``     the committee map of a proposed territory (from a TerritoryCheck)
``territory_layers``   existing ESS, communes by zonage and outreach sites layers
``coverage_spec``      the coverage map of a specialty (from a CoverageResult)
``simplify``           geometry simplification for display
``html_map``           folium rendering and :func:`save_map`; ``leaflet``: offline Leaflet pieces
``static_map``         matplotlib PNG/PDF rendering
``reports``            coverage reports (HTML pages); ``cells``: French cell texts; ``xlsx``
``tables``             CSV/GeoJSON/JSON writers (coverage, access index, ``ess-geo zip``)
=====================  =====================================================================
"""

__all__: list[str] = []
