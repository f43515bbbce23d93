"""Wall time of `verhalen analyse` (read → code → themes → report → REFI-QDA), cold and warm,
per stage, against an earlier commit measured in the same run.

    .venv/bin/python benchmarks/analyse_tijd.py [--corpus demo seed] [--basis a1cf5fa]
                                                [--warm 2] [--zonder-basis] [--bewaar MAP]

For each corpus (demo: corpora/voorbeeld; seed: ../shared/seeds/002_fd21be9acf5d1fbc.part1.txt)
and for each code version (``basis``: the commit given with ``--basis``, taken out with
``git archive``; ``nieuw``: this working tree's ``src/`` as it is now, uncommitted changes
included) the script runs ``verhalen analyse PAD --uit MAP --stil`` in a new process, as a
user would:

* **koud** — the first run after an install: an empty cache folder (``VERHALEN_CACHE``: the
  embedding, reading and spaCy caches, and the numba cache that ``nieuw`` keeps there), a
  fresh copy of the code (so no ``__pycache__`` of verhalen's own) and no numba on-disk
  cache (``basis`` gets ``NUMBA_CACHE_DIR`` pointed at an empty folder, so pynndescent's
  cache in site-packages is not used either; ``nieuw`` runs without ``NUMBA_CACHE_DIR`` and
  puts its own under ``VERHALEN_CACHE``). What it does not empty: the ``.pyc`` files of the
  installed libraries (pip writes them when it installs) and the operating system's file
  cache.
* **warm** — ``--warm`` more runs right after, each a new process with the caches the cold
  run filled (a researcher re-running an analysis on the same material).

The runs alternate (basis koud, nieuw koud, basis warm, nieuw warm, …) so that both versions
meet the same load. It prints per run the wall time of the process (start to exit, model
loading included), the seconds per stage that the run wrote in MAP/methode.json and the load
average before and after; then per corpus the ratio nieuw / basis (median of the warm runs),
and whether the goals (warm ≤ 10 s, cold ≤ 30 s) are met. Finally it checks that every run
gave the same results as the cold run of ``basis``: segments, documents, corpus.json,
mensen.csv, codes.jsonl, codeboek.yaml, the theme files, the tables (byte for byte) and the
REFI-QDA project (the files in the zip); the report and methode.json are compared apart from
their date and timings and shown as a note (a changed report is not a changed analysis).
The exit code is 1 when a result differs.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPORA = {"demo": ROOT / "corpora" / "voorbeeld",
           "seed": ROOT.parent / "shared" / "seeds" / "002_fd21be9acf5d1fbc.part1.txt"}
#: compared byte for byte (paths inside the project folder)
STRICT = ("segments.jsonl", "documents.jsonl", "corpus.json", "mensen.csv", "codes.jsonl",
          "codeboek.yaml", "themas.jsonl", "themas_tabel.csv", "themas_codes.csv")
GOAL_WARM, GOAL_COLD = 10.0, 30.0


def load() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def code_copy(version: str, basis: str | None, dest: Path) -> Path:
    """A fresh copy of src/ (and requirements/, which methode.json reads) of ``basis`` or of
    the working tree; returns the folder to put on PYTHONPATH."""
    dest.mkdir(parents=True)
    if version == "basis":
        tar = subprocess.run(["git", "-C", str(ROOT), "archive", basis, "src", "requirements"],
                             check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(dest)], input=tar, check=True)
    else:
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
        shutil.copytree(ROOT / "src", dest / "src", ignore=ignore)
        if (ROOT / "requirements").is_dir():
            shutil.copytree(ROOT / "requirements", dest / "requirements", ignore=ignore)
    return dest / "src"


def run_once(src_path: Path, corpus: Path, cache: Path, out: Path, numba_dir: Path | None):
    env = dict(os.environ, VERHALEN_CACHE=str(cache), PYTHONPATH=str(src_path))
    env.pop("NUMBA_CACHE_DIR", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if numba_dir is not None:
        env["NUMBA_CACHE_DIR"] = str(numba_dir)
    before = load()
    t = time.perf_counter()
    res = subprocess.run([sys.executable, "-m", "verhalen.cli.main", "analyse", str(corpus),
                          "--uit", str(out), "--stil"], env=env, capture_output=True, text=True,
                         stdin=subprocess.DEVNULL)
    wall = time.perf_counter() - t
    if res.returncode != 0:
        raise RuntimeError(f"verhalen analyse mislukt (code {res.returncode}):\n"
                           f"{res.stderr[-3000:]}")
    method = json.loads((out / "methode.json").read_text(encoding="utf-8"))
    return {"wall": wall, "stages": method.get("tijden_s", {}), "load": f"{before} → {load()}"}


def _zip_entries(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


_DATE = re.compile(r"\d{2}-\d{2}-\d{4} \d{2}:\d{2}")
_CODE_PATH = re.compile(r"[^\s()<>\"']*/src/verhalen/")   # where the copy of the code was


def compare(ref: Path, other: Path) -> tuple[list[str], list[str]]:
    """(differences in results, notes on the report / method)."""
    diffs, notes = [], []
    for name in STRICT:
        a, b = ref / name, other / name
        if a.exists() != b.exists():
            diffs.append(f"{name} ontbreekt in één van beide")
        elif a.exists() and a.read_bytes() != b.read_bytes():
            diffs.append(name)
    ta, tb = ref / "tabellen", other / "tabellen"
    names = sorted({p.name for p in ta.glob("*")} | {p.name for p in tb.glob("*")})
    for name in names:
        if not (ta / name).exists() or not (tb / name).exists() or \
                (ta / name).read_bytes() != (tb / name).read_bytes():
            diffs.append(f"tabellen/{name}")
    if _zip_entries(ref / "project.qdpx") != _zip_entries(other / "project.qdpx"):
        diffs.append("project.qdpx (inhoud)")
    ra, rb = ((_CODE_PATH.sub("…/verhalen/", _DATE.sub("DATUM", (d / "rapport.html")
               .read_text(encoding="utf-8")))) for d in (ref, other))
    if ra != rb:
        notes.append("rapport.html verschilt (afgezien van datum en pad van de code)")
    ma = json.loads((ref / "methode.json").read_text(encoding="utf-8"))
    mb = json.loads((other / "methode.json").read_text(encoding="utf-8"))
    ma.pop("tijden_s", None)
    mb.pop("tijden_s", None)
    if ma != mb:
        keys = sorted(k for k in set(ma) | set(mb) if ma.get(k) != mb.get(k))
        notes.append(f"methode.json verschilt in {', '.join(keys)}")
    return diffs, notes


def fmt_run(r: dict) -> str:
    stages = ", ".join(f"{k} {v:.1f}" for k, v in r["stages"].items())
    return f"{r['wall']:5.1f} s  ({stages}; load {r['load']})"


def ratio(new: float, old: float) -> str:
    return f"{new / old:.2f}×" if old > 0 else "–"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", nargs="+", choices=sorted(CORPORA), default=["demo", "seed"])
    ap.add_argument("--basis", default="a1cf5fa", help="commit om mee te vergelijken "
                    "(standaard a1cf5fa, vóór het versnellen)")
    ap.add_argument("--zonder-basis", action="store_true", help="alleen de huidige code")
    ap.add_argument("--warm", type=int, default=2, help="aantal warme runs (standaard 2)")
    ap.add_argument("--bewaar", metavar="MAP", default=None,
                    help="bewaar caches en uitvoer in MAP (standaard: tijdelijk, daarna weg)")
    args = ap.parse_args()
    versions = ["nieuw"] if args.zonder_basis else ["basis", "nieuw"]
    work = Path(args.bewaar) if args.bewaar else Path(tempfile.mkdtemp(prefix="verhalen-tijd-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"verhalen analyse, koud en warm; basis {args.basis if 'basis' in versions else '–'}; "
          f"{os.cpu_count()} cores; load bij de start {load()}; werkmap {work}")
    failed = False
    summary = []
    try:
        for name in args.corpus:
            corpus = CORPORA[name]
            if not corpus.exists():
                print(f"\n{name}: {corpus} ontbreekt, overgeslagen")
                continue
            print(f"\n== {name}: {corpus}")
            runs: dict[str, dict[str, list]] = {v: {"koud": [], "warm": []} for v in versions}
            paths = {}
            for v in versions:
                base = work / name / v
                if base.exists():
                    shutil.rmtree(base)
                paths[v] = {"src": code_copy(v, args.basis, base / "code"),
                            "cache": base / "cache", "numba": (base / "cache" / "numba-basis"
                                                               if v == "basis" else None)}
            outs: dict[str, list[Path]] = {v: [] for v in versions}
            for kind, n in (("koud", 1), ("warm", args.warm)):
                for i in range(n):
                    for v in versions:
                        out = work / name / v / f"uit-{kind}-{i + 1}"
                        r = run_once(paths[v]["src"], corpus, paths[v]["cache"], out,
                                     paths[v]["numba"])
                        runs[v][kind].append(r)
                        outs[v].append(out)
                        print(f"   {v:5} {kind} {i + 1}: {fmt_run(r)}")
            med = {v: {k: statistics.median(r["wall"] for r in runs[v][k]) for k in runs[v]
                       if runs[v][k]} for v in versions}
            for kind in ("koud", "warm"):
                line = f"   {kind}: nieuw {med['nieuw'][kind]:.1f} s"
                if "basis" in versions:
                    b = med["basis"][kind]
                    line += f", basis {b:.1f} s, verhouding nieuw/basis {ratio(med['nieuw'][kind], b)}"
                    stages = runs["nieuw"][kind][-1]["stages"]
                    bst = runs["basis"][kind][-1]["stages"]
                    line += " (per stap: " + ", ".join(
                        f"{k} {ratio(stages[k], bst[k]) if bst.get(k) else '–'}"
                        for k in stages if k in bst) + ")"
                goal = GOAL_COLD if kind == "koud" else GOAL_WARM
                line += (f"; doel ≤ {goal:.0f} s: "
                         f"{'gehaald' if med['nieuw'][kind] <= goal else 'NIET gehaald'}")
                print(line + ("" if kind == "koud" else " (mediaan van de warme runs)"))
                summary.append((name, kind, med["nieuw"][kind],
                                med.get("basis", {}).get(kind)))
            ref = outs[versions[0]][0]
            for v in versions:
                for out in outs[v]:
                    if out == ref:
                        continue
                    diffs, notes = compare(ref, out)
                    label = f"{v} {out.name.removeprefix('uit-')}"
                    if diffs:
                        failed = True
                        print(f"   UITKOMST VERSCHILT ({label} t.o.v. {versions[0]} koud): "
                              f"{', '.join(diffs)}")
                    else:
                        print(f"   uitkomsten gelijk ({label} t.o.v. {versions[0]} koud)"
                              + (f"; let op: {'; '.join(notes)}" if notes else ""))
    finally:
        if not args.bewaar:
            shutil.rmtree(work, ignore_errors=True)
    if summary:
        print("\nsamenvatting (seconden, proces van start tot einde):")
        for name, kind, new, old in summary:
            extra = f", basis {old:.1f} s ({ratio(new, old)})" if old else ""
            print(f"   {name:4} {kind}: nieuw {new:.1f} s{extra}")
    print(f"load aan het eind: {load()}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
