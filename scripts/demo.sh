#!/usr/bin/env bash
# Installs verhalen and runs the main job on the demo corpus: read → code → discover themes.
# Ends with the path of what it wrote.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/installeer.sh
UIT=${1:-uitvoer/voorbeeld}
.venv/bin/verhalen lees corpora/voorbeeld --uit "$UIT" --overschrijf
.venv/bin/verhalen codeer "$UIT" --codeboek impact --uit "$UIT/codes.jsonl" --overschrijf
.venv/bin/verhalen themas "$UIT" --uit "$UIT" --codes "$UIT/codes.jsonl" --overschrijf
echo "Klaar. Uitvoer: $(cd "$UIT" && pwd)"
