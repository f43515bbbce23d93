#!/usr/bin/env bash
# Refreshes requirements/verhalen.lock: the exact versions (with their hashes) that
# scripts/installeer.sh installs. The resolution only sees releases published before the date
# in requirements/LOCK_DATUM (by upload date), so running it twice mostly gives the same lock;
# the registry does add releases afterwards with an earlier upload date, so the same date can
# resolve a few newer versions (tests/test_lock.py prints them). A refresh moves the date.
#
#   bash scripts/ververs_lock.sh            # same date: recompute (check)
#   bash scripts/ververs_lock.sh 2027-01-15 # new date: newer releases; then run the tests
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || { echo "eerst: bash scripts/installeer.sh" >&2; exit 1; }
.venv/bin/python -m uv --version >/dev/null 2>&1 || .venv/bin/pip install --quiet "uv>=0.5"
if [ $# -ge 1 ]; then
  echo "$1" > requirements/LOCK_DATUM
fi
DATUM=$(tr -d '[:space:]' < requirements/LOCK_DATUM)
OUT=${VERHALEN_LOCK_UIT:-requirements/verhalen.lock}
echo "==> lock opnieuw berekenen (releases tot en met $DATUM) naar $OUT"
.venv/bin/python -m uv pip compile pyproject.toml --extra dev --extra notebooks \
  --python-version 3.11 \
  --python-platform x86_64-manylinux_2_28 --exclude-newer "${DATUM}T23:59:59Z" \
  --generate-hashes --no-emit-package torch --no-header --index-url https://pypi.org/simple \
  --quiet -o "$OUT.tmp"
# torch is installed first and pinned (installeer.sh), from its CPU build: the lock leaves out
# torch and what only PyPI's default (CUDA) build of torch pulls in (nvidia-*, cuda-*, triton).
.venv/bin/python - "$OUT.tmp" "$OUT" "$DATUM" <<'PY'
import re, sys
src, dst, datum = sys.argv[1:4]
blocks, cur = [], []
for line in open(src, encoding="utf-8"):
    if re.match(r"^[A-Za-z0-9]", line) and cur:
        blocks.append(cur); cur = []
    cur.append(line)
if cur:
    blocks.append(cur)
cuda = re.compile(r"^(nvidia-|cuda-|triton==)", re.I)
keep = [b for b in blocks if not cuda.match(b[0])]
with open(dst, "w", encoding="utf-8") as f:
    f.write("# verhalen: exacte versies met hashes. Niet met de hand bewerken: "
            "bash scripts/ververs_lock.sh\n")
    f.write(f"# Releases tot en met {datum}; torch==2.13.0 (CPU) wordt apart en eerst "
            "geïnstalleerd, zonder de CUDA-pakketten.\n")
    for b in keep:
        f.writelines(b)
PY
rm -f "$OUT.tmp"
echo "==> $OUT: $(grep -c '^[a-z0-9]' "$OUT") pakketten"
