"""The workbench's view of a project folder: documents, segments, machine proposals, the journal.

:class:`Werkbank` reads a folder written by ``verhalen lees`` / ``codeer`` / ``analyse`` once
(segments, documents, the codebook, the machine codes in ``codes.jsonl`` and, when present, the
proposals of a refit in :data:`PROPOSALS_FILE`) and answers the web app and the notebook widget:
the page data (:meth:`Werkbank.page`), one decision (:meth:`Werkbank.decide`, straight into the
:class:`verhalen.journaal.Journal`), the "worth coding next" queue (:meth:`Werkbank.queue`).

It never writes ``codes.jsonl``: machine proposals of a refit go to :data:`PROPOSALS_FILE`, the
held-out figures to :data:`HELDOUT_FILE`, human decisions only to the journal. Clients name
segments and codes by id only; every id is checked against the project before it is used.
"""

from __future__ import annotations

import json
import math
import re
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..fouten import VerhalenFout
from ..journaal import ACTIONS, CODE_ACTIONS, MAX_MEMO, MAX_NAME, Journal, JournaalFout
from ..tracks import TRACK_COLOURS, TRACK_LABELS, TRACKS

__all__ = ["Werkbank", "WerkbankFout", "PROPOSALS_FILE", "HELDOUT_FILE", "DEFAULT_CODER"]

PROPOSALS_FILE = "werkbank/voorstellen.jsonl"
HELDOUT_FILE = "werkbank/toetsing.json"
DEFAULT_CODER = "onderzoeker"
_NAME_RE = re.compile(r"^[\w .'@-]{1,%d}$" % MAX_NAME, re.UNICODE)
_EVIDENCE_RE = re.compile(r"«(.*?)»", re.S)


class WerkbankFout(VerhalenFout):
    """A project folder cannot be opened in the workbench, or a request is not valid."""


def check_coder_name(name: Any) -> str:
    """A coder's name: letters, digits, spaces and . ' @ - (at most 100 characters)."""
    if not isinstance(name, str) or not _NAME_RE.match(name.strip() or "!"):
        raise WerkbankFout("ongeldige naam van de codeur: gebruik letters, cijfers, spaties en "
                           ". ' @ - (hoogstens 100 tekens).")
    return name.strip()


def _read_jsonl(path: Path) -> list[dict]:
    out = []
    with path.open(encoding="utf-8-sig") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise WerkbankFout(f"{path}, regel {n}: geen geldige JSON ({exc.msg}).") from exc
    return out


def _finite(v: Any, default: float = 0.0) -> float:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return default
    return f if math.isfinite(f) else default


class Werkbank:
    """One project folder opened for reviewing (see the module docstring).

    ``folder``: a project folder with ``segments.jsonl``; ``coder``: the default coder name
    for decisions; ``codebook``: a Codebook, name or path (default: ``codeboek.yaml`` in the
    folder, else ``impact``).
    """

    def __init__(self, folder: str | Path, coder: str = DEFAULT_CODER, codebook: Any = None):
        from ..codeboek import load_codebook

        self.folder = Path(folder)
        if not (self.folder / "segments.jsonl").is_file():
            raise WerkbankFout(f"{self.folder}: geen projectmap (segments.jsonl ontbreekt); "
                               "maak er een met 'verhalen lees' of 'verhalen analyse'.")
        self.coder = check_coder_name(coder)
        if codebook is None:
            own = self.folder / "codeboek.yaml"
            codebook = own if own.is_file() else "impact"
        self.codebook = load_codebook(codebook)
        self.code_ids = list(self.codebook.ids)
        self._code_set = set(self.code_ids)
        self.journal = Journal.for_project(self.folder)
        self._lock = threading.RLock()
        self._load_segments()
        self._load_documents()
        self.machine = self._load_codes(self.folder / "codes.jsonl")
        self.proposals = self._load_codes(self.folder / PROPOSALS_FILE)
        self._views: dict[str, dict] = {}

    # ------------------------------------------------------------------------------- loading
    def _load_segments(self) -> None:
        recs = _read_jsonl(self.folder / "segments.jsonl")
        if not recs:
            raise WerkbankFout(f"{self.folder / 'segments.jsonl'}: bevat geen segmenten.")
        self.segments: dict[str, dict] = {}
        for n, r in enumerate(recs, 1):
            if "id" not in r or "text" not in r:
                raise WerkbankFout(f"{self.folder / 'segments.jsonl'}, regel {n}: elk segment "
                                   "heeft een 'id' en een 'text' nodig.")
            r["id"] = str(r["id"])
            r.setdefault("doc_id", r["id"])
            r["doc_id"] = str(r["doc_id"])
            self.segments[r["id"]] = r
        self.order = list(self.segments)

    def _load_documents(self) -> None:
        path = self.folder / "documents.jsonl"
        docs = {str(d["id"]): d for d in _read_jsonl(path)} if path.is_file() else {}
        self.documents: dict[str, dict] = {}
        for sid in self.order:
            did = self.segments[sid]["doc_id"]
            if did not in self.documents:
                d = docs.get(did, {})
                self.documents[did] = {"id": did, "titel": d.get("title") or did,
                                       "casus": d.get("case_id"), "datum": d.get("date"),
                                       "segmenten": []}
            self.documents[did]["segmenten"].append(sid)
        self._doc_text = {did: d.get("text") for did, d in docs.items()}

    def _load_codes(self, path: Path) -> dict[str, dict]:
        if not path.is_file():
            return {}
        out = {}
        for r in _read_jsonl(path):
            sid = str(r.get("id"))
            if sid in self.segments:
                out[sid] = r
        return out

    def reload_proposals(self) -> None:
        with self._lock:
            self.proposals = self._load_codes(self.folder / PROPOSALS_FILE)
            self._views.clear()

    # ------------------------------------------------------------------------------- checks
    def check_segment(self, segment_id: Any) -> str:
        if not isinstance(segment_id, str) or segment_id not in self.segments:
            raise WerkbankFout("onbekend segment: kies een segment van dit project.")
        return segment_id

    def check_document(self, doc_id: Any) -> str:
        if not isinstance(doc_id, str) or doc_id not in self.documents:
            raise WerkbankFout("onbekend document: kies een document van dit project.")
        return doc_id

    def check_code(self, code: Any) -> str:
        if not isinstance(code, str) or code not in self._code_set:
            raise WerkbankFout(f"onbekende code: kies een code uit het codeboek "
                               f"'{self.codebook.name}'.")
        return code

    # ------------------------------------------------------------------------------- views
    def codebook_view(self) -> list[dict]:
        out = []
        colours = self.codebook.colours()
        for n, c in enumerate(self.codebook.codes, 1):
            main = max(c.tracks, key=c.tracks.get) if c.tracks else None
            out.append({"id": c.id, "label": c.label, "nummer": n, "kleur": colours[c.id],
                        "definitie": c.definition, "sporen": dict(c.tracks),
                        "hoofdspoor": main})
        return out

    def _proposal(self, sid: str) -> tuple[dict, str]:
        """The current machine proposal of a segment: the refit's if there is one."""
        if sid in self.proposals:
            return self.proposals[sid], "herleerd"
        return self.machine.get(sid, {}), "machine"

    def _sentences(self, seg: dict, evidence: dict[str, list[str]]) -> list[dict]:
        """Sentence spans relative to the segment text, each with the codes whose evidence it is."""
        text = seg["text"]
        base = seg.get("start")
        spans = []
        for pair in seg.get("sentences") or []:
            try:
                a, b = int(pair[0]), int(pair[1])
            except (TypeError, ValueError, IndexError):
                continue
            if base is not None:
                a, b = a - int(base), b - int(base)
            if 0 <= a < b <= len(text):
                spans.append([a, b])
        if not spans:
            spans = [[0, len(text)]]
        marked: list[list[str]] = [[] for _ in spans]
        for code, items in evidence.items():
            for item in items or []:
                for quote in _EVIDENCE_RE.findall(str(item)) or [str(item)]:
                    q = quote.strip().rstrip("…").strip()
                    if len(q) < 8:
                        continue
                    for k, (a, b) in enumerate(spans):
                        s = text[a:b]
                        if q in s or (len(s.strip()) >= 8 and s.strip() in q):
                            if code not in marked[k]:
                                marked[k].append(code)
        return [{"van": a, "tot": b, "codes": m} for (a, b), m in zip(spans, marked)]

    def segment_view(self, sid: str) -> dict:
        with self._lock:
            v = self._views.get(sid)
            if v is None:
                v = self._views[sid] = self._build_view(sid)
            return v

    def _build_view(self, sid: str) -> dict:
        seg = self.segments[sid]
        prop, source = self._proposal(sid)
        codes = [c for c in prop.get("codes") or [] if c in self._code_set]
        scores = prop.get("scores") or {}
        evidence = {c: v for c, v in (prop.get("evidence") or {}).items() if c in self._code_set}
        kansen = {c: _finite(p) for c, p in (prop.get("kansen") or {}).items()
                  if c in self._code_set}
        voorstel = [{"code": c, "zekerheid": round(_finite(scores.get(c), 1.0), 3),
                     "bewijs": [str(e) for e in evidence.get(c, [])][:5]} for c in codes]
        probs = kansen or {c: _finite(scores.get(c), 1.0) for c in codes}
        onzeker = max((1.0 - abs(2.0 * p - 1.0) for p in probs.values()), default=0.0)
        meta = seg.get("meta") or {}
        return {
            "id": sid, "doc": seg["doc_id"], "nr": int(seg.get("index", 0) or 0),
            "tekst": seg["text"], "sectie": seg.get("section") or meta.get("titel") or "",
            "sprekers": [str(s) for s in seg.get("speakers") or []],
            "rollen": [str(r) for r in seg.get("roles") or []],
            "beurt": meta.get("beurt"),
            "zinnen": self._sentences(seg, evidence),
            "voorstel": voorstel, "bron": source, "onzekerheid": round(onzeker, 3),
        }

    def human_state(self, coder: str | None = None) -> dict[str, dict]:
        """segment id → the coder's derived state (codes, rejected, memo, reviewed)."""
        coder = coder or self.coder
        return {sid: {"codes": r["codes"], "verworpen": r["rejected"], "memo": r["memo"],
                      "klaar": bool(r["reviewed"]), "tijd": r["tijd"]}
                for sid, r in self.journal.states(coder).items() if sid in self.segments}

    def documents_view(self, state: dict[str, dict]) -> list[dict]:
        weights = {c.id: c.tracks for c in self.codebook.codes}
        out = []
        for d in self.documents.values():
            totals = dict.fromkeys(TRACKS, 0.0)
            n_rev = 0
            for sid in d["segmenten"]:
                h = state.get(sid)
                if h and h["klaar"]:
                    n_rev += 1
                    codes = h["codes"]
                else:
                    codes = [p["code"] for p in self.segment_view(sid)["voorstel"]]
                for c in codes:
                    for t, w in weights.get(c, {}).items():
                        if t in totals:
                            totals[t] += float(w)
            s = sum(totals.values())
            out.append({"id": d["id"], "titel": d["titel"], "casus": d["casus"],
                        "n_segmenten": len(d["segmenten"]), "n_beoordeeld": n_rev,
                        "profiel": {t: (round(v / s, 3) if s else 0.0)
                                    for t, v in totals.items()}})
        return out

    def page(self, coder: str | None = None) -> dict:
        """Everything the reader needs on first load (one request)."""
        coder = check_coder_name(coder or self.coder)
        state = self.human_state(coder)
        segs = [self.segment_view(sid) for sid in self.order]
        roles = sorted({r for s in segs for r in s["rollen"]})
        heldout = None
        hp = self.folder / HELDOUT_FILE
        if hp.is_file():
            try:
                heldout = json.loads(hp.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError):
                heldout = None
        return {
            "project": self.folder.name, "codeur": coder, "codeurs": self.journal.coders(),
            "codeboek": {"naam": self.codebook.name, "codes": self.codebook_view()},
            "sporen": [{"id": t, "label": TRACK_LABELS[t], "kleur": TRACK_COLOURS[t]}
                       for t in TRACKS],
            "rollen": roles, "documenten": self.documents_view(state), "segmenten": segs,
            "mens": state, "toetsing": heldout,
            "voorstellen_bron": "herleerd" if self.proposals else "machine",
        }

    # ------------------------------------------------------------------------------- actions
    def decide(self, *, segment_id: Any, action: Any, code: Any = None, memo: Any = None,
               coder: Any = None) -> dict:
        """Validate one decision, write it to the journal (durably) and return the new state."""
        coder = check_coder_name(coder or self.coder)
        sid = self.check_segment(segment_id)
        if action not in ACTIONS:
            raise WerkbankFout(f"onbekende actie; geldig zijn {', '.join(ACTIONS)}.")
        if action in CODE_ACTIONS:
            code = self.check_code(code)
        elif code is not None:
            raise WerkbankFout(f"bij '{action}' hoort geen code.")
        if action == "memo":
            if not isinstance(memo, str):
                raise WerkbankFout("een memo moet een tekst zijn.")
            if len(memo) > MAX_MEMO:
                raise WerkbankFout(f"de memo is langer dan {MAX_MEMO} tekens.")
        elif memo is not None:
            raise WerkbankFout(f"bij '{action}' hoort geen memo.")
        try:
            rec = self.journal.append(coder=coder, segment_id=sid, action=action, code=code,
                                      memo=memo)
        except JournaalFout as exc:
            raise WerkbankFout(str(exc)) from exc
        st = self.journal.segment_state(coder, sid) or {}
        return {"besluit": rec, "segment": sid,
                "mens": {"codes": st.get("codes", []), "verworpen": st.get("rejected", []),
                         "memo": st.get("memo", ""), "klaar": bool(st.get("reviewed")),
                         "tijd": st.get("tijd", "")}}

    # ------------------------------------------------------------------------------- queue
    def proba_matrix(self, ids: list[str]) -> np.ndarray:
        """Machine probabilities (segments × codebook codes) of the current proposals: the
        refit's full probabilities when there are, else the scores of the proposed codes (codes
        not proposed count as 0)."""
        col = {c: j for j, c in enumerate(self.code_ids)}
        P = np.zeros((len(ids), len(self.code_ids)))
        for i, sid in enumerate(ids):
            prop, _ = self._proposal(sid)
            probs = prop.get("kansen") or {c: prop.get("scores", {}).get(c, 1.0)
                                           for c in prop.get("codes") or []}
            for c, p in probs.items():
                if c in col:
                    P[i, col[c]] = _finite(p)
        return P

    def queue(self, n: int = 20, coder: str | None = None) -> list[dict]:
        """The ``n`` unreviewed segments most worth coding next (``suggest_next``, "gemengd":
        uncertainty of the current proposals and spread from what is already coded)."""
        from ..coderen.actief_leren import suggest_next

        coder = check_coder_name(coder or self.coder)
        n = max(1, min(int(n), 200))
        state = self.human_state(coder)
        done = [sid for sid, h in state.items() if h["klaar"]]
        frame = pd.DataFrame({"id": self.order,
                              "text": [self.segments[s]["text"] for s in self.order]})
        labelled = frame[frame["id"].isin(set(done))]
        out = suggest_next(_StoredProposals(self), frame, n=n, strategy="gemengd",
                           labelled=labelled if len(labelled) else None,
                           exclude_ids=done)
        return [{"id": r["id"], "rang": int(r["rang"]), "reden": r["reden"],
                 "onzekerheid": round(_finite(r["onzekerheid"]), 3)}
                for r in out.to_dict("records")]


class _StoredProposals:
    """The stored machine proposals as a fitted "coder" for ``suggest_next`` (no model load)."""

    def __init__(self, wb: Werkbank):
        self._wb = wb
        self.classes_ = list(wb.code_ids)
        self.threshold = 0.5

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        return self._wb.proba_matrix([str(i) for i in X["id"]])
