#!/usr/bin/env bash
# Debian packages the build uses (`build`: Pango, and HarfBuzz's subsetter, without which
# WeasyPrint falls back to fontTools and writes PDFs about half as fast; libgs-common for
# the print-shop PDFs' CMYK output profile, /usr/share/color/icc/ghostscript/default_cmyk.icc),
# or the build and the tests (`test`: also poppler-utils, chromium for the print-shelf browser
# test, ghostscript, whose tiffsep device shows the print-shop PDFs' separations, and Node.js
# with npm, which install and run tests/node/: axe-core, pa11y and pdf.js).
# Installs only what is missing (needs root).
set -euo pipefail
packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libgs-common)
if [ "${1:-test}" = test ]; then
  packages+=(poppler-utils chromium ghostscript nodejs npm)
fi
if ! command -v dpkg-query >/dev/null; then
  echo "not a Debian system: install Pango, Ghostscript's ICC profiles, poppler-utils, chromium, ghostscript, Node.js and npm yourself" >&2
  exit 0
fi
missing=()
for p in "${packages[@]}"; do
  # Node.js from elsewhere (e.g. NodeSource's nodejs, which bundles npm and conflicts with
  # Debian's npm package) counts: what the tests need is the two commands
  case "$p" in
    nodejs) command -v node >/dev/null && continue ;;
    npm) command -v npm >/dev/null && continue ;;
  esac
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "missing Debian packages: ${missing[*]} (run: sudo apt-get install ${missing[*]})" >&2
    # the build can go on (a missing Pango is caught by scripts/check_prereqs.py); tests cannot
    [ "${1:-test}" = build ] && exit 0
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
