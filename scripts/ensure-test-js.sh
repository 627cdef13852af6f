#!/usr/bin/env bash
# Installs the test-only npm packages (axe-core, which test_standards.py injects into every page) from
# their own lock file, when it changed since the last install: exactly what the lock pins, no install
# scripts, npm's cache before the network. Nothing of it is committed but package.json and the lock.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v npm >/dev/null || scripts/ensure-debian-packages.sh
cd shenbao/web/tests/js
stamp=node_modules/.installed
[ -f "$stamp" ] && [ "$stamp" -nt package-lock.json ] && exit 0
npm ci --ignore-scripts --prefer-offline --no-audit --no-fund --loglevel=error
touch "$stamp"
