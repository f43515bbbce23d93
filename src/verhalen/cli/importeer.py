"""``verhalen importeer``: a REFI-QDA project (.qdpx) or codebook (.qdc) from ATLAS.ti, MAXQDA,
NVivo, QualCoder (or verhalen) into a verhalen project folder.

    verhalen importeer BESTAND.qdpx --uit MAP [--overschrijf]
    verhalen importeer BESTAND.qdc  --uit MAP|CODEBOEK.yaml [--overschrijf]

A ``.qdpx`` becomes a project folder: ``segments.jsonl``, ``documents.jsonl``, ``corpus.json``
(as ``verhalen lees`` writes them; segments are the paragraphs of each source's plain text),
``codeboek.yaml``, the human codes in ``menselijke_codes.jsonl`` (usable with
``verhalen codeer --menselijk`` and as a reference for ``verhalen evalueer``), the exact
selections with their character offsets in ``selecties.csv``, and the machine codes of a
verhalen export (if any) in ``codes.jsonl``. A ``.qdc`` — or a project without text sources
— becomes ``codeboek.yaml``. The work is done by ``verhalen.uitwisseling.importeren``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("bestand", metavar="BESTAND",
                        help="REFI-QDA-bestand (.qdpx of .qdc; herkend aan de inhoud, dus ook "
                             "een .qdpx die als .zip is opgeslagen)")
    parser.add_argument("--uit", required=True, metavar="MAP",
                        help="projectmap (voor .qdc ook een pad naar een .yaml-codeboek)")
    parser.add_argument("--overschrijf", action="store_true",
                        help="bestaande uitvoer in MAP vervangen")


def run(args: argparse.Namespace) -> int:
    from ..project import Project
    from ..voortgang import ConsoleProgress

    src, out = Path(args.bestand), Path(args.uit)
    to_yaml = out.suffix.lower() in (".yaml", ".yml")
    project = Project(out.parent if to_yaml else out,
                      progress=ConsoleProgress(warn_stream=sys.stderr))
    project.import_(src, target=out if to_yaml else None, overwrite=args.overschrijf)
    return 0
