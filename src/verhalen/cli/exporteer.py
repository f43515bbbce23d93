"""``verhalen exporteer``: a coded project folder to REFI-QDA (.qdpx/.qdc) or tables (CSV/XLSX).

    verhalen exporteer MAP --uit PAD [--formaat qdpx|qdc|csv|xlsx] [--codes CODES.jsonl]
                       [--menselijk CODES.jsonl|.csv] [--codeboek NAAM|PAD]
                       [--pseudonimiseer] [--overschrijf]

MAP is a folder of ``verhalen lees`` (segments.jsonl, documents.jsonl). Codes: ``--codes``
(default ``MAP/codes.jsonl``) and human codes ``--menselijk`` (default
``MAP/menselijke_codes.jsonl`` when present); the codebook: ``--codeboek`` (default
``MAP/codeboek.yaml``, else ``impact``). The format follows ``--formaat`` or the extension of
PAD. ``--pseudonimiseer`` replaces names, places, organisations, dates and numbers in the
exported texts by pseudonyms; the key goes to a separate file next to PAD whose name contains
``sleutel``.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

FORMATS = ("qdpx", "qdc", "csv", "xlsx")
HUMAN_DEFAULT = "menselijke_codes.jsonl"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("map", metavar="MAP", help="projectmap van 'verhalen lees' / 'analyse'")
    parser.add_argument("--uit", required=True, metavar="PAD",
                        help="uitvoerbestand (.qdpx, .qdc, .csv of .xlsx)")
    parser.add_argument("--formaat", choices=FORMATS, default=None,
                        help="qdpx, qdc, csv of xlsx (standaard: volgens de extensie van --uit)")
    parser.add_argument("--codes", metavar="CODES.jsonl", default=None,
                        help="codes per segment (standaard: MAP/codes.jsonl als die bestaat)")
    parser.add_argument("--menselijk", metavar="CODES", default=None,
                        help="menselijke codes {\"id\", \"codes\"} (.jsonl of .csv; standaard: "
                             f"MAP/{HUMAN_DEFAULT} als die bestaat)")
    parser.add_argument("--codeboek", metavar="NAAM|PAD", default=None,
                        help="codeboek (standaard: MAP/codeboek.yaml als die bestaat, anders "
                             "impact)")
    parser.add_argument("--pseudonimiseer", action="store_true",
                        help="vervang namen, plaatsen, organisaties, datums en nummers door "
                             "pseudoniemen (sleutel apart, naast het uitvoerbestand)")
    parser.add_argument("--overschrijf", action="store_true",
                        help="een bestaand uitvoerbestand vervangen")


def _format(args: argparse.Namespace) -> str:
    from ..fouten import VerhalenFout

    if args.formaat:
        return args.formaat
    ext = Path(args.uit).suffix.lower().lstrip(".")
    if ext not in FORMATS:
        raise VerhalenFout(f"{args.uit}: kan het formaat niet afleiden uit de extensie "
                           f"'.{ext}'; geef --formaat {'|'.join(FORMATS)}.")
    return ext


def key_path_for(out: Path) -> Path:
    """The pseudonymisation key next to the output (its name contains 'sleutel')."""
    return out.with_name(f"{out.stem}_pseudoniemen_sleutel.json")


def load_project_codes(folder: Path, codes: str | None, human: str | None, codebook, segs):
    """Long codes of a project folder: machine codes plus human codes (source 'mens')."""
    import pandas as pd

    from ..codes import empty_long, read_codes, wide_to_long
    from ..fouten import VerhalenFout
    from ..menselijk import load_human_codes

    parts = []
    cpath = Path(codes) if codes else folder / "codes.jsonl"
    if codes and not cpath.exists():
        raise VerhalenFout(f"{cpath}: bestand met codes bestaat niet.")
    if cpath.exists():
        wide = read_codes(cpath)
        if "source" not in wide.columns:
            wide["source"] = "machine"
        wide["source"] = wide["source"].where(wide["source"].isin(["mens", "machine"]),
                                              "machine")
        if "coder" not in wide.columns:   # codes.jsonl does not say which coder ran
            wide["coder"] = ""
        parts.append(wide_to_long(wide))
    hpath = Path(human) if human else folder / HUMAN_DEFAULT
    if human and not hpath.exists():
        raise VerhalenFout(f"{hpath}: bestand met menselijke codes bestaat niet.")
    if hpath.exists():
        hw = load_human_codes(hpath, segments_df=segs, codebook=codebook)
        if "coder" not in hw.columns:
            hw["coder"] = ""
        hl = wide_to_long(hw, source="mens")
        if "coders" in hw.columns and len(hl):   # {code: "Sanne"} as 'verhalen importeer' writes
            who = {str(r["id"]): r["coders"] for r in hw.to_dict("records")
                   if isinstance(r.get("coders"), dict)}
            hl["coder"] = [who.get(sid, {}).get(code) or c for sid, code, c
                           in zip(hl["segment_id"], hl["code"], hl["coder"])]
        parts.append(hl)
    if not parts:
        return empty_long(), None
    long = pd.concat(parts, ignore_index=True)
    long = long.drop_duplicates(subset=["segment_id", "code", "source"], keep="last")
    return long.reset_index(drop=True), (cpath if cpath.exists() else hpath)


def run(args: argparse.Namespace) -> int:
    from ..coderen.codeboek import load_codebook
    from ..fouten import VerhalenFout
    from ..model import Corpus
    from ..opslag import refuse_overwrite
    from ..uitwisseling import export as tables
    from ..uitwisseling.refi_qda import RefiWaarschuwing, export_qdc, export_qdpx

    folder, out = Path(args.map), Path(args.uit)
    fmt = _format(args)
    cb_arg = args.codeboek or (str(folder / "codeboek.yaml")
                               if (folder / "codeboek.yaml").exists() else "impact")
    codebook = load_codebook(cb_arg)
    if fmt == "qdc":
        refuse_overwrite(out, args.overschrijf)
        if args.pseudonimiseer:
            print("Let op: een .qdc bevat alleen het codeboek; --pseudonimiseer heeft hier geen "
                  "effect.", file=sys.stderr)
        export_qdc(codebook, out, overwrite=args.overschrijf)
        print(f"Codeboek '{codebook.name}' ({len(codebook)} codes) als REFI-QDA-codeboek.")
        print(f"Geschreven: {out}")
        return 0

    if not folder.is_dir():
        raise VerhalenFout(f"{folder}: geen map; geef de projectmap van 'verhalen lees'.")
    targets = [out] + ([tables.quotes_path_for(out)] if fmt == "csv" else [])
    key = key_path_for(out)
    if args.pseudonimiseer:
        targets.append(key)
    for t in targets:
        refuse_overwrite(t, args.overschrijf)
    corpus = Corpus.load(folder)
    segs = corpus.segments_df()
    long, codes_src = load_project_codes(folder, args.codes, args.menselijk, codebook, segs)
    if long.empty:
        print(f"Let op: geen codes gevonden in {folder} (codes.jsonl); ik exporteer de teksten "
              "zonder codes.", file=sys.stderr)
    if args.pseudonimiseer:
        try:
            from ..privacy import pseudonymise_project
        except ImportError as exc:
            raise VerhalenFout("--pseudonimiseer is niet beschikbaar: verhalen.privacy."
                               f"pseudonymise_project ontbreekt in deze installatie ({exc}).") \
                from exc
        corpus, long = pseudonymise_project(corpus, long, key, nlp=None)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RefiWaarschuwing)
        if fmt == "qdpx":
            written = [export_qdpx(corpus, long, codebook, out, overwrite=args.overschrijf)]
        else:
            written = tables.export_tables(corpus, long, codebook, out,
                                           overwrite=args.overschrijf, fmt=fmt)
    for w in caught:
        print(f"Let op: {w.message}", file=sys.stderr)

    n_seg = sum(len(d.segments) for d in corpus.documents)
    n_coded = long["segment_id"].nunique() if not long.empty else 0
    n_h = int((long["source"] == "mens").sum()) if not long.empty else 0
    print(f"Geëxporteerd ({fmt}): {len(corpus.documents)} document(en), {n_seg} segmenten, "
          f"{n_coded} gecodeerd; {len(long)} codes ({n_h} menselijk, {len(long) - n_h} "
          f"automatisch) met codeboek '{codebook.name}'.")
    if codes_src:
        print(f"  codes uit: {codes_src}")
    if args.pseudonimiseer:
        print(f"  gepseudonimiseerd; sleutel: {key} (bewaar deze apart en deel hem niet)")
    for p in written:
        print(f"Geschreven: {p}")
    return 0
