#!/usr/bin/env bash
# Installs verhalen and runs the main job on the demo corpus:
# read → code → discover themes → track map → report, tables and REFI-QDA project.
# The last line is the path of the report.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/installeer.sh
UIT=${1:-uitvoer/voorbeeld}
.venv/bin/verhalen analyse corpora/voorbeeld --uit "$UIT" --overschrijf
