"""Honest evaluation of coding: per-code agreement statistics, micro/macro scores, track level,
and k-fold cross-validation of a coder.

Everything compares two codings in the *wide* shape (``verhalen.codes``): one row per segment
with columns ``id`` and ``codes`` (a list of code ids). Each code is scored as a binary
"present / absent" decision per segment, so for every code we get a 2 × 2 table (TP, FP, FN,
TN) from which precision, recall, F1, Cohen's kappa and Krippendorff's alpha (nominal, two
"coders": reference and prediction) follow.

Conventions (documented because they change the figures):

* Only segments present in *both* codings are compared. A segment missing from the prediction
  is an error unless ``allow_missing=True``; segments only in the prediction are ignored and
  counted.
* Precision of a code that was never predicted is 0 when the reference has it (the coder
  missed every instance) and undefined (NaN) when the reference does not have it either;
  likewise recall of a code the reference never has is 0 when the coder predicted it (false
  alarms) and NaN otherwise (as scikit-learn's ``zero_division=0`` for the codes in play).
  F1 = 2·TP / (2·TP + FP + FN), undefined when TP + FP + FN = 0.
* **Macro** scores average over the codes with support > 0 in the reference *or* at least one
  prediction: a code absent from both sides has no defined score and says nothing about the
  coder, while a code only the coder used counts (with F1 = 0) because it shows false alarms.
* **Micro** scores pool TP, FP and FN over all evaluated codes.
* Cohen's kappa and Krippendorff's alpha are undefined when a code is absent (or present)
  everywhere on both sides (expected disagreement 0); they are NaN and shown as "–". The mean
  kappa / alpha is taken over the codes where they are defined.
* **Tracks**: a segment has a track when any of its codes has weight > 0 on that track in the
  codebook; the three tracks are then scored like codes (micro and macro F1).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

import numpy as np
import pandas as pd

from .fouten import VerhalenFout
from .tracks import TRACKS, TRACK_LABELS

__all__ = [
    "Evaluation", "evaluate", "cross_validate", "cohen_kappa", "krippendorff_alpha_nominal",
    "binary_agreement", "iterative_stratification", "codes_to_matrix", "bootstrap_f1",
    "predictions_to_wide", "read_groups", "in_source_workflow",
]

DASH = "–"


# --------------------------------------------------------------------------------------------
# agreement statistics (numpy, no sklearn needed)
# --------------------------------------------------------------------------------------------
def cohen_kappa(a: Sequence[Any], b: Sequence[Any]) -> float:
    """Cohen's kappa of two raters over the same units (any hashable categories).

    kappa = (p_o − p_e) / (1 − p_e); NaN when p_e == 1 (both raters use one and the same
    category everywhere: agreement beyond chance is undefined).
    """
    a = list(a)
    b = list(b)
    if len(a) != len(b):
        raise ValueError("beide beoordelaars moeten evenveel eenheden hebben")
    n = len(a)
    if n == 0:
        return float("nan")
    cats = sorted(set(a) | set(b), key=repr)
    idx = {c: i for i, c in enumerate(cats)}
    table = np.zeros((len(cats), len(cats)), dtype=float)
    for x, y in zip(a, b):
        table[idx[x], idx[y]] += 1
    table /= n
    p_o = float(np.trace(table))
    p_e = float(table.sum(axis=1) @ table.sum(axis=0))
    if math.isclose(p_e, 1.0):
        return float("nan")
    return (p_o - p_e) / (1.0 - p_e)


def krippendorff_alpha_nominal(reliability_data: Any) -> float:
    """Krippendorff's alpha for nominal data.

    ``reliability_data``: array-like of shape (coders, units); ``nan`` (or ``None``) marks a
    missing value. Units with fewer than two values are not pairable and are skipped.
    alpha = 1 − D_o / D_e with the coincidence matrix o_ck = Σ_u (pairs c–k in u) / (m_u − 1).
    NaN when there is no variation at all (D_e == 0) or nothing is pairable.
    """
    data = np.array(reliability_data, dtype=object)
    if data.ndim != 2:
        raise ValueError("reliability_data moet de vorm (beoordelaars, eenheden) hebben")

    def missing(v: Any) -> bool:
        return v is None or (isinstance(v, float) and math.isnan(v))

    values = sorted({v for v in data.ravel() if not missing(v)}, key=repr)
    if not values:
        return float("nan")
    idx = {v: i for i, v in enumerate(values)}
    k = len(values)
    coinc = np.zeros((k, k), dtype=float)
    for u in range(data.shape[1]):
        col = [idx[v] for v in data[:, u] if not missing(v)]
        m = len(col)
        if m < 2:
            continue
        counts = np.bincount(col, minlength=k).astype(float)
        pairs = np.outer(counts, counts) - np.diag(counts)   # ordered pairs of different coders
        coinc += pairs / (m - 1)
    n_c = coinc.sum(axis=1)
    n = n_c.sum()
    if n <= 1:
        return float("nan")
    d_o = (n - np.trace(coinc)) / n
    d_e = (n * n - float(n_c @ n_c)) / (n * (n - 1))
    if d_e <= 0:
        return float("nan")
    return float(1.0 - d_o / d_e)


@dataclass
class _Counts:
    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def support(self) -> int:
        return self.tp + self.fn

    @property
    def predicted(self) -> int:
        return self.tp + self.fp


def binary_agreement(ref: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    """All statistics for one binary decision (present/absent) over the same segments."""
    ref = np.asarray(ref, dtype=bool)
    pred = np.asarray(pred, dtype=bool)
    c = _Counts(int((ref & pred).sum()), int((~ref & pred).sum()), int((ref & ~pred).sum()),
                int((~ref & ~pred).sum()))
    if c.predicted:
        precision = c.tp / c.predicted
    else:
        precision = 0.0 if c.fn else float("nan")
    if c.support:
        recall = c.tp / c.support
    else:
        recall = 0.0 if c.fp else float("nan")
    denom = 2 * c.tp + c.fp + c.fn
    f1 = 2 * c.tp / denom if denom else float("nan")
    n = len(ref)
    kappa = cohen_kappa(ref.tolist(), pred.tolist()) if n else float("nan")
    alpha = _alpha_binary(c) if n else float("nan")
    return {"support": c.support, "predicted": c.predicted, "TP": c.tp, "FP": c.fp, "FN": c.fn,
            "TN": c.tn, "precision": precision, "recall": recall, "F1": f1, "kappa": kappa,
            "alpha": alpha}


def _alpha_binary(c: _Counts) -> float:
    """Closed form of nominal alpha for two coders, binary values, no missing data:
    alpha = 1 − (n − 1) · D / (n_0 · n_1), n = 2N values, D = disagreeing units."""
    n = 2 * (c.tp + c.fp + c.fn + c.tn)
    n1 = 2 * c.tp + c.fp + c.fn
    n0 = n - n1
    if n0 == 0 or n1 == 0:
        return float("nan")
    return 1.0 - (n - 1) * (c.fp + c.fn) / (n0 * n1)


# --------------------------------------------------------------------------------------------
# input normalisation
# --------------------------------------------------------------------------------------------
def _as_code_list(v: Any) -> list[str]:
    if v is None:
        return []
    if isinstance(v, float) and math.isnan(v):
        return []
    if isinstance(v, str):
        return [c.strip() for c in v.split(";") if c.strip()]
    return [str(c) for c in v]


def _wide_map(wide: pd.DataFrame | Iterable[dict[str, Any]], what: str) -> dict[str, list[str]]:
    recs = wide.to_dict("records") if isinstance(wide, pd.DataFrame) else list(wide)
    out: dict[str, list[str]] = {}
    dups = []
    for n, rec in enumerate(recs, 1):
        if "id" not in rec:
            raise VerhalenFout(f"{what}, rij {n}: kolom 'id' ontbreekt.")
        sid = str(rec["id"])
        if sid in out:
            dups.append(sid)
        out[sid] = list(dict.fromkeys(_as_code_list(rec.get("codes"))))
    if dups:
        raise VerhalenFout(f"{what}: segment-id's komen meer dan eens voor: "
                           f"{', '.join(dups[:10])}{' …' if len(dups) > 10 else ''}.")
    return out


def codes_to_matrix(code_lists: Sequence[Sequence[str]], codes: Sequence[str]) -> np.ndarray:
    """List of code lists → 0/1 matrix (n, len(codes)); codes not in ``codes`` are ignored."""
    col = {c: j for j, c in enumerate(codes)}
    m = np.zeros((len(code_lists), len(codes)), dtype=np.int8)
    for i, cl in enumerate(code_lists):
        for c in cl:
            j = col.get(c)
            if j is not None:
                m[i, j] = 1
    return m


def _fmt(v: Any, digits: int = 2) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return DASH
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    return f"{float(v):.{digits}f}"


def _ci(bounds: Any) -> str:
    """Format a bootstrap interval as ' (95%-BI lo–hi)', or '' when there is none."""
    if not bounds or any(b is None or math.isnan(b) for b in bounds):
        return ""
    return f" (95%-BI {bounds[0]:.2f}–{bounds[1]:.2f})"


def _jsonable(v: Any) -> Any:
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return None if math.isnan(float(v)) else round(float(v), 4)
    return v


def _nanmean(values: Iterable[float]) -> float:
    vals = [v for v in values if v is not None and not math.isnan(v)]
    return float(np.mean(vals)) if vals else float("nan")


# --------------------------------------------------------------------------------------------
# the evaluation
# --------------------------------------------------------------------------------------------
@dataclass
class Evaluation:
    """Result of :func:`evaluate`.

    ``per_code``: one row per code (code, label, support, predicted, TP, FP, FN, precision,
    recall, F1, kappa, alpha); ``per_track``: the same for the three tracks (when a codebook
    was given); ``summary``: the overall figures (see :func:`evaluate`); ``missing``: ids only
    in the reference / only in the prediction.
    """

    per_code: pd.DataFrame
    summary: dict[str, Any]
    per_track: pd.DataFrame | None = None
    missing: dict[str, list[str]] = field(default_factory=dict)

    # -- views ----------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict (NaN → None, floats rounded to 4 decimals)."""
        return {
            "samenvatting": _jsonable(self.summary),
            "per_code": _jsonable(self.per_code.to_dict("records")),
            "per_spoor": (_jsonable(self.per_track.to_dict("records"))
                          if self.per_track is not None else None),
            "ontbrekend": {k: list(v) for k, v in self.missing.items()},
        }

    def to_text(self) -> str:
        """A Dutch, aligned plain-text report (what ``verhalen evalueer`` prints)."""
        s = self.summary
        lines = [
            f"Evaluatie van {s['n_segments']} segmenten (aanwezig in referentie én voorspelling)",
        ]
        miss_r = s.get("n_alleen_referentie", 0)
        miss_p = s.get("n_alleen_voorspelling", 0)
        if miss_r or miss_p:
            lines.append(f"  niet vergeleken: {miss_r} alleen in de referentie, "
                         f"{miss_p} alleen in de voorspelling")
        if s.get("onbekende_codes"):
            lines.append("  let op: codes die niet in het codeboek staan: "
                         + ", ".join(s["onbekende_codes"]))
        lines.append("")
        lines.extend(_table(self.per_code, "code"))
        lines.append("")
        lines.append(f"Micro   precisie {_fmt(s['micro_precision'])}  recall "
                     f"{_fmt(s['micro_recall'])}  F1 {_fmt(s['micro_f1'])}"
                     f"{_ci(s.get('micro_f1_bi'))}")
        lines.append(f"Macro   precisie {_fmt(s['macro_precision'])}  recall "
                     f"{_fmt(s['macro_recall'])}  F1 {_fmt(s['macro_f1'])}"
                     f"{_ci(s.get('macro_f1_bi'))}  "
                     f"(gemiddeld over {s['n_codes_macro']} codes met steun of voorspelling)")
        lines.append(f"Gemiddelde Cohen's kappa {_fmt(s['mean_kappa'])}   gemiddelde "
                     f"Krippendorff's alpha {_fmt(s['mean_alpha'])}   (over "
                     f"{s['n_codes_kappa']} codes waar ze bepaald zijn)")
        lines.append(f"Exacte overeenkomst (alle codes van een segment gelijk): "
                     f"{_fmt(s['exact_match'])}")
        if self.per_track is not None:
            lines.append("")
            lines.append("Na omzetten naar de drie sporen (een segment heeft een spoor als een "
                         "van zijn codes er gewicht > 0 op heeft):")
            lines.extend(_table(self.per_track, "spoor"))
            lines.append(f"Sporen  micro-F1 {_fmt(s['track_micro_f1'])}"
                         f"{_ci(s.get('track_micro_f1_bi'))}  macro-F1 "
                         f"{_fmt(s['track_macro_f1'])}")
        if s.get("per_groep"):
            lines.append("")
            lines.append(f"Kruisvalidatie per bron (telkens één bron buiten de training): "
                         f"{len(s['per_groep'])} bronnen; micro-F1 gemiddeld over de bronnen "
                         f"{_fmt(s['groep_gemiddelde_micro_f1'])}")
            w = max(len(g) for g in s["per_groep"])
            for g, v in s["per_groep"].items():
                lines.append(f"  {g:<{w}}  n {v['n']:4d}  micro-F1 {_fmt(v['micro_f1'])}  "
                             f"macro-F1 {_fmt(v['macro_f1'])}")
        elif "folds" in s:
            lines.append("")
            f1s = s.get("fold_micro_f1") or []
            lines.append(f"Kruisvalidatie: {s['folds']} folds; micro-F1 per fold "
                         + ", ".join(_fmt(v) for v in f1s)
                         + (f" (gemiddeld {_fmt(float(np.mean(f1s)))}, sd "
                            f"{_fmt(float(np.std(f1s)))})" if f1s else ""))
        return "\n".join(lines)

    def __str__(self) -> str:  # pragma: no cover - convenience
        return self.to_text()

    def _repr_html_(self) -> str:  # notebooks
        return "<pre>" + self.to_text().replace("&", "&amp;").replace("<", "&lt;") + "</pre>"


_HEADERS = [("support", "steun"), ("predicted", "voorsp"), ("TP", "TP"), ("FP", "FP"),
            ("FN", "FN"), ("precision", "precisie"), ("recall", "recall"), ("F1", "F1"),
            ("kappa", "kappa"), ("alpha", "alpha")]


def _table(df: pd.DataFrame, first: str) -> list[str]:
    key = "code" if first == "code" else "track"
    names = [str(v) for v in df[key]]
    w0 = max([len(first)] + [len(n) for n in names])
    cells = [[_fmt(rec[c]) for c, _ in _HEADERS] for rec in df.to_dict("records")]
    widths = [max([len(h)] + [len(row[j]) for row in cells]) for j, (_, h) in enumerate(_HEADERS)]
    head = f"{first:<{w0}}  " + "  ".join(f"{h:>{w}}" for (_, h), w in zip(_HEADERS, widths))
    out = [head, "-" * len(head)]
    for name, row in zip(names, cells):
        out.append(f"{name:<{w0}}  " + "  ".join(f"{v:>{w}}" for v, w in zip(row, widths)))
    return out


def _track_sets(code_lists: list[list[str]], weights: dict[str, dict[str, float]]) -> list[list[str]]:
    out = []
    for cl in code_lists:
        out.append([t for t in TRACKS if any(weights.get(c, {}).get(t, 0.0) > 0 for c in cl)])
    return out


def _codebook_weights(codebook: Any) -> dict[str, dict[str, float]]:
    return {c.id: {t: float(w) for t, w in (c.tracks or {}).items()} for c in codebook.codes}


def _rows(ref: np.ndarray, pred: np.ndarray, names: list[str], labels: dict[str, str],
          key: str) -> pd.DataFrame:
    rows = []
    for j, name in enumerate(names):
        stats = binary_agreement(ref[:, j], pred[:, j])
        rows.append({key: name, "label": labels.get(name, name), **stats})
    cols = [key, "label", "support", "predicted", "TP", "FP", "FN", "TN", "precision", "recall",
            "F1", "kappa", "alpha"]
    return pd.DataFrame(rows, columns=cols)


def _pooled(per: pd.DataFrame) -> dict[str, float]:
    tp, fp, fn = int(per["TP"].sum()), int(per["FP"].sum()), int(per["FN"].sum())
    p = tp / (tp + fp) if tp + fp else (0.0 if fn else float("nan"))
    r = tp / (tp + fn) if tp + fn else (0.0 if fp else float("nan"))
    f = 2 * tp / (2 * tp + fp + fn) if (2 * tp + fp + fn) else float("nan")
    active = per[(per["support"] > 0) | (per["predicted"] > 0)]
    return {
        "micro_precision": p, "micro_recall": r, "micro_f1": f,
        "macro_precision": _nanmean(active["precision"]), "macro_recall": _nanmean(active["recall"]),
        "macro_f1": _nanmean(active["F1"]), "n_active": int(len(active)),
    }


def bootstrap_f1(R: np.ndarray, P: np.ndarray, n_boot: int = 1000, random_state: int = 0,
                 level: float = 0.95) -> dict[str, tuple[float, float]]:
    """Percentile bootstrap intervals for micro- and macro-F1, resampling segments.

    ``R``/``P``: 0/1 matrices (segments × codes). Each resample draws the segments with
    replacement; macro-F1 averages over the codes active in that resample. Returns
    ``{"micro_f1": (lo, hi), "macro_f1": (lo, hi)}`` (NaN bounds when undefined).
    """
    R = np.asarray(R, dtype=bool)
    P = np.asarray(P, dtype=bool)
    n = R.shape[0]
    nan2 = (float("nan"), float("nan"))
    if n == 0 or n_boot <= 0 or R.shape[1] == 0:
        return {"micro_f1": nan2, "macro_f1": nan2}
    rng = np.random.default_rng(random_state)
    W = rng.multinomial(n, np.full(n, 1.0 / n), size=n_boot).astype(float)   # (B, n)
    TP = W @ (R & P)
    FP = W @ (~R & P)
    FN = W @ (R & ~P)
    denom = 2 * TP + FP + FN
    with np.errstate(invalid="ignore", divide="ignore"):
        micro = 2 * TP.sum(1) / denom.sum(1)
        per = np.where(denom > 0, 2 * TP / np.where(denom > 0, denom, 1), np.nan)
    active = denom > 0
    macro = np.array([per[b, active[b]].mean() if active[b].any() else np.nan
                      for b in range(n_boot)])
    q = [(1 - level) / 2 * 100, (1 + level) / 2 * 100]

    def interval(v: np.ndarray) -> tuple[float, float]:
        v = v[~np.isnan(v)]
        if not v.size:
            return nan2
        lo, hi = np.percentile(v, q)
        return float(lo), float(hi)

    return {"micro_f1": interval(micro), "macro_f1": interval(macro)}


def evaluate(reference_wide: pd.DataFrame | Iterable[dict[str, Any]],
             predicted_wide: pd.DataFrame | Iterable[dict[str, Any]],
             codebook: Any = None, codes: Sequence[str] | None = None, *,
             allow_missing: bool = False, n_bootstrap: int = 1000,
             reference_name: str = "referentie",
             prediction_name: str = "voorspelling") -> Evaluation:
    """Compare a predicted coding with a reference coding.

    ``reference_wide`` / ``predicted_wide``: wide frames (or records) with ``id`` and ``codes``.
    ``codebook``: a :class:`verhalen.codeboek.Codebook`; gives the code order, the labels
    and the track weights (track-level scores need it). ``codes``: evaluate exactly these codes
    (default: the codebook's codes plus any other code that occurs in the data, or, without a
    codebook, every code that occurs). ``allow_missing``: do not raise when reference ids are
    missing from the prediction (they are then left out and counted). ``n_bootstrap``:
    resamples for the 95 % bootstrap intervals of micro- and macro-F1 (0 = none; fixed seed).

    ``summary`` keys: n_segments, n_alleen_referentie, n_alleen_voorspelling, n_codes,
    micro_precision/recall/f1, macro_precision/recall/f1, n_codes_macro, mean_kappa,
    mean_alpha, n_codes_kappa, exact_match, track_micro_f1, track_macro_f1 (None without a
    codebook), micro_f1_bi / macro_f1_bi / track_micro_f1_bi (95 % bootstrap intervals over
    segments, ``[lo, hi]``), onbekende_codes.
    """
    ref = _wide_map(reference_wide, reference_name)
    pred = _wide_map(predicted_wide, prediction_name)
    only_ref = [i for i in ref if i not in pred]
    only_pred = [i for i in pred if i not in ref]
    if only_ref and not allow_missing:
        raise VerhalenFout(
            f"{prediction_name}: {len(only_ref)} segment(en) uit de {reference_name} ontbreken in "
            f"de {prediction_name}: {', '.join(only_ref[:10])}{' …' if len(only_ref) > 10 else ''}. "
            "Codeer alle segmenten van de referentie (of sta ontbrekende segmenten expliciet toe).")
    ids = [i for i in ref if i in pred]
    if not ids:
        raise VerhalenFout(f"{reference_name} en {prediction_name} hebben geen segment-id's "
                           "gemeen; is dit wel dezelfde set segmenten?")

    labels: dict[str, str] = {}
    unknown: list[str] = []
    seen = list(dict.fromkeys(c for i in ids for c in ref[i] + pred[i]))
    if codes is not None:
        code_list = list(dict.fromkeys(codes))
    elif codebook is not None:
        code_list = list(codebook.ids)
        unknown = [c for c in seen if c not in set(code_list)]
        code_list += unknown
    else:
        code_list = sorted(seen)
    if codebook is not None:
        labels = {c.id: c.label for c in codebook.codes}

    keep = set(code_list)
    ref_lists = [[c for c in ref[i] if c in keep] for i in ids]
    pred_lists = [[c for c in pred[i] if c in keep] for i in ids]
    R = codes_to_matrix(ref_lists, code_list)
    P = codes_to_matrix(pred_lists, code_list)
    per_code = _rows(R, P, code_list, labels, "code")
    pooled = _pooled(per_code)
    kappas = [v for v in per_code["kappa"] if not math.isnan(v)]
    alphas = [v for v in per_code["alpha"] if not math.isnan(v)]
    summary: dict[str, Any] = {
        "n_segments": len(ids),
        "n_alleen_referentie": len(only_ref),
        "n_alleen_voorspelling": len(only_pred),
        "n_codes": len(code_list),
        "micro_precision": pooled["micro_precision"], "micro_recall": pooled["micro_recall"],
        "micro_f1": pooled["micro_f1"],
        "macro_precision": pooled["macro_precision"], "macro_recall": pooled["macro_recall"],
        "macro_f1": pooled["macro_f1"], "n_codes_macro": pooled["n_active"],
        "mean_kappa": float(np.mean(kappas)) if kappas else float("nan"),
        "mean_alpha": float(np.mean(alphas)) if alphas else float("nan"),
        "n_codes_kappa": len(kappas),
        "exact_match": float(np.mean([set(a) == set(b) for a, b in zip(ref_lists, pred_lists)])),
        "track_micro_f1": None, "track_macro_f1": None,
        "onbekende_codes": unknown,
    }
    if n_bootstrap:
        ci = bootstrap_f1(R, P, n_boot=n_bootstrap)
        summary["micro_f1_bi"] = list(ci["micro_f1"])
        summary["macro_f1_bi"] = list(ci["macro_f1"])
    per_track = None
    if codebook is not None:
        weights = _codebook_weights(codebook)
        RT = codes_to_matrix(_track_sets(ref_lists, weights), TRACKS)
        PT = codes_to_matrix(_track_sets(pred_lists, weights), TRACKS)
        per_track = _rows(RT, PT, list(TRACKS), TRACK_LABELS, "track")
        tp = _pooled(per_track)
        summary["track_micro_f1"] = tp["micro_f1"]
        summary["track_macro_f1"] = tp["macro_f1"]
        if n_bootstrap:
            summary["track_micro_f1_bi"] = list(bootstrap_f1(RT, PT, n_boot=n_bootstrap)["micro_f1"])
    return Evaluation(per_code=per_code, summary=summary, per_track=per_track,
                      missing={"alleen_referentie": only_ref, "alleen_voorspelling": only_pred})


# --------------------------------------------------------------------------------------------
# cross-validation
# --------------------------------------------------------------------------------------------
def iterative_stratification(Y: Sequence[Sequence[str]], k: int = 5,
                             random_state: int | None = 0) -> np.ndarray:
    """Fold number (0..k-1) per sample, multi-label iterative stratification.

    Sechidis, Tsoumakas & Vlahavas (2011), "On the stratification of multi-label data": labels
    are handled rarest first; each sample carrying the current label goes to the fold that
    still needs that label most (ties: the fold that needs the most samples, then random).
    Samples without any label are spread over the folds that need samples most.
    """
    n = len(Y)
    if k < 2:
        raise VerhalenFout("kruisvalidatie heeft minstens 2 folds nodig.")
    if n < k:
        raise VerhalenFout(f"te weinig gecodeerde segmenten ({n}) voor {k} folds.")
    rng = np.random.default_rng(random_state)
    labels = sorted({c for y in Y for c in y})
    col = {c: j for j, c in enumerate(labels)}
    M = np.zeros((n, len(labels)), dtype=bool)
    for i, y in enumerate(Y):
        for c in y:
            M[i, col[c]] = True
    ratio = np.full(k, 1.0 / k)
    need_samples = ratio * n
    need_label = np.outer(ratio, M.sum(axis=0)).astype(float)   # (k, n_labels)
    fold = np.full(n, -1, dtype=int)
    remaining = np.ones(n, dtype=bool)

    def pick(cands: np.ndarray) -> int:
        best = cands[need_samples[cands] == need_samples[cands].max()]
        return int(rng.choice(best))

    while True:
        counts = (M & remaining[:, None]).sum(axis=0)
        live = np.flatnonzero(counts > 0)
        if live.size == 0:
            break
        lab = live[np.argmin(counts[live])]
        rows = np.flatnonzero(M[:, lab] & remaining)
        rng.shuffle(rows)
        for i in rows:
            need = need_label[:, lab]
            cands = np.flatnonzero(need == need.max())
            f = pick(cands)
            fold[i] = f
            remaining[i] = False
            need_label[f, M[i]] -= 1
            need_samples[f] -= 1
    rest = np.flatnonzero(remaining)
    rng.shuffle(rest)
    for i in rest:
        f = pick(np.arange(k))
        fold[i] = f
        need_samples[f] -= 1
    return fold


def _split_X(X: Any) -> tuple[pd.DataFrame | list[str], list[str], Callable[[np.ndarray], Any]]:
    if isinstance(X, pd.DataFrame):
        if "text" not in X.columns:
            raise VerhalenFout("kruisvalidatie: de segmenten hebben een kolom 'text' nodig.")
        ids = (X["id"].astype(str).tolist() if "id" in X.columns
               else [str(i) for i in range(len(X))])
        frame = X.reset_index(drop=True)
        return frame, ids, lambda idx: frame.iloc[idx].reset_index(drop=True)
    texts = [str(t) for t in X]
    ids = [str(i) for i in range(len(texts))]
    return texts, ids, lambda idx: [texts[i] for i in idx]


def _fresh(make_coder: Any) -> Any:
    if not isinstance(make_coder, type) and hasattr(make_coder, "fit"):   # instance: clone
        try:
            from sklearn.base import clone

            return clone(make_coder)
        except Exception:  # noqa: BLE001 - not sklearn-clonable: deep copy instead
            return copy.deepcopy(make_coder)
    return make_coder()


def predictions_to_wide(coder: Any, X: Any, ids: Sequence[str]) -> pd.DataFrame:
    """Code ``X`` with a fitted coder: its ``code(X)`` when it has one, else ``predict`` +
    ``predict_proba`` over ``coder.classes_``. Always returns id, codes, scores, evidence."""
    if hasattr(coder, "code"):
        wide = coder.code(X)
        wide = wide.copy()
        wide["id"] = list(ids)
        for col in ("scores", "evidence"):
            if col not in wide:
                wide[col] = [{} for _ in range(len(wide))]
        return wide[["id", "codes", "scores", "evidence"]]
    classes = list(coder.classes_)
    pred = np.asarray(coder.predict(X))
    proba = np.asarray(coder.predict_proba(X)) if hasattr(coder, "predict_proba") else None
    rows = []
    for i, sid in enumerate(ids):
        cl = [classes[j] for j in np.flatnonzero(pred[i])]
        sc = {classes[j]: float(proba[i, j]) for j in np.flatnonzero(pred[i])} if proba is not None else {}
        rows.append({"id": sid, "codes": cl, "scores": sc, "evidence": {}})
    return pd.DataFrame(rows, columns=["id", "codes", "scores", "evidence"])


def _fit(coder: Any, X: Any, Y: list, groups: Sequence[str] | None) -> Any:
    """``coder.fit(X, Y)``, passing ``groups`` when the coder's ``fit`` takes them."""
    import inspect

    if groups is not None:
        try:
            if "groups" in inspect.signature(coder.fit).parameters:
                return coder.fit(X, Y, groups=list(groups))
        except (TypeError, ValueError):  # pragma: no cover - builtins without a signature
            pass
    return coder.fit(X, Y)


def read_groups(path: Any, ids: Sequence[str] | None = None) -> dict[str, str]:
    """A groups file (CSV with columns ``id`` and ``group``, as ``../shared/gold/groups.csv``;
    ``bron`` is accepted for ``group``) → {segment id: source}. With ``ids``: every id must
    have a source (a clear Dutch error names the first ones missing)."""
    import csv
    from pathlib import Path

    p = Path(path)
    if not p.exists():
        raise VerhalenFout(f"{p}: groepenbestand bestaat niet.")
    with p.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        cols = reader.fieldnames or []
        gcol = next((c for c in ("group", "groep", "bron", "source") if c in cols), None)
        if "id" not in cols or gcol is None:
            raise VerhalenFout(f"{p}: verwacht de kolommen 'id' en 'group' (of 'bron'), "
                               f"gevonden: {', '.join(cols) or 'geen'}.")
        out: dict[str, str] = {}
        for n, row in enumerate(reader, 2):
            sid, grp = (row.get("id") or "").strip(), (row.get(gcol) or "").strip()
            if not sid or not grp:
                raise VerhalenFout(f"{p}, regel {n}: 'id' of '{gcol}' is leeg.")
            out[sid] = grp
    if ids is not None:
        missing = [i for i in ids if str(i) not in out]
        if missing:
            raise VerhalenFout(f"{p}: geen bron voor {len(missing)} segment(en): "
                               f"{', '.join(missing[:10])}{' …' if len(missing) > 10 else ''}.")
    return out


def cross_validate(make_coder: Callable[[], Any] | Any, X: Any, Y: Sequence[Sequence[str]],
                   k: int = 5, random_state: int = 0, codebook: Any = None, *,
                   progress: bool = True, groups: Sequence[str] | None = None,
                   learn: bool = True) -> tuple[Evaluation, pd.DataFrame]:
    """Cross-validation of a coder on a coded set.

    ``make_coder``: a zero-argument callable returning a fresh, unfitted coder (or an estimator
    instance, which is cloned per fold). ``X``: a segments DataFrame (``id``, ``text``) or a
    list of texts; ``Y``: one code list per segment.

    ``groups`` (the source of each segment) given: **leave one source out** — each fold is one
    source, the coder is fitted on the other sources (and gets their ``groups`` when its
    ``fit`` takes them) and codes the held-out source as one batch, as ``verhalen codeer``
    codes a new bundle. This is the honest figure: segments of one source share topic and
    wording, so random folds measure memory of the sources. ``summary`` then also has
    ``per_groep`` ({source: {n, micro_f1, macro_f1}}) and ``groep_gemiddelde_micro_f1`` (the
    mean over sources). Without ``groups``: k folds by multi-label iterative stratification
    with a fixed seed (optimistic on material that comes in sources).

    ``learn=False``: do not fit (zero-shot), only code each held-out fold — the zero-shot
    figure on the same folds.

    Returns the :class:`Evaluation` (``summary`` also has ``folds`` and ``fold_micro_f1``) and
    the pooled predicted wide frame (with a ``fold`` column).
    """
    from tqdm.auto import tqdm

    Y = [list(dict.fromkeys(_as_code_list(y))) for y in Y]
    _, ids, take = _split_X(X)
    if len(ids) != len(Y):
        raise VerhalenFout(f"kruisvalidatie: {len(ids)} segmenten maar {len(Y)} codelijsten.")
    if len(set(ids)) != len(ids):
        raise VerhalenFout("kruisvalidatie: segment-id's zijn niet uniek.")
    names: list[str] = []
    if groups is not None:
        groups = [str(g) for g in groups]
        if len(groups) != len(ids):
            raise VerhalenFout(f"kruisvalidatie: {len(ids)} segmenten maar {len(groups)} bronnen.")
        names = list(dict.fromkeys(groups))
        if len(names) < 2:
            raise VerhalenFout("kruisvalidatie per bron heeft minstens twee bronnen nodig.")
        folds = np.array([names.index(g) for g in groups])
        k = len(names)
    else:
        folds = iterative_stratification(Y, k=k, random_state=random_state)
    parts = []
    fold_f1 = []
    per_group: dict[str, dict[str, Any]] = {}
    for f in tqdm(range(k), desc="kruisvalidatie", unit="fold", disable=not progress):
        test = np.flatnonzero(folds == f)
        train = np.flatnonzero(folds != f)
        coder = _fresh(make_coder)
        if learn:
            _fit(coder, take(train), [Y[i] for i in train],
                 None if groups is None else [groups[i] for i in train])
        test_ids = [ids[i] for i in test]
        wide = predictions_to_wide(coder, take(test), test_ids)
        wide["fold"] = f
        parts.append(wide)
        ref_f = [{"id": ids[i], "codes": Y[i]} for i in test]
        s_f = evaluate(ref_f, wide, codebook=codebook, n_bootstrap=0).summary
        fold_f1.append(s_f["micro_f1"])
        if groups is not None:
            per_group[names[f]] = {"n": int(len(test)), "micro_f1": s_f["micro_f1"],
                                   "macro_f1": s_f["macro_f1"]}
    predicted = pd.concat(parts, ignore_index=True)
    order = {sid: n for n, sid in enumerate(ids)}
    predicted = predicted.sort_values("id", key=lambda s: s.map(order)).reset_index(drop=True)
    reference = [{"id": sid, "codes": y} for sid, y in zip(ids, Y)]
    ev = evaluate(reference, predicted, codebook=codebook)
    ev.summary["folds"] = k
    ev.summary["fold_micro_f1"] = [float(v) for v in fold_f1]
    ev.summary["random_state"] = random_state
    if groups is not None:
        ev.summary["per_groep"] = per_group
        ev.summary["groep_gemiddelde_micro_f1"] = _nanmean(v["micro_f1"] for v in per_group.values())
    return ev, predicted


def in_source_workflow(make_coder: Callable[[], Any] | Any, X: pd.DataFrame,
                       Y: Sequence[Sequence[str]], groups: Sequence[str], *,
                       ks: Sequence[int] = (0, 10, 20, 40), draws: int = 3,
                       with_others: Sequence[bool] = (False, True), active: bool = True,
                       min_rest: int = 10, codebook: Any = None,
                       random_state: int = 0) -> pd.DataFrame:
    """The researcher's workflow, per source: ``K`` segments of the source coded by hand, the
    coder learns from them (alone, or together with the other sources), codes the whole
    source as one batch (as ``verhalen codeer --menselijk`` does) and is scored on the rest of
    the source, next to the zero-shot coder on the same rest.

    A source takes part for a ``K`` when at least ``min_rest`` segments remain. The ``K``
    segments are ``draws`` random draws and, with ``active``, the pick of
    :func:`verhalen.coderen.actief_leren.suggest_next` (one batch of ``K``, asked of the coder
    before it saw any code of the source). ``K = 0`` with the other sources is leave-one-
    source-out. Returns one row per (source, K, others, pick): bron, K, met_andere_bronnen,
    keuze, n_rest, micro_f1, micro_f1_zero_shot.
    """
    Y = [list(dict.fromkeys(_as_code_list(y))) for y in Y]
    X = X.reset_index(drop=True)
    groups = np.array([str(g) for g in groups])
    if not (len(X) == len(Y) == len(groups)):
        raise VerhalenFout("werkwijze-benchmark: segmenten, codes en bronnen zijn niet even lang.")
    ids = X["id"].astype(str).tolist()
    rows = []

    def score(idx_rest, wide):
        ref = [{"id": ids[i], "codes": Y[i]} for i in idx_rest]
        keep = set(ids[i] for i in idx_rest)
        pred = wide[wide["id"].isin(keep)]
        return evaluate(ref, pred, codebook=codebook, n_bootstrap=0).summary["micro_f1"]

    for s in dict.fromkeys(groups):
        src = np.flatnonzero(groups == s)
        others = np.flatnonzero(groups != s)
        Xs = X.iloc[src].reset_index(drop=True)
        zs_wide = predictions_to_wide(_fresh(make_coder), Xs, [ids[i] for i in src])
        for K in ks:
            if len(src) < K + min_rest:
                continue
            picks: list[tuple[str, np.ndarray]] = []
            if K > 0:
                rng = np.random.default_rng(random_state)
                picks = [(f"willekeurig {d + 1}", rng.choice(src, K, replace=False))
                         for d in range(draws)]
            for with_o in with_others:
                if K == 0 and not with_o:
                    continue
                cand = list(picks)
                if K > 0 and active:
                    from .coderen.actief_leren import suggest_next
                    base = _fresh(make_coder)
                    if with_o:
                        _fit(base, X.iloc[others].reset_index(drop=True), [Y[i] for i in others],
                             [groups[i] for i in others])
                    sug = suggest_next(base, Xs, n=K)
                    pos = {sid: i for i, sid in zip(src, (ids[i] for i in src))}
                    cand.append(("actief leren", np.array([pos[i] for i in sug["id"]])))
                if K == 0:
                    cand = [("geen", np.array([], dtype=int))]
                for name, lab in cand:
                    train = np.concatenate([others, lab]) if with_o else lab
                    rest = np.setdiff1d(src, lab)
                    coder = _fresh(make_coder)
                    _fit(coder, X.iloc[train].reset_index(drop=True), [Y[i] for i in train],
                         [groups[i] for i in train])
                    wide = predictions_to_wide(coder, Xs, [ids[i] for i in src])
                    rows.append({"bron": s, "K": K, "met_andere_bronnen": bool(with_o),
                                 "keuze": name, "n_rest": int(len(rest)),
                                 "micro_f1": score(rest, wide),
                                 "micro_f1_zero_shot": score(rest, zs_wide)})
    return pd.DataFrame(rows, columns=["bron", "K", "met_andere_bronnen", "keuze", "n_rest",
                                       "micro_f1", "micro_f1_zero_shot"])
