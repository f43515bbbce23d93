"""Topic-model time (BERTopic via verhalen.themas) on the seed file and on the demo corpus.

Prints, per corpus: units, embedding time (cold or warm cache as found), topic-model time
(lemmatising + UMAP + HDBSCAN + representations), number of topics and the emergent themes
(alignment by embedding similarity with the impact codebook).

Run: .venv/bin/python benchmarks/themas_tijd.py [--eenheid alinea|zin]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEED = SHARED / "seeds" / "002_fd21be9acf5d1fbc.part1.txt"
GOLD = SHARED / "gold" / "segments.jsonl"
DEMO = ROOT / "corpora" / "voorbeeld"


def load(name: str):
    import pandas as pd
    from verhalen.model import load_segments

    if name == "seed":
        try:
            from verhalen.lezen import read_corpus
            return read_corpus(SEED).segments_df(), f"{SEED.name} (read_corpus)"
        except Exception as exc:  # noqa: BLE001
            df = load_segments(GOLD)
            df = df[df["id"].str.startswith("B-")].reset_index(drop=True)
            return df, f"gold B-segments ({exc.__class__.__name__} bij read_corpus)"
    from verhalen.lezen import read_corpus
    return read_corpus(DEMO).segments_df(), "corpora/voorbeeld (read_corpus)"


def run(name: str, eenheid: str) -> None:
    from verhalen.codeboek import load_codebook
    from verhalen.embed import get_embedder
    from verhalen.themas import ThemaModel, align_topics, topic_table, units_from_segments

    segs, what = load(name)
    emb = get_embedder(progress=False)
    units = units_from_segments(segs, eenheid)
    t0 = time.perf_counter()
    E = emb.encode(units["text"].tolist())
    t1 = time.perf_counter()
    model = ThemaModel(embedder=emb, eenheid=eenheid).fit(segs, embeddings=E)
    t2 = time.perf_counter()
    cb = load_codebook("impact")
    from verhalen.themas import machine_codes
    codes = machine_codes(segs, cb, emb)
    t3a = time.perf_counter()
    tab = topic_table(model, align_topics(model, cb, codes, emb))
    t3 = time.perf_counter()
    print(f"== {what}: {len(segs)} segmenten, {len(units)} eenheden ({eenheid})")
    print(f"   embeddings: {t1 - t0:.1f} s (cache: {getattr(emb, 'hits', '?')} hits, "
          f"{getattr(emb, 'misses', '?')} nieuw)")
    print(f"   topicmodel: {t2 - t1:.1f} s; coderen (standaardcoder) {t3a - t2:.1f} s; "
          f"uitlijning met codeboek: {t3 - t3a:.1f} s")
    print(f"   {model.summary()}")
    for r in tab.to_dict("records"):
        flag = " [EMERGENT]" if r["emergent"] else ""
        print(f"   {r['label']} — n={r['n']}, dichtstbij {r.get('dichtstbijzijnde_code')} "
              f"({r.get('gelijkenis')}), meest gedeeld {r.get('meest_gedeelde_code')} "
              f"({r.get('aandeel_gedeeld')}){flag}")
        if r["emergent"]:
            print(f"      trefwoorden: {', '.join(r['trefwoorden'][:8])}")
            for q in r["citaten"][:2]:
                print(f"      “{' '.join(q.split())[:150]}…”")


def main() -> None:
    import logging
    for name in ("numba", "charset_normalizer", "BERTopic"):
        logging.getLogger(name).setLevel(logging.ERROR)
    ap = argparse.ArgumentParser()
    ap.add_argument("--eenheid", default="alinea", choices=("alinea", "zin"))
    ap.add_argument("--corpus", nargs="*", default=["seed", "demo"])
    args = ap.parse_args()
    t = time.perf_counter()
    import bertopic  # noqa: F401 - import time reported separately
    print(f"import bertopic: {time.perf_counter() - t:.1f} s")
    for name in args.corpus:
        try:
            run(name, args.eenheid)
        except Exception as exc:  # noqa: BLE001 - report and go on with the other corpus
            print(f"== {name}: niet gelukt: {exc}")


if __name__ == "__main__":
    main()
