"""``verhalen importeer``: a REFI-QDA project (.qdpx) or codebook (.qdc) from ATLAS.ti, MAXQDA,
NVivo, QualCoder (or verhalen) into a verhalen project folder.

    verhalen importeer BESTAND.qdpx --uit MAP [--overschrijf]
    verhalen importeer BESTAND.qdc  --uit MAP|CODEBOEK.yaml [--overschrijf]

A ``.qdpx`` becomes a project folder: ``segments.jsonl``, ``documents.jsonl``, ``corpus.json``
(as ``verhalen lees`` writes them; segments are the paragraphs of each source's plain text),
``codeboek.yaml``, the human codes in ``menselijke_codes.jsonl`` (usable with
``verhalen codeer --menselijk`` and as a reference for ``verhalen evalueer``), the exact
selections with their character offsets in ``selecties.csv``, and the machine codes of a
verhalen export (if any) in ``codes.jsonl``. A ``.qdc`` becomes ``codeboek.yaml``.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

HUMAN_FILE = "menselijke_codes.jsonl"
SELECTIONS_FILE = "selecties.csv"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("bestand", metavar="BESTAND", help="REFI-QDA-bestand (.qdpx of .qdc)")
    parser.add_argument("--uit", required=True, metavar="MAP",
                        help="projectmap (voor .qdc ook een pad naar een .yaml-codeboek)")
    parser.add_argument("--overschrijf", action="store_true",
                        help="bestaande uitvoer in MAP vervangen")


def _report_warnings(caught) -> None:
    for w in caught:
        print(f"Let op: {w.message}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    from ..coderen.codeboek import save_codebook
    from ..fouten import LeesFout
    from ..opslag import refuse_overwrite
    from ..uitwisseling.refi_qda import import_qdc, import_qdpx

    src, out = Path(args.bestand), Path(args.uit)
    ext = src.suffix.lower()
    if not src.exists():
        raise LeesFout(src, "bestand bestaat niet.")
    if ext not in (".qdpx", ".qdc"):
        raise LeesFout(src, f"onbekende extensie '{ext}'; verwacht .qdpx (project) of .qdc "
                            "(codeboek).")

    if ext == ".qdc":
        target = out if out.suffix.lower() in (".yaml", ".yml") else out / "codeboek.yaml"
        refuse_overwrite(target, args.overschrijf)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            cb = import_qdc(src)
        _report_warnings(caught)
        save_codebook(cb, target, overwrite=args.overschrijf)
        print(f"Codeboek uit {src}: {len(cb)} codes.")
        print(f"Geschreven: {target}")
        return 0

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        corpus, long, cb = import_qdpx(src)
    _report_warnings(caught)
    if not corpus.documents:
        raise LeesFout(src, "het project bevat geen tekstbronnen die ik kan lezen.")
    targets = [out / "segments.jsonl", out / "codeboek.yaml", out / HUMAN_FILE,
               out / SELECTIONS_FILE, out / "codes.jsonl"]
    for t in targets:
        refuse_overwrite(t, args.overschrijf)
    if len(long) and (long["source"] == "machine").any():
        from ..opslag import refuse_human_codes

        refuse_human_codes(out / "codes.jsonl")   # never replace human codes by machine codes
    _write_project(corpus, long, cb, out, args.overschrijf)
    return 0


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


def _write_project(corpus, long, cb, out: Path, overwrite: bool) -> None:
    from ..codes import long_to_wide, write_codes_jsonl
    from ..coderen.codeboek import save_codebook
    from ..menselijk import save_human_codes
    from ..uitwisseling.export import write_csv

    folder = corpus.save(out, overwrite=overwrite)
    written = [folder / "segments.jsonl", folder / "documents.jsonl"]
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
            print(f"  eerdere menselijke codes bewaard als {kept}")
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
    n_seg = sum(len(d.segments) for d in corpus.documents)
    n_h = len(human)
    print(f"Geïmporteerd uit {corpus.meta.get('bron')}: {len(corpus.documents)} document(en), "
          f"{n_seg} segmenten, {len(cb)} codes in het codeboek.")
    print(f"  codes: {n_h} menselijk (segment × code), {len(machine)} automatisch; "
          f"{long['selectie'].nunique() if len(long) else 0} selecties.")
    if corpus.meta.get("overgeslagen"):
        print(f"  overgeslagen bronnen: {len(corpus.meta['overgeslagen'])} (zie de waarschuwing)")
    for p in written:
        print(f"Geschreven: {p}")
