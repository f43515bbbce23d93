"""Agreement between coders, and between each coder and the machine, per code.

The machine is ``codes.jsonl`` (what the coder proposed before learning from anyone here), not
the proposals of a refit, which learned from these coders. Only segments both sides *reviewed*
(and, for the machine, coded) are compared (a segment one coder has not seen says nothing
about agreement). Each code is a present/absent decision per segment: Cohen's κ and
Krippendorff's α (nominal) from :mod:`verhalen.evaluatie`, plus the share of segments where both
agree. With three or more coders, α over all coders at once (missing values where a coder did
not review a segment) is given too.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..evaluatie import binary_agreement, krippendorff_alpha_nominal
from .project import Werkbank, check_coder_name

__all__ = ["agreement", "pair_agreement"]


def _num(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return round(f, 3) if math.isfinite(f) else None


def pair_agreement(wb: Werkbank, a: dict[str, list[str]], b: dict[str, list[str]],
                   name_a: str, name_b: str) -> dict:
    """Per-code agreement of two codings (segment id → codes) on their shared segments."""
    ids = [sid for sid in wb.order if sid in a and sid in b]
    labels = wb.codebook.labels()
    rows = []
    for code in wb.code_ids:
        x = np.array([code in a[s] for s in ids], dtype=bool)
        y = np.array([code in b[s] for s in ids], dtype=bool)
        st = binary_agreement(x, y) if ids else {}
        rows.append({"code": code, "label": labels.get(code, code),
                     "n_a": int(x.sum()), "n_b": int(y.sum()),
                     "eens": _num((x == y).mean()) if ids else None,
                     "kappa": _num(st.get("kappa")), "alpha": _num(st.get("alpha"))})
    kappas = [r["kappa"] for r in rows if r["kappa"] is not None]
    alphas = [r["alpha"] for r in rows if r["alpha"] is not None]
    return {"a": name_a, "b": name_b, "n_segmenten": len(ids), "per_code": rows,
            "gemiddelde_kappa": _num(np.mean(kappas)) if kappas else None,
            "gemiddelde_alpha": _num(np.mean(alphas)) if alphas else None}


def agreement(wb: Werkbank, coder_a: str | None = None, coder_b: str | None = None) -> dict:
    """The agreement page: coder A vs coder B, each coder vs the machine, α over all coders."""
    coders = wb.journal.coders()
    for name in (coder_a, coder_b):
        if name is not None:
            check_coder_name(name)
    if coder_a is None and coders:
        coder_a = coders[0]
    if coder_b is None:
        coder_b = next((c for c in coders if c != coder_a), None)
    coded = {c: {sid: h["codes"] for sid, h in wb.human_state(c).items() if h["klaar"]}
             for c in coders}
    # the machine as it coded before any human code (codes.jsonl): the proposals of a refit
    # learned from these very coders, so agreeing with them would flatter the machine
    machine = {sid: [c for c in rec.get("codes") or [] if c in wb.code_ids]
               for sid, rec in wb.machine.items()}
    out: dict[str, Any] = {"codeurs": coders, "a": coder_a, "b": coder_b, "tussen": None,
                           "machine": [], "alle_codeurs": None}
    if coder_a in coded and coder_b in coded and coder_a != coder_b:
        out["tussen"] = pair_agreement(wb, coded[coder_a], coded[coder_b], coder_a, coder_b)
    for c in coders:
        out["machine"].append(pair_agreement(wb, coded[c], machine, c, "machine"))
    if len(coders) >= 3:
        ids = [s for s in wb.order if sum(s in coded[c] for c in coders) >= 2]
        per = []
        for code in wb.code_ids:
            data = [[(code in coded[c][s]) if s in coded[c] else None for s in ids]
                    for c in coders]
            per.append({"code": code, "alpha": _num(krippendorff_alpha_nominal(data))})
        out["alle_codeurs"] = {"n_segmenten": len(ids), "per_code": per}
    return out
