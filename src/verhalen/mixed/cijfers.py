"""Reading the numbers per case (CSV/XLSX) and joining them to documents via the case id.

Case table columns (Dutch canonical names; common English/Dutch aliases accepted):
``casus`` (case id), ``naam``, ``deelnemers``, ``kosten_eur``, ``uren_bespaard``,
``baten_eur``, ``schaal``, ``toelichting``, optionally ``voor``/``na`` (case-level mean scores).
Per-participant scores: ``scores_<CASUS>.csv`` next to the case table (``deelnemer, voor, na``)
or one file with a ``casus`` column. Numbers may use Dutch notation ("€ 12.500,50").
"""

from __future__ import annotations

import difflib
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from ..fouten import VerhalenFout


class CijferFout(VerhalenFout):
    """The numbers table is unreadable or does not match the documents."""


ALIASES = {
    "casus": ["casus", "case_id", "case", "casus_id", "caseid", "id", "project"],
    "naam": ["naam", "name", "titel"],
    "deelnemers": ["deelnemers", "participants", "n_deelnemers", "aantal_deelnemers"],
    "kosten_eur": ["kosten_eur", "kosten", "costs", "investering", "kosten_euro"],
    "uren_bespaard": ["uren_bespaard", "hours_saved", "bespaarde_uren", "uren"],
    "baten_eur": ["baten_eur", "baten", "benefits", "opbrengst", "baten_euro"],
    "schaal": ["schaal", "scale", "meetinstrument"],
    "toelichting": ["toelichting", "notes", "opmerking"],
    "voor": ["voor", "score_voor", "baseline", "nulmeting"],
    "na": ["na", "score_na", "follow_up", "followup", "nameting"],
}
NUMERIC = ("deelnemers", "kosten_eur", "uren_bespaard", "baten_eur", "voor", "na")
_SCORE_FILE = re.compile(r"^scores?_(.+)\.(csv|xlsx)$", re.I)


def parse_number(value, path, row: int, column: str) -> float:
    """A Dutch or English formatted number ("1.234,5", "€ 800", "12.5") → float; empty → NaN."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return np.nan
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    s = str(value).strip().replace("€", "").replace("\u00a0", "").replace(" ", "")
    if s in ("", "-", "NA", "nan", "n.v.t.", "onbekend"):
        return np.nan
    if "," in s and "." in s:
        s = s.replace(".", "").replace(",", ".") if s.rfind(",") > s.rfind(".") else s.replace(",", "")
    elif "," in s:
        s = s.replace(",", ".")
    elif re.fullmatch(r"-?\d{1,3}(\.\d{3})+", s):
        s = s.replace(".", "")
    try:
        return float(s)
    except ValueError:
        raise CijferFout(f"{path}, rij {row}, kolom '{column}': '{value}' is geen getal.") from None


def _read_table(path: Path, sheet=None) -> pd.DataFrame:
    if not path.exists():
        raise CijferFout(f"{path}: bestand met cijfers bestaat niet.")
    suf = path.suffix.lower()
    try:
        if suf in (".xlsx", ".xlsm"):
            return pd.read_excel(path, sheet_name=sheet or 0, dtype=object)
        if suf == ".csv":
            raw = path.read_bytes()
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = raw.decode("cp1252")
            sep = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
            import io
            return pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
    except CijferFout:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser failure gets one clear message
        raise CijferFout(f"{path}: kan de tabel niet lezen ({exc}).") from exc
    raise CijferFout(f"{path}: onbekend bestandstype '{suf}' (verwacht .csv of .xlsx).")


def _canonical(df: pd.DataFrame) -> pd.DataFrame:
    norm = {c: re.sub(r"[^a-z0-9]+", "_", str(c).strip().lower()).strip("_") for c in df.columns}
    rename = {}
    for canon, names in ALIASES.items():
        for c, n in norm.items():
            if n in names and canon not in rename.values() and c not in rename:
                rename[c] = canon
                break
    return df.rename(columns=rename)


def find_numbers(folder: str | Path) -> Path | None:
    """The case table in a corpus folder (``cijfers/casussen.csv|xlsx`` or ``casussen.*``)."""
    folder = Path(folder)
    for cand in ("cijfers/casussen.csv", "cijfers/casussen.xlsx", "casussen.csv", "casussen.xlsx"):
        if (folder / cand).exists():
            return folder / cand
    return None


def read_numbers(path: str | Path, sheet=None) -> pd.DataFrame:
    """Read the case table (file, or a folder holding ``cijfers/casussen.csv``).

    Returns one row per case with the canonical columns (numbers as floats) and ``rij`` (the
    row number in the file, header = row 1); ``df.attrs["bron"]`` is the path. Per-participant
    scores found next to it are summarised in ``n_scores``, ``gem_voor``, ``gem_na``.
    """
    path = Path(path)
    if path.is_dir():
        found = find_numbers(path)
        if found is None:
            raise CijferFout(f"{path}: geen casussen.csv of casussen.xlsx gevonden (ook niet in "
                             "cijfers/).")
        path = found
    df = _canonical(_read_table(path, sheet))
    if "casus" not in df.columns:
        raise CijferFout(f"{path}: geen kolom met de casus-id gevonden (verwacht 'casus' of "
                         f"'case_id'; gevonden: {', '.join(map(str, df.columns))}).")
    df = df.copy()
    df.insert(0, "rij", range(2, len(df) + 2))
    df["casus"] = df["casus"].map(lambda v: "" if v is None else str(v).strip())
    seen: dict[str, int] = {}
    for rij, cid in zip(df["rij"], df["casus"]):
        if not cid:
            raise CijferFout(f"{path}, rij {rij}: de casus-id is leeg.")
        if cid in seen:
            raise CijferFout(f"{path}, rij {rij}: casus '{cid}' staat er dubbel in (ook rij "
                             f"{seen[cid]}).")
        seen[cid] = rij
    for col in NUMERIC:
        if col in df.columns:
            df[col] = [parse_number(v, path, r, col) for v, r in zip(df[col], df["rij"])]
    for col in ("deelnemers", "kosten_eur", "uren_bespaard", "baten_eur"):
        if col not in df.columns:
            df[col] = np.nan
    scores = read_scores(path.parent, cases=list(df["casus"]), missing_ok=True)
    if not scores.empty:
        agg = scores.groupby("casus").agg(n_scores=("voor", "size"), gem_voor=("voor", "mean"),
                                          gem_na=("na", "mean"))
        df = df.merge(agg, left_on="casus", right_index=True, how="left")
    df.attrs["bron"] = str(path)
    return df.reset_index(drop=True)


def read_scores(path: str | Path, cases: list[str] | None = None,
                missing_ok: bool = False) -> pd.DataFrame:
    """Per-participant scores, long: ``casus, deelnemer, voor, na, bron``.

    ``path`` is a folder with ``scores_<CASUS>.csv`` files or one table with a ``casus``
    column. A score file for a case not in ``cases`` is an error (with close matches)."""
    path = Path(path)
    frames = []
    files = sorted(p for p in path.iterdir() if _SCORE_FILE.match(p.name)) if path.is_dir() \
        else [path]
    for f in files:
        df = _canonical(_read_table(f))
        m = _SCORE_FILE.match(f.name)
        if "casus" not in df.columns:
            if not m:
                raise CijferFout(f"{f}: geen kolom 'casus' en de bestandsnaam is niet "
                                 "scores_<CASUS>.csv.")
            df["casus"] = m.group(1)
        for col in ("voor", "na"):
            if col not in df.columns:
                raise CijferFout(f"{f}: kolom '{col}' ontbreekt (verwacht: deelnemer, voor, na).")
        if "deelnemer" not in df.columns:
            df["deelnemer"] = [f"d{i + 1}" for i in range(len(df))]
        rows = range(2, len(df) + 2)
        df["voor"] = [parse_number(v, f, r, "voor") for v, r in zip(df["voor"], rows)]
        df["na"] = [parse_number(v, f, r, "na") for v, r in zip(df["na"], rows)]
        df["casus"] = df["casus"].astype(str).str.strip()
        df["bron"] = str(f)
        if cases is not None:
            for cid in sorted(set(df["casus"]) - set(cases)):
                raise CijferFout(f"{f}: casus '{cid}' staat niet in de casustabel"
                                 f"{_suggest(cid, cases)}.")
        frames.append(df[["casus", "deelnemer", "voor", "na", "bron"]])
    if not frames:
        if missing_ok:
            return pd.DataFrame(columns=["casus", "deelnemer", "voor", "na", "bron"])
        raise CijferFout(f"{path}: geen scores gevonden (scores_<CASUS>.csv).")
    return pd.concat(frames, ignore_index=True)


def _suggest(cid: str, known) -> str:
    close = difflib.get_close_matches(cid, [str(k) for k in known], n=3, cutoff=0.5)
    if not close:
        lower = {str(k).lower(): str(k) for k in known}
        close = [lower[cid.lower()]] if cid.lower() in lower else []
    return f"; bedoel je {' of '.join(repr(c) for c in close)}?" if close else ""


def case_ids_of(segments) -> list[str]:
    """Case ids present in a segments DataFrame (``case_id``) or a Corpus."""
    if hasattr(segments, "documents"):
        return sorted({d.case_id for d in segments.documents if d.case_id})
    if "case_id" not in segments.columns:
        return []
    return sorted({str(c) for c in segments["case_id"].dropna() if str(c).strip()})


def check_case_ids(numbers: pd.DataFrame, segments, strict: bool = True) -> list[str]:
    """Check that every case in ``numbers`` matches documents; raise (``strict``) naming the
    file, row and id with close matches. Documents whose case id has no numbers only give a
    warning. Returns the matched case ids."""
    doc_ids = case_ids_of(segments)
    bron = numbers.attrs.get("bron", "cijfertabel")
    problems = []
    for rec in numbers.to_dict("records"):
        if rec["casus"] not in doc_ids:
            rij = rec.get("rij", "?")
            problems.append(f"{bron}, rij {rij}: casus '{rec['casus']}' komt in geen enkel "
                            f"document voor{_suggest(rec['casus'], doc_ids)}")
    if problems and strict:
        known = ", ".join(doc_ids) if doc_ids else "geen (de documenten hebben geen case_id)"
        raise CijferFout("Casus-id's sluiten niet aan op de documenten:\n  - "
                         + "\n  - ".join(problems) + f"\nCasus-id's in de documenten: {known}.")
    for p in problems if not strict else []:
        warnings.warn(p, stacklevel=2)
    unmatched_docs = sorted(set(doc_ids) - set(numbers["casus"]))
    if unmatched_docs:
        warnings.warn(f"{bron}: geen cijfers voor casus(sen) {', '.join(unmatched_docs)} die in "
                      "de documenten voorkomen.", stacklevel=2)
    return [c for c in numbers["casus"] if c in doc_ids]
