"""Coding quality and speed on the reference set (../shared/gold).

    .venv/bin/python benchmarks/coding_quality.py [--gold ../shared/gold] [--seeds 0 1 2]
                                                  [--snel]

Prints, with ``verhalen.evaluatie.evaluate``:

1. zero-shot (codebook only, no human codes): per-code P/R/F1 and micro/macro/track F1 for
   the RuleCoder, the SemanticCoder and the EnsembleCoder on dev.jsonl;
2. learning: 5-fold cross-validation on dev.jsonl (fit on 4 folds, code the 5th) for each
   coder, and for the ensemble the mean over several fold seeds;
3. speed of the ensemble (fitted), in segments per minute: warm model with a cold embedding
   cache (every sentence embedded) and with a warm cache (a re-run), and the time per 1,000
   segments.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gold", default=str(ROOT.parent / "shared" / "gold"))
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--snel", action="store_true", help="alleen het ensemble (sneller)")
    args = ap.parse_args()
    warnings.filterwarnings("ignore")

    from verhalen.coderen import (EnsembleCoder, RuleCoder, SemanticCoder, SupervisedCoder,
                                  load_codebook)
    from verhalen.embed import get_embedder
    from verhalen.evaluatie import cross_validate, evaluate
    from verhalen.nlp import load_nlp, pipeline_info

    gold = Path(args.gold)
    dev = [json.loads(l) for l in (gold / "dev.jsonl").read_text(encoding="utf-8").splitlines() if l.strip()]
    X = pd.DataFrame({"id": [r["id"] for r in dev], "text": [r["text"] for r in dev]})
    Y = [r["codes"] for r in dev]
    ref = [{"id": r["id"], "codes": r["codes"]} for r in dev]
    cb = load_codebook("impact")
    nlp = load_nlp()
    cache = Path(tempfile.gettempdir()) / "verhalen-bench-cache"
    emb = get_embedder(cache_dir=cache, progress=False)
    print(f"Referentie: {len(dev)} segmenten ({gold / 'dev.jsonl'}); codeboek '{cb.name}' "
          f"({len(cb)} codes); NLP: {pipeline_info(nlp).name}; embedder: {emb.name}")

    def line(tag, s):
        return (f"{tag:<34s} micro-F1 {s['micro_f1']:.3f}  macro-F1 {s['macro_f1']:.3f}  "
                f"sporen micro-F1 {s['track_micro_f1']:.3f}")

    makers = {
        "regels": lambda: RuleCoder(cb, nlp=nlp),
        "semantisch": lambda: SemanticCoder(cb, embedder=emb, nlp=nlp),
        "gesuperviseerd": lambda: SupervisedCoder(cb, embedder=emb, nlp=nlp),
        "ensemble": lambda: EnsembleCoder(cb, embedder=emb, nlp=nlp),
    }
    if args.snel:
        makers = {"ensemble": makers["ensemble"]}

    print("\n=== 1. Zero-shot (alleen het codeboek) op dev.jsonl ===")
    summary = []
    for name in ("regels", "semantisch", "ensemble"):
        if name not in makers:
            continue
        coder = makers[name]()
        ev = evaluate(ref, coder.code(X), codebook=cb, n_bootstrap=200)
        print(f"\n--- {name} ---")
        print(ev.to_text())
        summary.append(line(f"zero-shot {name}", ev.summary))

    print("\n=== 2. Leren: 5-voudige kruisvalidatie op dev.jsonl ===")
    for name, make in makers.items():
        seeds = args.seeds if name == "ensemble" else args.seeds[:1]
        figs = []
        for seed in seeds:
            ev, _ = cross_validate(make, X, Y, k=5, random_state=seed, codebook=cb,
                                   progress=False)
            figs.append((ev.summary["micro_f1"], ev.summary["macro_f1"],
                         ev.summary["track_micro_f1"]))
            if seed == seeds[0]:
                print(f"\n--- {name} (seed {seed}) ---")
                print(ev.to_text())
            summary.append(line(f"5-fold CV {name} seed {seed}", ev.summary))
        if len(figs) > 1:
            m = np.mean(figs, axis=0)
            summary.append(f"{'5-fold CV ' + name + ' gemiddeld':<34s} micro-F1 {m[0]:.3f}  "
                           f"macro-F1 {m[1]:.3f}  sporen micro-F1 {m[2]:.3f}  "
                           f"(over seeds {', '.join(map(str, seeds))})")

    print("\n=== 3. Snelheid van het ensemble (getraind op dev.jsonl) ===")
    seg = [json.loads(l) for l in (gold / "segments.jsonl").read_text(encoding="utf-8").splitlines() if l.strip()]
    S = pd.DataFrame({"id": [r["id"] for r in seg], "text": [r["text"] for r in seg]})
    cold_emb = get_embedder(cache=False, progress=False)
    coder = EnsembleCoder(cb, embedder=cold_emb, nlp=nlp).fit(X, Y)   # loads the models
    t = time.perf_counter()
    coder.code(S)
    cold = time.perf_counter() - t
    with tempfile.TemporaryDirectory() as tmp:
        warm_emb = get_embedder(cache_dir=tmp, progress=False)
        coder = EnsembleCoder(cb, embedder=warm_emb, nlp=nlp).fit(X, Y)  # fills the cache
        t = time.perf_counter()
        coder.code(S)
        warm = time.perf_counter() - t
        warm_emb.close()
    n = len(S)
    speed = [f"snelheid, embeddings nieuw berekend: {n / cold * 60:7.0f} segmenten/minuut "
             f"({cold / n * 1000:6.1f} s per 1.000 segmenten)",
             f"snelheid, embeddings uit de cache:   {n / warm * 60:7.0f} segmenten/minuut "
             f"({warm / n * 1000:6.1f} s per 1.000 segmenten)"]
    print("\n".join(speed))

    print("\n=== Samenvatting ===")
    print("\n".join(summary + speed))


if __name__ == "__main__":
    main()
