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

from ..projectmap import EXPORT_FORMATS as FORMATS
from ..projectmap import HUMAN as HUMAN_DEFAULT


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


def run(args: argparse.Namespace) -> int:
    from ..project import Project
    from ..voortgang import ConsoleProgress

    project = Project(args.map, progress=ConsoleProgress(warn_stream=sys.stderr))
    written = project.export(args.uit, fmt=args.formaat, codes=args.codes,
                             menselijk=args.menselijk or True, codebook=args.codeboek,
                             pseudonymise=args.pseudonimiseer, overwrite=args.overschrijf)
    for p in written:
        print(f"Geschreven: {p}")
    return 0
