"""Scale: generate N synthetic Dutch experience stories (~100 words each) and run
read → code → map (track profile) on them in batches; print wall time per stage, segments per
minute and peak memory; then run again with the filled embedding cache and print the speed-up.

Usage:
    python benchmarks/schaal.py [--n 10000] [--batch 1000] [--cache-dir DIR] [--uit MAP]
                                [--coder ensemble|regels] [--alleen-genereren]

* The stories are built from word and phrase banks in this file (deterministic, ``--seed``):
  residents, professionals and researchers telling about the field's themes (two to four
  themes per story, slots filled with names, places, numbers), one to three paragraphs, in
  ``MAP/verhalen/deel_XXX.csv`` (``--batch`` stories per file; columns id, casus, verteller,
  rol, datum, verhaal).
* Each run is a fresh Python process (so its peak memory, ``ru_maxrss``, is its own), with
  tracemalloc off. The first run starts with an empty embedding cache (``DIR/schaal``, removed
  first); the second reuses it. Per batch file: ``read_corpus`` (the fallback NLP pipeline) →
  the coder's ``code`` (default: the ensemble, zero-shot; its semantic scores are
  standardised per batch) → segments and codes appended to ``MAP/run_K/segments.jsonl`` and
  ``codes.jsonl`` (atomic: a temporary file renamed at the end); after the last batch the track
  profile per case and per role (``verhalen.sporen.profiel.track_profile``).
* Besides the embeddings, run 2 reuses the re-run caches of ``verhalen.cache`` in the same
  folder: what ``read_corpus`` made of each unchanged file (``lezen.sqlite``) and the spaCy
  analysis of each text (``nlp-analyse.sqlite``, used by ``coderen.basis.prepare``); the
  pipeline is a ``LazyNLP``, so spaCy is only loaded when something has to be computed.
  ``--alleen-embeddingcache`` turns those two caches off and loads spaCy up front (the
  behaviour before they existed), for comparison.
* Printed per run: seconds per stage (read, spaCy analysis, embed, code without embedding,
  write, map), total wall time, segments per minute, peak RSS, RSS after the first and the
  last batch (flat memory means these stay close), cache hits/misses and sizes.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# ---------------------------------------------------------------------------------------------
# word and phrase banks (written for this benchmark; fictional)
VOORNAMEN = ["Anouk", "Bram", "Chantal", "Daan", "Esra", "Fatima", "Gerrit", "Hanneke", "Ilse",
             "Jeroen", "Karim", "Lotte", "Mehmet", "Nadia", "Olaf", "Priya", "Ruud", "Samira",
             "Thijs", "Umut", "Vera", "Wouter", "Yara", "Zeynep", "Joke", "Marco", "Femke",
             "Sander", "Ayoub", "Greet", "Henk", "Iris", "Kees", "Linda", "Mo", "Naima"]
ACHTERNAMEN = ["de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder",
               "Bos", "Vos", "Peters", "Hendriks", "van Dijk", "Dekker", "Brouwer", "de Wit",
               "Yilmaz", "El Amrani", "Kaya", "Verhoeven", "Kramer", "Schouten", "Willems"]
WIJKEN = ["de Schilderswijk", "Overvecht", "het Havenkwartier", "Kanaleneiland", "de Bijlmer",
          "Malburgen", "Presikhaaf", "Selwerd", "de Kruidenbuurt", "Hoograven", "Lombok",
          "het Oude Noorden", "Feijenoord", "Transvaal", "Zuilen", "de Rivierenbuurt",
          "Bergen op Zoom-Noord", "Emmen-Angelslo", "Heerlen-Noord", "Lelystad-Zuid"]
BEROEPEN = ["jongerenwerker", "opbouwwerker", "wijkteammedewerker", "schuldhulpverlener",
            "buurtsportcoach", "maatschappelijk werker", "casemanager dementie",
            "ambulant begeleider", "straathoekwerker", "welzijnscoach", "sociaal werker"]
ORGANISATIES = ["het wijkteam", "de welzijnsorganisatie", "de gemeente", "de woningcorporatie",
                "het buurthuis", "de huisartsenpraktijk", "de voedselbank", "de bibliotheek",
                "het jongerencentrum", "de school", "de GGD", "het inloophuis"]
ACTIVITEITEN = ["de kookgroep", "het taalcafé", "de moestuin", "de koffieochtend",
                "het repaircafé", "de wandelgroep", "de huiswerkklas", "het voetbaltoernooi",
                "de naaiclub", "de buurtmaaltijd", "het klusteam", "de zangmiddag"]
MAANDEN = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
           "september", "oktober", "november", "december"]
GEVOELENS = ["opgelucht", "trots", "moe maar blij", "onzeker", "dankbaar", "rustiger",
             "verrast", "sterker", "minder bang", "gezien"]
PROBLEMEN = ["schulden", "eenzaamheid", "een burn-out", "geldzorgen", "ruzie met de buren",
             "een scheiding", "het verlies van mijn baan", "een zieke moeder", "schooluitval",
             "een verslaving", "taalproblemen", "een te kleine woning"]

OPENINGEN = {
    "bewoner": [
        "Ik woon nu {jaren} jaar in {wijk} en had lange tijd last van {probleem}.",
        "Sinds {maand} vorig jaar kwam ik bijna de deur niet meer uit door {probleem}.",
        "Mijn naam is {voornaam} en ik wil vertellen hoe het met {probleem} is gegaan.",
        "Toen ik in {wijk} kwam wonen kende ik niemand en groeide {probleem} me boven het hoofd.",
    ],
    "sociaal professional": [
        "Ik werk al {jaren} jaar als {beroep} in {wijk}.",
        "Als {beroep} bij {organisatie} kom ik dagelijks bij mensen thuis in {wijk}.",
        "Ons team van {aantal} collega's werkt sinds {maand} in {wijk}.",
        "Ik ben {beroep} en begeleid vooral gezinnen met {probleem}.",
    ],
    "onderzoeker": [
        "Als onderzoeker volg ik sinds {maand} het werk van {aantal} professionals in {wijk}.",
        "In ons praktijkonderzoek spraken we met {aantal} bewoners en {beroep}s.",
        "Vanuit de hogeschool kijk ik samen met {organisatie} naar wat het werk oplevert.",
        "Ik onderzoek al {jaren} jaar hoe wijkgericht werken uitpakt in {wijk}.",
    ],
}

#: sentences per theme (the twelve codes of the default codebook)
THEMAS = {
    "basishouding": [
        "{Wie} nam de tijd, luisterde zonder oordeel en liet merken er te zijn.",
        "Er ontstond langzaam een vertrouwensband, omdat {wie_klein} oprechte aandacht had.",
        "Het begint met echt luisteren naar de vraag achter de vraag.",
        "{Wie} zag de mens achter het dossier en bleef geduldig, ook als het tegenzat.",
        "Zonder oordeel naast iemand staan werkt beter dan meteen met oplossingen komen.",
    ],
    "methodische_rugzak": [
        "In de intervisie bespreken we elke {maand} een casus en leren we van elkaars aanpak.",
        "Na de training motiverende gespreksvoering pas ik die methodiek bewust toe.",
        "We reflecteren met het team op onze werkwijze en scherpen de methodiek aan.",
        "De scholing over oplossingsgericht werken gaf {wie_klein} nieuwe vaardigheden.",
    ],
    "politisering": [
        "We hebben samen met bewoners de gemeenteraad toegesproken over de slechte woningen.",
        "Als sociaal werker agendeer ik onrecht en maak ik structurele problemen zichtbaar.",
        "{Wie} zette de armoede in {wijk} op de politieke agenda van de wethouder.",
        "Het werk is ook politiek: we komen op voor de rechten van mensen die niet gehoord worden.",
    ],
    "kleine_stappen": [
        "Het ging in kleine stappen: eerst de post openen, daarna één rekening betalen.",
        "Elke kleine overwinning telde, zoals weer boodschappen doen of {activiteit} bezoeken.",
        "We vierden het toen {voornaam} na {aantal} weken weer zelf een afspraak maakte.",
        "Vooruitgang gaat met kleine stapjes, en soms ook een stap terug.",
    ],
    "relationeel_weefsel": [
        "Via {activiteit} leerde ik buren kennen en nu helpen we elkaar.",
        "Er is een netwerk van bewoners ontstaan dat naar elkaar omkijkt.",
        "De buurvrouw nam me mee naar {activiteit}, en daar vond ik nieuwe contacten.",
        "Door {activiteit} zijn vrijwilligers en bewoners met elkaar verbonden geraakt.",
    ],
    "betekenisvolle_momenten": [
        "Dat ene gesprek aan de keukentafel was een keerpunt voor mij.",
        "Ik weet nog precies het moment dat ik me weer {gevoel} voelde.",
        "Het was een betekenisvol moment toen {voornaam} voor het eerst weer lachte.",
        "Dat gebaar raakte me diep; het gaf mijn leven weer betekenis.",
    ],
    "eigen_stem": [
        "Ik bepaalde zelf het tempo en mijn eigen doelen, dat gaf me regie terug.",
        "De jongeren kozen zelf de vragen van het onderzoek en hadden echt inspraak.",
        "Bewoners beslissen mee over het budget van {activiteit}, hun stem telt.",
        "{Wie} vroeg wat ík wilde, in plaats van te zeggen wat goed voor me was.",
    ],
    "meten_en_verantwoorden": [
        "Elk kwartaal rapporteren we de cijfers en indicatoren aan de gemeente.",
        "Met een nulmeting en een vragenlijst na {aantal} maanden meten we het effect.",
        "De registratie en de verantwoording kosten ons veel tijd.",
        "We leggen de resultaten vast in een monitor met {aantal} indicatoren.",
    ],
    "kosten_en_baten": [
        "Elke euro die we investeren levert volgens de berekening {aantal} euro maatschappelijke baten op.",
        "Door vroeg in te grijpen bespaart de gemeente dure zorg en uithuisplaatsingen.",
        "De maatschappelijke kosten-batenanalyse liet zien dat de aanpak zich terugverdient.",
        "Een schuldhulptraject kost minder dan een huisuitzetting, zo rekenden we uit.",
    ],
    "preventie": [
        "We zijn er vroeg bij, zodat problemen niet escaleren.",
        "Door preventief huisbezoek voorkomen we dat ouderen vereenzamen.",
        "Vroegsignalering van betalingsachterstanden voorkomt grotere schulden.",
        "Met {activiteit} willen we voorkomen dat jongeren uitvallen op school.",
    ],
    "financiering_en_beleid": [
        "De subsidie van de gemeente loopt in {maand} af en de toekomst is onzeker.",
        "Door bezuinigingen moest {organisatie} {aantal} uur per week inleveren.",
        "Het beleid verandert elke vier jaar, met een nieuwe aanbesteding.",
        "Projectfinanciering maakt het moeilijk om langdurig met bewoners te werken.",
    ],
    "tellen_en_vertellen": [
        "Naast de cijfers verzamelen we verhalen, zodat tellen en vertellen samengaan.",
        "De verhalen van bewoners maken de cijfers in het jaarverslag begrijpelijk.",
        "We combineren kwantitatieve gegevens met ervaringsverhalen om impact te laten zien.",
        "Een getal zegt weinig zonder het verhaal van {voornaam} erbij.",
    ],
}

NEUTRAAL = [
    "Het was een drukke periode, ook omdat het {maand} was.",
    "{Organisatie} zit aan de rand van {wijk}, naast de supermarkt.",
    "In de straat wonen veel gezinnen met jonge kinderen.",
    "De bus naar het centrum rijdt maar twee keer per uur.",
    "Er waren die dag {aantal} mensen aanwezig.",
    "Het gebouw is oud en de verwarming doet het niet altijd.",
    "We spraken af bij {organisatie}, op de tweede verdieping.",
    "Soms regent het zo hard dat niemand de deur uit wil.",
]
SLOTEN = [
    "Zo is het gegaan, en ik ben er {gevoel} over.",
    "Ik hoop dat anderen iets aan dit verhaal hebben.",
    "We gaan er komend jaar gewoon mee door.",
    "Het is nog niet af, maar er is wel iets veranderd.",
    "Dat is voor mij de kern van het werk in {wijk}.",
]


def _fill(template: str, rng: random.Random, person: dict) -> str:
    wie = rng.choice([f"{person['helper']}", f"de {rng.choice(BEROEPEN)}",
                      f"mijn begeleider {person['helper_voornaam']}"])
    values = {
        "wijk": person["wijk"], "beroep": rng.choice(BEROEPEN),
        "organisatie": rng.choice(ORGANISATIES), "Organisatie": rng.choice(ORGANISATIES).capitalize(),
        "activiteit": rng.choice(ACTIVITEITEN), "maand": rng.choice(MAANDEN),
        "gevoel": rng.choice(GEVOELENS), "probleem": person["probleem"],
        "voornaam": rng.choice(VOORNAMEN), "jaren": rng.randint(2, 31),
        "aantal": rng.choice([3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 40, 60, 120]),
        "Wie": wie[0].upper() + wie[1:], "wie_klein": wie,
    }
    return template.format(**values)


ZEGGEN = ["zegt", "vertelt", "merkt", "benadrukt", "vindt", "zei", "vertelde", "legt uit"]
TIJD = ["vorige week", "dit voorjaar", "afgelopen winter", "in {maand}", "na de zomer",
        "sinds {maand}", "al {jaren} jaar", "twee keer per maand", "op dinsdagochtend",
        "tijdens de lockdown", "na de verhuizing", "in {wijk}"]


def _vary(sentence: str, rng: random.Random, person: dict) -> str:
    """Make a bank sentence (nearly) unique, as real stories are: a speaker attribution or a
    time/place phrase at the end."""
    body = sentence.rstrip(".")
    r = rng.random()
    if r < 0.5:
        return f"{body}, {rng.choice(ZEGGEN)} {rng.choice(VOORNAMEN)} {rng.choice(ACHTERNAMEN)}."
    if r < 0.95:
        return f"{body}, {_fill(rng.choice(TIJD), rng, person)}."
    return sentence


def make_story(i: int, rng: random.Random) -> dict:
    rol = rng.choices(list(OPENINGEN), weights=[5, 4, 1])[0]
    person = {
        "naam": f"{rng.choice(VOORNAMEN)} {rng.choice(ACHTERNAMEN)}",
        "helper": f"{rng.choice(VOORNAMEN)} {rng.choice(ACHTERNAMEN)}",
        "helper_voornaam": rng.choice(VOORNAMEN), "wijk": rng.choice(WIJKEN),
        "probleem": rng.choice(PROBLEMEN),
    }
    themes = rng.sample(list(THEMAS), k=rng.choice([2, 2, 3, 3, 4]))
    sentences = [_fill(rng.choice(OPENINGEN[rol]), rng, person)]
    words = len(sentences[0].split())
    pool = []
    for t in themes:
        pool += [(t, s) for s in rng.sample(THEMAS[t], k=2)]
    rng.shuffle(pool)
    for _, tmpl in pool:
        if words >= 80:
            break
        s = _vary(_fill(tmpl, rng, person), rng, person)
        sentences.append(s)
        words += len(s.split())
    while words < 90:
        s = _vary(_fill(rng.choice(NEUTRAAL), rng, person), rng, person)
        sentences.insert(rng.randint(1, len(sentences)), s)
        words += len(s.split())
    sentences.append(_vary(_fill(rng.choice(SLOTEN), rng, person), rng, person))
    # one to three paragraphs
    cuts = sorted(rng.sample(range(2, len(sentences) - 1), k=min(rng.choice([0, 1, 1, 2]),
                                                                   max(0, len(sentences) - 3))))
    paras, start = [], 0
    for c in cuts + [len(sentences)]:
        paras.append(" ".join(sentences[start:c]))
        start = c
    return {"id": f"v{i:06d}", "casus": f"C{rng.randint(1, 60):03d}", "verteller": person["naam"],
            "rol": rol, "datum": f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "verhaal": "\n\n".join(p for p in paras if p), "themas": ";".join(themes)}


def generate(n: int, folder: Path, batch: int, seed: int) -> list[Path]:
    """Write ``n`` stories into ``folder/deel_XXX.csv`` (``batch`` per file)."""
    from verhalen.opslag import atomic_write_text

    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    cols = ["id", "casus", "verteller", "rol", "datum", "verhaal", "themas"]
    for k, start in enumerate(range(0, n, batch)):
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=cols, lineterminator="\n")
        w.writeheader()
        for i in range(start, min(n, start + batch)):
            w.writerow(make_story(i, rng))
        files.append(atomic_write_text(folder / f"deel_{k:03d}.csv", buf.getvalue()))
    return files


# ---------------------------------------------------------------------------------------------
def _rss_mb() -> float:
    """Current resident memory of this process (MB)."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


class _TimedEmbedder:
    """Wraps the (cached) embedder to time the embedding stage separately."""

    def __init__(self, inner):
        self.inner, self.name, self.seconds, self.texts = inner, inner.name, 0.0, 0

    def encode(self, texts):
        t0 = time.perf_counter()
        out = self.inner.encode(texts)
        self.seconds += time.perf_counter() - t0
        self.texts += len(texts)
        return out


def one_pass(files: list[Path], out: Path, cache_dir: Path, coder_name: str,
             only_embeddings: bool = False) -> dict:
    """read → code → map over the batch files in this process; returns the figures."""
    import pandas as pd

    from verhalen.cache import LazyNLP, NLPCache, ReadCache
    from verhalen.codes import wide_to_long
    from verhalen.coderen import EnsembleCoder, RuleCoder
    from verhalen.coderen.basis import prepare
    from verhalen.codeboek import load_codebook
    from verhalen.embed import get_embedder
    from verhalen.lezen import read_corpus
    from verhalen.nlp import load_nlp
    from verhalen.opslag import atomic_files

    t_start = time.perf_counter()
    if only_embeddings:      # as before verhalen.cache: spaCy up front, no re-run caches
        nlp, read_cache, nlp_cache = load_nlp(), False, False
    else:
        nlp, read_cache, nlp_cache = LazyNLP(), ReadCache(cache_dir), NLPCache(cache_dir)
    codebook = load_codebook("impact")
    emb = _TimedEmbedder(get_embedder(cache_dir=cache_dir, progress=False))
    if coder_name == "regels":
        coder = RuleCoder(codebook, nlp=nlp)
    else:
        coder = EnsembleCoder(codebook, embedder=emb, nlp=nlp)
    t_setup = time.perf_counter() - t_start
    times = {"lezen": 0.0, "nlp": 0.0, "coderen": 0.0, "schrijven": 0.0, "sporen": 0.0}
    rss = []
    n_seg = n_docs = n_words = n_coded = 0
    keep_segs, keep_codes = [], []
    out.mkdir(parents=True, exist_ok=True)
    with atomic_files() as group:
        seg_fh = open(group.path(out / "segments.jsonl"), "w", encoding="utf-8")
        code_fh = open(group.path(out / "codes.jsonl"), "w", encoding="utf-8")
        for f in files:
            t0 = time.perf_counter()
            corpus = read_corpus(f, nlp=nlp, progress=False, cache=read_cache)
            segs = corpus.segments_df()
            t1 = time.perf_counter()
            batch = prepare(segs, nlp, where="schaal", cache=nlp_cache)  # what code() does first
            t1b = time.perf_counter()
            wide = coder.code(batch)
            t2 = time.perf_counter()
            for rec in corpus.segments():
                seg_fh.write(json.dumps(rec.to_record(), ensure_ascii=False) + "\n")
            for rec in wide.to_dict("records"):
                code_fh.write(json.dumps({"id": rec["id"], "codes": rec["codes"],
                                          "scores": rec["scores"], "evidence": rec["evidence"]},
                                         ensure_ascii=False) + "\n")
            t3 = time.perf_counter()
            # keep only what the map needs (ids, group columns, long codes without evidence)
            keep_segs.append(segs[["id", "doc_id", "case_id", "roles"]])
            long = wide_to_long(wide)
            keep_codes.append(long.drop(columns=["evidence"]).assign(evidence=[[]] * len(long)))
            times["lezen"] += t1 - t0
            times["nlp"] += t1b - t1
            times["coderen"] += t2 - t1b
            times["schrijven"] += t3 - t2
            n_seg += len(segs)
            n_docs += len(corpus.documents)
            n_words += sum(len(d.text.split()) for d in corpus.documents)
            n_coded += int(sum(1 for c in wide["codes"] if c))
            del corpus, segs, wide, long, batch
            rss.append(_rss_mb())
        seg_fh.close()
        code_fh.close()
    t0 = time.perf_counter()
    segments_df = pd.concat(keep_segs, ignore_index=True)
    codes_long = pd.concat(keep_codes, ignore_index=True)
    profile_note = ""
    try:
        from verhalen.sporen.profiel import track_profile

        per_case = track_profile(segments_df, codes_long, codebook, by="case_id")
        per_role = track_profile(segments_df, codes_long, codebook, by="roles")
        profile_note = (f"{len(per_case)} casussen, {len(per_role)} rollen; rol "
                        + ", ".join(f"{r[per_role.columns[0]]}: V {r['vakmanschap']:.2f} "
                                    f"B {r['betekenisgeving']:.2f} D {r['doelmatigheid']:.2f}"
                                    for r in per_role.head(3).to_dict("records")))
    except ImportError as exc:  # pragma: no cover - sporen.profiel is part of the package
        profile_note = f"track_profile niet beschikbaar ({exc})"
    times["sporen"] = time.perf_counter() - t0
    times["embeddings"] = emb.seconds
    times["coderen"] -= emb.seconds           # coding without the embedding stage
    total = time.perf_counter() - t_start
    inner = emb.inner
    return {"n_segmenten": n_seg, "n_documenten": n_docs, "n_woorden": n_words,
            "n_gecodeerd": n_coded, "tijden": times, "opstart": t_setup, "totaal": total,
            "piek_mb": _peak_mb(), "rss_eerste_batch": rss[0] if rss else 0.0,
            "rss_laatste_batch": rss[-1] if rss else 0.0, "rss_max_batch": max(rss or [0.0]),
            "embed_teksten": emb.texts, "cache_hits": getattr(inner, "hits", 0),
            "cache_misses": getattr(inner, "misses", 0), "sporen": profile_note,
            "spacy_geladen": bool(getattr(nlp, "loaded", True)),
            "lezen_cache": [read_cache.hits, read_cache.misses] if read_cache else None,
            "nlp_cache": [nlp_cache.hits, nlp_cache.misses] if nlp_cache else None,
            "cache_mb": _cache_sizes(cache_dir)}


def _cache_sizes(cache_dir: Path) -> dict[str, float]:
    """MiB per cache file (with its -wal/-shm companions)."""
    sizes: dict[str, float] = {}
    for p in sorted(cache_dir.glob("*.sqlite*")):
        base = p.name.split(".sqlite")[0] + ".sqlite"
        sizes[base] = sizes.get(base, 0.0) + p.stat().st_size / 2**20
    return {k: round(v, 1) for k, v in sizes.items()}


def cli_pass(data: Path, out: Path, cache_dir: Path) -> dict:
    """The product's own path on the whole corpus at once: ``verhalen lees`` on the folder,
    then ``verhalen codeer`` on the project (with the embedding cache of the runs before)."""
    import contextlib

    os.environ["VERHALEN_CACHE"] = str(cache_dir)
    from verhalen.cli.main import main as cli

    if out.exists():
        shutil.rmtree(out)
    times = {}
    sink = io.StringIO()
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(sink):
        rc1 = cli(["lees", str(data), "--uit", str(out)])
    times["lees"] = time.perf_counter() - t0
    rss_after_lees = _rss_mb()
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(sink):
        rc2 = cli(["codeer", str(out), "--stil"])
    times["codeer"] = time.perf_counter() - t0
    n_seg = sum(1 for _ in open(out / "segments.jsonl", encoding="utf-8"))
    return {"rc": [rc1, rc2], "tijden": times, "n_segmenten": n_seg, "piek_mb": _peak_mb(),
            "rss_na_lees": rss_after_lees}


def _print_pass(label: str, r: dict) -> None:
    t = r["tijden"]
    per_min = r["n_segmenten"] / max(r["totaal"], 1e-9) * 60
    print(f"\n== {label} ==")
    print(f"  documenten {r['n_documenten']:,}, segmenten {r['n_segmenten']:,}, "
          f"woorden {r['n_woorden']:,}, gecodeerd {r['n_gecodeerd']:,}")
    print(f"  opstart (modellen laden)   {r['opstart']:8.1f} s")
    lc, nc = r["lezen_cache"], r["nlp_cache"]
    print(f"  lezen (read_corpus)        {t['lezen']:8.1f} s  (" + (
        f"cache: {lc[0]} bestanden hergebruikt, {lc[1]} gelezen)" if lc else "geen leescache)"))
    print(f"  spaCy-analyse (prepare)    {t['nlp']:8.1f} s  (" + (
        f"cache: {nc[0]:,} treffers, {nc[1]:,} berekend; " if nc else "geen spaCy-cache; ")
        + f"spaCy geladen: {'ja' if r['spacy_geladen'] else 'nee'})")
    print(f"  embeddings                 {t['embeddings']:8.1f} s  ({r['embed_teksten']:,} teksten; "
          f"cache: {r['cache_hits']:,} treffers, {r['cache_misses']:,} berekend)")
    print(f"  coderen (zonder embedden)  {t['coderen']:8.1f} s")
    print(f"  schrijven                  {t['schrijven']:8.1f} s")
    print(f"  sporen (track_profile)     {t['sporen']:8.1f} s  — {r['sporen']}")
    print(f"  totaal                     {r['totaal']:8.1f} s  →  {per_min:,.0f} segmenten/min")
    print(f"  geheugen: piek {r['piek_mb']:,.0f} MiB (ru_maxrss); na eerste batch "
          f"{r['rss_eerste_batch']:,.0f} MiB, na laatste {r['rss_laatste_batch']:,.0f} MiB, "
          f"hoogste na een batch {r['rss_max_batch']:,.0f} MiB")
    print("  cachebestanden: " + ", ".join(f"{k} {v} MiB" for k, v in r["cache_mb"].items()))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10_000, help="aantal verhalen (standaard 10000)")
    ap.add_argument("--batch", type=int, default=1000, help="verhalen per batch (standaard 1000)")
    ap.add_argument("--cache-dir", default=None,
                    help="map voor de embeddingcache (standaard MAP/cache); de benchmark "
                    "gebruikt en leegt alleen de submap 'schaal'")
    ap.add_argument("--uit", default="/tmp/verhalen-schaal", help="werkmap (standaard "
                    "/tmp/verhalen-schaal)")
    ap.add_argument("--coder", choices=("ensemble", "regels"), default="ensemble")
    ap.add_argument("--seed", type=int, default=2025)
    ap.add_argument("--alleen-genereren", action="store_true")
    ap.add_argument("--ook-cli", action="store_true",
                    help="daarna ook 'verhalen lees' + 'verhalen codeer' op het hele corpus in "
                    "één keer (met de gevulde cache): tijd en piekgeheugen van dat pad")
    ap.add_argument("--alleen-embeddingcache", action="store_true",
                    help="zonder de lees- en spaCy-cache (spaCy vooraf geladen): het gedrag van "
                    "voor verhalen.cache, ter vergelijking")
    ap.add_argument("--_pass", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    out = Path(args.uit)
    cache = Path(args.cache_dir or out / "cache") / "schaal"
    data = out / "verhalen"
    if args._pass is not None:   # child process: one run, figures as JSON on stdout
        files = sorted(data.glob("deel_*.csv"))
        if args._pass == "cli":
            r = cli_pass(data, out / "run_cli", cache)
        else:
            r = one_pass(files, out / f"run_{args._pass}", cache, args.coder,
                         args.alleen_embeddingcache)
        print("RESULT " + json.dumps(r))
        return 0

    print(f"Schaalbenchmark: {args.n:,} verhalen, batches van {args.batch}, coder {args.coder}")
    print(f"  machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} / "
          f"{os.getloadavg()[1]:.2f} / {os.getloadavg()[2]:.2f} (1/5/15 min) bij de start")
    t0 = time.perf_counter()
    if data.exists():
        shutil.rmtree(data)
    files = generate(args.n, data, args.batch, args.seed)
    size = sum(f.stat().st_size for f in files)
    print(f"  gegenereerd in {time.perf_counter() - t0:.1f} s: {len(files)} bestanden, "
          f"{size / 1e6:.1f} MB in {data}")
    if args.alleen_genereren:
        return 0
    if cache.exists():
        shutil.rmtree(cache)
    results = []
    for k in (1, 2) + (("cli",) if args.ook_cli else ()):
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, __file__, "--uit", str(out), "--n", str(args.n),
                               "--batch", str(args.batch), "--coder", args.coder,
                               "--seed", str(args.seed), "--_pass", str(k)]
                              + (["--cache-dir", args.cache_dir] if args.cache_dir else [])
                              + (["--alleen-embeddingcache"] if args.alleen_embeddingcache
                                 else []),
                              capture_output=True, text=True)
        wall = time.perf_counter() - t0
        if proc.returncode != 0:
            print(proc.stderr[-4000:])
            return 1
        line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT "))
        r = json.loads(line[len("RESULT "):])
        r["wand"] = wall
        if k == "cli":
            print(f"\n== CLI-pad op het hele corpus in één keer (met cache) ==")
            print(f"  verhalen lees {r['tijden']['lees']:.1f} s, verhalen codeer "
                  f"{r['tijden']['codeer']:.1f} s ({r['n_segmenten']:,} segmenten; exitcodes "
                  f"{r['rc']}); geheugen na lees {r['rss_na_lees']:,.0f} MiB, piek "
                  f"{r['piek_mb']:,.0f} MiB; proces totaal {wall:.1f} s")
            continue
        results.append(r)
        label = ("run 1: lege caches" if k == 1 else "run 2: met gevulde caches")
        _print_pass(f"{label} (proces totaal {wall:.1f} s incl. Python-start en imports)", r)
    a, b = results
    print("\n== samenvatting ==")
    words = a["n_woorden"]
    print(f"  {a['n_documenten']:,} verhalen, {words:,} woorden, {a['n_segmenten']:,} segmenten")
    print(f"  run 1: {a['wand']:.1f} s ({a['wand'] / 60:.1f} min), piek {a['piek_mb']:,.0f} MiB")
    print(f"  run 2: {b['wand']:.1f} s ({b['wand'] / 60:.1f} min), piek {b['piek_mb']:,.0f} MiB")
    print(f"  versnelling met cache: {a['wand'] / max(b['wand'], 1e-9):.1f}× (hele run), "
          f"{a['tijden']['embeddings'] / max(b['tijden']['embeddings'], 1e-9):.1f}× (embeddings)")
    print(f"  doelen: ≤ 10 min → {'gehaald' if a['wand'] <= 600 else 'NIET gehaald'}; "
          f"≤ 4 GB → {'gehaald' if max(a['piek_mb'], b['piek_mb']) <= 4096 else 'NIET gehaald'}; "
          f"≥ 10× → {'gehaald' if a['wand'] / max(b['wand'], 1e-9) >= 10 else 'NIET gehaald'}")
    print(f"  load average aan het eind: {os.getloadavg()[0]:.2f} / {os.getloadavg()[1]:.2f} / "
          f"{os.getloadavg()[2]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
