"""Best-evidenced quotes per code (and per code × document) for reports and quote matrices."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..fouten import VerhalenFout
from .profiel import _prepare

QUOTE_COLUMNS = ["code", "label", "doc_id", "title", "segment_id", "citaat", "speakers", "roles",
                 "score", "start", "end", "section"]

#: Ranking bonus of a quote with a named speaker, and of one with an evidence sentence;
#: penalty of a question (usually the interviewer's, rarely a good quote).
SPEAKER_BONUS = 0.15
EVIDENCE_BONUS = 0.05
QUESTION_PENALTY = 0.1

_QUOTE_MARKS = "\"“”„‘’'«»"

_EVIDENCE = re.compile(r"^\s*«(?P<zin>.*)»\s*(\[[^\]]*\])?\s*$", re.S)


def evidence_sentence(evidence: str) -> str:
    """The sentence of a coder's evidence string (``«zin» [indicatoren]`` → ``zin``)."""
    m = _EVIDENCE.match(str(evidence))
    return _clean(m.group("zin") if m else str(evidence))


def _clean(text: str) -> str:
    """Normalise whitespace and drop a quotation mark left dangling by sentence splitting."""
    text = " ".join(str(text).split())
    for _ in range(2):
        if text[-1:] in _QUOTE_MARKS and sum(text.count(q) for q in _QUOTE_MARKS) % 2:
            text = text[:-1].rstrip()
        if text[:1] in _QUOTE_MARKS and sum(text.count(q) for q in _QUOTE_MARKS) % 2:
            text = text[1:].lstrip()
    return text


def shorten(text: str, limit: int = 240) -> str:
    """Whitespace-normalised text of at most ``limit`` characters, cut at a word (…)."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut + "…"


def _locate(quote: str, seg_text: str, seg_start, seg_end) -> tuple:
    """Document offsets of ``quote`` inside its segment (the segment's own when not found)."""
    try:
        s0, s1 = int(seg_start), int(seg_end)
    except (TypeError, ValueError):
        return None, None
    probe = quote.rstrip("…").strip()
    if probe:
        # whitespace may differ between the evidence and the segment: match on a regex
        words = [re.escape(w) for w in probe.split()]
        m = re.search(r"\s+".join(words), seg_text or "")
        if m:
            return s0 + m.start(), s0 + m.end()
    return s0, s1


def _speaker_text(v) -> list:
    if isinstance(v, (list, tuple, np.ndarray)):
        return [str(x) for x in v if x is not None and str(x).strip()]
    if v is None or (isinstance(v, float) and np.isnan(v)) or not str(v).strip():
        return []
    return [str(v)]


def _candidates(segments_df, codes_long, codebook, limit: int) -> pd.DataFrame:
    segs, long = _prepare(segments_df, codes_long, codebook, needed=("doc_id", "text"))
    cols = [c for c in ("id", "doc_id", "title", "text", "speakers", "roles", "start", "end",
                        "section", "index") if c in segs.columns]
    m = long.merge(segs[cols], left_on="segment_id", right_on="id", how="inner")
    if m.empty:
        return m
    m["_order"] = m["segment_id"].map({s: i for i, s in enumerate(segs["id"])})
    labels = codebook.labels()
    m["label"] = m["code"].map(labels)
    if "title" not in m.columns:
        m["title"] = m["doc_id"]
    m["title"] = [t if isinstance(t, str) and t.strip() else d
                  for t, d in zip(m["title"], m["doc_id"])]
    m["speakers"] = [_speaker_text(v) for v in m.get("speakers", [None] * len(m))]
    m["roles"] = [_speaker_text(v) for v in m.get("roles", [None] * len(m))]
    for col in ("start", "end", "section"):
        if col not in m.columns:
            m[col] = None
    citaat, start, end, has_ev = [], [], [], []
    for ev, text, s0, s1 in zip(m["evidence"], m["text"], m["start"], m["end"]):
        sent = evidence_sentence(ev[0]) if ev else ""
        has_ev.append(bool(sent))
        q = shorten(sent if sent else _clean(text), limit)
        a, b = _locate(q, text, s0, s1)
        citaat.append(q)
        start.append(a)
        end.append(b)
    m["citaat"], m["start"], m["end"] = citaat, start, end
    m["_rank"] = (m["score"].astype(float)
                  + SPEAKER_BONUS * m["speakers"].map(bool).astype(float)
                  + EVIDENCE_BONUS * np.asarray(has_ev, dtype=float)
                  - QUESTION_PENALTY * np.asarray([c.endswith("?") for c in citaat], dtype=float))
    m = m[m["citaat"].str.len() > 0]
    return m.sort_values(["_rank", "_order"], ascending=[False, True], kind="stable")


def _spread(cands: pd.DataFrame, n: int) -> pd.DataFrame:
    """Up to ``n`` best candidates, one per document first, then the next best."""
    first = cands.drop_duplicates("doc_id", keep="first")
    picked = first.head(n)
    if len(picked) < n:
        rest = cands.drop(index=picked.index)
        picked = pd.concat([picked, rest.head(n - len(picked))])
    return picked.sort_values(["_rank", "_order"], ascending=[False, True], kind="stable")


def best_quotes(segments_df: pd.DataFrame, codes_long: pd.DataFrame, codebook, *, n: int = 3,
                per: str = "code", limit: int = 240) -> pd.DataFrame:
    """The best-evidenced quotes per code (``per="code"``) or per code × document
    (``per="code_doc"``).

    A quote is the coder's evidence sentence for that code (``«zin» [..]`` unwrapped) or, when
    there is none, the segment text, shortened to ``limit`` characters. Candidates are ranked by
    confidence with a bonus for a named speaker (``SPEAKER_BONUS``) and for an evidence
    sentence (``EVIDENCE_BONUS``) and a penalty for a question (``QUESTION_PENALTY``); at most
    one quote per segment per code; with ``per="code"`` quotes are spread over documents (one
    per document before a second from the same one).
    ``start``/``end`` are the quote's offsets in its document's text (the segment's when the
    sentence cannot be found in it). Rows in codebook order, best first.
    """
    if per not in ("code", "code_doc"):
        raise VerhalenFout(f"best_quotes: per moet 'code' of 'code_doc' zijn, niet {per!r}.")
    if n < 1:
        raise VerhalenFout(f"best_quotes: n moet minstens 1 zijn, niet {n}.")
    cands = _candidates(segments_df, codes_long, codebook, limit)
    if cands.empty:
        return pd.DataFrame(columns=QUOTE_COLUMNS)
    rank = {c: i for i, c in enumerate(codebook.ids)}
    if per == "code":
        parts = [_spread(sub, n) for _, sub in
                 sorted(cands.groupby("code", sort=False), key=lambda kv: rank[kv[0]])]
        out = pd.concat(parts, ignore_index=True)
    else:
        # best n per code × document; documents in corpus order within a code
        out = cands.groupby(["code", "doc_id"], sort=False).head(n).copy()
        first = cands.groupby("doc_id")["_order"].min()
        out["_r"] = out["code"].map(rank)
        out["_d"] = out["doc_id"].map(first)
        out = out.sort_values(["_r", "_d", "_rank", "_order"],
                              ascending=[True, True, False, True], kind="stable")
    out["score"] = out["score"].astype(float)
    return out[QUOTE_COLUMNS].reset_index(drop=True)
