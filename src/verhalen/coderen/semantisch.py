"""SemanticCoder: sentence embeddings against prototypes of each code.

Prototypes of a code are its label, the clauses of its definition and its positive example
sentences (all embedded once, cached). A segment's raw similarity to a code is the mean of its
best sentences' similarity to the code's best prototypes, minus a share of the similarity to
the code's negative examples. Raw cosines are not comparable between codes (some definitions
are simply "closer" to everything), so they are calibrated per code:

* zero-shot: standardised against the score distribution of the corpus being coded and of the
  codebook's own examples (positives of the code vs. examples of the other codes), then mapped
  to a probability with a logistic curve whose centre is ``z_threshold`` standard deviations;
* with labels (``fit``): a per-code logistic regression on the raw similarity (class weights
  balanced), with the codebook's examples as extra training data.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from .basis import BaseCoder, Batch, as_label_matrix

__all__ = ["SemanticCoder", "code_prototypes"]


def code_prototypes(code) -> list[str]:
    """The texts that stand for a code: label, definition clauses, positive examples."""
    parts = [code.label]
    for piece in re.split(r"[;:]|, (?=[a-zà-ÿ])", code.definition):
        piece = piece.strip(" .,")
        if len(piece.split()) >= 2:
            parts.append(piece)
    parts.extend(code.examples)
    return list(dict.fromkeys(parts))


class SemanticCoder(BaseCoder):
    """Embedding similarity of a segment's sentences to each code's prototypes.

    Parameters: ``codebook``; ``embedder`` (default ``get_embedder()``); ``nlp``;
    ``top_sentences`` (sentences averaged per segment); ``top_prototypes`` (prototypes
    averaged per sentence); ``negative_weight``; ``z_threshold`` (zero-shot: standard
    deviations above the corpus mean where a code gets probability 0.5); ``threshold``.
    """

    def __init__(self, codebook: Any = "impact", embedder=None, nlp=None, top_sentences: int = 2,
                 top_prototypes: int = 3, negative_weight: float = 0.3, z_threshold: float = 1.5,
                 threshold: float = 0.5):
        self.codebook = codebook
        self.embedder = embedder
        self.nlp = nlp
        self.top_sentences = top_sentences
        self.top_prototypes = top_prototypes
        self.negative_weight = negative_weight
        self.z_threshold = z_threshold
        self.threshold = threshold

    # ------------------------------------------------------------------------------------
    def _protos(self):
        cb = self._codebook()
        key = (id(cb), getattr(self._embedder(), "name", ""))
        if getattr(self, "_proto_key", None) != key:
            texts, owner, neg_texts, neg_owner = [], [], [], []
            for j, c in enumerate(cb.codes):
                for t in code_prototypes(c):
                    texts.append(t)
                    owner.append(j)
                for t in c.negative_examples:
                    neg_texts.append(t)
                    neg_owner.append(j)
            vecs = self._embedder().encode(texts + neg_texts)
            self._pv = vecs[: len(texts)]
            self._po = np.array(owner)
            self._nv = vecs[len(texts):]
            self._no = np.array(neg_owner, dtype=int)
            ex_texts, ex_owner = [], []
            for j, c in enumerate(cb.codes):
                for t in c.examples:
                    ex_texts.append(t)
                    ex_owner.append(j)
            self._ex_texts, self._ex_owner = ex_texts, np.array(ex_owner, dtype=int)
            self._proto_key = key
        return self._pv, self._po, self._nv, self._no

    def _sentence_sims(self, sent_vecs: np.ndarray) -> np.ndarray:
        """(n_sentences, n_codes) similarity of each sentence to each code."""
        pv, po, nv, no = self._protos()
        n_codes = len(self.classes_)
        S = sent_vecs @ pv.T
        out = np.zeros((len(sent_vecs), n_codes), dtype=np.float32)
        k = self.top_prototypes
        for j in range(n_codes):
            cols = S[:, po == j]
            if cols.shape[1] == 0:
                continue
            kk = min(k, cols.shape[1])
            out[:, j] = np.sort(cols, axis=1)[:, -kk:].mean(1)
            if self.negative_weight and len(nv) and (no == j).any():
                neg = (sent_vecs @ nv[no == j].T).max(1)
                out[:, j] -= self.negative_weight * np.maximum(neg - out[:, j], 0)
        return out

    def raw_scores(self, batch: Batch) -> tuple[np.ndarray, list[np.ndarray]]:
        """(segment × code raw similarity, per segment the sentence × code similarities)."""
        key = "_sem_raw_" + str(id(self)) + str(getattr(self, "_proto_key", ""))
        if key in batch._emb:
            return batch._emb[key]
        seg, per = batch.embeddings(self._embedder())
        n_codes = len(self.classes_)
        flat = np.vstack([p for p in per if len(p)]) if any(len(p) for p in per) else \
            np.zeros((0, seg.shape[1]), dtype=np.float32)
        sims_flat = self._sentence_sims(flat) if len(flat) else np.zeros((0, n_codes))
        R = np.zeros((len(batch), n_codes), dtype=np.float32)
        sent_sims, i = [], 0
        seg_sims = self._sentence_sims(seg)
        for n, p in enumerate(per):
            s = sims_flat[i : i + len(p)]
            i += len(p)
            sent_sims.append(s)
            if len(s):
                kk = min(self.top_sentences, len(s))
                R[n] = 0.5 * np.sort(s, axis=0)[-kk:].mean(0) + 0.5 * seg_sims[n]
        batch._emb[key] = (R, sent_sims)
        return R, sent_sims

    def _example_raw(self) -> np.ndarray:
        """Raw scores of the codebook's positive examples (for zero-shot calibration)."""
        self._protos()
        if not self._ex_texts:
            return np.zeros((0, len(self.classes_)))
        v = self._embedder().encode(self._ex_texts)
        return self._sentence_sims(v)

    def _calibrate(self, R: np.ndarray) -> np.ndarray:
        if getattr(self, "models_", None) is not None:
            out = np.zeros_like(R, dtype=float)
            for j, (a, b) in enumerate(self.models_):
                out[:, j] = 1.0 / (1.0 + np.exp(-(a * R[:, j] + b)))
            return out
        # zero-shot: z-scores against the corpus itself (plus the codebook's examples so a
        # tiny corpus still has a reference distribution)
        ref = np.vstack([R, self._example_raw()]) if len(R) < 30 else R
        mu = ref.mean(0)
        sd = ref.std(0) + 1e-6
        z = (R - mu) / sd
        return 1.0 / (1.0 + np.exp(-2.0 * (z - self.z_threshold)))

    def _score_batch(self, batch: Batch):
        R, sent_sims = self.raw_scores(batch)
        P = self._calibrate(R)
        classes = self.classes_
        ev = []
        for n, s in enumerate(sent_sims):
            d = {}
            if len(s):
                best = s.argmax(0)
                for j, c in enumerate(classes):
                    sent = batch.sentences[n][best[j]]
                    d[c] = [f"«{_short(sent)}» [gelijkenis {float(s[best[j], j]):.2f}]"]
            ev.append(d)
        return P, ev

    def fit(self, X: Any, Y: Any) -> "SemanticCoder":
        """Per-code logistic calibration of the raw similarity on the labels (plus the
        codebook's examples as extra positives/negatives)."""
        from sklearn.linear_model import LogisticRegression

        batch = self._prepare(X)
        M = as_label_matrix(Y, self.classes_, len(batch), where="SemanticCoder.fit")
        R, _ = self.raw_scores(batch)
        E = self._example_raw()
        models = []
        for j in range(len(self.classes_)):
            x = np.concatenate([R[:, j], E[:, j]])
            y = np.concatenate([M[:, j], (self._ex_owner == j).astype(int)])
            if y.min() == y.max():
                models.append((0.0, -5.0 if y.max() == 0 else 5.0))
                continue
            lr = LogisticRegression(class_weight="balanced", C=10.0)
            lr.fit(x[:, None], y)
            models.append((float(lr.coef_[0, 0]), float(lr.intercept_[0])))
        self.models_ = models
        return self


def _short(sentence: str, limit: int = 300) -> str:
    s = " ".join(sentence.split())
    return s if len(s) <= limit else s[: limit - 1] + "…"
