"""``verhalen lees PAD --uit MAP``: read files or a folder and write the project folder."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("pad", metavar="PAD", help="bestand of map met verhalen (.txt, .md, "
                        ".docx, .pdf, .csv, .xlsx)")
    parser.add_argument("--uit", required=True, metavar="MAP",
                        help="map waarin segments.jsonl, documents.jsonl en corpus.json komen")
    parser.add_argument("--tekstkolom", metavar="K", default=None,
                        help="kolom met de verhalen in een .csv/.xlsx (standaard: automatisch)")
    parser.add_argument("--mensen", metavar="CSV", default=None,
                        help="mensentabel: naam, rol, organisatie, aliassen")
    parser.add_argument("--overschrijf", action="store_true",
                        help="vervang de uitvoer in een bestaande map")
    parser.add_argument("--pseudonimiseer", action="store_true",
                        help="vervang namen, plaatsen, organisaties, datums en nummers door "
                        "pseudoniemen (sleutel apart in MAP/pseudoniemen_sleutel.json)")
    parser.add_argument("--nlp", metavar="MODEL", default=None,
                        help="spaCy-model (standaard: nl_core_news_lg als die er is, anders de "
                        "terugvaloptie; 'blank' forceert de terugvaloptie)")


def run(args: argparse.Namespace) -> int:
    from ..cache import pipeline_info_of
    from ..lezen import summary_lines
    from ..project import NietsGelezen, Project
    from ..voortgang import ConsoleProgress

    out = Path(args.uit)
    project = Project(out, progress=ConsoleProgress())
    try:
        corpus = project.read(args.pad, text_column=args.tekstkolom, people=args.mensen,
                              nlp_model=args.nlp, pseudonymise=args.pseudonimiseer,
                              overwrite=args.overschrijf)
    except NietsGelezen as exc:
        print(str(exc), file=sys.stderr)
        project.report_errors(exc.errors)
        return 1
    n_seg = sum(len(d.segments) for d in corpus.documents)
    n_words = sum(len(s.text.split()) for s in corpus.segments())
    speakers = sorted({sp for s in corpus.segments() for sp in s.speakers})
    n_sec = len({(s.doc_id, s.section) for s in corpus.segments() if s.section})
    print(f"Gelezen: {corpus.meta.get('gelezen', 0)} bestand(en) uit {args.pad}")
    print(f"  documenten: {len(corpus.documents)}")
    print(f"  segmenten:  {n_seg} (in {n_sec} secties)")
    print(f"  woorden:    {n_words}")
    if speakers:
        shown = ", ".join(speakers[:12]) + (" …" if len(speakers) > 12 else "")
        print(f"  sprekers:   {len(speakers)} ({shown})")
    else:
        print("  sprekers:   geen geciteerde sprekers herkend")
    if corpus.people is not None and not corpus.people.empty:
        counts = corpus.people["rol"].value_counts().to_dict()
        print("  mensentabel: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
    print(f"  NLP-pijplijn: {pipeline_info_of(project.read_nlp_).describe()}")
    if args.pseudonimiseer:
        print(f"  gepseudonimiseerd; sleutel: {project.key_path} (bewaar deze apart en deel hem "
              "niet)")
    for line in summary_lines(corpus):
        print(line)
    print(f"Geschreven: {out / 'segments.jsonl'}")
    return 0
