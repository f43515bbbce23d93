"""A REFI-QDA file into a verhalen project folder (what ``verhalen importeer`` does).

:func:`import_to_folder` recognises the file by its content (a ``.qdpx`` saved as ``.zip`` is
still a project; a ``project.qde`` or ``.qdc`` is a codebook), and writes:

* ``segments.jsonl``, ``documents.jsonl``, ``corpus.json`` (``corpus.meta["refi"]`` keeps what
  the other tool had: users, exact selections, notes, cases, variables, sets);
* ``codeboek.yaml`` (with ``codeerbaar``, ``guid``, ``sets``; foreign codes "zonder spoor");
* ``menselijke_codes.jsonl``: the human codes per segment (every segment a selection
  overlaps), with per code who coded it;
* ``selecties.csv``: the exact selections, one row per selection × code × segment, with the
  quote (an overview for the researcher; the export reads ``corpus.json``);
* ``codes.jsonl``: machine codes of a verhalen export, if any.

A project without text sources (a codebook only) gives only ``codeboek.yaml``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

from ..fouten import LeesFout
from ..opslag import refuse_overwrite

__all__ = ["import_to_folder", "ImportResult", "HUMAN_FILE", "SELECTIONS_FILE"]

HUMAN_FILE = "menselijke_codes.jsonl"
SELECTIONS_FILE = "selecties.csv"


@dataclass
class ImportResult:
    """What an import did: Dutch lines for the user, the warnings, the files written."""

    lines: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)


def _codebook_target(out: Path) -> Path:
    return out if out.suffix.lower() in (".yaml", ".yml") else out / "codeboek.yaml"


def import_to_folder(src: str | Path, out: str | Path, *, overwrite: bool = False
                     ) -> ImportResult:
    """Import ``src`` (.qdpx/.qdc/.qde, recognised by content) into the folder ``out`` (for a
    codebook also a ``.yaml`` path). Refuses to replace files unless ``overwrite``; an
    existing human-codes file is kept as ``…vorige<N>.jsonl`` before it is replaced."""
    from ..codeboek import save_codebook
    from .refi_import import detect_kind, import_qdc, import_qdpx

    src, out = Path(src), Path(out)
    kind = detect_kind(src)
    res = ImportResult()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if kind in ("qdc", "qde"):
            target = _codebook_target(out)
            refuse_overwrite(target, overwrite)
            cb = import_qdc(src)
            corpus = long = None
        else:
            corpus, long, cb = import_qdpx(src)
    res.warnings = [str(w.message) for w in caught]
    if corpus is None or not corpus.documents:
        if not cb.codes:
            raise LeesFout(src, "het project bevat geen tekstbronnen en geen codes.")
        target = _codebook_target(out)
        refuse_overwrite(target, overwrite)
        if corpus is not None:
            res.lines.append("Het project bevat geen tekstbronnen: alleen het codeboek is "
                             "ingelezen.")
        res.written.append(save_codebook(cb, target, overwrite=overwrite))
        res.lines.append(f"Codeboek uit {src}: {len(cb)} codes"
                         f"{f', {len(cb.sets)} set(s)' if cb.sets else ''}.")
        res.lines += [f"Geschreven: {p}" for p in res.written]
        return res
    targets = [out / "segments.jsonl", out / "codeboek.yaml", out / HUMAN_FILE,
               out / SELECTIONS_FILE, out / "codes.jsonl"]
    for t in targets:
        refuse_overwrite(t, overwrite)
    if len(long) and (long["source"] == "machine").any():
        from ..opslag import refuse_human_codes

        refuse_human_codes(out / "codes.jsonl")   # never replace human codes by machine codes
    _write_project(corpus, long, cb, out, overwrite, res)
    return res


def _backup(path: Path) -> Path | None:
    """Keep an existing human-codes file as ``<stem>.vorige<N><suffix>`` before it is replaced
    (with --overschrijf): a researcher's codes are never simply gone."""
    from ..opslag import atomic_write_bytes

    if not path.exists():
        return None
    n = 1
    while (target := path.with_name(f"{path.stem}.vorige{n}{path.suffix}")).exists():
        n += 1
    return atomic_write_bytes(target, path.read_bytes())


def summary_lines(corpus, long, cb) -> list[str]:
    """Dutch lines saying what came in."""
    refi = corpus.meta.get("refi") or {}
    n_seg = sum(len(d.segments) for d in corpus.documents)
    human = long[long["source"] == "mens"] if len(long) else long
    n_machine = len(long) - len(human)
    lines = [f"Geïmporteerd uit {corpus.meta.get('bron')}: {len(corpus.documents)} document(en), "
             f"{n_seg} segmenten, {len(cb)} codes in het codeboek.",
             f"  codes: {len(human)} menselijk (segment × code), {n_machine} automatisch; "
             f"{len(refi.get('selecties', []))} exacte selecties."]
    pos = refi.get("posities") or {}
    if pos:
        unit = "UTF-16-eenheden" if pos.get("eenheid") == "utf16" else "codepunten"
        lines.append(f"  posities van {pos.get('producent')}: {unit}, \\r\\n telt "
                     f"{pos.get('crlf')}.")
    extra = [(len(refi.get("gebruikers", [])), "gebruiker(s)"),
             (len(refi.get("notities", [])), "notitie(s)"), (len(refi.get("cases", [])),
                                                             "case(s)"),
             (len(refi.get("variabelen", [])), "variabele(n)"),
             (len(refi.get("sets", [])) + len(cb.sets), "set(s)")]
    kept = ", ".join(f"{n} {what}" for n, what in extra if n)
    if kept:
        lines.append(f"  bewaard: {kept}.")
    if corpus.meta.get("overgeslagen"):
        lines.append(f"  overgeslagen bronnen: {len(corpus.meta['overgeslagen'])} (zie de "
                     "waarschuwing)")
    return lines


def _write_project(corpus, long, cb, out: Path, overwrite: bool, res: ImportResult) -> None:
    from ..codes import long_to_wide, write_codes_jsonl
    from ..codeboek import save_codebook
    from ..menselijk import save_human_codes
    from .export import write_csv

    folder = corpus.save(out, overwrite=overwrite)
    written = [folder / "segments.jsonl", folder / "documents.jsonl", folder / "corpus.json"]
    if cb.codes:
        written.append(save_codebook(cb, folder / "codeboek.yaml", overwrite=overwrite))
    human = long[long["source"] == "mens"] if not long.empty else long
    machine = long[long["source"] == "machine"] if not long.empty else long
    if len(human):
        hw = long_to_wide(human)
        by_code: dict[str, dict[str, str]] = {}      # segment → code → "Sanne, Jelle"
        for (sid, code), names in human.groupby(["segment_id", "code"])["coder"]:
            names = ", ".join(dict.fromkeys(str(x) for x in names if str(x)))
            if names:
                by_code.setdefault(str(sid), {})[str(code)] = names
        hw["coders"] = [by_code.get(sid, {}) for sid in hw["id"]]
        kept = _backup(folder / HUMAN_FILE)
        if kept:
            res.lines.append(f"  eerdere menselijke codes bewaard als {kept}")
        written.append(save_human_codes(hw[["id", "codes", "coders"]],
                                        folder / HUMAN_FILE, overwrite=overwrite, codebook=cb))
    if len(machine):
        mw = long_to_wide(machine)
        mw["source"] = "machine"
        written.append(write_codes_jsonl(mw, folder / "codes.jsonl", overwrite=overwrite))
    if len(long):
        sel = long[["segment_id", "code", "source", "coder", "doc_id", "start", "end",
                    "selectie", "notitie"]].copy()
        sel.insert(7, "citaat", [" | ".join(e) if isinstance(e, list) else ""
                                 for e in long["evidence"]])
        sel = sel.rename(columns={"source": "bron"})
        written.append(write_csv(sel, folder / SELECTIONS_FILE, overwrite=overwrite))
    res.lines += summary_lines(corpus, long, cb)
    res.lines += [f"Geschreven: {p}" for p in written]
    res.written += written
