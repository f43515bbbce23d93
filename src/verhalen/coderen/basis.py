"""Shared estimator base of the coders: input validation, one prepared batch per call
(sentences, lemmas, embeddings computed once and shared by the coders of an ensemble) and
``code()`` producing the wide shape with evidence."""

from __future__ import annotations

import warnings
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..codeboek import Codebook
from ..fouten import VerhalenFout

__all__ = ["BaseCoder", "Batch", "prepare", "CoderWaarschuwing", "as_label_matrix"]

_MAX_SENT_CHARS = 600   # very long "sentences" (PDF runs without full stops) are cut in pieces


class CoderWaarschuwing(UserWarning):
    """Non-fatal problems in the input of a coder (e.g. empty segments)."""


@dataclass
class Batch:
    """Segments prepared once: texts, sentences, lemmas per sentence, embeddings (lazy)."""

    ids: list[str]
    texts: list[str]
    sentences: list[list[str]]                 # per segment, the sentence strings
    tokens: list[list[tuple[str, str, int]]]   # per segment, (lemma, lower form, sentence no.)
    empty: np.ndarray                          # bool per segment: no text
    _emb: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.texts)

    def embeddings(self, embedder) -> tuple[np.ndarray, list[np.ndarray]]:
        """(segment vectors (n, d), per-segment sentence vectors) — the sentences of all
        segments are embedded in one batched call (cached by the embedder); a segment's
        vector is the normalised mean of its sentence vectors, so every text is embedded once."""
        key = getattr(embedder, "name", str(id(embedder)))
        if key not in self._emb:
            flat = [s for sents in self.sentences for s in sents]
            vecs = embedder.encode(flat) if flat else np.zeros((0, 512), dtype=np.float32)
            dim = vecs.shape[1] if vecs.ndim == 2 and vecs.shape[0] else 512
            per, seg, i = [], np.zeros((len(self), dim), dtype=np.float32), 0
            for n, sents in enumerate(self.sentences):
                v = vecs[i : i + len(sents)]
                i += len(sents)
                per.append(v)
                if len(v):
                    # weight sentences by length: long sentences carry more of the segment
                    w = np.array([len(s) for s in sents], dtype=np.float32)[:, None] ** 0.5
                    m = (v * w).sum(0)
                    norm = np.linalg.norm(m)
                    seg[n] = m / norm if norm else m
            self._emb[key] = (seg, per)
        return self._emb[key]


def _split_long(text: str, start: int, end: int) -> list[tuple[int, int]]:
    if end - start <= _MAX_SENT_CHARS:
        return [(start, end)]
    out, s = [], start
    while end - s > _MAX_SENT_CHARS:
        cut = text.rfind(" ", s, s + _MAX_SENT_CHARS)
        cut = cut if cut > s + 50 else s + _MAX_SENT_CHARS
        out.append((s, cut))
        s = cut
    out.append((s, end))
    return out


def _frame(X: Any, where: str) -> pd.DataFrame:
    if isinstance(X, pd.DataFrame):
        if "text" not in X.columns:
            raise VerhalenFout(f"{where}: de segmenten hebben een kolom 'text' nodig "
                               f"(gevonden: {', '.join(map(str, X.columns))}).")
        df = X.reset_index(drop=True)
        ids = df["id"].astype(str).tolist() if "id" in df.columns else [str(i) for i in range(len(df))]
        texts = ["" if (t is None or (isinstance(t, float) and np.isnan(t))) else str(t)
                 for t in df["text"]]
        out = pd.DataFrame({"id": ids, "text": texts})
        if "sentences" in df.columns and "start" in df.columns:
            out["sentences"] = df["sentences"].tolist()
            out["start"] = df["start"].tolist()
        return out
    if isinstance(X, str):
        raise VerhalenFout(f"{where}: geef een lijst van teksten of een DataFrame met segmenten, "
                           "geen losse tekst.")
    try:
        texts = list(X)
    except TypeError as exc:
        raise VerhalenFout(f"{where}: segmenten moeten een DataFrame of een lijst teksten zijn.") from exc
    for n, t in enumerate(texts):
        if t is not None and not isinstance(t, str):
            raise VerhalenFout(f"{where}: segment {n} is geen tekst maar {type(t).__name__}.")
    return pd.DataFrame({"id": [str(i) for i in range(len(texts))],
                         "text": [t or "" for t in texts]})


def prepare(X: Any, nlp, where: str = "coder", cache: Any = None) -> Batch:
    """Validate ``X`` and cut it into sentences and lemmas (one spaCy pass, batched).

    ``cache``: where the spaCy analysis of each text is kept between runs — ``None`` (the
    default) for ``verhalen.cache.NLPCache()`` in the cache root (``VERHALEN_CACHE``), a
    ``NLPCache``, or ``False`` to always run spaCy. The result is the same either way."""
    if isinstance(X, Batch):
        return X
    df = _frame(X, where)
    texts = df["text"].tolist()
    empty = np.array([not t.strip() for t in texts], dtype=bool)
    if empty.any():
        bad = [df["id"][i] for i in np.flatnonzero(empty)[:5]]
        warnings.warn(f"{where}: {int(empty.sum())} segment(en) zonder tekst krijgen geen codes "
                      f"(bijv. {', '.join(bad)}).", CoderWaarschuwing, stacklevel=3)
    # Lower-case before the lookup lemmatizer: the tables are lower-case, and PDF exports
    # have whole paragraphs in capitals.
    low = [t.lower() if len(t.lower()) == len(t) else t for t in texts]
    sentences: list[list[str]] = []
    tokens: list[list[tuple[str, str, int]]] = []
    given = df["sentences"].tolist() if "sentences" in df.columns else [None] * len(df)
    starts = df["start"].tolist() if "start" in df.columns else [0] * len(df)
    from ..cache import cached_analyses

    analyses = cached_analyses(low, nlp, cache)
    for n, (doc_sents, lems, lows, idxs) in enumerate(analyses):
        text = texts[n]
        spans: list[tuple[int, int]] = []
        g = given[n]
        if g is not None and not (isinstance(g, float)) and len(g):
            try:
                base = int(starts[n] or 0)
                for s in g:
                    a, b = (s["start"], s["end"]) if isinstance(s, dict) else (s[0], s[1])
                    a, b = int(a) - base, int(b) - base
                    if 0 <= a < b <= len(text):
                        spans.append((a, b))
            except (TypeError, ValueError, KeyError, IndexError):
                spans = []
        if not spans:
            spans = doc_sents
        pieces: list[tuple[int, int]] = []
        for a, b in spans:
            pieces.extend(_split_long(text, a, b))
        if not pieces and text.strip():
            pieces = [(0, len(text))]
        sentences.append([text[a:b].strip() for a, b in pieces])
        ends = [b for _, b in pieces]
        # sentence number of every token (tokens with a letter or digit, in text order)
        last = len(ends) - 1
        if last <= 0:
            ks: Any = [0] * len(idxs)
        elif all(ends[i] <= ends[i + 1] for i in range(last)):
            ks = [bisect_right(ends, idx, 0, last) for idx in idxs]
        else:                                # given sentences out of order: walk as they come
            ks, k = [], 0
            for idx in idxs:
                while k < last and idx >= ends[k]:
                    k += 1
                ks.append(k)
        toks = list(zip(lems, lows, ks))
        tokens.append(toks)
    return Batch(ids=df["id"].tolist(), texts=texts, sentences=sentences, tokens=tokens,
                 empty=empty)


def as_label_matrix(Y: Any, classes: Sequence[str], n: int, where: str = "coder") -> np.ndarray:
    """Code lists (or a 0/1 matrix) → (n, n_codes) 0/1 matrix; unknown codes are an error."""
    if isinstance(Y, np.ndarray) and Y.ndim == 2:
        if Y.shape != (n, len(classes)):
            raise VerhalenFout(f"{where}: Y heeft vorm {Y.shape}, verwacht ({n}, {len(classes)}).")
        return (Y > 0).astype(int)
    if isinstance(Y, pd.Series):
        Y = Y.tolist()
    Y = list(Y)
    if len(Y) != n:
        raise VerhalenFout(f"{where}: {n} segmenten maar {len(Y)} codelijsten in Y.")
    index = {c: j for j, c in enumerate(classes)}
    M = np.zeros((n, len(classes)), dtype=int)
    for i, codes in enumerate(Y):
        if codes is None or (isinstance(codes, float) and np.isnan(codes)):
            codes = []
        if isinstance(codes, str):
            codes = [c.strip() for c in codes.split(";") if c.strip()]
        for c in codes:
            if c not in index:
                import difflib
                close = difflib.get_close_matches(str(c), list(classes), n=1)
                hint = f" Bedoelde u '{close[0]}'?" if close else ""
                raise VerhalenFout(f"{where}: onbekende code '{c}' in Y (segment {i}); die staat "
                                   f"niet in het codeboek.{hint}")
            M[i, index[c]] = 1
    return M


class BaseCoder:
    """Common machinery: ``predict``, ``code`` and parameter handling (sklearn-compatible)."""

    #: default decision threshold on ``predict_proba``
    threshold: float = 0.5

    # -- sklearn parameter protocol (get_params/set_params for clone) ------------------
    @classmethod
    def _param_names(cls) -> list[str]:
        import inspect
        sig = inspect.signature(cls.__init__)
        return [p for p in sig.parameters if p != "self"]

    def get_params(self, deep: bool = False) -> dict[str, Any]:
        return {p: getattr(self, p) for p in self._param_names()}

    def set_params(self, **params) -> "BaseCoder":
        for k, v in params.items():
            setattr(self, k, v)
        return self

    def __sklearn_clone__(self) -> "BaseCoder":
        # an unfitted copy that shares the heavy, stateless resources (embedder, nlp,
        # codebook) instead of deep-copying them (the embedder holds a model and a database)
        return type(self)(**self.get_params())

    def __repr__(self) -> str:
        cb = getattr(self.codebook, "name", "?") if hasattr(self, "codebook") else "?"
        return f"{type(self).__name__}(codebook={cb!r})"

    # -- shared resources -----------------------------------------------------------------
    def _codebook(self) -> Codebook:
        from ..codeboek import load_codebook
        if not hasattr(self, "_cb") or self._cb_src is not self.codebook:
            self._cb = load_codebook(self.codebook)
            self._cb_src = self.codebook
        return self._cb

    @property
    def classes_(self) -> list[str]:
        return self._codebook().ids

    def _scores(self, batch: Batch) -> tuple[np.ndarray, list[dict[str, list[str]]]]:
        """``_score_batch`` with what no segment can get set to 0: every code of an empty
        segment, and a category that only groups codes (``Code.codable`` False, REFI-QDA
        ``isCodable="false"``)."""
        P, ev = self._score_batch(batch)
        P = np.asarray(P, dtype=float)
        P[batch.empty] = 0.0
        P[:, [not getattr(c, "codable", True) for c in self._codebook().codes]] = 0.0
        return P, ev

    def _nlp(self):
        if getattr(self, "nlp", None) is None:
            # loaded on first use: a re-run whose spaCy analyses are all cached skips it
            from ..cache import LazyNLP
            self.nlp = LazyNLP()
        return self.nlp

    def _embedder(self):
        if getattr(self, "embedder", None) is None:
            from ..embed import get_embedder
            self.embedder = get_embedder()
        return self.embedder

    def _prepare(self, X: Any) -> Batch:
        return prepare(X, self._nlp(), where=type(self).__name__,
                       cache=getattr(self, "nlp_cache", None))

    # -- to implement ---------------------------------------------------------------------
    def _score_batch(self, batch: Batch) -> tuple[np.ndarray, list[dict[str, list[str]]]]:
        """(probabilities (n, n_codes), evidence per segment {code: [str]})."""
        raise NotImplementedError

    def _thresholds(self) -> np.ndarray:
        t = getattr(self, "thresholds_", None)
        if t is None:
            return np.full(len(self.classes_), float(self.threshold))
        return np.asarray(t, dtype=float)

    # -- public API -----------------------------------------------------------------------
    def predict_proba(self, X: Any) -> np.ndarray:
        batch = self._prepare(X)
        if not len(batch):
            return np.zeros((0, len(self.classes_)))
        return self._scores(batch)[0]

    def predict(self, X: Any) -> np.ndarray:
        P = self.predict_proba(X)
        return (P >= self._thresholds()[None, :]).astype(int)

    def code(self, X: Any) -> pd.DataFrame:
        """Wide shape ``{"id","codes","scores","evidence"}``: the assigned codes, the
        confidence of every assigned code and the sentences (with the indicators found)
        that made it fire."""
        batch = self._prepare(X)
        cols = ["id", "codes", "scores", "evidence"]
        if not len(batch):
            return pd.DataFrame(columns=cols)
        P, ev = self._scores(batch)
        thr = self._thresholds()
        classes = self.classes_
        rows = []
        for i, sid in enumerate(batch.ids):
            on = [j for j in np.argsort(-P[i]) if P[i, j] >= thr[j] and not batch.empty[i]]
            codes = [classes[j] for j in on]
            rows.append({"id": sid, "codes": codes,
                         "scores": {classes[j]: round(float(P[i, j]), 4) for j in on},
                         "evidence": {c: list(ev[i].get(c, []))[:3] for c in codes}})
        return pd.DataFrame(rows, columns=cols)
