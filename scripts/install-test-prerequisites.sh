#!/usr/bin/env bash
# What `npm test` needs beyond npm, on Debian or Ubuntu (as root): redis-server (the Redis tests start
# their own servers, so the distribution's service is stopped) and Chromium (the HTML screenshot
# tests; without it they are skipped). Node.js 20 and a C++ toolchain for better-sqlite3 are assumed.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ ${#missing[@]} -eq 0 ]; then
  echo "redis-server and chromium are installed"
  exit 0
fi
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
if [[ " ${missing[*]} " == *" redis-server "* ]]; then
  service redis-server stop >/dev/null 2>&1 || true
fi
echo "installed: ${missing[*]}"
