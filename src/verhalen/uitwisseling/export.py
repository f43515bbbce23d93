"""Tables for spreadsheets: segments × codes and quotes, as CSV and XLSX.

* :func:`segments_codes_table` — one row per segment with its metadata (document, title,
  case, section, speakers, roles, offsets, text), a 0/1 column per code (codebook order) and,
  per code, the confidence (``score_<code>``, empty where the code was not assigned).
* :func:`quotes_table` — one row per segment × code: code and label, confidence, source
  (``mens``/``machine``), coder, evidence, the quote (segment text), speakers, document and
  offsets; sorted by code (codebook order) and then by confidence.
* :func:`write_csv` — UTF-8 **with BOM**, ``;`` as separator and a decimal comma by default:
  the Dutch Excel convention, so Excel opens the file with Dutch characters and numbers
  intact (``pandas.read_csv(path, sep=";", decimal=",", encoding="utf-8-sig")`` reads it back).
* :func:`write_xlsx` — one sheet per table (openpyxl), frozen header row, autofilter, code
  colours as header fill, wrapped text; cells never turn into formulas.
* :func:`export_tables` — both tables (and the codebook) to ``.xlsx`` or to two ``.csv`` files.

Every write is atomic and refuses an existing file unless ``overwrite=True``.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from ..codeboek import Codebook
from ..fouten import VerhalenFout
from ..model import Corpus
from ..opslag import atomic_write_bytes, refuse_overwrite

__all__ = ["segments_codes_table", "quotes_table", "write_csv", "write_xlsx",
           "export_tables", "quotes_path_for"]

#: characters Excel cannot store (as openpyxl's ILLEGAL_CHARACTERS_RE)
_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")

_SEG_COLUMNS = ["segment_id", "doc_id", "titel", "casus", "sectie", "sprekers", "rollen",
                "start", "end", "tekst"]


def _segments(segments: Corpus | pd.DataFrame) -> pd.DataFrame:
    df = segments.segments_df() if isinstance(segments, Corpus) else segments.copy()
    if "id" not in df.columns or "text" not in df.columns:
        raise VerhalenFout("segmenten: verwacht een corpus of een tabel met 'id' en 'text'.")
    for col in ("doc_id", "title", "case_id", "section", "start", "end"):
        if col not in df.columns:
            df[col] = None
    for col in ("speakers", "roles"):
        if col not in df.columns:
            df[col] = [[] for _ in range(len(df))]
    df["id"] = df["id"].astype(str)
    return df


def _long(codes: Any) -> pd.DataFrame:
    from .refi_qda import _as_long

    long = _as_long(codes)
    long = long.copy()
    long["segment_id"] = long["segment_id"].astype(str)
    return long


def _join(v: Any) -> str:
    if isinstance(v, (list, tuple)):
        return "; ".join(str(x) for x in v if x not in (None, ""))
    if v is None or (isinstance(v, float) and v != v):
        return ""
    return str(v)


def _code_order(codebook: Codebook | None, long: pd.DataFrame) -> list[str]:
    order = list(codebook.ids) if codebook is not None else []
    for c in long["code"].astype(str):
        if c not in order:
            order.append(c)
    return order


def _as_codebook(codebook: Any) -> Codebook | None:
    from .refi_qda import _as_codebook as conv

    return conv(codebook)


def segments_codes_table(segments: Corpus | pd.DataFrame, codes_long: Any,
                         codebook: Any = None, *, scores: bool = True) -> pd.DataFrame:
    """One row per segment: metadata, a 0/1 column per code and (``scores``) ``score_<code>``.

    A code counts as assigned when any coder (human or machine) gave it; ``bron_codes`` says
    who: ``mens``, ``machine``, ``mens+machine`` or empty.
    """
    segs = _segments(segments)
    long = _long(codes_long)
    codebook = _as_codebook(codebook)
    order = _code_order(codebook, long)
    out = pd.DataFrame({
        "segment_id": segs["id"].values,
        "doc_id": segs["doc_id"].map(_join).values,
        "titel": segs["title"].map(_join).values,
        "casus": segs["case_id"].map(_join).values,
        "sectie": segs["section"].map(_join).values,
        "sprekers": segs["speakers"].map(_join).values,
        "rollen": segs["roles"].map(_join).values,
        "start": pd.to_numeric(segs["start"], errors="coerce").astype("Int64").values,
        "end": pd.to_numeric(segs["end"], errors="coerce").astype("Int64").values,
        "tekst": segs["text"].astype(str).values,
    })
    pos = {sid: i for i, sid in enumerate(out["segment_id"])}
    flags = {c: [0] * len(out) for c in order}
    best = {c: [None] * len(out) for c in order}
    who: list[set[str]] = [set() for _ in range(len(out))]
    for rec in long.to_dict("records"):
        i = pos.get(rec["segment_id"])
        if i is None:
            continue
        c = str(rec["code"])
        flags[c][i] = 1
        sc = rec.get("score")
        sc = 1.0 if sc is None or sc != sc else float(sc)
        best[c][i] = sc if best[c][i] is None else max(best[c][i], sc)
        who[i].add("mens" if rec.get("source") == "mens" else "machine")
    out["n_codes"] = [sum(flags[c][i] for c in order) for i in range(len(out))]
    out["bron_codes"] = ["+".join(x for x in ("mens", "machine") if x in w) for w in who]
    for c in order:
        out[c] = flags[c]
    if scores:
        for c in order:
            out[f"score_{c}"] = pd.array([None if v is None else round(v, 4) for v in best[c]],
                                         dtype="Float64")
    out.attrs["codes"] = order
    return out


def quotes_table(segments: Corpus | pd.DataFrame, codes_long: Any,
                 codebook: Any = None) -> pd.DataFrame:
    """One row per segment × code with the quote, its speakers and where it is."""
    segs = _segments(segments)
    by_id = {}
    for rec in segs[["id", "text", "speakers", "roles", "doc_id", "title", "case_id", "section",
                     "start", "end"]].to_dict("records"):
        by_id.setdefault(rec["id"], rec)
    long = _long(codes_long)
    codebook = _as_codebook(codebook)
    order = _code_order(codebook, long)
    labels = codebook.labels() if codebook is not None else {}
    rows = []
    for rec in long.to_dict("records"):
        sid = rec["segment_id"]
        seg = by_id.get(sid)
        if seg is None:
            continue
        ev = rec.get("evidence")
        sc = rec.get("score")
        rows.append({
            "code": str(rec["code"]), "label": labels.get(str(rec["code"]), str(rec["code"])),
            "zekerheid": 1.0 if sc is None or sc != sc else round(float(sc), 4),
            "bron": "mens" if rec.get("source") == "mens" else "machine",
            "coder": _join(rec.get("coder")),
            "bewijs": " | ".join(str(e) for e in ev) if isinstance(ev, (list, tuple)) else _join(ev),
            "citaat": str(seg["text"]),
            "sprekers": _join(seg["speakers"]), "rollen": _join(seg["roles"]),
            "segment_id": sid, "doc_id": _join(seg["doc_id"]), "titel": _join(seg["title"]),
            "casus": _join(seg["case_id"]), "sectie": _join(seg["section"]),
            "start": seg["start"], "end": seg["end"],
        })
    cols = ["code", "label", "zekerheid", "bron", "coder", "bewijs", "citaat", "sprekers",
            "rollen", "segment_id", "doc_id", "titel", "casus", "sectie", "start", "end"]
    df = pd.DataFrame(rows, columns=cols)
    if df.empty:
        return df
    rank = {c: i for i, c in enumerate(order)}
    df["_r"] = df["code"].map(rank)
    df = df.sort_values(["_r", "zekerheid", "segment_id"], ascending=[True, False, True],
                        kind="mergesort").drop(columns="_r").reset_index(drop=True)
    for col in ("start", "end"):
        df[col] = pd.to_numeric(df[col], errors="coerce").astype("Int64")
    return df


def _codebook_table(codebook: Codebook | None) -> pd.DataFrame | None:
    if codebook is None:
        return None
    df = codebook.to_frame()
    return df


# --------------------------------------------------------------------------------------------
# writers
# --------------------------------------------------------------------------------------------
def write_csv(df: pd.DataFrame, path: str | Path, overwrite: bool = False, *, sep: str = ";",
              decimal: str = ",") -> Path:
    """CSV in UTF-8 with BOM (Excel), Dutch separator/decimal by default; atomic."""
    path = refuse_overwrite(Path(path), overwrite)
    text = df.to_csv(index=False, sep=sep, decimal=decimal, lineterminator="\r\n")
    return atomic_write_bytes(path, ("\ufeff" + text).encode("utf-8"))


def _clean_cell(v: Any) -> Any:
    t = type(v)
    if t is int or t is bool:
        return v
    if t is float:
        return None if v != v else v
    if v is None:
        return None
    if isinstance(v, float) and v != v:
        return None
    if v is pd.NA:
        return None
    if isinstance(v, (list, tuple, set)):
        v = _join(list(v))
    if isinstance(v, dict):
        v = "; ".join(f"{k}: {x}" for k, x in v.items())
    if hasattr(v, "item") and not isinstance(v, str):   # numpy scalars
        v = v.item()
    if isinstance(v, str):
        v = _ILLEGAL.sub("", v)[:32767]
    return v


def _light(hex_colour: str) -> str:
    """A lighter tint of a colour (for score columns)."""
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    mix = lambda x: int(x + (255 - x) * 0.6)  # noqa: E731
    return f"{mix(r):02X}{mix(g):02X}{mix(b):02X}"


def _text_colour(hex_colour: str) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return "000000" if (0.299 * r + 0.587 * g + 0.114 * b) > 150 else "FFFFFF"


def write_xlsx(tables: Mapping[str, pd.DataFrame], path: str | Path, overwrite: bool = False, *,
               codebook: Any = None) -> Path:
    """Write DataFrames as sheets of one workbook (frozen header, autofilter, code colours).

    Uses openpyxl's streaming (write-only) mode, so large tables stay fast and small in memory.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    path = refuse_overwrite(Path(path), overwrite)
    codebook = _as_codebook(codebook)
    colours = {c.id: (c.colour or "#888888") for c in codebook.codes} if codebook else {}
    wb = Workbook(write_only=True)
    used_names: set[str] = set()
    wrap = Alignment(wrap_text=True, vertical="top")
    for name, df in tables.items():
        title = "".join(ch for ch in str(name) if ch not in "[]:*?/\\")[:31] or "Blad"
        base, n = title, 2
        while title in used_names:
            title = f"{base[:28]}_{n}"
            n += 1
        used_names.add(title)
        ws = wb.create_sheet(title)
        cols = [str(c) for c in df.columns]
        wide_cols = set()
        for j, col in enumerate(cols, 1):
            width = 12
            if col in ("tekst", "citaat", "bewijs", "definitie", "indicatoren"):
                width = 80
                wide_cols.add(j - 1)
            elif col in ("titel", "sectie", "label", "sprekers", "rollen", "segment_id",
                         "doc_id", "coder"):
                width = 28
            ws.column_dimensions[get_column_letter(j)].width = width
        ws.freeze_panes = "A2"
        if cols:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{len(df) + 1}"
        header = []
        for col in cols:
            cell = WriteOnlyCell(ws, value=col)
            cell.font = Font(bold=True)
            cell.alignment = wrap
            code = col[6:] if col.startswith("score_") else col
            if code in colours:
                fill = colours[code].lstrip("#").upper()
                if col.startswith("score_"):
                    fill = _light(colours[code])
                cell.fill = PatternFill("solid", start_color=fill, end_color=fill)
                cell.font = Font(bold=True, color=_text_colour("#" + fill))
            header.append(cell)
        ws.append(header)
        for row in df.itertuples(index=False, name=None):
            out = []
            for j, v in enumerate(row):
                v = _clean_cell(v)
                if isinstance(v, str) and (v.startswith("=") or j in wide_cols):
                    cell = WriteOnlyCell(ws, value=v)
                    cell.data_type = "s"          # text, never a formula
                    if j in wide_cols:
                        cell.alignment = wrap
                    out.append(cell)
                else:
                    out.append(v)
            ws.append(out)
    if not used_names:
        wb.create_sheet("Leeg")
    buf = io.BytesIO()
    wb.save(buf)
    return atomic_write_bytes(path, buf.getvalue())


def quotes_path_for(path: str | Path) -> Path:
    """Where the quote table goes next to a segments × codes CSV (``<stem>_citaten.csv``)."""
    path = Path(path)
    return path.with_name(f"{path.stem}_citaten{path.suffix or '.csv'}")


def export_tables(segments: Corpus | pd.DataFrame, codes_long: Any, codebook: Any,
                  path: str | Path, overwrite: bool = False, *, fmt: str | None = None,
                  scores: bool = True) -> list[Path]:
    """Write the segments × codes table and the quote table.

    ``.xlsx``: one workbook with the sheets "Segmenten x codes", "Citaten" and "Codeboek".
    ``.csv``: ``path`` (segments × codes) and ``<stem>_citaten.csv`` (quotes). Refuses to
    replace any existing target unless ``overwrite``; returns the files written.
    """
    path = Path(path)
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    if fmt not in ("csv", "xlsx"):
        raise VerhalenFout(f"{path}: onbekend tabelformaat '{fmt}' (kies csv of xlsx).")
    codebook = _as_codebook(codebook)
    wide = segments_codes_table(segments, codes_long, codebook, scores=scores)
    quotes = quotes_table(segments, codes_long, codebook)
    if fmt == "xlsx":
        tables = {"Segmenten x codes": wide, "Citaten": quotes}
        cb = _codebook_table(codebook)
        if cb is not None:
            tables["Codeboek"] = cb
        return [write_xlsx(tables, path, overwrite, codebook=codebook)]
    qpath = quotes_path_for(path)
    for p in (path, qpath):
        refuse_overwrite(p, overwrite)
    return [write_csv(wide, path, overwrite), write_csv(quotes, qpath, overwrite)]

