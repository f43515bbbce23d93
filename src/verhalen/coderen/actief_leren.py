"""Active learning: which segments are worth coding by hand next?

A researcher's time is the scarce resource. :func:`suggest_next` ranks uncoded segments by how
much a human code would teach the coder:

* **onzekerheid** (uncertainty sampling): per code, how close the coder's probability is to
  its decision threshold (1 at the threshold, 0 at a certain 0 or 1), summed over the codes.
  A segment where three codes hover around the threshold is more informative than one the
  coder is sure about.
* **diversiteit** (diversity): greedy max-min (farthest-point) selection in embedding space:
  every next pick is the segment farthest from the ones already picked (and from the segments
  already coded, when given), so a batch covers the corpus instead of one corner of it.
* **gemengd** (default): both at once. Only the ``pool_factor · n`` most uncertain segments
  compete; among them each greedy step picks the segment with the highest
  ``weight · uncertainty + (1 − weight) · distance`` (both scaled to [0, 1] over the
  remaining candidates), so the batch holds uncertain segments that are not near-duplicates of
  each other. Cold start: when the coder has no signal at all on some code (its probability is
  the same for every segment, e.g. a supervised coder that never saw the code), uncertainty
  cannot find that code's segments, so the whole pool competes and diversity explores.

Each suggestion comes with a Dutch reason (which codes are uncertain, how far it is from the
rest of the batch) and the coder's current proposal, so the researcher can accept or correct it.
"""

from __future__ import annotations

from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd

from ..fouten import VerhalenFout

__all__ = ["suggest_next", "uncertainty", "STRATEGIES"]

STRATEGIES = ("onzekerheid", "diversiteit", "gemengd")
COLUMNS = ["rang", "id", "text", "score", "onzekerheid", "afstand", "reden", "voorstel", "kansen"]


def uncertainty(proba: np.ndarray, thresholds: np.ndarray | float = 0.5) -> np.ndarray:
    """Per-code uncertainty in [0, 1]: 1 when p equals the threshold, 0 at p = 0 or p = 1
    (linear in between, scaled separately below and above the threshold)."""
    p = np.clip(np.asarray(proba, dtype=float), 0.0, 1.0)
    t = np.broadcast_to(np.clip(np.asarray(thresholds, dtype=float), 1e-6, 1 - 1e-6), p.shape)
    below = p < t
    u = np.where(below, p / t, (1.0 - p) / (1.0 - t))
    return np.clip(u, 0.0, 1.0)


def _frame(X: Any) -> pd.DataFrame:
    if isinstance(X, pd.DataFrame):
        if "text" not in X.columns:
            raise VerhalenFout("actief leren: de segmenten hebben een kolom 'text' nodig.")
        df = X.reset_index(drop=True).copy()
        if "id" not in df.columns:
            df.insert(0, "id", [str(i) for i in range(len(df))])
        df["id"] = df["id"].astype(str)
        return df
    texts = [str(t) for t in X]
    return pd.DataFrame({"id": [str(i) for i in range(len(texts))], "text": texts})


def _thresholds(coder: Any, classes: Sequence[str], threshold: Any) -> np.ndarray:
    """Decision threshold per code: the argument, else the coder's ``thresholds_`` /
    ``threshold``, else 0.5."""
    src = threshold
    if src is None:
        src = getattr(coder, "thresholds_", None)
    if src is None:
        src = getattr(coder, "threshold", None)
    if src is None:
        return np.full(len(classes), 0.5)
    if isinstance(src, dict):
        return np.array([float(src.get(c, 0.5)) for c in classes])
    arr = np.asarray(src, dtype=float)
    if arr.ndim == 0:
        return np.full(len(classes), float(arr))
    if arr.shape != (len(classes),):
        raise VerhalenFout(f"actief leren: {arr.size} drempels voor {len(classes)} codes.")
    return arr


class _Space:
    """Cosine geometry over dense embeddings or a sparse TF-IDF matrix."""

    def __init__(self, matrix: Any):
        try:
            import scipy.sparse as sp
        except ImportError:  # pragma: no cover - scipy ships with scikit-learn
            sp = None
        if sp is not None and sp.issparse(matrix):
            from sklearn.preprocessing import normalize

            self.m = normalize(matrix.tocsr())
            self.sparse = True
        else:
            m = np.asarray(matrix, dtype=np.float64)
            norms = np.linalg.norm(m, axis=1, keepdims=True)
            norms[norms == 0] = 1.0
            self.m = m / norms
            self.sparse = False

    def distance_to(self, i: int, rows: np.ndarray | None = None) -> np.ndarray:
        """Cosine distance (1 − cos, ≥ 0) of every row (or ``rows``) to row ``i``."""
        target = self.m[i]
        sims = self.m @ target.T
        sims = np.asarray(sims.todense()).ravel() if hasattr(sims, "todense") else np.ravel(sims)
        d = np.clip(1.0 - sims, 0.0, 2.0)
        return d if rows is None else d[rows]

    def centre(self) -> int:
        """The row closest to the mean direction (the most typical segment)."""
        mean = np.asarray(self.m.mean(axis=0)).ravel()
        sims = self.m @ mean
        return int(np.argmax(np.ravel(np.asarray(sims))))


def _embed(texts: list[str], embedder: Any, coder: Any) -> Any:
    emb = embedder
    if emb is None:
        for attr in ("embedder", "embedder_"):
            cand = getattr(coder, attr, None)
            if cand is not None and hasattr(cand, "encode"):
                emb = cand
                break
    if emb is not None:
        return np.asarray(emb.encode(texts), dtype=np.float64)
    # Offline, model-free fallback: word and word-pair TF-IDF (cosine geometry on lexis).
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1)
    try:
        return vec.fit_transform(texts)
    except ValueError:          # only stop-words / empty vocabulary
        return np.eye(len(texts))


def _reason(u_row: np.ndarray, p_row: np.ndarray, t_row: np.ndarray, classes: Sequence[str],
            dist: float | None, strategy: str, with_labelled: bool = False) -> str:
    order = np.argsort(-u_row, kind="stable")
    unsure = [j for j in order[:3] if u_row[j] >= 0.5]
    parts = []
    if unsure:
        parts.append("onzeker over " + ", ".join(
            f"{classes[j]} (kans {p_row[j]:.2f}, drempel {t_row[j]:.2f})" for j in unsure))
    elif strategy != "diversiteit":
        j = order[0] if len(order) else None
        parts.append("geen code dicht bij de drempel" + (
            f" (meest twijfel: {classes[j]}, kans {p_row[j]:.2f})" if j is not None else ""))
    if dist is not None and np.isfinite(dist):
        wat = ("de eerdere voorstellen en de al gecodeerde segmenten" if with_labelled
               else "de eerdere voorstellen")
        parts.append(f"verschilt van {wat} (afstand {dist:.2f})")
    elif dist is not None and strategy == "diversiteit":
        parts.append("eerste keuze: het meest typische segment")
    return "; ".join(parts) if parts else "gekozen voor spreiding"


def suggest_next(coder: Any, X_unlabelled: Any, n: int = 10, strategy: str = "gemengd",
                 embedder: Any = None, exclude_ids: Iterable[str] = (), *,
                 labelled: Any = None, threshold: Any = None, weight: float = 0.5,
                 pool_factor: float | None = 3.0) -> pd.DataFrame:
    """The ``n`` segments most worth coding by hand next.

    ``coder``: a fitted coder (``predict_proba`` over ``classes_``). ``X_unlabelled``: segments
    DataFrame (``id``, ``text``) or list of texts. ``strategy``: ``"onzekerheid"``,
    ``"diversiteit"`` or ``"gemengd"``. ``embedder``: for the diversity part (default: the
    coder's own ``embedder`` attribute if it has one, else TF-IDF on the texts).
    ``exclude_ids``: ids never to suggest (e.g. already coded). ``labelled``: segments already
    coded (DataFrame with ``id``/``text`` or texts): their ids are excluded and suggestions keep
    their distance from them. ``threshold``: decision threshold(s) (float, per-code array or
    dict; default the coder's ``thresholds_``/``threshold`` or 0.5). ``weight``: share of
    uncertainty in ``gemengd``. ``pool_factor``: in ``gemengd`` only the ``pool_factor · n``
    most uncertain segments compete (None: all; ignored at a cold start, see above).

    Returns a DataFrame with columns rang, id, text, score (the selection score), onzekerheid
    (summed over codes), afstand (min. cosine distance to earlier picks/coded segments when the
    pick was made; NaN for ``onzekerheid``), reden (Dutch), voorstel (codes the coder now
    assigns), kansen (code → probability).
    """
    if strategy not in STRATEGIES:
        raise VerhalenFout(f"actief leren: onbekende strategie '{strategy}'; kies uit "
                           f"{', '.join(STRATEGIES)}.")
    if not 0.0 <= weight <= 1.0:
        raise VerhalenFout("actief leren: 'weight' moet tussen 0 en 1 liggen.")
    if n <= 0:
        return pd.DataFrame(columns=COLUMNS)
    df = _frame(X_unlabelled)
    lab_df = _frame(labelled) if labelled is not None else None
    excluded = {str(i) for i in exclude_ids}
    if lab_df is not None and isinstance(labelled, pd.DataFrame) and "id" in labelled.columns:
        excluded |= set(lab_df["id"])
    keep = ~df["id"].isin(excluded) & df["text"].fillna("").astype(str).str.strip().ne("")
    df = df.loc[keep].reset_index(drop=True)
    if df.empty:
        return pd.DataFrame(columns=COLUMNS)

    classes = list(getattr(coder, "classes_", []))
    proba = np.asarray(coder.predict_proba(df), dtype=float)
    if proba.ndim != 2 or proba.shape[0] != len(df):
        raise VerhalenFout("actief leren: predict_proba van de coder gaf geen matrix "
                           "(segmenten × codes).")
    if len(classes) != proba.shape[1]:
        classes = [f"code_{j}" for j in range(proba.shape[1])]
    thr = _thresholds(coder, classes, threshold)
    U = uncertainty(proba, thr)
    unc = U.sum(axis=1)
    n_pick = min(n, len(df))

    picks: list[int] = []
    dists: list[float | None] = []
    scores: list[float] = []
    if strategy == "onzekerheid":
        order = np.argsort(-unc, kind="stable")[:n_pick]
        picks = [int(i) for i in order]
        dists = [None] * n_pick
        scores = [float(unc[i]) for i in picks]
    else:
        texts = df["text"].astype(str).tolist()
        lab_texts = lab_df["text"].astype(str).tolist() if lab_df is not None else []
        space = _Space(_embed(texts + lab_texts, embedder, coder))
        n_c = len(texts)
        min_d = np.full(n_c, np.inf)
        for j in range(n_c, n_c + len(lab_texts)):
            min_d = np.minimum(min_d, space.distance_to(j, np.arange(n_c)))
        available = np.ones(n_c, dtype=bool)
        # cold start: a code whose probability is the same for every candidate (the coder has
        # no signal on it yet) makes uncertainty blind; then the whole pool competes
        cold = bool(np.any(np.ptp(proba, axis=0) < 1e-9)) if len(df) > 1 else False
        if strategy == "gemengd" and pool_factor and not cold:
            # only the most uncertain candidates compete; diversity spreads the batch among them
            m = max(n_pick, int(np.ceil(pool_factor * n_pick)))
            if m < n_c:
                available[:] = False
                available[np.argsort(-unc, kind="stable")[:m]] = True
        u_scaled = unc / unc.max() if unc.max() > 0 else np.zeros_like(unc)
        for _ in range(n_pick):
            cand = np.flatnonzero(available)
            d = min_d[cand]
            if np.all(np.isinf(d)):
                d_scaled = np.ones(len(cand))
            else:
                finite_max = d[np.isfinite(d)].max() if np.isfinite(d).any() else 1.0
                d_scaled = np.where(np.isinf(d), 1.0, d / finite_max if finite_max > 0 else 0.0)
            if strategy == "diversiteit":
                if np.all(np.isinf(d)):    # first pick without coded segments: most typical
                    centre = space.centre()
                    i = centre if centre < n_c and available[centre] else int(cand[0])
                    sel_score = float("nan")
                else:
                    k = int(np.argmax(np.where(np.isinf(d), np.inf, d)))
                    i = int(cand[k])
                    sel_score = float(d[k])
            else:
                combined = weight * u_scaled[cand] + (1.0 - weight) * d_scaled
                k = int(np.argmax(combined))
                i = int(cand[k])
                sel_score = float(combined[k])
            picks.append(i)
            dists.append(float(min_d[i]))
            scores.append(sel_score)
            available[i] = False
            min_d = np.minimum(min_d, space.distance_to(i, np.arange(n_c)))

    rows = []
    for rank, (i, dist, sc) in enumerate(zip(picks, dists, scores), 1):
        p_row, t_row = proba[i], thr
        rows.append({
            "rang": rank, "id": df.at[i, "id"], "text": df.at[i, "text"], "score": sc,
            "onzekerheid": float(unc[i]),
            "afstand": (float("nan") if dist is None or not np.isfinite(dist) else dist),
            "reden": _reason(U[i], p_row, t_row, classes, dist, strategy,
                             with_labelled=lab_df is not None and len(lab_df) > 0),
            "voorstel": [c for j, c in enumerate(classes) if p_row[j] >= t_row[j]],
            "kansen": {c: round(float(p_row[j]), 3) for j, c in enumerate(classes)},
        })
    return pd.DataFrame(rows, columns=COLUMNS)
