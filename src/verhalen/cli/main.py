"""Entry point of the ``verhalen`` console script."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from ..fouten import VerhalenFout

#: command -> (module in verhalen.cli, Dutch help text)
COMMANDS = {
    "lees": ("lees", "lees bestanden of een map in en schrijf segmenten (segments.jsonl)"),
    "info": ("info", "toon versies, de NLP-pijplijn en de embedder"),
    "codeer": ("codeer", "codeer segmenten met een codeboek"),
    "evalueer": ("evalueer", "vergelijk codes met een referentiecodering"),
    "themas": ("themas", "ontdek thema's die het codeboek mist (BERTopic)"),
    "rapport": ("rapport", "maak het HTML-rapport (sporenkaart, thema's, citaten) van een project"),
    "analyse": ("analyse", "alles in één keer: lezen, coderen, thema's, rapport en REFI-QDA"),
    "exporteer": ("exporteer", "exporteer een project naar REFI-QDA (.qdpx/.qdc) of CSV/XLSX"),
    "importeer": ("importeer", "importeer een REFI-QDA-project (.qdpx) of -codeboek (.qdc)"),
    "bekijk": ("bekijk", "open een projectmap in de werkbank: lezen, beoordelen en coderen"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="verhalen",
        description="Kwalitatieve analyse van Nederlandse interview- en ervaringsverhalen.")
    sub = parser.add_subparsers(dest="opdracht", metavar="OPDRACHT")
    for name, (module, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(_module=module)
        try:
            mod = importlib.import_module(f"verhalen.cli.{module}")
        except ModuleNotFoundError as exc:
            if exc.name != f"verhalen.cli.{module}":
                raise
            p.set_defaults(_missing=True)
            continue
        mod.add_arguments(p)
    return parser


def main(argv: list[str] | None = None) -> int:
    # Warnings only: libraries' debug chatter is not for users (and a later basicConfig
    # by a library, as deduce does on import, is then a no-op).
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "opdracht", None):
        parser.print_help()
        return 2
    if getattr(args, "_missing", False):
        print(f"verhalen {args.opdracht}: deze opdracht is in deze versie nog niet beschikbaar.",
              file=sys.stderr)
        return 2
    mod = importlib.import_module(f"verhalen.cli.{args._module}")
    try:
        return int(mod.run(args) or 0)
    except VerhalenFout as exc:
        print(f"Fout: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Afgebroken; eerdere uitvoer is niet aangetast.", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
