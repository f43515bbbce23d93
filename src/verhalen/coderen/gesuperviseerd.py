"""SupervisedCoder: learns from human-coded segments.

Features: the segment's embedding (normalised mean of its sentence vectors, shared with the
semantic coder) and TF-IDF over lemmas (uni- and bigrams, Dutch stop words out). One
class-weighted logistic regression per code (rare codes are not drowned by frequent ones).
The codebook's positive example sentences are extra training data (with a lower weight), so
every code has positives and the coder is usable from about five human examples per code.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .basis import BaseCoder, Batch, as_label_matrix

__all__ = ["SupervisedCoder"]


class SupervisedCoder(BaseCoder):
    """Per-code logistic regression on embeddings + lemma TF-IDF.

    Parameters: ``codebook``; ``embedder``; ``nlp``; ``C`` (inverse regularisation);
    ``lexical_weight`` (scale of the TF-IDF block against the embedding block; 0 = embeddings
    only, the setting the ensemble uses: lemma TF-IDF learns a source's topic words);
    ``example_weight`` (sample weight of the codebook's example sentences; 0 = not used);
    ``threshold``.
    """

    def __init__(self, codebook: Any = "impact", embedder=None, nlp=None, C: float = 1.0,
                 lexical_weight: float = 1.0, example_weight: float = 0.5,
                 indicator_weight: float = 0.5, threshold: float = 0.5):
        self.codebook = codebook
        self.embedder = embedder
        self.nlp = nlp
        self.C = C
        self.lexical_weight = lexical_weight
        self.example_weight = example_weight
        self.indicator_weight = indicator_weight
        self.threshold = threshold

    def _lemma_docs(self, batch: Batch) -> list[str]:
        from ..nlp import stop_words
        stops = stop_words()
        return [" ".join(lem for lem, low, _ in toks if low not in stops and len(lem) > 1)
                for toks in batch.tokens]

    def _features(self, batch: Batch, fit: bool = False):
        from scipy import sparse

        seg, _ = batch.embeddings(self._embedder())
        blocks = [sparse.csr_matrix(seg)]
        if self.indicator_weight:
            blocks.append(sparse.csr_matrix(self._indicator_matrix(batch)) * self.indicator_weight)
        if not self.lexical_weight:          # embeddings only: no TF-IDF block at all
            return sparse.hstack(blocks).tocsr()
        docs = self._lemma_docs(batch)
        if fit:
            from sklearn.feature_extraction.text import TfidfVectorizer
            self.vectorizer_ = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True,
                                               max_features=20000, token_pattern=r"[^ ]+")
            try:
                T = self.vectorizer_.fit_transform(docs)
            except ValueError:   # no term occurs twice (tiny training set)
                self.vectorizer_ = TfidfVectorizer(token_pattern=r"[^ ]+")
                T = self.vectorizer_.fit_transform(docs + ["leeg"])[: len(docs)]
        else:
            T = self.vectorizer_.transform(docs)
        blocks.insert(1, T * self.lexical_weight)
        return sparse.hstack(blocks).tocsr()

    def _indicator_matrix(self, batch: Batch) -> np.ndarray:
        """Segments × codebook indicators: sqrt of the number of sentences with a hit, so
        the model can learn which of the codebook's indicators matter in this material."""
        from .regels import RuleCoder
        if getattr(self, "_rules", None) is None or self._rules.codebook is not self._codebook():
            self._rules = RuleCoder(self._codebook(), nlp=self._nlp())
        inds = self._rules._indicators()
        offs = np.cumsum([0] + [len(r) for r in inds])
        H = np.zeros((len(batch), int(offs[-1])), dtype=np.float32)
        for i, hs in enumerate(self._rules.hits(batch)):
            for c, k, *_ in hs:
                H[i, offs[c] + k] += 1
        return np.sqrt(H)

    def fit(self, X: Any, Y: Any) -> "SupervisedCoder":
        from sklearn.linear_model import LogisticRegression

        from .basis import prepare

        batch = self._prepare(X)
        M = as_label_matrix(Y, self.classes_, len(batch), where="SupervisedCoder.fit")
        cb = self._codebook()
        ex_texts, ex_rows = [], []
        if self.example_weight > 0:
            for j, c in enumerate(cb.codes):
                for t in c.examples:
                    ex_texts.append(t)
                    ex_rows.append(j)
        keep = ~batch.empty
        if ex_texts:
            ex_batch = prepare(ex_texts, self._nlp(), where="SupervisedCoder.fit")
            both = Batch(ids=batch.ids + ex_batch.ids, texts=batch.texts + ex_batch.texts,
                         sentences=batch.sentences + ex_batch.sentences,
                         tokens=batch.tokens + ex_batch.tokens,
                         empty=np.concatenate([batch.empty, ex_batch.empty]))
            EM = np.zeros((len(ex_texts), len(self.classes_)), dtype=int)
            EM[np.arange(len(ex_texts)), ex_rows] = 1
            YM = np.vstack([M, EM])
            w = np.concatenate([np.ones(len(batch)), np.full(len(ex_texts), self.example_weight)])
            keep = np.concatenate([keep, np.ones(len(ex_texts), dtype=bool)])
        else:
            both, YM, w = batch, M, np.ones(len(batch))
        F = self._features(both, fit=True)[keep]
        YM, w = YM[keep], w[keep]
        self.models_ = []
        for j in range(YM.shape[1]):
            y = YM[:, j]
            if y.min() == y.max():
                self.models_.append(float(y.max()))
                continue
            lr = LogisticRegression(C=self.C, class_weight="balanced", max_iter=2000)
            lr.fit(F, y, sample_weight=w)
            self.models_.append(lr)
        self.n_train_ = int(len(batch))
        return self

    def _score_batch(self, batch: Batch):
        if getattr(self, "models_", None) is None:
            from ..fouten import VerhalenFout
            raise VerhalenFout("SupervisedCoder: eerst fit(X, Y) aanroepen met menselijk "
                               "gecodeerde segmenten.")
        F = self._features(batch)
        P = np.zeros((len(batch), len(self.models_)))
        for j, m in enumerate(self.models_):
            P[:, j] = m if isinstance(m, float) else m.predict_proba(F)[:, 1]
        ev = self._evidence(batch, P)
        return P, ev

    def _evidence(self, batch: Batch, P: np.ndarray) -> list[dict[str, list[str]]]:
        """The sentence closest to the code's decision direction in embedding space."""
        _, per = batch.embeddings(self._embedder())
        dim = per[0].shape[1] if per and len(per[0]) else 0
        out = []
        for n, sv in enumerate(per):
            d = {}
            for j, c in enumerate(self.classes_):
                m = self.models_[j]
                if isinstance(m, float) or not len(sv) or P[n, j] < 0.2:
                    continue
                coef = m.coef_[0][:dim]
                best = int(np.argmax(sv @ coef))
                d[c] = [f"«{_short(batch.sentences[n][best])}» [geleerd]"]
            out.append(d)
        return out


def _short(sentence: str, limit: int = 300) -> str:
    s = " ".join(sentence.split())
    return s if len(s) <= limit else s[: limit - 1] + "…"
