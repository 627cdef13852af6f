#!/usr/bin/env bash
# Makes sure a Redis server answers on 127.0.0.1:6379 (the scaled-out task queue's test), installing
# and starting Debian's package when none runs.
set -euo pipefail
ready() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }
if command -v redis-cli >/dev/null && ready; then exit 0; fi
WITH_REDIS=1 "$(dirname "$0")/ensure-debian-packages.sh"
ready && exit 0
redis-server --bind 127.0.0.1 --port 6379 --daemonize yes --save "" >/dev/null
for _ in $(seq 1 20); do ready && exit 0; sleep 0.5; done
echo "Redis did not start" >&2
exit 1
