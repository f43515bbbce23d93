"""EnsembleCoder: the default coder. Without human codes it codes from the codebook alone
(rules + semantic similarity); with human codes it learns a *correction* of that codebook
prior, checked on sources it did not learn from.

Zero-shot (the prior): per code ``s = rule_raw + semantic_weight · z`` where ``rule_raw`` is
the summed indicator weight (RuleCoder) and ``z`` the standardised semantic similarity
(SemanticCoder; clipped to [-2, 3]), mapped to a probability ``sigmoid(slope · (s − centre))``.
``z`` is always taken against the bundle being coded (with fewer than 30 segments together
with the codebook's example sentences): the prior adapts to the material at hand. Nothing in
it is specific to the codes of one codebook.

Learning (``fit``, the default ``stacker="correctie"``): one logistic regression over all
(segment, code) pairs whose linear predictor starts at the prior's logit (an offset) and adds
shared slopes for the rule weight, the semantic z, a constant and the logit of a learned
model (per-code logistic regression on segment embeddings plus the codebook's examples; no
lemma TF-IDF, which learns a source's topic words). An L2 penalty pulls the corrections to 0,
so with little evidence the coder stays the codebook. Everything that is chosen is chosen on
*out-of-source* predictions: the inner folds are grouped by source (``groups``, else inferred,
see :mod:`.bronnen`); the learned model's logit used to fit the correction comes from models
that did not see the segment's source, and the one decision threshold is the best micro-F1
threshold on the inner out-of-source predictions of the correction. The codebook keeps a code
when it has fewer than ``min_positives`` human positives, or (``code_gate``) when the learned
decisions have a lower out-of-source F1 than the codebook's in at least 90 % of bootstrap
resamples; all codes keep the codebook when the learned out-of-source micro-F1 is lower
overall. ``learning_report_`` (and :func:`verhalen.coderen.correctie.learning_report`) says per
code what decides and why. Measured with leave-one-source-out CV, see
``benchmarks/coding_quality.py``.

``stacker="gedeeld"`` / ``"per_code"`` are the earlier learners (a stacker over rules,
semantics and a TF-IDF + embedding model on random inner folds), kept for comparison: on new
sources they learn the sources rather than the codes.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from tqdm.auto import tqdm

from .basis import BaseCoder, Batch, as_label_matrix
from .gesuperviseerd import SupervisedCoder
from .regels import RuleCoder
from .semantisch import SemanticCoder

__all__ = ["EnsembleCoder", "default_coder"]


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _logit(p):
    p = np.clip(p, 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


class EnsembleCoder(BaseCoder):
    """Rules + semantics (+ supervised with labels). See the module docstring.

    Parameters: ``codebook``; ``embedder``; ``nlp``; ``semantic_weight`` (weight of the
    semantic z-score against the rule weight, zero-shot); ``centre`` / ``slope`` (zero-shot
    probability curve); ``inner_folds`` (internal cross-validation in ``fit``);
    ``min_positives`` (human positives a code needs before its stacker is learned);
    ``threshold``; ``random_state``; ``progress``; ``stacker`` ("gedeeld": one shared
    stacker over all codes, the default; "per_code": one per code); ``code_slope_scale``
    (how far a code's own slopes may move from the shared ones in the shared stacker).
    After ``fit``: ``thresholds_``, ``oof_proba_`` (out-of-fold probabilities on the
    training segments), ``supervised_``, ``stacker_`` / ``stackers_``.
    """

    def __init__(self, codebook: Any = "impact", embedder=None, nlp=None,
                 semantic_weight: float = 0.5, centre: float = 2.0, slope: float = 2.0,
                 inner_folds: int = 5, min_positives: int = 3, threshold: float = 0.5,
                 random_state: int = 0, progress: bool = False,
                 stack_class_weight: Any = None, threshold_shrink: float = 0.0,
                 indicator_weight: float = 0.0, fitted_rules: bool = False,
                 stack_C: float = 1.0, stacker: str = "correctie", code_slope_scale: float = 0.1,
                 correction_penalty: float = 1.0, code_gate: bool = True,
                 bundle_penalty: float | None = 1.0, min_bundle_codes: int = 5):
        self.codebook = codebook
        self.embedder = embedder
        self.nlp = nlp
        self.semantic_weight = semantic_weight
        self.centre = centre
        self.slope = slope
        self.inner_folds = inner_folds
        self.min_positives = min_positives
        self.threshold = threshold
        self.random_state = random_state
        self.progress = progress
        self.stack_class_weight = stack_class_weight
        self.threshold_shrink = threshold_shrink
        self.indicator_weight = indicator_weight
        self.fitted_rules = fitted_rules
        self.stack_C = stack_C
        self.stacker = stacker
        self.code_slope_scale = code_slope_scale
        self.correction_penalty = correction_penalty
        self.code_gate = code_gate
        self.bundle_penalty = bundle_penalty
        self.min_bundle_codes = min_bundle_codes

    # -- parts ----------------------------------------------------------------------------
    def _parts(self):
        key = (id(self._codebook()), id(self._embedder()), id(self._nlp()))
        if getattr(self, "_parts_key", None) != key:
            cb, emb, nlp = self._codebook(), self._embedder(), self._nlp()
            self.rules_ = RuleCoder(cb, nlp=nlp)
            self.semantic_ = SemanticCoder(cb, embedder=emb, nlp=nlp)
            self._parts_key = key
        return self.rules_, self.semantic_

    def _z(self, R: np.ndarray) -> np.ndarray:
        stats = getattr(self, "sem_stats_", None)
        if stats is not None:
            mu, sd = stats
        else:
            ref = R
            if len(R) < 30:
                ref = np.vstack([R, self.semantic_._example_raw()])
            mu, sd = ref.mean(0), ref.std(0) + 1e-6
        return np.clip((R - mu) / sd, -2.0, 3.0)

    def _base_features(self, batch: Batch):
        rules, sem = self._parts()
        RR, rule_ev = rules.raw_scores(batch)
        SR, _ = sem.raw_scores(batch)
        return RR, self._z(SR), rule_ev

    def _zero_shot(self, RR, Z):
        return _sigmoid(self.slope * (RR + self.semantic_weight * Z - self.centre))

    # -- fit --------------------------------------------------------------------------------
    def fit(self, X: Any, Y: Any, groups: Any = None, sample_weight: Any = None) -> "EnsembleCoder":
        """Learn from human codes ``Y`` (code lists or a 0/1 matrix) of segments ``X``.

        ``groups``: the source of each training segment (see :mod:`.bronnen`; default:
        inferred from a ``group``/``bron``/``doc_id`` column or the ids). ``sample_weight``:
        weight per training segment (e.g. codes from the bundle being coded above codes from
        elsewhere). Both are used by the default ``stacker="correctie"`` only."""
        from sklearn.linear_model import LogisticRegression

        from ..fouten import VerhalenFout

        if self.stacker not in ("correctie", "gedeeld", "per_code"):
            raise VerhalenFout(f"EnsembleCoder: onbekende stacker '{self.stacker}' "
                               "(kies 'correctie', 'gedeeld' of 'per_code').")
        batch = self._prepare(X)
        M = as_label_matrix(Y, self.classes_, len(batch), where="EnsembleCoder.fit")
        rules, sem = self._parts()
        self.sem_stats_ = None
        self.correction_ = None
        self.learning_report_ = None
        # the human codes by (id, text): when the bundle being coded holds some of these
        # segments, the coder adapts to that bundle (see _adapt_to_bundle)
        self.train_codes_ = {key: M[n].copy() for n, key in enumerate(_segment_keys(batch))
                             if not batch.empty[n]}
        if self.stacker == "correctie":
            return self._fit_correction(X, batch, M, groups, sample_weight)
        SR, _ = sem.raw_scores(batch)
        self.sem_stats_ = (SR.mean(0), SR.std(0) + 1e-6)
        RR, Z, _ = self._base_features(batch)
        n = len(batch)
        # at most as many inner folds as the rarest code has positives (so every fold can
        # hold one); measured: forcing 5 or 10 inner folds on dev.jsonl did not help
        k = max(2, min(self.inner_folds, int(M.sum(0)[M.sum(0) > 0].min()) if M.any() else 2, n))
        folds = _folds(M, k, self.random_state)
        oof = np.zeros(M.shape)
        oof_rules = RR.copy()
        rules.hits(batch)   # computed once, shared by the folds
        for f in tqdm(range(k), desc="ensemble: interne kruisvalidatie", disable=not self.progress):
            tr, te = folds != f, folds == f
            if not te.any() or not tr.any():
                continue
            btr, bte = _sub(batch, tr), _sub(batch, te)
            sup = self._supervised().fit(btr, M[tr])
            oof[te] = sup._score_batch(bte)[0]
            if self.fitted_rules:
                r = RuleCoder(self._codebook(), nlp=self._nlp())
                r._indicators()
                r._matcher = rules._matcher
                _share_hits(batch, btr, bte, tr, te, rules, r)
                r.fit(btr, M[tr])
                oof_rules[te] = r.raw_scores(bte)[0]
        self.supervised_ = self._supervised().fit(batch, M)
        if self.fitted_rules:
            self.rules_fitted_ = RuleCoder(self._codebook(), nlp=self._nlp())
            self.rules_fitted_._indicators()
            self.rules_fitted_._matcher = rules._matcher
            self.rules_fitted_.fit(batch, M)
        self.stackers_ = []
        self.stacker_ = None
        thr = np.full(M.shape[1], 0.5)
        oof_stack = self._zero_shot(RR, Z)
        if self.stacker == "gedeeld":
            oof_stack, thr = self._fit_shared(RR, Z, oof, M, folds, k, oof_stack)
            self.thresholds_ = thr
            self.oof_proba_ = oof_stack
            self.n_train_ = n
            return self
        for j in range(M.shape[1]):
            y = M[:, j]
            if y.sum() < self.min_positives or y.sum() == n:
                self.stackers_.append(None)
                thr[j] = 0.5
                continue
            F = np.column_stack([RR[:, j], Z[:, j], _logit(oof[:, j])]
                                + ([oof_rules[:, j]] if self.fitted_rules else []))
            lr = LogisticRegression(C=self.stack_C, class_weight=self.stack_class_weight, max_iter=1000)
            lr.fit(F, y)
            self.stackers_.append(lr)
            # threshold from a second out-of-fold pass over the (tiny) stacker
            p2 = np.zeros(n)
            for f in range(k):
                tr, te = folds != f, folds == f
                if y[tr].min() == y[tr].max() or not te.any():
                    p2[te] = lr.predict_proba(F[te])[:, 1]
                    continue
                m = LogisticRegression(C=self.stack_C, class_weight=self.stack_class_weight, max_iter=1000)
                m.fit(F[tr], y[tr])
                p2[te] = m.predict_proba(F[te])[:, 1]
            oof_stack[:, j] = p2
            thr[j] = (1 - self.threshold_shrink) * _best_threshold(p2, y) \
                + self.threshold_shrink * 0.4
        self.thresholds_ = thr
        self.oof_proba_ = oof_stack
        self.n_train_ = n
        return self

    # -- the default: learning as a correction of the codebook ------------------------------
    def _supervised_embeddings(self) -> SupervisedCoder:
        """The learned part of the correction: per-code logistic regression on the segment
        embeddings (plus the codebook's examples). No lemma TF-IDF: measured with
        leave-one-source-out CV, the words a source uses are what it memorises."""
        return SupervisedCoder(self._codebook(), embedder=self._embedder(), nlp=self._nlp(),
                               lexical_weight=0.0, indicator_weight=0.0)

    @staticmethod
    def _correction_features(RR: np.ndarray, Z: np.ndarray, SP: np.ndarray,
                             use_sup: np.ndarray) -> np.ndarray:
        """One row per (segment, code): rule weight, semantic z, a constant and the learned
        model's logit (0 for codes with too few human positives). The slopes are shared by
        all codes, so a rare code borrows the evidence of the others."""
        L = _logit(SP) * use_sup[None, :]
        return np.stack([RR, Z, np.ones_like(RR), L], axis=2).reshape(-1, 4)

    def _prior_logit(self, RR: np.ndarray, Z: np.ndarray) -> np.ndarray:
        return self.slope * (RR + self.semantic_weight * Z - self.centre)

    def _fit_correction(self, X, batch: Batch, M: np.ndarray, groups, sample_weight):
        """Fit the correction of the zero-shot prior (see the module docstring)."""
        from ..fouten import VerhalenFout
        from .bronnen import group_folds, infer_groups
        from .correctie import best_threshold, fit_offset_logistic, micro_f1, sigmoid

        n, C = M.shape
        if groups is None:
            groups, how = infer_groups(X, ids=batch.ids)
        else:
            groups, how = np.asarray([str(g) for g in groups]), "opgegeven"
            if len(groups) != n:
                raise VerhalenFout(f"EnsembleCoder.fit: {n} segmenten maar {len(groups)} "
                                   "bronnen in groups.")
        w = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        if w.shape != (n,) or (w < 0).any():
            raise VerhalenFout(f"EnsembleCoder.fit: sample_weight moet {n} gewichten ≥ 0 zijn.")
        rules, sem = self._parts()
        RR, _ = rules.raw_scores(batch)
        SR, _ = sem.raw_scores(batch)
        # the semantic z of a training segment is taken within its own source, as the z of a
        # segment being coded is taken within the bundle being coded
        Z = np.zeros(SR.shape)
        for g in np.unique(groups):
            Z[groups == g] = self._z(SR[groups == g])
        A0 = self._prior_logit(RR, Z)
        folds = group_folds(groups, self.inner_folds, self.random_state)
        k = int(folds.max()) + 1
        pos = M.sum(0)
        use_sup = (pos >= self.min_positives).astype(float)
        # out-of-source predictions of the learned model (inner folds grouped by source)
        SP = np.full(M.shape, 0.5)
        for f in tqdm(range(k), desc="coder: interne kruisvalidatie per bron",
                      disable=not self.progress):
            tr, te = folds != f, folds == f
            if te.any() and tr.any():
                SP[te] = self._supervised_embeddings().fit(_sub(batch, tr), M[tr])._score_batch(
                    _sub(batch, te))[0]
        F = self._correction_features(RR, Z, SP, use_sup)
        y, off, wr, rows = M.ravel(), A0.ravel(), np.repeat(w, C), np.repeat(folds, C)
        pen = float(self.correction_penalty)
        Q = sigmoid(off)
        for f in range(k):
            a = rows != f
            if a.all() or not a.any():
                continue
            b = fit_offset_logistic(F[a], y[a], off[a], pen, wr[a])
            Q[~a] = sigmoid(off[~a] + F[~a] @ b)
        Q = Q.reshape(n, C)
        t = best_threshold(Q, M)
        self.correction_ = fit_offset_logistic(F, y, off, pen, wr)
        self.supervised_ = self._supervised_embeddings().fit(batch, M)
        self.use_sup_ = use_sup
        P0 = sigmoid(A0)
        worse = _bootstrap_worse(M, P0 >= self.threshold, Q >= t, self.random_state)
        learned = np.zeros(C, dtype=bool)
        per_code = {}
        # as a whole: learning is used only when its out-of-source predictions beat the codebook
        f_all0, f_all1 = micro_f1(M, P0 >= self.threshold), micro_f1(M, Q >= t)
        overall = not (self.code_gate and f_all1 < f_all0)
        for j, cid in enumerate(self.classes_):
            f0 = micro_f1(M[:, j], P0[:, j] >= self.threshold)
            f1 = micro_f1(M[:, j], Q[:, j] >= t)
            srcs = int(len(np.unique(groups[M[:, j] == 1])))
            fz, fl = (0.0 if np.isnan(f0) else f0), (0.0 if np.isnan(f1) else f1)
            if not overall:
                decision = "codeboek"
                reason = (f"het geleerde model is buiten de eigen bron over alle codes niet beter "
                          f"(micro-F1 {f_all1:.2f} tegen {f_all0:.2f} voor het codeboek)")
            elif pos[j] < self.min_positives:
                decision = "codeboek"
                reason = (f"{int(pos[j])} menselijke voorbeeld(en), minder dan "
                          f"{self.min_positives}: het codeboek beslist")
            elif self.code_gate and worse[j] >= 0.9:
                decision = "codeboek"
                reason = (f"buiten de eigen bron voorspelt het geleerde model duidelijk slechter "
                          f"(F1 {fl:.2f} tegen {fz:.2f} voor het codeboek; slechter in "
                          f"{worse[j]:.0%} van de bootstrap-steekproeven)")
            else:
                decision = "geleerd"
                reason = (f"buiten de eigen bron beter of gelijk (F1 {fl:.2f} tegen {fz:.2f} "
                          f"voor het codeboek), {int(pos[j])} voorbeelden uit {srcs} bron(nen)")
            learned[j] = decision == "geleerd"
            per_code[cid] = {"besluit": decision, "reden": reason, "positief": int(pos[j]),
                             "bronnen_met_positief": srcs, "f1_codeboek_buiten_bron": f0,
                             "f1_geleerd_buiten_bron": f1}
        self.learned_codes_ = learned
        self.thresholds_ = np.where(learned, t, float(self.threshold))
        self.oof_proba_ = np.where(learned[None, :], Q, P0)
        self.n_train_ = n
        uniq, cnt = np.unique(groups, return_counts=True)
        b = self.correction_
        self.learning_report_ = {
            "geleerd": bool(learned.any()), "n_training": int(n),
            "uitleg": ("Het codeboek (indicatoren en semantische gelijkenis) is de uitgangswaarde; "
                       "een logistische correctie met strafterm leert hoeveel de menselijke codes "
                       "daaraan veranderen. Gewichten en drempel zijn gekozen op voorspellingen "
                       "voor bronnen die niet in de training zaten (interne kruisvalidatie per "
                       "bron); een code houdt het codeboek als het geleerde daar niet beter is."),
            "bronnen": {str(u): int(c) for u, c in zip(uniq, cnt)},
            "bronnen_gevonden_via": how, "interne_folds": k, "drempel": float(t),
            "micro_f1_buiten_bron": {"codeboek": f_all0, "geleerd": f_all1},
            "gewichten": {"indicatoren": float(b[0]), "semantiek": float(b[1]),
                          "constante": float(b[2]), "geleerd_model": float(b[3])},
            "codes": per_code,
        }
        return self

    def _corrected(self, batch: Batch, RR: np.ndarray, Z: np.ndarray):
        from .correctie import sigmoid

        A0 = self._prior_logit(RR, Z)
        SP, sup_ev = self.supervised_._score_batch(batch)
        F = self._correction_features(RR, Z, SP, self.use_sup_)
        P = sigmoid(A0.ravel() + F @ self.correction_).reshape(A0.shape)
        return np.where(self.learned_codes_[None, :], P, sigmoid(A0)), sup_ev

    def _adapt_to_bundle(self, batch: Batch, P: np.ndarray) -> np.ndarray:
        """When the batch being coded holds segments with human codes from ``fit`` (same id
        and text: the researcher coded part of this bundle), adapt the probabilities of the
        whole batch to those codes (:func:`verhalen.coderen.correctie.adapt_to_bundle`,
        around each code's threshold). Needs ``min_bundle_codes`` such segments and at least
        one segment without; ``bundle_penalty=None`` switches it off. ``adaptation_``
        describes what the last call did (None: no adaptation)."""
        from .correctie import adapt_to_bundle, logit, sigmoid

        self.adaptation_ = None
        known = getattr(self, "train_codes_", None)
        if not known or self.bundle_penalty is None:
            return P
        keys = _segment_keys(batch)
        rows = [n for n, key in enumerate(keys) if key in known]
        if len(rows) < self.min_bundle_codes or len(rows) >= len(batch):
            return P
        off = logit(self._thresholds())[None, :]
        V, _ = batch.embeddings(self._embedder())
        Y = np.array([known[keys[n]] for n in rows])
        A, shift = adapt_to_bundle(logit(P) - off, V, np.array(rows), Y,
                                   float(self.bundle_penalty))
        self.adaptation_ = {
            "segmenten_met_menselijke_codes": len(rows), "segmenten_in_bundel": len(batch),
            "strafterm": float(self.bundle_penalty),
            "verschuiving_per_code": {c: round(float(v), 3) for c, v in zip(self.classes_, shift)},
            "uitleg": ("De coder past zich aan op deze bundel: per code een logistische correctie "
                       "op de segmentvectoren, geleerd van de segmenten van de bundel die je zelf "
                       "codeerde (met strafterm, dus klein bij weinig codes)."),
        }
        return sigmoid(A + off)

    # -- the shared stacker ---------------------------------------------------------------
    def _shared_features(self, RR: np.ndarray, Z: np.ndarray, SP: np.ndarray,
                         codes: np.ndarray) -> np.ndarray:
        """One row per (segment, code in ``codes``): the shared evidence (rule weight,
        semantic z, supervised logit), the segment's total indicator weight over all codes
        (how dense with codebook language it is), a one-hot intercept per code and the
        per-code copies of the evidence scaled by ``code_slope_scale`` (so a code's own
        slopes are shrunk towards the shared ones: rare codes borrow strength)."""
        n, c = len(RR), len(codes)
        X = np.stack([RR[:, codes], Z[:, codes], _logit(SP[:, codes])], axis=2)   # (n, c, 3)
        X = X.reshape(n * c, 3)
        onehot = np.tile(np.eye(c), (n, 1))
        inter = (X[:, :, None] * onehot[:, None, :]).reshape(n * c, -1) * self.code_slope_scale
        total = np.repeat(np.log1p(RR.sum(1)), c)[:, None]
        return np.hstack([X, total, onehot, inter])

    def _fit_shared(self, RR, Z, oof, M, folds, k, oof_stack):
        """One logistic regression over all (segment, code) pairs instead of one per code,
        and one decision threshold for all codes, chosen for micro-F1 on a second
        out-of-fold pass. Codes with fewer than ``min_positives`` human positives (or
        positive everywhere) keep the zero-shot rule."""
        from sklearn.linear_model import LogisticRegression

        n = len(M)
        pos = M.sum(0)
        codes = np.flatnonzero((pos >= self.min_positives) & (pos < n))
        thr = np.full(M.shape[1], 0.5)
        self.stack_codes_ = codes
        if not len(codes):
            return oof_stack, thr
        F = self._shared_features(RR, Z, oof, codes)
        y = M[:, codes].ravel()
        fold_rows = np.repeat(folds, len(codes))
        p2 = np.zeros(len(y))
        for f in range(k):
            tr, te = fold_rows != f, fold_rows == f
            if not te.any() or y[tr].min() == y[tr].max():
                continue
            m = LogisticRegression(C=self.stack_C, class_weight=self.stack_class_weight,
                                   max_iter=5000)
            p2[te] = m.fit(F[tr], y[tr]).predict_proba(F[te])[:, 1]
        lr = LogisticRegression(C=self.stack_C, class_weight=self.stack_class_weight,
                                max_iter=5000)
        self.stacker_ = lr.fit(F, y)
        p2 = p2.reshape(n, len(codes))
        oof_stack[:, codes] = p2
        t = _best_threshold(p2.ravel(), M[:, codes].ravel())
        thr[codes] = (1 - self.threshold_shrink) * t + self.threshold_shrink * 0.4
        return oof_stack, thr

    def _supervised(self) -> SupervisedCoder:
        return SupervisedCoder(self._codebook(), embedder=self._embedder(), nlp=self._nlp(),
                               indicator_weight=self.indicator_weight)

    # -- predict ----------------------------------------------------------------------------
    def _score_batch(self, batch: Batch):
        RR, Z, rule_ev = self._base_features(batch)
        P = self._zero_shot(RR, Z)
        stackers = getattr(self, "stackers_", None)
        sup_ev = None
        if getattr(self, "correction_", None) is not None:
            P, sup_ev = self._corrected(batch, RR, Z)
        elif getattr(self, "stacker_", None) is not None:
            SP, sup_ev = self.supervised_._score_batch(batch)
            codes = self.stack_codes_
            if len(batch):
                P[:, codes] = self.stacker_.predict_proba(
                    self._shared_features(RR, Z, SP, codes))[:, 1].reshape(len(batch), len(codes))
        elif stackers is not None and any(s is not None for s in stackers):
            SP, sup_ev = self.supervised_._score_batch(batch)
            RF = None
            if getattr(self, "rules_fitted_", None) is not None:
                self.rules_fitted_._matcher = self.rules_._matcher
                RF = self.rules_fitted_.raw_scores(batch)[0]
            for j, lr in enumerate(stackers):
                if lr is None:
                    continue
                F = np.column_stack([RR[:, j], Z[:, j], _logit(SP[:, j])]
                                    + ([RF[:, j]] if RF is not None else []))
                P[:, j] = lr.predict_proba(F)[:, 1]
        P = self._adapt_to_bundle(batch, P)
        # evidence: the indicator sentences; else the sentence the supervised model points to
        ev = []
        for i in range(len(batch)):
            d = dict(rule_ev[i])
            if sup_ev is not None:
                for c, lst in sup_ev[i].items():
                    d.setdefault(c, lst)
            ev.append(d)
        thr, classes = self._thresholds(), self.classes_
        missing = [(i, j) for i in range(len(batch)) for j in range(P.shape[1])
                   if classes[j] not in ev[i] and P[i, j] >= thr[j]]
        if missing:
            _, sem_sims = self.semantic_.raw_scores(batch)
            for i, j in missing:
                s = sem_sims[i]
                if len(s):
                    b = int(s[:, j].argmax())
                    ev[i][self.classes_[j]] = [
                        f"«{_short(batch.sentences[i][b])}» [gelijkenis {float(s[b, j]):.2f}]"]
        return P, ev


def _bootstrap_worse(M: np.ndarray, A: np.ndarray, B: np.ndarray, seed: int,
                     n_boot: int = 200) -> np.ndarray:
    """Per code, the share of bootstrap resamples of the segments in which decisions ``B``
    have a lower F1 than decisions ``A`` (the gate keeps the codebook only when the learned
    decisions are worse in nearly all of them: a noisy difference on a few examples is no
    reason to throw the learned evidence away)."""
    rng = np.random.default_rng(seed)
    n = len(M)
    W = rng.multinomial(n, np.full(n, 1.0 / n), size=n_boot).astype(float)   # (b, n)
    M, A, B = M.astype(bool), A.astype(bool), B.astype(bool)

    def f1(P):
        tp, fp, fn = W @ (M & P), W @ (~M & P), W @ (M & ~P)
        d = 2 * tp + fp + fn
        return np.where(d > 0, 2 * tp / np.where(d > 0, d, 1), 1.0)

    return (f1(B) < f1(A) - 1e-12).mean(0)


def default_coder(codebook: Any = "impact", embedder=None, **kwargs) -> EnsembleCoder:
    """The default coder: :class:`EnsembleCoder` on ``codebook``."""
    return EnsembleCoder(codebook, embedder=embedder, **kwargs)


def _segment_keys(batch: Batch) -> list[tuple[str, str]]:
    """(id, text) per segment: how a segment being coded is recognised as one with human
    codes from ``fit``."""
    return [(str(i), t) for i, t in zip(batch.ids, batch.texts)]


def _short(sentence: str, limit: int = 300) -> str:
    s = " ".join(sentence.split())
    return s if len(s) <= limit else s[: limit - 1] + "…"


def _sub(batch: Batch, mask: np.ndarray) -> Batch:
    idx = np.flatnonzero(mask)
    sub = Batch(ids=[batch.ids[i] for i in idx], texts=[batch.texts[i] for i in idx],
                sentences=[batch.sentences[i] for i in idx],
                tokens=[batch.tokens[i] for i in idx], empty=batch.empty[idx])
    # carry over the embeddings (no re-embedding of the same sentences)
    for key, val in batch._emb.items():
        if isinstance(val, tuple) and len(val) == 2 and isinstance(val[0], np.ndarray) \
                and isinstance(val[1], list) and len(val[0]) == len(batch) \
                and not key.startswith("_"):
            sub._emb[key] = (val[0][idx], [val[1][i] for i in idx])
    return sub


def _share_hits(batch, btr, bte, tr, te, rules, r) -> None:
    """Give the fold batches the indicator hits already found on the whole batch."""
    full = rules.hits(batch)
    key = "_rule_hits_" + str(id(r._matcher))
    btr._emb[key] = [full[i] for i in np.flatnonzero(tr)]
    bte._emb[key] = [full[i] for i in np.flatnonzero(te)]


def _folds(M: np.ndarray, k: int, seed: int) -> np.ndarray:
    """Fold number per row; rare codes spread over the folds first (greedy stratification)."""
    rng = np.random.default_rng(seed)
    n = len(M)
    order = rng.permutation(n)
    folds = np.full(n, -1)
    counts = np.zeros((k, M.shape[1]))
    sizes = np.zeros(k)
    freq = M.sum(0)
    # rows with rare codes first
    rarity = np.array([min([freq[j] for j in np.flatnonzero(M[i])] or [n + 1]) for i in order])
    for i in order[np.argsort(rarity, kind="stable")]:
        codes = np.flatnonzero(M[i])
        cost = sizes / max(1, n / k) + (counts[:, codes].sum(1) if len(codes) else 0)
        f = int(np.argmin(cost + rng.random(k) * 1e-6))
        folds[i] = f
        sizes[f] += 1
        counts[f, codes] += 1
    return folds


def _best_threshold(p: np.ndarray, y: np.ndarray) -> float:
    best, bt = -1.0, 0.5
    for t in np.linspace(0.1, 0.9, 33):
        pred = p >= t
        tp = float((pred & (y == 1)).sum())
        denom = pred.sum() + y.sum()
        f = 2 * tp / denom if denom else 0.0
        if f > best + 1e-9 or (abs(f - best) <= 1e-9 and abs(t - 0.5) < abs(bt - 0.5)):
            best, bt = f, t
    return float(bt)
