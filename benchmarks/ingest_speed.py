"""Ingest speed: read a PDF-exported bundle with the fallback NLP pipeline and print words/s.

Usage: python benchmarks/ingest_speed.py [PATH] [--herhaal N] [--nlp MODEL]

PATH defaults to ../shared/seeds/002_fd21be9acf5d1fbc.part1.txt. The pipeline is loaded (and
the lexicon/first-name tables warmed by one untimed read) before timing, so the figure is
warm reading speed excluding model load.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared" / "seeds" / "002_fd21be9acf5d1fbc.part1.txt"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pad", nargs="?", default=str(DEFAULT))
    ap.add_argument("--herhaal", type=int, default=3, help="aantal gemeten runs (standaard 3)")
    ap.add_argument("--nlp", default="blank", help="spaCy-model (standaard: terugvaloptie)")
    args = ap.parse_args(argv)

    from verhalen.lezen import read_corpus
    from verhalen.nlp import load_nlp, pipeline_info

    path = Path(args.pad)
    if not path.exists():
        print(f"Bestand niet gevonden: {path}")
        return 1
    t0 = time.perf_counter()
    nlp = load_nlp(args.nlp)
    t_load = time.perf_counter() - t0
    t0 = time.perf_counter()
    # cache=False: the reading cache would measure a lookup, not reading
    corpus = read_corpus(path, nlp=nlp, progress=False, cache=False)  # warm-up (lexicons)
    t_first = time.perf_counter() - t0
    times = []
    for _ in range(max(1, args.herhaal)):
        t0 = time.perf_counter()
        corpus = read_corpus(path, nlp=nlp, progress=False, cache=False)
        times.append(time.perf_counter() - t0)
    segs = [s for d in corpus.documents for s in d.segments]
    words = sum(len(d.text.split()) for d in corpus.documents)
    best, med = min(times), statistics.median(times)
    print(f"bestand:        {path}")
    print(f"NLP-pijplijn:   {pipeline_info(nlp).describe()} (laden {t_load:.2f} s)")
    print(f"documenten:     {len(corpus.documents)}")
    print(f"segmenten:      {len(segs)}")
    print(f"zinnen:         {sum(len(s.sentences) for s in segs)}")
    print(f"woorden:        {words}")
    print(f"eerste run:     {t_first:.2f} s (met opwarmen van lexicons)")
    print(f"warm (mediaan van {len(times)}): {med:.3f} s  →  {words / med:,.0f} woorden/s "
          f"(beste {words / best:,.0f} woorden/s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
