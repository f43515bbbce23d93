"""Learning in the loop: refit the coder on a researcher's codes, in the background.

:class:`Herleren` runs in a thread (one at a time per workbench) and reports its progress:

1. **honest held-out figure**: the researcher's reviewed segments are split into folds *by
   document* (a document is never in training and test at once, so a coder cannot score by
   recognising a document's wording); per fold a fresh coder is fitted on the other documents'
   human codes and codes the held-out ones. The pooled held-out predictions are compared with
   the researcher's codes per code (F1, Cohen's κ, Krippendorff's α via
   :func:`verhalen.evaluatie.evaluate`). This is *not* agreement on the training codes.
2. **new proposals**: a coder fitted on all the researcher's codes codes every segment; the
   proposals (with a probability per code, ``kansen``) are written to
   :data:`~verhalen.werkbank.project.PROPOSALS_FILE`, apart from ``codes.jsonl`` and from the
   journal, so no human decision is ever overwritten.
"""

from __future__ import annotations

import json
import threading
import time
import traceback
from datetime import datetime, timezone
from typing import Any, Callable

import numpy as np
import pandas as pd

from ..codes import codes_jsonl_text
from ..opslag import atomic_write_text
from .project import HELDOUT_FILE, PROPOSALS_FILE, Werkbank, WerkbankFout

__all__ = ["Herleren", "default_coder_factory", "group_folds", "MIN_SEGMENTS", "MIN_DOCUMENTS"]

MIN_SEGMENTS = 10
MIN_DOCUMENTS = 2


def default_coder_factory(codebook: Any) -> Callable[[], Any]:
    """Fresh EnsembleCoders sharing one embedder and spaCy pipeline (as ``verhalen codeer``)."""
    from ..coderen import EnsembleCoder
    from ..embed import get_embedder
    from ..nlp import load_nlp

    embedder = get_embedder(None, progress=False)
    nlp = load_nlp()
    return lambda: EnsembleCoder(codebook, embedder=embedder, nlp=nlp)


def group_folds(groups: list[str], k: int = 5) -> np.ndarray:
    """Fold number per item so that each group (document) is in exactly one fold; groups are
    dealt largest first to the fold with fewest items (balanced, deterministic)."""
    sizes: dict[str, int] = {}
    for g in groups:
        sizes[g] = sizes.get(g, 0) + 1
    k = max(2, min(k, len(sizes)))
    load = [0] * k
    fold_of = {}
    for g in sorted(sizes, key=lambda g: (-sizes[g], g)):
        f = min(range(k), key=lambda i: (load[i], i))
        fold_of[g] = f
        load[f] += sizes[g]
    return np.array([fold_of[g] for g in groups], dtype=int)


class Herleren:
    """The refit job of one workbench (``status()`` is what the progress bar shows)."""

    def __init__(self, wb: Werkbank, coder_factory: Callable[[Any], Callable[[], Any]] | None = None,
                 k: int = 5):
        self.wb = wb
        self.coder_factory = coder_factory or default_coder_factory
        self.k = k
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._status: dict[str, Any] = {"bezig": False, "stap": "", "voortgang": 0.0,
                                        "fout": None, "klaar": False}

    def status(self) -> dict:
        with self._lock:
            return dict(self._status)

    def _set(self, **kw) -> None:
        with self._lock:
            self._status.update(kw)

    def training_set(self, coder: str) -> tuple[pd.DataFrame, list[list[str]]]:
        state = self.wb.human_state(coder)
        ids = [sid for sid in self.wb.order if state.get(sid, {}).get("klaar")]
        X = pd.DataFrame({"id": ids, "text": [self.wb.segments[s]["text"] for s in ids],
                          "doc_id": [self.wb.segments[s]["doc_id"] for s in ids]})
        return X, [list(state[s]["codes"]) for s in ids]

    def start(self, coder: str | None = None) -> dict:
        """Start the refit in a background thread; refuses when one runs or too little is coded."""
        coder = coder or self.wb.coder
        X, Y = self.training_set(coder)
        if len(X) < MIN_SEGMENTS or X["doc_id"].nunique() < MIN_DOCUMENTS:
            raise WerkbankFout(
                f"te weinig gecodeerd om van te leren: {len(X)} beoordeelde segmenten uit "
                f"{X['doc_id'].nunique()} document(en); nodig zijn er minstens {MIN_SEGMENTS} "
                f"uit minstens {MIN_DOCUMENTS} documenten.")
        if not any(Y):
            raise WerkbankFout("er is nog geen enkele code toegekend om van te leren.")
        with self._lock:
            if self._status["bezig"]:
                raise WerkbankFout("het herleren loopt al; wacht tot het klaar is.")
            self._status = {"bezig": True, "stap": "voorbereiden", "voortgang": 0.0,
                            "fout": None, "klaar": False, "codeur": coder}
        self._thread = threading.Thread(target=self._run, args=(coder, X, Y), daemon=True,
                                        name="verhalen-herleren")
        self._thread.start()
        return self.status()

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self, coder: str, X: pd.DataFrame, Y: list[list[str]]) -> None:
        try:
            self.run(coder, X, Y)
        except Exception as exc:  # noqa: BLE001 - reported to the researcher, server goes on
            traceback.print_exc()
            self._set(bezig=False, fout=f"herleren mislukt: {exc}", stap="mislukt")

    def run(self, coder: str, X: pd.DataFrame, Y: list[list[str]]) -> dict:
        """The refit itself (synchronous; ``start`` runs it in a thread)."""
        from ..evaluatie import evaluate

        t0 = time.time()
        wb = self.wb
        self._set(stap="coder laden", voortgang=0.02)
        make = self.coder_factory(wb.codebook)
        folds = group_folds(X["doc_id"].tolist(), self.k)
        k = int(folds.max()) + 1
        steps = k + 1
        parts = []
        Xs = X[["id", "text"]]
        for f in range(k):
            self._set(stap=f"toetsing: deel {f + 1} van {k} (documenten apart gehouden)",
                      voortgang=0.05 + 0.9 * f / steps)
            train, test = np.flatnonzero(folds != f), np.flatnonzero(folds == f)
            coder_f = make()
            coder_f.fit(Xs.iloc[train].reset_index(drop=True), [Y[i] for i in train])
            wide = coder_f.code(Xs.iloc[test].reset_index(drop=True))
            wide = wide.assign(id=Xs["id"].iloc[test].tolist())
            parts.append(wide[["id", "codes"]])
        predicted = pd.concat(parts, ignore_index=True)
        reference = pd.DataFrame({"id": X["id"], "codes": Y})
        ev = evaluate(reference, predicted, codebook=wb.codebook, n_bootstrap=0)

        self._set(stap="nieuwe voorstellen voor alle segmenten", voortgang=0.05 + 0.9 * k / steps)
        final = make()
        final.fit(Xs, Y)
        all_X = pd.DataFrame({"id": wb.order, "text": [wb.segments[s]["text"] for s in wb.order]})
        wide = final.code(all_X).assign(id=wb.order)
        proba = np.asarray(final.predict_proba(all_X), dtype=float)
        classes = list(getattr(final, "classes_", wb.code_ids))
        lines = []
        for i, line in enumerate(codes_jsonl_text(wide).splitlines()):
            rec = json.loads(line)
            rec["source"] = "machine"
            rec["kansen"] = {c: round(float(proba[i, j]), 4) for j, c in enumerate(classes)}
            lines.append(json.dumps(rec, ensure_ascii=False) + "\n")
        per_code = []
        labels = wb.codebook.labels()
        for r in ev.to_dict()["per_code"]:
            per_code.append({"code": r["code"], "label": labels.get(r["code"], r["code"]),
                             "steun": r.get("support"), "voorspeld": r.get("predicted"),
                             "F1": r.get("F1"), "kappa": r.get("kappa"),
                             "alpha": r.get("alpha")})
        s = ev.to_dict()["samenvatting"]
        result = {
            "codeur": coder, "tijd": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "n_segmenten": len(X), "n_documenten": int(X["doc_id"].nunique()), "folds": k,
            "methode": ("kruisvalidatie gegroepeerd per document: elke voorspelling komt van "
                        "een coder die dat document nooit zag"),
            "micro_f1": s.get("micro_f1"), "gemiddelde_kappa": s.get("mean_kappa"),
            "gemiddelde_alpha": s.get("mean_alpha"), "per_code": per_code,
            "seconden": round(time.time() - t0, 1),
        }
        atomic_write_text(wb.folder / PROPOSALS_FILE, "".join(lines))
        atomic_write_text(wb.folder / HELDOUT_FILE,
                          json.dumps(result, ensure_ascii=False, indent=1))
        wb.reload_proposals()
        self._set(bezig=False, klaar=True, stap="klaar", voortgang=1.0, resultaat=result)
        return result
