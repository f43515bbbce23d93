"""``verhalen rapport MAP --uit rapport.html``: the offline HTML report of a coded project.

    verhalen rapport MAP --uit rapport.html [--codes CODES.jsonl] [--menselijk CODES]
                     [--codeboek NAAM|PAD] [--themas themas_tabel.csv] [--cijfers PAD]
                     [--referentie REF.jsonl] [--tabellen MAP] [--pseudonimiseer]
                     [--overschrijf]

MAP is a project folder (``verhalen lees`` + ``codeer``, or ``verhalen analyse``). Defaults:
codes from ``MAP/codes.jsonl`` (+ ``MAP/menselijke_codes.jsonl``), the codebook
``MAP/codeboek.yaml`` (else ``impact``), themes from ``MAP/themas_tabel.csv``, the case numbers
from the corpus folder the project was read from (``cijfers/casussen.csv``) when it is found.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("map", metavar="MAP", help="projectmap van 'verhalen lees'/'analyse'")
    parser.add_argument("--uit", required=True, metavar="RAPPORT.html", help="het rapport")
    parser.add_argument("--codes", metavar="CODES.jsonl", default=None,
                        help="codes per segment (standaard MAP/codes.jsonl)")
    parser.add_argument("--menselijk", metavar="CODES", default=None,
                        help="menselijke codes (standaard MAP/menselijke_codes.jsonl als die er is)")
    parser.add_argument("--codeboek", metavar="NAAM|PAD", default=None,
                        help="codeboek (standaard MAP/codeboek.yaml, anders impact)")
    parser.add_argument("--themas", metavar="TABEL.csv", default=None,
                        help="themastabel van 'verhalen themas' (standaard MAP/themas_tabel.csv)")
    parser.add_argument("--cijfers", metavar="PAD", default=None,
                        help="cijfers per casus (CSV/XLSX, of een corpusmap met "
                        "cijfers/casussen.csv) voor 'tellen én vertellen'")
    parser.add_argument("--referentie", metavar="REF.jsonl", default=None,
                        help="referentiecodering van mensen: overeenstemming in de methodebijlage")
    parser.add_argument("--tabellen", metavar="MAP", default=None,
                        help="schrijf de tabellen ook als CSV en Markdown in deze map")
    parser.add_argument("--pseudonimiseer", action="store_true",
                        help="vervang namen, plaatsen, organisaties, datums en nummers in het "
                        "rapport door pseudoniemen (sleutel apart, naast het rapport)")
    parser.add_argument("--overschrijf", action="store_true",
                        help="een bestaand rapport (en tabellen) vervangen")


def find_case_numbers(folder: Path, corpus_meta: dict) -> Path | None:
    """The case table: in the project folder, or in the corpus folder it was read from."""
    from ..mixed import find_numbers

    for cand in (folder, corpus_meta.get("bron")):
        if cand and Path(cand).is_dir():
            hit = find_numbers(Path(cand))
            if hit is not None:
                return hit
    return None


def method_of(folder: Path) -> dict:
    """What ran, as recorded by 'verhalen analyse' (MAP/methode.json), else {}."""
    p = folder / "methode.json"
    if p.exists():
        try:
            return json.loads(p.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
    return {}


def pseudonymise(corpus, long, key: Path):
    from ..fouten import VerhalenFout

    try:
        from ..privacy import pseudonymise_project
    except ImportError as exc:
        raise VerhalenFout("--pseudonimiseer is niet beschikbaar: verhalen.privacy."
                           f"pseudonymise_project ontbreekt in deze installatie ({exc}).") from exc
    return pseudonymise_project(corpus, long, key, nlp=None)


def noted(fn, *args, **kwargs):
    """Call ``fn``; its warnings (e.g. case ids without documents) become 'Let op' lines."""
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fn(*args, **kwargs)
    seen = set()
    for w in caught:
        if issubclass(w.category, UserWarning) and str(w.message) not in seen:
            seen.add(str(w.message))
            print(f"Let op: {w.message}")
    return result


def run(args: argparse.Namespace) -> int:
    from ..coderen.codeboek import load_codebook
    from ..fouten import VerhalenFout
    from ..model import Corpus
    from ..opslag import refuse_overwrite
    from ..sporen.rapport import write_report
    from ..sporen.tabellen import report_tables, write_tables
    from .exporteer import load_project_codes

    folder, out = Path(args.map), Path(args.uit)
    if not folder.is_dir():
        raise VerhalenFout(f"{folder}: geen map; geef de projectmap van 'verhalen lees'.")
    refuse_overwrite(out, args.overschrijf)          # before the slow part
    key = out.with_name(f"{out.stem}_pseudoniemen_sleutel.json")
    cb_arg = args.codeboek or (str(folder / "codeboek.yaml")
                               if (folder / "codeboek.yaml").exists() else "impact")
    codebook = load_codebook(cb_arg)
    corpus = Corpus.load(folder)
    long, src = load_project_codes(folder, args.codes, args.menselijk, codebook,
                                   corpus.segments_df())
    if long.empty:
        print(f"Let op: geen codes gevonden in {folder}; draai eerst 'verhalen codeer'. Het "
              "rapport toont alleen het corpus.")
    themes = Path(args.themas) if args.themas else folder / "themas_tabel.csv"
    if args.themas and not themes.exists():
        raise VerhalenFout(f"{themes}: themastabel bestaat niet.")
    numbers = Path(args.cijfers) if args.cijfers else find_case_numbers(folder, corpus.meta)
    if args.cijfers and not numbers.exists():
        raise VerhalenFout(f"{numbers}: bestand of map met cijfers bestaat niet.")
    themes_tab = themes if themes.exists() else None
    numbers_path = numbers
    if args.pseudonimiseer:
        corpus, long = pseudonymise(corpus, long, key)
        import pandas as pd

        from ..privacy import pseudonymise_table
        if themes_tab is not None:      # made from the texts before pseudonymisation
            themes_tab = pseudonymise_table(pd.read_csv(themes_tab), key)
        if numbers is not None:
            from ..mixed import read_numbers
            numbers = pseudonymise_table(read_numbers(numbers), key)
    method = method_of(folder)
    if args.pseudonimiseer:
        method["pseudonimisering"] = f"ja; sleutel apart in {key.name}"
        if "bron" in method:          # the source path may name someone, too
            method["bron"] = corpus.meta.get("bron", "")
    path = noted(write_report, corpus, long, codebook, out, overwrite=args.overschrijf,
                 themes=themes_tab, numbers=numbers,
                 method=method, reference=args.referentie)
    n_seg = sum(len(d.segments) for d in corpus.documents)
    print(f"Rapport: {len(corpus.documents)} documenten, {n_seg} segmenten, {len(long)} codes "
          f"(codeboek '{codebook.name}'); thema's: {'ja' if themes.exists() else 'nee'}; "
          f"cijfers: {numbers_path if numbers_path else 'geen'}.")
    if args.tabellen:
        written = write_tables(report_tables(corpus.segments_df(), long, codebook),
                               Path(args.tabellen), overwrite=args.overschrijf)
        print(f"Tabellen: {len(written)} bestanden in {Path(args.tabellen)}")
    if args.pseudonimiseer:
        print(f"  gepseudonimiseerd; sleutel: {key} (bewaar deze apart en deel hem niet)")
    print(f"Geschreven: {path}")
    return 0
