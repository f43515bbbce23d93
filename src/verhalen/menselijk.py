"""Human codes: the researcher stays in charge.

Human codes are read from JSONL (``{"id": ..., "codes": [...]}`` per line, extra fields such as
``text`` or ``opmerking`` are kept) or CSV (a column ``id`` and a column ``codes`` with codes
separated by ``;``, or one row per segment × code with a column ``code``), validated against the
segments and the codebook, kept apart from machine codes (``source == "mens"``) and never
overwritten:

* :func:`load_human_codes` — read + validate. Unknown codes are an **error** (a typo would
  silently turn a researcher's code into "no code"), listing file, line, segment and a close
  match; unknown segment ids are a **warning** (the line is dropped and counted, e.g. codes for
  a segment of another version of the corpus); a segment coded on two lines is merged (union of
  the codes, or the last line wins with ``duplicates="laatste"``) with a warning.
* :func:`merge_codes` — human codes win for the segments they cover; the machine's proposal is
  kept next to them (``machine_codes``) and human-coded segments the machine did not see are
  kept too: nothing is lost.
* :func:`save_human_codes` — atomic; refuses an existing file unless ``overwrite=True``.
* :func:`append_human_codes` — adds lines to a human-codes file by writing a new version
  atomically that starts with every earlier line unchanged.
* :func:`combine_human_codes` — a project's human codes: an imported file and the journal of
  decisions (:mod:`verhalen.journaal`, its derived view) in one wide table; the journal is the
  later word. :class:`verhalen.Project` is the way in (``human_codes()``, ``decide()``).
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import math
import warnings
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import pandas as pd

from .codes import read_codes
from .fouten import OverschrijfFout, VerhalenFout
from .opslag import atomic_write_text

__all__ = [
    "MenselijkeCodesFout", "MenselijkeCodesWaarschuwing", "load_human_codes", "merge_codes",
    "save_human_codes", "append_human_codes", "validate_codes", "combine_human_codes",
    "deciding_rows",
]

WIDE = ["id", "codes", "scores", "evidence"]
#: columns that are derived or machine-only and never written to a human-codes file
_NOT_SAVED = {"scores", "evidence", "source", "coder", "machine_codes", "machine_scores"}


class MenselijkeCodesFout(VerhalenFout):
    """A human-codes file (or new human codes) cannot be used as it is."""


class MenselijkeCodesWaarschuwing(UserWarning):
    """Something in a human-codes file was skipped or merged (the message says what and where)."""


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------
def _known_codes(codebook: Any) -> list[str] | None:
    if codebook is None:
        return None
    if hasattr(codebook, "ids"):
        return list(codebook.ids)
    return [str(c) for c in codebook]


def _codebook_name(codebook: Any) -> str:
    return str(getattr(codebook, "name", "") or "het codeboek")


def _suggest(code: str, known: Sequence[str]) -> str:
    lower = {k.lower(): k for k in known}
    if "," in code:
        return " (meerdere codes scheid je met ';', niet met ',')"
    if code.strip().lower() in lower:
        return f" — bedoelde je '{lower[code.strip().lower()]}'?"
    match = difflib.get_close_matches(code.lower(), list(lower), n=1, cutoff=0.6)
    if match:
        return f" — bedoelde je '{lower[match[0]]}'?"
    return ""


def _clean(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if hasattr(v, "tolist") and not isinstance(v, str):
        return v.tolist()
    return v


def _code_list(v: Any) -> list[str]:
    v = _clean(v)
    if v is None:
        return []
    if isinstance(v, str):
        return [c.strip() for c in v.split(";") if c.strip()]
    return [str(c) for c in v]


def _raw_lines(path: Path) -> list[tuple[int, str, list[str]]]:
    """(line number, segment id, codes) for every record of a human-codes file, in file order.

    Only used to point at the right line in messages; the file was parsed by ``read_codes``.
    """
    out: list[tuple[int, str, list[str]]] = []
    if path.suffix.lower() == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader, None) or []
            col = {h.strip(): j for j, h in enumerate(header)}
            start = reader.line_num
            for row in reader:
                line = start + 1
                start = reader.line_num
                if not any(cell.strip() for cell in row):
                    continue
                get = (lambda name: row[col[name]] if name in col and col[name] < len(row) else "")
                sid = get("id").strip()
                if "codes" in col:
                    codes = [c.strip() for c in get("codes").split(";") if c.strip()]
                else:
                    codes = [get("code").strip()] if get("code").strip() else []
                out.append((line, sid, codes))
        return out
    with path.open(encoding="utf-8-sig") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            rec = json.loads(line)
            codes = rec.get("codes") or []
            out.append((n, str(rec.get("id", "")), [str(c) for c in codes]))
    return out


def validate_codes(items: Iterable[tuple[str, str, list[str]]], codebook: Any, where: str) -> None:
    """Raise :class:`MenselijkeCodesFout` listing every unknown code.

    ``items``: (place, segment id, codes) with place e.g. ``"regel 3"``; ``where``: the file.
    """
    known = _known_codes(codebook)
    if known is None:
        return
    known_set = set(known)
    problems = []
    for place, sid, codes in items:
        for c in codes:
            if c not in known_set:
                problems.append(f"  {place} (segment {sid}): onbekende code '{c}'{_suggest(c, known)}")
    if problems:
        shown = problems[:25]
        more = f"\n  … en nog {len(problems) - 25}" if len(problems) > 25 else ""
        raise MenselijkeCodesFout(
            f"{where}: {len(problems)} code(s) staan niet in {_codebook_name(codebook)}:\n"
            + "\n".join(shown) + more
            + f"\nGeldige codes: {', '.join(known)}.\nEr is niets geschreven of overgenomen; "
            "verbeter de code(s) in het bestand (of voeg ze toe aan het codeboek).")


def _segment_ids(segments_df: Any) -> set[str] | None:
    if segments_df is None:
        return None
    if isinstance(segments_df, pd.DataFrame):
        if "id" not in segments_df.columns:
            raise VerhalenFout("segmenten: kolom 'id' ontbreekt.")
        return set(segments_df["id"].astype(str))
    return {str(s) for s in segments_df}


# --------------------------------------------------------------------------------------------
# load
# --------------------------------------------------------------------------------------------
def load_human_codes(path: str | Path, segments_df: pd.DataFrame | Iterable[str] | None = None,
                     codebook: Any = None, *, duplicates: str = "samenvoegen") -> pd.DataFrame:
    """Read and validate a human-codes file (JSONL or CSV).

    ``segments_df``: the segments the codes belong to (DataFrame with ``id``, or an iterable of
    ids); lines for other ids are dropped with a warning. ``codebook``: a Codebook (or list of
    code ids); unknown codes raise :class:`MenselijkeCodesFout`. ``duplicates``:
    ``"samenvoegen"`` (union of the codes of every line for a segment, default) or
    ``"laatste"`` (the last line wins: corrections appended later replace earlier ones).

    Returns the wide frame (id, codes, scores = 1.0 per code, evidence = {}, source = "mens",
    plus any extra fields of the file such as ``text``); an empty ``codes`` list means "the
    researcher says no code applies". ``df.attrs["validatie"]`` holds the counts.
    """
    path = Path(path)
    if duplicates not in ("samenvoegen", "laatste"):
        raise ValueError("duplicates moet 'samenvoegen' of 'laatste' zijn")
    if path.suffix.lower() not in (".jsonl", ".json", ".csv", ".ndjson"):
        raise MenselijkeCodesFout(f"{path}: menselijke codes moeten in een .jsonl- of .csv-bestand "
                                  "staan.")
    frame = read_codes(path)
    raw = _raw_lines(path)
    for line, sid, _ in raw:
        if not sid:
            raise MenselijkeCodesFout(f"{path}, regel {line}: de segment-id is leeg.")
    validate_codes(((f"regel {ln}", sid, codes) for ln, sid, codes in raw), codebook, str(path))

    first_line: dict[str, int] = {}
    for ln, sid, _ in raw:
        first_line.setdefault(sid, ln)
    lines_of: dict[str, list[int]] = {}
    for ln, sid, _ in raw:
        lines_of.setdefault(sid, []).append(ln)

    # drop unknown segment ids (warning, counted)
    known_ids = _segment_ids(segments_df)
    unknown_ids: list[str] = []
    if known_ids is not None and not frame.empty:
        mask = frame["id"].isin(known_ids)
        unknown_ids = list(dict.fromkeys(frame.loc[~mask, "id"]))
        if unknown_ids:
            shown = ", ".join(f"regel {first_line.get(s, '?')} ({s})" for s in unknown_ids[:15])
            more = f" … en nog {len(unknown_ids) - 15}" if len(unknown_ids) > 15 else ""
            warnings.warn(
                f"{path}: {len(unknown_ids)} segment-id('s) komen niet voor in de segmenten en "
                f"worden overgeslagen: {shown}{more}. Hoort dit bestand bij deze segmenten?",
                MenselijkeCodesWaarschuwing, stacklevel=2)
        frame = frame.loc[mask].reset_index(drop=True)

    # merge duplicate ids (warning)
    dup_ids = list(dict.fromkeys(frame.loc[frame["id"].duplicated(), "id"])) if not frame.empty else []
    if dup_ids:
        how = ("de codes zijn samengevoegd" if duplicates == "samenvoegen"
               else "de laatste regel telt")
        shown = "; ".join(f"{s} (regels {', '.join(map(str, lines_of.get(s, [])))})"
                          for s in dup_ids[:15])
        warnings.warn(f"{path}: {len(dup_ids)} segment(en) staan op meer dan één regel, {how}: "
                      f"{shown}.", MenselijkeCodesWaarschuwing, stacklevel=2)
    records: dict[str, dict[str, Any]] = {}
    for rec in frame.to_dict("records"):
        sid = str(rec["id"])
        codes = list(dict.fromkeys(_code_list(rec.get("codes"))))
        extra = {k: _clean(v) for k, v in rec.items() if k not in WIDE and k not in _NOT_SAVED}
        if sid in records and duplicates == "samenvoegen":
            old = records[sid]
            old["codes"] = list(dict.fromkeys(old["codes"] + codes))
            for k, v in extra.items():
                if old.get(k) is None and v is not None:
                    old[k] = v
        else:   # first line for this segment, or "laatste": this line replaces the earlier one
            records[sid] = {"id": sid, "codes": codes, **extra}
    rows = []
    for rec in records.values():
        rec["scores"] = {c: 1.0 for c in rec["codes"]}
        rec["evidence"] = {}
        rec["source"] = "mens"
        rows.append(rec)
    extras = list(dict.fromkeys(k for r in rows for k in r if k not in WIDE + ["source"]))
    out = pd.DataFrame(rows, columns=WIDE + ["source"] + extras)
    out.attrs["validatie"] = {
        "bestand": str(path), "n_regels": len(raw), "n_segmenten": len(out),
        "onbekende_ids": unknown_ids, "dubbele_ids": dup_ids,
    }
    return out


# --------------------------------------------------------------------------------------------
# merge
# --------------------------------------------------------------------------------------------
def merge_codes(machine_wide: pd.DataFrame, human_wide: pd.DataFrame) -> pd.DataFrame:
    """Human codes win for the segments they cover; nothing is lost.

    Returns one row per segment of either side (machine order first, then human-only
    segments) with id, codes, scores, evidence, ``source`` (``"mens"`` or ``"machine"``) and
    ``machine_codes`` (the machine's proposal, also for human-coded segments, for
    comparison). For a human-coded segment the scores are 1.0 and the machine's evidence is
    kept for the codes both agree on.
    """
    human = {}
    for rec in (human_wide.to_dict("records") if human_wide is not None else []):
        human[str(rec["id"])] = rec
    rows = []
    seen = set()
    for rec in machine_wide.to_dict("records"):
        sid = str(rec["id"])
        seen.add(sid)
        m_codes = _code_list(rec.get("codes"))
        m_scores = dict(_clean(rec.get("scores")) or {})
        m_ev = dict(_clean(rec.get("evidence")) or {})
        extra = {k: v for k, v in rec.items() if k not in WIDE and k not in _NOT_SAVED}
        if sid in human:
            h_codes = _code_list(human[sid].get("codes"))
            rows.append({**extra, "id": sid, "codes": h_codes,
                         "scores": {c: 1.0 for c in h_codes},
                         "evidence": {c: list(m_ev[c]) for c in h_codes if c in m_ev},
                         "source": "mens", "machine_codes": m_codes})
        else:
            rows.append({**extra, "id": sid, "codes": m_codes, "scores": m_scores,
                         "evidence": m_ev, "source": "machine", "machine_codes": m_codes})
    for sid, rec in human.items():
        if sid in seen:
            continue
        h_codes = _code_list(rec.get("codes"))
        extra = {k: v for k, v in rec.items() if k not in WIDE and k not in _NOT_SAVED}
        rows.append({**extra, "id": sid, "codes": h_codes, "scores": {c: 1.0 for c in h_codes},
                     "evidence": {}, "source": "mens", "machine_codes": []})
    first = WIDE + ["source", "machine_codes"]
    cols = first + list(dict.fromkeys(k for r in rows for k in r if k not in first))
    return pd.DataFrame(rows, columns=cols)


# --------------------------------------------------------------------------------------------
# save / append
# --------------------------------------------------------------------------------------------
def _records(rows: Any) -> list[dict[str, Any]]:
    """Wide frame / list of dicts / {id: codes} → [{"id", "codes", extra...}] (JSON-able)."""
    if isinstance(rows, pd.DataFrame):
        recs = rows.to_dict("records")
    elif isinstance(rows, Mapping):
        recs = [{"id": k, "codes": v} for k, v in rows.items()]
    else:
        recs = list(rows)
    out = []
    for n, rec in enumerate(recs, 1):
        if "id" not in rec or _clean(rec["id"]) in (None, ""):
            raise MenselijkeCodesFout(f"nieuwe menselijke codes, rij {n}: 'id' ontbreekt.")
        item = {"id": str(rec["id"]), "codes": list(dict.fromkeys(_code_list(rec.get("codes"))))}
        for k, v in rec.items():
            if k in item or k in _NOT_SAVED:
                continue
            v = _clean(v)
            if v is not None:
                item[k] = v
        out.append(item)
    return out


def _kind(path: Path) -> str:
    suf = path.suffix.lower()
    if suf == ".csv":
        return "csv"
    if suf in (".jsonl", ".json", ".ndjson"):
        return "jsonl"
    raise MenselijkeCodesFout(f"{path}: menselijke codes schrijf ik naar .jsonl of .csv.")


def _jsonl_text(recs: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs)


def _csv_text(recs: list[dict[str, Any]], header: list[str] | None = None) -> tuple[str, list[str]]:
    """CSV rows for ``recs``; returns (text, dropped extra fields). Writes the header when
    ``header`` is None (then its columns are id, codes and every extra field)."""
    write_header = header is None
    if header is None:
        header = ["id", "codes"] + list(dict.fromkeys(k for r in recs for k in r
                                                      if k not in ("id", "codes")))
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    if write_header:
        w.writerow(header)
    dropped: list[str] = []
    for r in recs:
        dropped += [k for k in r if k not in header and k not in ("id", "codes")]
        if "codes" in header or "code" not in header:
            vals = {**r, "codes": ";".join(r["codes"])}
            w.writerow(["" if vals.get(h) is None else _cell(vals.get(h)) for h in header])
        else:   # long layout: one row per segment × code (an empty code = "no code applies")
            for code in (r["codes"] or [""]):
                vals = {**r, "code": code}
                w.writerow(["" if vals.get(h) is None else _cell(vals.get(h)) for h in header])
    return buf.getvalue(), list(dict.fromkeys(dropped))


def _cell(v: Any) -> str:
    if isinstance(v, (list, dict)):
        return json.dumps(v, ensure_ascii=False)
    return str(v)


def save_human_codes(human_wide: pd.DataFrame | Iterable[dict[str, Any]] | Mapping[str, Any],
                     path: str | Path, overwrite: bool = False, codebook: Any = None) -> Path:
    """Write human codes to JSONL or CSV, atomically.

    Refuses an existing file unless ``overwrite=True`` (use :func:`append_human_codes` to add
    codes to an existing file). With ``codebook``, unknown codes are refused before writing.
    Written per line: ``id``, ``codes`` and the extra fields (e.g. ``text``); machine fields
    (scores, evidence, source) are not written.
    """
    path = Path(path)
    kind = _kind(path)
    if path.exists() and not overwrite:
        raise OverschrijfFout(
            f"{path}: dit bestand met menselijke codes bestaat al en wordt niet overschreven. "
            "Voeg codes toe met append_human_codes, kies een andere naam of geef --overschrijf "
            "(overwrite=True) mee.")
    recs = _records(human_wide)
    validate_codes(((f"rij {n}", r["id"], r["codes"]) for n, r in enumerate(recs, 1)), codebook,
                   str(path))
    text = _jsonl_text(recs) if kind == "jsonl" else _csv_text(recs)[0]
    return atomic_write_text(path, text)


def append_human_codes(path: str | Path,
                       new_rows: pd.DataFrame | Iterable[dict[str, Any]] | Mapping[str, Any], *,
                       codebook: Any = None, segments_df: Any = None) -> Path:
    """Add human codes to a human-codes file without ever losing earlier ones.

    Writes a new version of ``path`` atomically: every earlier line byte for byte, then the new
    lines (the file is created when it does not exist). A segment coded again gets a second
    line; :func:`load_human_codes` merges the lines (or lets the last one win with
    ``duplicates="laatste"``). With ``codebook`` / ``segments_df`` the new rows are validated
    first (unknown codes: error, nothing written; unknown segment ids: error, nothing written).
    """
    path = Path(path)
    kind = _kind(path)
    recs = _records(new_rows)
    validate_codes(((f"nieuwe rij {n}", r["id"], r["codes"]) for n, r in enumerate(recs, 1)),
                   codebook, str(path))
    known_ids = _segment_ids(segments_df)
    if known_ids is not None:
        bad = [r["id"] for r in recs if r["id"] not in known_ids]
        if bad:
            raise MenselijkeCodesFout(
                f"{path}: nieuwe codes voor segment-id's die niet in de segmenten staan: "
                f"{', '.join(bad[:15])}. Er is niets geschreven.")
    if not path.exists():
        return save_human_codes(recs, path, overwrite=False)
    read_codes(path)            # refuse to extend a file that does not parse
    old = path.read_text(encoding="utf-8-sig")
    if path.read_bytes().startswith(b"\xef\xbb\xbf"):
        old = "\ufeff" + old    # keep the earlier bytes exactly, BOM included
    if old and not old.endswith("\n"):
        old += "\n"
    if kind == "jsonl":
        new = _jsonl_text(recs)
    else:
        header = next(csv.reader(io.StringIO(old.lstrip("\ufeff"))), None)
        if not header:
            new = _csv_text(recs)[0]
        else:
            header = [h.strip() for h in header]
            new, dropped = _csv_text(recs, header)
            if dropped:
                warnings.warn(f"{path}: de kolommen {', '.join(dropped)} staan niet in de CSV en "
                              "zijn niet opgeslagen (de codes wel).", MenselijkeCodesWaarschuwing,
                              stacklevel=2)
    return atomic_write_text(path, old + new)


# --------------------------------------------------------------------------------------------
# a project's human codes: imported file + journal
# --------------------------------------------------------------------------------------------
def deciding_rows(current: pd.DataFrame) -> pd.DataFrame:
    """The rows of a journal's derived view (``Journal.current()``: id, codes, coder, memo,
    reviewed) that decide a segment's codes: some code kept or added, or the segment marked
    reviewed (reviewed with no code is the decision "no code applies"); a memo alone decides
    nothing."""
    if current is None or current.empty:
        return pd.DataFrame(columns=["id", "codes", "coder", "memo", "reviewed"])
    reviewed = current["reviewed"] if "reviewed" in current else [False] * len(current)
    keep = [bool(len(c)) or bool(r) for c, r in zip(current["codes"], reviewed)]
    return current[keep].reset_index(drop=True)


def _coders_of(row: Mapping[str, Any]) -> str:
    """'Sanne, Jelle' from the per-code ``coders`` mapping an imported file carries."""
    c = row.get("coders")
    if isinstance(c, dict):
        return ", ".join(dict.fromkeys(str(v) for v in c.values() if v))
    return str(_clean(row.get("coder")) or "")


def combine_human_codes(imported: pd.DataFrame | None, journal: pd.DataFrame | None,
                        coder: str | None = None) -> pd.DataFrame:
    """One wide table ``id, codes, coder, source="mens"`` of a project's human codes.

    ``imported``: a human-codes file as :func:`load_human_codes` returns it (its ``coders``
    mapping, as ``verhalen importeer`` writes, gives the coder names); ``journal``: the rows of
    the journal that decide (:func:`deciding_rows`), one per coder and segment. For a segment
    the journal decided, the journal's rows replace the file's (the later word). ``coder``
    keeps one coder's rows (file rows without a coder name count for everyone)."""
    parts = []
    if imported is not None and len(imported):
        recs = imported.to_dict("records")
        parts.append(pd.DataFrame({"id": [str(r["id"]) for r in recs],
                                   "codes": [_code_list(r.get("codes")) for r in recs],
                                   "coder": [_coders_of(r) for r in recs], "_journal": False}))
    if journal is not None and len(journal):
        parts.append(pd.DataFrame({"id": journal["id"].astype(str),
                                   "codes": [_code_list(c) for c in journal["codes"]],
                                   "coder": journal["coder"].fillna("").astype(str),
                                   "_journal": True}))
    if not parts:
        return pd.DataFrame(columns=["id", "codes", "coder", "source"])
    df = pd.concat(parts, ignore_index=True)
    if coder is not None:
        names = df["coder"].map(lambda s: {n.strip() for n in s.split(",") if n.strip()})
        df = df[names.map(lambda ns: not ns or coder in ns)]
    decided = set(df.loc[df["_journal"], "id"])
    df = df[df["_journal"] | ~df["id"].isin(decided)]
    return df.drop(columns="_journal").assign(source="mens").reset_index(drop=True)
