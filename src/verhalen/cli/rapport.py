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


def run(args: argparse.Namespace) -> int:
    from ..project import Project
    from ..voortgang import ConsoleProgress

    project = Project.open(args.map, progress=ConsoleProgress())
    path = project.report(args.uit, codes=args.codes, menselijk=args.menselijk or True,
                          codebook=args.codeboek, themes=args.themas, numbers=args.cijfers,
                          reference=args.referentie, tables=args.tabellen,
                          pseudonymise=args.pseudonimiseer, overwrite=args.overschrijf)
    print(f"Geschreven: {path}")
    return 0
