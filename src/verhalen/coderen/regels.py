"""RuleCoder: the codebook's indicators matched on lemmas, per sentence.

Indicator syntax (one string per indicator)::

    luisteren            one word: matches the lemma or the lower-case form
    vertrouwen*          prefix (vertrouwen, vertrouwensband, vertrouwelijk…)
    *kosten              suffix: Dutch compounds (zorgkosten, maatschappelijke kosten)
    *subsidie*           anywhere in the word
    zonder oordeel       a phrase: consecutive words (each word may use * too)
    klein .. stap*       ``..`` allows up to 3 other words in between (kleine, concrete stapjes)
    cijfers^0.5          ``^w`` at the end: the indicator's weight (default 1; 2 = decisive)

The lemmas come from the active spaCy pipeline (the fallback's lookup lemmatizer as well), so
"luisterde", "luistert" and "luisteren" all hit ``luisteren``. A segment's raw score for a code
is the summed weight of the distinct indicators found (repeats of an indicator in other
sentences add half their weight); it is squashed to (0, 1) with ``1 - exp(-raw / scale)``.
The default decision threshold asks for more than one passing word: about two distinct
indicators, or one decisive one (weight 2).

``fit(X, Y)`` re-weights each indicator by its smoothed precision on the labelled segments
and learns a threshold per code.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from ..indicatoren import Indicator, parse_indicator
from .basis import BaseCoder, Batch, as_label_matrix

__all__ = ["RuleCoder", "parse_indicator", "Indicator"]

_GAP = 3
def _word_regex(word: str) -> re.Pattern | None:
    if "*" not in word:
        return None
    body = re.escape(word.strip("*"))
    pre = ".*" if word.startswith("*") else ""
    post = ".*" if word.endswith("*") else ""
    return re.compile(f"^{pre}{body}{post}$")


def _variants(form: str) -> tuple[str, ...]:
    """Crude Dutch de-inflection for forms the lookup table misses: kleine → klein,
    doelen → doel, stappen → stap, netwerken → netwerk, cijfers → cijfer."""
    if len(form) < 5:
        return ()
    out = []
    for suf in ("en", "e", "s"):
        if form.endswith(suf):
            base = form[: -len(suf)]
            out.append(base)
            if len(base) > 3 and base[-1] == base[-2] and base[-1] not in "aeiou":
                out.append(base[:-1])
            break
    return tuple(out)


class _Matcher:
    """Finds indicators in token streams. Word patterns are tested once per distinct word
    form of the corpus (cached), then phrases are checked position by position."""

    def __init__(self, indicators: list[list[Indicator]]):
        self.indicators = indicators
        self.patterns: dict[str, int] = {}
        for inds in indicators:
            for ind in inds:
                for w in ind.words:
                    self.patterns.setdefault(w, len(self.patterns))
        self.exact: dict[str, int] = {w: i for w, i in self.patterns.items() if "*" not in w}
        self.wild = [(i, _word_regex(w)) for w, i in self.patterns.items() if "*" in w]
        self.first: dict[int, list[tuple[int, int]]] = {}
        self.compiled: list[list[tuple[tuple[int, ...], tuple[bool, ...]]]] = []
        for c, inds in enumerate(indicators):
            row = []
            for k, ind in enumerate(inds):
                pids = tuple(self.patterns[w] for w in ind.words)
                row.append((pids, ind.gaps))
                self.first.setdefault(pids[0], []).append((c, k))
            self.compiled.append(row)
        self._cache: dict[str, frozenset[int]] = {}
        self._pairs: dict[tuple[str, str], frozenset[int]] = {}   # (lemma, form) -> patterns

    def _form(self, form: str) -> frozenset[int]:
        got = self._cache.get(form)
        if got is None:
            s = set()
            if form in self.exact:
                s.add(self.exact[form])
            for i, rx in self.wild:
                if rx.match(form):
                    s.add(i)
            got = frozenset(s)
            if len(self._cache) < 500_000:
                self._cache[form] = got
        return got

    def find(self, tokens: list[tuple[str, str, int]]) -> list[tuple[int, int, int, int]]:
        """(code index, indicator index, sentence no., token position) for every hit."""
        sets = []
        pairs = self._pairs
        for lem, low, _ in tokens:
            got = pairs.get((lem, low))
            if got is None:
                got = self._form(lem) | self._form(low)
                for v in _variants(low):
                    got = got | self._form(v)
                if len(pairs) < 500_000:
                    pairs[(lem, low)] = got
            sets.append(got)
        hits = []
        n = len(tokens)
        for pos, s in enumerate(sets):
            if not s:
                continue
            for pid in s:
                for c, k in self.first.get(pid, ()):
                    pids, gaps = self.compiled[c][k]
                    if len(pids) == 1 or self._rest(sets, pos, pids, gaps, n):
                        hits.append((c, k, tokens[pos][2], pos))
        return hits

    @staticmethod
    def _rest(sets, pos, pids, gaps, n) -> bool:
        cur = pos
        for j in range(1, len(pids)):
            span = _GAP + 1 if gaps[j - 1] else 1
            nxt = None
            for q in range(cur + 1, min(n, cur + 1 + span)):
                if pids[j] in sets[q]:
                    nxt = q
                    break
            if nxt is None:
                return False
            cur = nxt
        return True


class RuleCoder(BaseCoder):
    """Indicator matching on lemmas (see the module docstring for the syntax).

    Parameters: ``codebook`` (name, path or Codebook), ``nlp`` (spaCy pipeline; default
    ``load_nlp()``), ``scale`` (raw weight that maps to a score of 0.63), ``threshold``
    (decision threshold on the score; default ≈ two distinct indicators), ``repeat_weight``
    (share of an indicator's weight for repeats in further sentences), ``min_hits_fit``
    (indicator hits needed before ``fit`` trusts its precision fully).
    """

    def __init__(self, codebook: Any = "impact", nlp=None, scale: float = 1.0,
                 threshold: float = 0.86, repeat_weight: float = 0.5, min_hits_fit: float = 4.0):
        self.codebook = codebook
        self.nlp = nlp
        self.scale = scale
        self.threshold = threshold
        self.repeat_weight = repeat_weight
        self.min_hits_fit = min_hits_fit

    # ------------------------------------------------------------------------------------
    def _indicators(self) -> list[list[Indicator]]:
        cb = self._codebook()
        key = (id(cb), tuple(tuple(c.indicators) for c in cb.codes))
        if getattr(self, "_ind_key", None) != key:
            self._ind = [[parse_indicator(t) for t in c.indicators] for c in cb.codes]
            self._matcher = _Matcher(self._ind)
            self._ind_key = key
        return self._ind

    def _weights(self) -> list[np.ndarray]:
        w = getattr(self, "weights_", None)
        if w is not None:
            return w
        return [np.array([i.weight for i in inds], dtype=float) for inds in self._indicators()]

    def hits(self, batch: Batch) -> list[list[tuple[int, int, int]]]:
        self._indicators()
        key = "_rule_hits_" + str(id(self._matcher))
        if key not in batch._emb:
            batch._emb[key] = [self._matcher.find(toks) for toks in batch.tokens]
        return batch._emb[key]

    def raw_scores(self, batch: Batch) -> tuple[np.ndarray, list[dict[str, list[str]]]]:
        """(raw summed weights (n, n_codes), evidence)."""
        inds = self._indicators()
        weights = self._weights()
        classes = self.classes_
        R = np.zeros((len(batch), len(classes)))
        evidence: list[dict[str, list[str]]] = []
        for i, hs in enumerate(self.hits(batch)):
            seen: dict[tuple[int, int], int] = {}
            per_sent: dict[tuple[int, int], list[str]] = {}
            sent_score: dict[tuple[int, int], float] = {}
            # one word counts once per code: of the indicators that start at the same token
            # (e.g. 'beleids*' and 'beleidsmaker*' on "beleidsmakers") only the strongest
            best: dict[tuple[int, int], tuple[float, int, int]] = {}
            for c, k, s, pos in hs:
                w = weights[c][k]
                if w > best.get((c, pos), (-1.0, 0, 0))[0]:
                    best[(c, pos)] = (w, k, s)
            for (c, _pos), (w, k, s) in sorted(best.items(), key=lambda kv: kv[0][1]):
                if w <= 0:
                    continue
                n_seen = seen.get((c, k), 0)
                if n_seen == 0:
                    R[i, c] += w
                elif n_seen < 3:
                    R[i, c] += self.repeat_weight * w / n_seen
                seen[(c, k)] = n_seen + 1
                lst = per_sent.setdefault((c, s), [])
                name = inds[c][k].text.split("^")[0].strip()
                if name not in lst:
                    lst.append(name)
                    sent_score[(c, s)] = sent_score.get((c, s), 0.0) + w
            ev: dict[str, list[str]] = {}
            for (c, s), found in sorted(per_sent.items(), key=lambda kv: -sent_score[kv[0]]):
                sent = batch.sentences[i][s] if s < len(batch.sentences[i]) else ""
                ev.setdefault(classes[c], []).append(f"«{_short(sent)}» [{', '.join(found)}]")
            evidence.append(ev)
        return R, evidence

    def _squash(self, R: np.ndarray) -> np.ndarray:
        return 1.0 - np.exp(-R / max(self.scale, 1e-6))

    def _score_batch(self, batch: Batch):
        R, ev = self.raw_scores(batch)
        return self._squash(R), ev

    # ------------------------------------------------------------------------------------
    def fit(self, X: Any, Y: Any) -> "RuleCoder":
        """Re-weight indicators by their smoothed precision on the labels and learn one
        threshold per code (the one with the best F1 on the training labels, shrunk towards
        the default)."""
        batch = self._prepare(X)
        M = as_label_matrix(Y, self.classes_, len(batch), where="RuleCoder.fit")
        inds = self._indicators()
        base = [np.array([i.weight for i in row], dtype=float) for row in inds]
        pos_hits = [np.zeros(len(row)) for row in inds]
        all_hits = [np.zeros(len(row)) for row in inds]
        for i, hs in enumerate(self.hits(batch)):
            for c, k in {(h[0], h[1]) for h in hs}:
                all_hits[c][k] += 1
                pos_hits[c][k] += M[i, c]
        new = []
        for c, row in enumerate(base):
            prior = 0.5   # prior precision of an indicator the codebook author chose
            a = self.min_hits_fit
            prec = (pos_hits[c] + a * prior) / (all_hits[c] + a)
            # precision 0.5 keeps the weight; 0.9 almost doubles it; 0.1 nearly removes it
            factor = np.clip(prec / prior, 0.05, 2.0)
            new.append(row * factor)
        self.weights_ = new
        P = self._squash(self.raw_scores(batch)[0])
        self.thresholds_ = _best_thresholds(P, M, default=self.threshold)
        return self


def _short(sentence: str, limit: int = 300) -> str:
    s = " ".join(sentence.split())
    return s if len(s) <= limit else s[: limit - 1] + "…"


def _best_thresholds(P: np.ndarray, M: np.ndarray, default: float, grid=None,
                     min_pos: int = 3, shrink: float = 0.5) -> np.ndarray:
    """Per code, the threshold with the best F1 on (P, M); codes with fewer than ``min_pos``
    positives keep ``default``; the rest are shrunk towards ``default``."""
    if grid is None:
        grid = np.linspace(0.05, 0.95, 37)
    out = np.full(P.shape[1], float(default))
    for j in range(P.shape[1]):
        y = M[:, j]
        if y.sum() < min_pos:
            continue
        best, bt = -1.0, default
        for t in grid:
            p = P[:, j] >= t
            tp = float((p & (y == 1)).sum())
            f = 2 * tp / (p.sum() + y.sum()) if (p.sum() + y.sum()) else 0.0
            if f > best + 1e-9 or (abs(f - best) <= 1e-9 and abs(t - default) < abs(bt - default)):
                best, bt = f, t
        out[j] = shrink * bt + (1 - shrink) * default
    return out
