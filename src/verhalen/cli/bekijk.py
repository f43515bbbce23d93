"""``verhalen bekijk``: open a project folder in the workbench (a local web app).

    verhalen bekijk MAP [--poort N] [--geen-browser] [--codeur NAAM]

Prints one line, the address ``http://127.0.0.1:PORT/?token=…``, and opens it in the browser
unless ``--geen-browser``. Every decision is stored at once in ``MAP/menselijk/journaal.jsonl``.
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
    parser.add_argument("--codeur", default="onderzoeker",
                        help="uw naam: elk besluit krijgt die mee (standaard: onderzoeker)")


def run(args: argparse.Namespace) -> int:
    from ..werkbank.server import serve

    return serve(args.map, port=args.poort, coder=args.codeur,
                 open_browser=not args.geen_browser)
