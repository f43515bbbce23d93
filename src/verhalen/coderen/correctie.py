"""Learning as a correction of the codebook: the zero-shot coder is the prior, human codes
move it only as far as their evidence carries.

``fit_offset_logistic`` is a logistic regression whose linear predictor starts at the prior's
logit (an *offset*) and whose coefficients are pulled towards 0 by an L2 penalty: with no
evidence the model *is* the prior, and every added code moves it in proportion to what it
shows (a Bayesian update with a Gaussian prior on the corrections, MAP estimate).

``learning_report`` turns a fitted coder's ``learning_report_`` into a JSON-able dict: per code
whether the learned correction or the codebook decides, and why.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["fit_offset_logistic", "learning_report", "sigmoid", "logit", "best_threshold",
           "micro_f1", "adapt_to_bundle"]


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))


def logit(p):
    p = np.clip(np.asarray(p, dtype=float), 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


def fit_offset_logistic(F: np.ndarray, y: np.ndarray, offset: np.ndarray,
                        penalty: float | np.ndarray = 1.0,
                        sample_weight: np.ndarray | None = None) -> np.ndarray:
    """Coefficients ``b`` maximising Σ w·log-lik(y | offset + F·b) − ½ Σ penalty·b²."""
    from scipy.optimize import minimize

    F = np.asarray(F, dtype=float)
    y = np.asarray(y, dtype=float)
    off = np.asarray(offset, dtype=float)
    w = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    pen = np.broadcast_to(np.asarray(penalty, dtype=float), (F.shape[1],))

    def loss(b):
        z = off + F @ b
        nll = (w * (y * np.logaddexp(0, -z) + (1 - y) * np.logaddexp(0, z))).sum()
        grad = -(F.T @ (w * (y - sigmoid(z)))) + pen * b
        return nll + 0.5 * float((pen * b * b).sum()), grad

    res = minimize(loss, np.zeros(F.shape[1]), jac=True, method="L-BFGS-B")
    return res.x


def adapt_to_bundle(A: np.ndarray, V: np.ndarray, labelled: np.ndarray, Y: np.ndarray,
                    penalty: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Adapt logits ``A`` (segments × codes) of a bundle to the human codes ``Y`` of some of
    its own segments (rows ``labelled``).

    Per code an offset logistic regression (:func:`fit_offset_logistic`) on the segment
    vectors ``V`` centred on the bundle's mean, plus a constant, with the current logit as
    offset and an L2 penalty: segments near the coded ones move towards their codes, a
    code's rate moves towards its rate among the coded ones, and with few codes the shift
    stays small. Segments of one bundle share topic, people and wording, so what holds among
    its coded segments carries to the rest of *that* bundle (and nowhere else: nothing of it
    is kept for other material). Measured on dev.jsonl with 10/20/40 coded segments of a
    source (benchmarks/coding_quality.py). Returns (adapted logits, per-code constant shift).
    """
    A = np.asarray(A, dtype=float)
    labelled = np.asarray(labelled, dtype=int)
    V = np.asarray(V, dtype=float)
    V = V / (np.linalg.norm(V, axis=1, keepdims=True) + 1e-12)
    F = np.hstack([V - V.mean(0), np.ones((len(V), 1))])
    out, shift = A.copy(), np.zeros(A.shape[1])
    if not len(labelled):
        return out, shift
    for j in range(A.shape[1]):
        b = fit_offset_logistic(F[labelled], Y[:, j], A[labelled, j], penalty)
        out[:, j] = A[:, j] + F @ b
        shift[j] = b[-1]
    return out, shift


def micro_f1(y: np.ndarray, pred: np.ndarray) -> float:
    y = np.asarray(y, dtype=bool)
    pred = np.asarray(pred, dtype=bool)
    denom = y.sum() + pred.sum()
    return float(2 * (y & pred).sum() / denom) if denom else float("nan")


def best_threshold(p: np.ndarray, y: np.ndarray, grid=None) -> float:
    """The threshold with the best (micro-)F1 of ``p >= t`` against ``y``; ties go to the
    threshold nearest 0.5."""
    grid = np.linspace(0.1, 0.9, 33) if grid is None else grid
    p, y = np.ravel(p), np.ravel(y).astype(bool)
    best, bt = -1.0, 0.5
    for t in grid:
        f = micro_f1(y, p >= t)
        f = -1.0 if math.isnan(f) else f
        if f > best + 1e-9 or (abs(f - best) <= 1e-9 and abs(t - 0.5) < abs(bt - 0.5)):
            best, bt = f, float(t)
    return bt


def _clean(v: Any) -> Any:
    if isinstance(v, dict):
        return {str(k): _clean(x) for k, x in v.items()}
    if isinstance(v, (list, tuple, np.ndarray)):
        return [_clean(x) for x in v]
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return None if math.isnan(float(v)) else round(float(v), 4)
    return v


def learning_report(coder: Any) -> dict[str, Any]:
    """What a fitted coder learned, as a JSON-able dict (for ``methode.json`` and the method
    appendix of the report). A coder without human codes reports that the codebook decides
    every code."""
    rep = getattr(coder, "learning_report_", None)
    if rep is None:
        classes = list(getattr(coder, "classes_", []))
        return {"geleerd": False, "n_training": 0,
                "uitleg": "geen menselijke codes: elke code komt uit het codeboek (zero-shot).",
                "codes": {c: {"besluit": "codeboek", "reden": "geen menselijke codes"}
                          for c in classes}}
    return _clean(rep)
