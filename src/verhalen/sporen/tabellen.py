"""The report's tables for report authors: CSV (Dutch Excel convention) and Markdown.

``report_tables`` gathers them as DataFrames (track profiles per document, role and case,
codes per document, the spoorwissel between the two largest roles, the best quotes, the
codebook); ``write_tables`` writes each as ``<naam>.csv`` (UTF-8 with BOM, ``;``, decimal
comma: Excel opens it as it is) and ``<naam>.md`` (a pipe table to paste into a report) in one
folder, all files together or none (atomic), refusing earlier tables unless ``overwrite``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..fouten import VerhalenFout
from ..tracks import TRACKS

__all__ = ["report_tables", "write_tables", "to_markdown"]


def _roles_by_size(segs: pd.DataFrame, coded: set[str]) -> list[str]:
    counts: dict[str, int] = {}
    for sid, rs in zip(segs["id"], segs.get("roles", pd.Series([[]] * len(segs)))):
        if sid in coded:
            for r in (rs if isinstance(rs, (list, tuple)) else []):
                if r and r != "onbekend":
                    counts[r] = counts.get(r, 0) + 1
    return [r for r, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def _profile(segs, long, codebook, by: str, name: str) -> pd.DataFrame:
    from .profiel import track_profile

    labels = codebook.labels()
    prof = track_profile(segs, long, codebook, by=by)
    out = prof[[by, "n_segmenten", "n_gecodeerd", *TRACKS]].rename(
        columns={by: name, **{t: f"aandeel_{t}" for t in TRACKS}})
    for t in TRACKS:
        out[f"aandeel_{t}"] = out[f"aandeel_{t}"].round(3)
    out["hoofdthemas"] = prof["hoofdthemas"].map(
        lambda cs: ", ".join(labels.get(c, c) for c in (cs or [])))
    return out


def report_tables(segments_df: pd.DataFrame, codes_long: pd.DataFrame, codebook,
                  n_quotes: int = 3) -> dict[str, pd.DataFrame]:
    """The tables of the report, by file name (without extension)."""
    from .citaten import best_quotes
    from .profiel import code_counts, compare_groups

    segs, long = segments_df, codes_long
    labels = codebook.labels()
    tables: dict[str, pd.DataFrame] = {"sporen_per_document": _profile(segs, long, codebook,
                                                                      "doc_id", "document")}
    if "roles" in segs and segs["roles"].map(lambda v: bool(v) if isinstance(v, list) else False).any():
        tables["sporen_per_rol"] = _profile(segs, long, codebook, "roles", "rol")
    if "case_id" in segs and segs["case_id"].notna().any() and (segs["case_id"].astype(str) != "").any():
        tables["sporen_per_casus"] = _profile(segs, long, codebook, "case_id", "casus")
    counts = code_counts(segs, long, codebook, by="doc_id")
    tables["codes_per_document"] = counts.rename(columns=labels).reset_index().rename(
        columns={"doc_id": "document"})
    roles = _roles_by_size(segs, set(long["segment_id"]))
    if len(roles) >= 2:
        sw = compare_groups(segs, long, codebook, "roles", roles[0], roles[1])
        sw = sw.drop(columns=[c for c in ("naam",) if c in sw]).rename(
            columns={"n_a": f"n_{roles[0]}", "n_b": f"n_{roles[1]}",
                     "totaal_a": f"totaal_{roles[0]}", "totaal_b": f"totaal_{roles[1]}",
                     "aandeel_a": f"aandeel_{roles[0]}", "aandeel_b": f"aandeel_{roles[1]}"})
        tables["spoorwissel"] = sw.round(4)
    q = best_quotes(segs, long, codebook, n=n_quotes, per="code")
    if len(q):
        q = q.assign(speakers=q["speakers"].map(lambda v: ", ".join(v or [])),
                     roles=q["roles"].map(lambda v: ", ".join(v or [])),
                     score=q["score"].round(3))
        tables["citaten"] = q.rename(columns={
            "label": "thema", "doc_id": "document", "title": "titel", "segment_id": "segment",
            "speakers": "sprekers", "roles": "rollen", "score": "zekerheid", "section": "sectie"})
    tables["codeboek"] = pd.DataFrame([{
        "code": c.id, "label": c.label,
        **{f"gewicht_{t}": float((c.tracks or {}).get(t, 0.0)) for t in TRACKS},
        "zonder_spoor": not any(w > 0 for w in (c.tracks or {}).values()),
        "definitie": c.definition} for c in codebook.codes])
    from .profiel import without_track

    info = without_track(segs, long, codebook)
    if info["n_zonder_spoor"]:
        tables["zonder_spoor"] = pd.DataFrame([{
            "code": c, "label": labels.get(c, c),
            "toekenningen": int((long["code"].astype(str) == c).sum()) if len(long) else 0}
            for c in info["codes"]])
    return tables


def _cell(v) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return ""
    if isinstance(v, float):
        return f"{v:.3f}".rstrip("0").rstrip(".").replace(".", ",")
    return str(v).replace("|", "\\|").replace("\n", " ")


def to_markdown(df: pd.DataFrame) -> str:
    """A pipe table (GitHub/Pandoc Markdown), numbers right-aligned, decimal comma."""
    cols = [str(c) for c in df.columns]
    num = [pd.api.types.is_numeric_dtype(df[c]) for c in df.columns]
    lines = ["| " + " | ".join(c.replace("|", "\\|") for c in cols) + " |",
             "| " + " | ".join("---:" if n else "---" for n in num) + " |"]
    for row in df.itertuples(index=False):
        lines.append("| " + " | ".join(_cell(v) for v in row) + " |")
    return "\n".join(lines) + "\n"


def _csv(df: pd.DataFrame) -> bytes:
    return df.to_csv(index=False, sep=";", decimal=",").encode("utf-8-sig")


def write_tables(tables: dict[str, pd.DataFrame], folder: str | Path, *,
                 overwrite: bool = False, group=None) -> list[Path]:
    """Write every table as ``folder/<naam>.csv`` and ``.md``; returns the paths.

    ``group``: an open :class:`verhalen.opslag.AtomicFiles` to join (``verhalen analyse``
    writes everything in one unit); without it the tables are written together here."""
    from ..opslag import atomic_files

    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise VerhalenFout(f"{folder}: bestaat al en is geen map.")
    targets = [folder / f"{n}.{ext}" for n in tables for ext in ("csv", "md")]
    taken = [p.name for p in targets if p.exists()]
    if taken and not overwrite:
        from ..fouten import OverschrijfFout
        raise OverschrijfFout(f"{folder}: bevat al tabellen van een eerdere run "
                              f"({', '.join(taken[:4])}{' …' if len(taken) > 4 else ''}). Geef "
                              "--overschrijf mee om ze te vervangen.")
    folder.mkdir(parents=True, exist_ok=True)

    def put(g):
        for name, df in tables.items():
            g.write_bytes(folder / f"{name}.csv", _csv(df))
            g.write_text(folder / f"{name}.md", f"## {name.replace('_', ' ')}\n\n" + to_markdown(df))

    if group is not None:
        put(group)
    else:
        with atomic_files() as g:
            put(g)
    return targets
