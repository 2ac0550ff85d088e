#!/usr/bin/env bash
# Refetch the Leaflet files inlined into ess_geo's standalone HTML maps (src/ess_geo/_vendor/leaflet).
# Uses the npm registry through `npm pack` (no other network access), checks the tarball's files and
# rewrites README.md with their sha256. Usage: bash scripts/vendor_leaflet.sh [VERSION]
set -euo pipefail
VERSION="${1:-1.9.4}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DEST="$ROOT/src/ess_geo/_vendor/leaflet"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
(cd "$TMP" && npm pack --silent "leaflet@${VERSION}" >/dev/null && tar xzf "leaflet-${VERSION}.tgz")
mkdir -p "$DEST/images"
cp "$TMP/package/dist/leaflet.js" "$TMP/package/dist/leaflet.css" "$DEST/"
cp "$TMP/package/dist/images/layers.png" "$TMP/package/dist/images/layers-2x.png" "$DEST/images/"
cp "$TMP/package/LICENSE" "$DEST/LICENSE"
cd "$DEST"
{
  echo "# Vendored Leaflet ${VERSION}"
  echo
  echo "Inlined by \`ess_geo.render.html_map\` into every HTML map so that maps open offline (no CDN)."
  echo "Fetched from the npm registry with \`npm pack leaflet@${VERSION}\` by \`scripts/vendor_leaflet.sh\`;"
  echo "files copied unchanged from the package's \`dist/\`. Licence: BSD-2-Clause (see LICENSE)."
  echo
  echo "| file | sha256 |"
  echo "|---|---|"
  for f in leaflet.js leaflet.css images/layers.png images/layers-2x.png LICENSE; do
    echo "| $f | $(sha256sum "$f" | cut -d' ' -f1) |"
  done
} > README.md
echo "Leaflet ${VERSION} vendored into $DEST"
