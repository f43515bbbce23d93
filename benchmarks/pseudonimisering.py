"""Pseudonymisation quality and speed.

Prints, for the labelled set (``tests/data/privacy/gelabeld.txt``, used while building the
detection) and the held-out set (``gelabeld_toets.txt``, written afterwards and not used to tune
anything): recall per category (typed: a replaced span of the right category overlaps the
name; covered: every identifying word of it was replaced, whatever the category), precision
(replaced spans that are an identifying span), the names still readable after pseudonymisation
(leaks), and the speed on the demo corpus (words/s, deduce loaded beforehand).

    .venv/bin/python benchmarks/pseudonimisering.py [--zonder-deduce] [--geen-demo]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "privacy"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--zonder-deduce", action="store_true", help="alleen eigen patronen")
    ap.add_argument("--geen-demo", action="store_true", help="sla de snelheidsmeting over")
    args = ap.parse_args(argv)

    from verhalen.privacy import Pseudonimiser, load_deduce
    from verhalen.privacy.evaluatie import evaluate, read_labelled

    deduce = not args.zonder_deduce
    if deduce:
        t = time.perf_counter()
        load_deduce()
        print(f"deduce geladen in {time.perf_counter() - t:.1f} s")
    for name in ("gelabeld.txt", "gelabeld_toets.txt"):
        items = read_labelled(DATA / name)
        t = time.perf_counter()
        res = evaluate(Pseudonimiser(deduce=deduce), items)
        dt = time.perf_counter() - t
        tab = res["tabel"]
        print(f"\n== {name}: {len(items)} teksten, {int(tab['gold'].sum())} entiteiten "
              f"({dt:.1f} s)")
        print(tab.to_string(float_format=lambda x: f"{x:.3f}"))
        print(f"precisie: {res['precisie']:.3f} ({res['voorspeld']} vervangen spans; "
              f"onterecht: {', '.join(res['fout_gevonden']) or 'geen'})")
        print(f"lekken (persoonsnamen nog leesbaar): {', '.join(res['lekken']) or 'geen'}")
    if not args.geen_demo:
        from verhalen.lezen import read_corpus
        from verhalen.privacy import pseudonymise_corpus

        corpus = read_corpus(ROOT / "corpora" / "voorbeeld")
        words = sum(len(s.text.split()) for s in corpus.segments())
        with tempfile.TemporaryDirectory() as tmp:
            t = time.perf_counter()
            pseudonymise_corpus(corpus, Path(tmp) / "sleutel.json", deduce=deduce,
                                progress=False)
            dt = time.perf_counter() - t
        rate = f"{words / dt:,.0f}".replace(",", ".")
        print(f"\n== democorpus: {len(corpus.documents)} documenten, {words} woorden in "
              f"{dt:.1f} s = {rate} woorden/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
