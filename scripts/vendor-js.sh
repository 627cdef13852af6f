#!/usr/bin/env bash
# Vendors the browser libraries of package.json into shenbao's own static files, so that pages load
# them from this server (no CDN; the CSP allows scripts from 'self' only). Installs exactly what
# package-lock.json pins, never runs a package's install scripts, and uses npm's cache before the
# network. The copies are build output: git ignores node_modules/ and shenbao/web/static/vendor/.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v npm >/dev/null || scripts/ensure-debian-packages.sh
npm ci --ignore-scripts --prefer-offline --no-audit --no-fund --loglevel=error
vendor=shenbao/web/static/vendor
mkdir -p "$vendor"
# cp without -p: the copy is newer than package-lock.json, which is how make knows it is done.
cp node_modules/echarts/dist/echarts.min.js "$vendor/echarts.min.js"
cp node_modules/echarts/LICENSE "$vendor/echarts.LICENSE.txt"
