"""Codes as data: the interchange between the coders and every later stage.

Two shapes:

* **wide** (one row per segment, as in ``codes.jsonl``): columns ``id``, ``codes`` (list),
  ``scores`` (dict code → confidence), ``evidence`` (dict code → list of sentences);
* **long** (one row per segment × code, for tables and figures): columns ``segment_id``,
  ``code``, ``score``, ``evidence`` (list of str), ``source`` (``"machine"`` or ``"mens"``),
  ``coder``.

Human codes are kept apart from machine codes (``source == "mens"``) and are never
overwritten: writers refuse an existing file unless told to overwrite.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable

import pandas as pd

from .fouten import VerhalenFout
from .model import read_jsonl
from .opslag import atomic_write_text, refuse_overwrite

LONG_COLUMNS = ["segment_id", "code", "score", "evidence", "source", "coder"]


def empty_long() -> pd.DataFrame:
    return pd.DataFrame(columns=LONG_COLUMNS)


def wide_to_long(wide: pd.DataFrame | Iterable[dict[str, Any]], source: str = "machine",
                 coder: str = "") -> pd.DataFrame:
    """``{"id","codes","scores","evidence"}`` rows → long rows (one per assigned code)."""
    recs = wide.to_dict("records") if isinstance(wide, pd.DataFrame) else list(wide)
    rows = []
    for rec in recs:
        scores = rec.get("scores") or {}
        evidence = rec.get("evidence") or {}
        for code in rec.get("codes") or []:
            rows.append({
                "segment_id": str(rec["id"]), "code": code,
                "score": float(scores.get(code, 1.0)),
                "evidence": list(evidence.get(code, [])),
                "source": rec.get("source", source), "coder": rec.get("coder", coder),
            })
    return pd.DataFrame(rows, columns=LONG_COLUMNS) if rows else empty_long()


def long_to_wide(long: pd.DataFrame, segment_ids: Iterable[str] | None = None) -> pd.DataFrame:
    """Long rows → one row per segment (segments without codes get an empty list)."""
    by_seg: dict[str, dict[str, Any]] = {}
    order = list(segment_ids) if segment_ids is not None else []
    for sid in order:
        by_seg[str(sid)] = {"id": str(sid), "codes": [], "scores": {}, "evidence": {}}
    for rec in long.to_dict("records"):
        sid = str(rec["segment_id"])
        row = by_seg.setdefault(sid, {"id": sid, "codes": [], "scores": {}, "evidence": {}})
        if rec["code"] not in row["codes"]:
            row["codes"].append(rec["code"])
        row["scores"][rec["code"]] = float(rec.get("score", 1.0))
        ev = rec.get("evidence")
        row["evidence"][rec["code"]] = list(ev) if isinstance(ev, (list, tuple)) else []
    return pd.DataFrame(list(by_seg.values()), columns=["id", "codes", "scores", "evidence"])


def read_codes(path: str | Path) -> pd.DataFrame:
    """Read codes (human or machine) from JSONL (``{"id","codes",...}``) or CSV.

    CSV: a column ``id`` and a column ``codes`` with codes separated by ``;`` (or one row per
    id × code with a column ``code``). Returns the wide shape; lines keep extra fields
    (e.g. ``text``) as columns.
    """
    path = Path(path)
    if not path.exists():
        raise VerhalenFout(f"{path}: bestand met codes bestaat niet.")
    if path.suffix.lower() == ".csv":
        try:
            df = pd.read_csv(path, dtype=str).fillna("")
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError,
                ValueError) as exc:
            raise VerhalenFout(f"{path}: geen leesbare CSV met codes (UTF-8, kolommen 'id' en "
                               f"'codes'): {str(exc).strip()}") from exc
        if "id" not in df.columns:
            raise VerhalenFout(f"{path}: de CSV heeft een kolom 'id' nodig.")
        if "codes" in df.columns:
            df["codes"] = df["codes"].map(lambda s: [c.strip() for c in s.split(";") if c.strip()])
        elif "code" in df.columns:
            df = (df.groupby("id", sort=False)["code"]
                  .agg(lambda s: [c for c in s if c]).rename("codes").reset_index())
        else:
            raise VerhalenFout(f"{path}: de CSV heeft een kolom 'codes' (of 'code') nodig.")
        recs = df.to_dict("records")
    else:
        recs = read_jsonl(path)
        for n, rec in enumerate(recs, 1):
            if "id" not in rec:
                raise VerhalenFout(f"{path}, regel {n}: 'id' ontbreekt.")
            codes = rec.get("codes", [])
            if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
                raise VerhalenFout(f"{path}, regel {n}: 'codes' moet een lijst van code-namen zijn.")
    df = pd.DataFrame(recs)
    if df.empty:
        return pd.DataFrame(columns=["id", "codes", "scores", "evidence"])
    df["id"] = df["id"].astype(str)
    if "codes" not in df:
        df["codes"] = [[] for _ in range(len(df))]
    for col in ("scores", "evidence"):
        if col not in df:
            df[col] = [{} for _ in range(len(df))]
    return df


def write_codes_jsonl(wide: pd.DataFrame, path: str | Path, overwrite: bool = False) -> Path:
    """Write the wide shape as JSONL, atomically; refuses an existing file unless ``overwrite``."""
    path = refuse_overwrite(path, overwrite)
    return atomic_write_text(path, codes_jsonl_text(wide))


def codes_jsonl_text(wide: pd.DataFrame) -> str:
    """The wide shape as the text of a codes JSONL file (one segment per line)."""
    lines = []
    for rec in wide.to_dict("records"):
        out = {"id": str(rec["id"]), "codes": list(rec.get("codes") or []),
               "scores": {k: round(float(v), 4) for k, v in (rec.get("scores") or {}).items()},
               "evidence": {k: list(v) for k, v in (rec.get("evidence") or {}).items()}}
        if rec.get("source") in ("machine", "mens"):
            out["source"] = rec["source"]
        lines.append(json.dumps(out, ensure_ascii=False) + "\n")
    return "".join(lines)


def read_training_codes(path: str | Path, codebook) -> tuple[pd.DataFrame, list[list[str]]]:
    """Coded segments to learn from (lines ``{"id","text","codes"}``) → ``(X, Y)``: a
    DataFrame with ``id``/``text`` and the code lists. Every code must be in ``codebook``
    (a close match is suggested); errors name the file and line."""
    import difflib

    path = Path(path)
    recs = read_jsonl(path)
    if not recs:
        raise VerhalenFout(f"{path}: bevat geen gecodeerde segmenten.")
    known = set(codebook.ids)
    for n, rec in enumerate(recs, 1):
        if "text" not in rec or "codes" not in rec:
            raise VerhalenFout(f"{path}, regel {n}: elke regel heeft 'text' en 'codes' nodig.")
        codes = rec["codes"]
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            raise VerhalenFout(f"{path}, regel {n}: 'codes' moet een lijst van code-namen zijn.")
        for c in codes:
            if c not in known:
                close = difflib.get_close_matches(c, sorted(known), n=1)
                hint = f" Bedoelde u '{close[0]}'?" if close else ""
                raise VerhalenFout(f"{path}, regel {n}: onbekende code '{c}' (niet in codeboek "
                                   f"'{codebook.name}').{hint}")
    X = pd.DataFrame({"id": [str(r.get("id", i)) for i, r in enumerate(recs)],
                      "text": [str(r["text"] or "") for r in recs]})
    return X, [list(r["codes"]) for r in recs]
