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
    from ..cache import LazyNLP, pipeline_info_of
    from ..fouten import OverschrijfFout, VerhalenFout
    from ..lezen import read_corpus, summary_lines

    out = Path(args.uit)
    taken = [n for n in ("segments.jsonl", "documents.jsonl", "corpus.json", "mensen.csv",
                         "pseudoniemen_sleutel.json") if (out / n).exists()]
    if out.exists() and not args.overschrijf and taken:
        raise OverschrijfFout(f"{out}: deze map bevat al uitvoer van een eerdere run "
                              f"({', '.join(taken)}). Kies een andere map of geef --overschrijf "
                              "mee om de uitvoer te vervangen.")
    if out.exists() and not out.is_dir():
        raise OverschrijfFout(f"{out}: bestaat al en is geen map.")
    # spaCy is loaded only when a file is not in the reading cache; with --pseudonimiseer the
    # originals are not kept in that cache at all
    nlp = LazyNLP(args.nlp)
    corpus = read_corpus(args.pad, text_column=args.tekstkolom, people=args.mensen, nlp=nlp,
                         cache=False if args.pseudonimiseer else None)
    errors = corpus.meta.get("errors", [])
    if corpus.meta.get("gelezen", 0) == 0 or not corpus.documents:
        print(f"Geen enkel bestand kon worden gelezen uit {args.pad}.", file=sys.stderr)
        _print_errors(errors)
        return 1
    if args.pseudonimiseer:
        try:
            from ..privacy import pseudonymise_corpus
        except ImportError as exc:
            raise VerhalenFout("--pseudonimiseer is niet beschikbaar: de module verhalen.privacy "
                               f"ontbreekt in deze installatie ({exc}).") from exc
        out.mkdir(parents=True, exist_ok=True)
        corpus = pseudonymise_corpus(corpus, key_path=out / "pseudoniemen_sleutel.json", nlp=nlp)
    folder = corpus.save(out, overwrite=args.overschrijf)
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
    print(f"  NLP-pijplijn: {pipeline_info_of(nlp).describe()}")
    if args.pseudonimiseer:
        print(f"  gepseudonimiseerd; sleutel: {out / 'pseudoniemen_sleutel.json'} (bewaar deze "
              "apart en deel hem niet)")
    for line in summary_lines(corpus):
        print(line)
    if errors:
        _print_errors(errors)
    print(f"Geschreven: {folder / 'segments.jsonl'}")
    return 0


def _print_errors(errors: list[dict]) -> None:
    if not errors:
        return
    print(f"Niet gelezen ({len(errors)}):", file=sys.stderr)
    for e in errors:
        print(f"  - {e.get('message') or e.get('path')}", file=sys.stderr)
