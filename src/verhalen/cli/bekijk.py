"""``verhalen bekijk``: open a project folder in the workbench (a local web app).

    verhalen bekijk MAP [--poort N] [--geen-browser] [--codeur NAAM]
    verhalen bekijk MAP --schrijf-codes CODES.jsonl [--codeur NAAM] [--overschrijf]

Prints one line, the address ``http://127.0.0.1:PORT/?token=…``, and opens it in the browser
unless ``--geen-browser``. Every decision is stored at once in ``MAP/menselijk/journaal.jsonl``.
``--schrijf-codes``: write the coder's current codes from the journal as a human-codes file
(for ``verhalen codeer --menselijk``) and stop, without starting the workbench.
"""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("map", metavar="MAP",
                        help="projectmap van 'verhalen lees', 'codeer' of 'analyse'")
    parser.add_argument("--poort", type=int, default=0,
                        help="poort op 127.0.0.1 (standaard: een vrije poort)")
    parser.add_argument("--geen-browser", action="store_true", dest="geen_browser",
                        help="de browser niet openen (alleen het adres tonen)")
    parser.add_argument("--codeur", default=None,
                        help="uw naam: elk besluit krijgt die mee (standaard: onderzoeker)")
    parser.add_argument("--schrijf-codes", metavar="CODES.jsonl", dest="schrijf_codes",
                        help="schrijf de huidige codes van de codeur uit het journaal naar dit "
                             "bestand (voor 'verhalen codeer --menselijk') en stop")
    parser.add_argument("--overschrijf", action="store_true",
                        help="met --schrijf-codes: een bestaand bestand vervangen")


def run(args: argparse.Namespace) -> int:
    if args.schrijf_codes:
        from ..journaal import Journal, write_human_codes
        from ..werkbank import Werkbank

        wb = Werkbank(args.map)
        out = write_human_codes(Journal.for_project(args.map), args.schrijf_codes,
                                coder=args.codeur, overwrite=args.overschrijf,
                                codebook=wb.codebook)
        n = sum(1 for _ in open(out, encoding="utf-8"))
        print(f"{n} beoordeelde segmenten geschreven naar {out}")
        return 0
    from ..werkbank.server import serve

    return serve(args.map, port=args.poort, coder=args.codeur or "onderzoeker",
                 open_browser=not args.geen_browser)
