#!/usr/bin/env bash
# Installs verhalen (plus headless Chromium for the browser test) and runs every test,
# notebooks included.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/installeer.sh
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "==> chromium installeren (voor de browsertest)"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || echo "chromium kon niet geïnstalleerd worden; de browsertest wordt overgeslagen" >&2
fi
export VERHALEN_CACHE=${VERHALEN_CACHE:-$PWD/.cache/verhalen}
.venv/bin/python -m pytest "$@"
