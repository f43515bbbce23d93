"""Wall time of `verhalen analyse` (read → code → themes → report → REFI-QDA) per stage.

    .venv/bin/python benchmarks/analyse_tijd.py [--corpus demo seed] [--koud]

Runs the command in a fresh process per corpus (as a user would) on the demo corpus
(corpora/voorbeeld) and on the seed file ../shared/seeds/002_fd21be9acf5d1fbc.part1.txt, and
prints the total wall time (process start to exit, model loading included) and the seconds
per stage that the run recorded in MAP/methode.json. ``--koud`` starts with an empty
embedding cache (first run on new material); by default the cache in VERHALEN_CACHE (or a
fixed temporary folder) is used, so a second call shows a warm re-run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPORA = {"demo": ROOT / "corpora" / "voorbeeld",
           "seed": ROOT.parent / "shared" / "seeds" / "002_fd21be9acf5d1fbc.part1.txt"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", nargs="+", choices=sorted(CORPORA), default=["demo", "seed"])
    ap.add_argument("--koud", action="store_true", help="begin met een lege embeddingcache")
    args = ap.parse_args()
    cache = Path(os.environ.get("VERHALEN_CACHE") or Path(tempfile.gettempdir()) / "verhalen-bench-cache")
    if args.koud:
        cache = Path(tempfile.mkdtemp(prefix="verhalen-koud-"))
    env = dict(os.environ, VERHALEN_CACHE=str(cache))
    exe = Path(sys.executable).with_name("verhalen")
    cmd0 = [str(exe)] if exe.exists() else [sys.executable, "-m", "verhalen.cli.main"]
    print(f"cache: {cache}{' (leeg)' if args.koud else ''}; load: {os.getloadavg()[0]:.2f}")
    for name in args.corpus:
        src = CORPORA[name]
        if not src.exists():
            print(f"{name}: {src} ontbreekt, overgeslagen")
            continue
        out = Path(tempfile.mkdtemp(prefix=f"verhalen-analyse-{name}-"))
        t = time.time()
        res = subprocess.run(cmd0 + ["analyse", str(src), "--uit", str(out), "--overschrijf",
                                     "--stil"], env=env, capture_output=True, text=True)
        wall = time.time() - t
        if res.returncode != 0:
            print(f"{name}: mislukt (code {res.returncode})\n{res.stderr[-2000:]}")
            continue
        method = json.loads((out / "methode.json").read_text(encoding="utf-8"))
        n_seg = len((out / "segments.jsonl").read_text(encoding="utf-8").splitlines())
        stages = ", ".join(f"{k} {v:.1f} s" for k, v in method.get("tijden_s", {}).items())
        size = (out / "rapport.html").stat().st_size / 1e6
        print(f"{name}: {n_seg} segmenten; totaal {wall:.1f} s (proces, met laden van modellen); "
              f"{stages}; rapport {size:.1f} MB")
        print(f"   laatste regel: {res.stdout.strip().splitlines()[-1]}")
        shutil.rmtree(out, ignore_errors=True)
    if args.koud:
        shutil.rmtree(cache, ignore_errors=True)


if __name__ == "__main__":
    main()
