"""Build corpora/voorbeeld/bundel_wijkaanpak.pdf, the demo bundle laid out like a PDF export.

The bundle is fictional text written for verhalen. The layout deliberately carries the page
furniture that real exported interview bundles have, so the PDF cleaner can be tested on it:

* a running header and a page number ("Pagina N van M") on every page;
* a navigation list repeated in the left margin of every page;
* footnote markers glued to words ("werkwijze.3") and footnote blocks at the page bottom;
* a bare URL on its own line;
* words hyphenated at line ends ("samen-" / "werking"), next to real hyphens that are never
  broken ("re-integratie", "sociaal-pedagogisch");
* chapter titles, and paragraphs that run across a page break.

Lines are broken by hand (not by a reportlab flowable) so that hyphenation happens where we
say: a ``~`` inside a word marks an allowed break point (used only when the word does not fit);
a ``^`` forces a hyphenated break there. Neither is printed otherwise.
Footnote markers are written ``{3}`` right after the word they belong to.

Usage: ``.venv/bin/python scripts/maak_voorbeeld_pdf.py [--uit PAD]``. The output is
deterministic (fixed creation date, no compression randomness).
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "corpora" / "voorbeeld" / "bundel_wijkaanpak.pdf"

HEADER = "Werkplaats Sociaal Domein Wierdenstad  |  Bundel wijkaanpak Havenkwartier 2025"
NAVIGATION = [
    "Home",
    "Over de Werkplaats",
    "Publicaties",
    "Wijkaanpak",
    "Agenda",
    "Contact",
]
FOOTNOTES = {
    1: "De namen van bewoners in deze bundel zijn op hun verzoek gewijzigd.",
    2: "Zie het jaarplan Samen in de Haven 2024-2027 van de gemeente Wierdenstad.",
    3: "De werkwijze is beschreven in de handreiking Buurt aan zet (Werkplaats, 2023).",
    4: "Zie het advies Verantwoorden met verhalen van de Werkplaats (2024).",
    5: "Cijfers uit de bewonersmonitor Havenkwartier, voor- en nameting 2023 en 2024.",
    6: "Het buurtbudget wordt jaarlijks opnieuw vastgesteld door de gemeenteraad.",
}

# (kind, text). kind: title, chapter, para, url, people
CONTENT: list[tuple[str, str]] = [
    ("title", "Buurt aan zet: verhalen uit de wijkaanpak in het Havenkwartier"),
    ("chapter", "1. Inleiding"),
    ("para",
     "Deze bundel brengt drie stemmen samen uit de wijk~aanpak in het Havenkwartier, een oude "
     "haven~buurt van Wierdenstad met veel sociale huur~woningen, een jonge en een vergrijzende "
     "bevolking en een lange geschiedenis van bewoners die het zelf regelen.{1} Sinds 2023 werken "
     "opbouwwerk, het wijkteam, de woning~corporatie en de gemeente hier samen in één programma.{2} "
     "We wilden weten wat die samen^werking betekent voor de mensen die er wonen, en wat de "
     "professionals zelf zien veranderen. Daarvoor spraken we met een opbouwwerker, een "
     "sociaal-pedagogisch hulpverlener en een bewoonster die vrijwilliger werd."),
    ("para",
     "De verhalen staan niet op zichzelf. Naast de interviews gebruikten we de cijfers van de "
     "bewoners~monitor, waarin ruim tweehonderd huishoudens twee keer een korte vragen~lijst "
     "invulden over contact met buren, veiligheid en vertrouwen in instanties. Zo kunnen we "
     "tellen en vertellen naast elkaar leggen: wat de cijfers laten zien, en wat de verhalen "
     "eraan toevoegen of juist tegenspreken."),
    ("people", "Wie spraken we?"),
    ("para",
     "Kim Smit, opbouwwerker bij Stichting Welzijn Wierdenstad. Jeroen Post, sociaal-pedagogisch "
     "hulpverlener in wijkteam Havenkwartier. Hanneke Visser, bewoonster en vrijwilliger van het "
     "buurthuis De Kade."),
    ("chapter", "2. Kim Smit: \u201cEerst koffie, dan het plan\u201d"),
    ("para",
     "Kim Smit werkt sinds vier jaar als opbouwwerker in het Havenkwartier. Ze begon niet met een "
     "plan, maar met een ronde langs alle portieken. Smit: \u201cIk heb maanden alleen maar koffie "
     "gedronken en geluisterd. Mensen verwachten dat je met een folder komt, maar ik wilde eerst "
     "horen wat zij belangrijk vinden. Pas toen ik wist wie met wie praatte, kon ik iets "
     "organiseren.\u201d Die manier van werken noemt ze haar belangrijkste werkwijze.{3} Volgens "
     "Smit is het de basis van alles wat daarna kwam: de klussen~ploeg, de eettafel op vrijdag en "
     "de bewoners~commissie die het buurt~budget verdeelt."),
    ("para",
     "Ze ziet ook de grenzen van haar werk. \u201cAls de helft van de straat in een vochtige woning "
     "woont, kan ik wel een buurtfeest organiseren, maar dan los ik niets op\u201d, zegt Smit. "
     "Samen met bewoners bracht ze de problemen in kaart en ging ze naar de corporatie en de "
     "gemeenteraad. \u201cDat is ook opbouwwerk: zorgen dat de stem van de buurt gehoord wordt "
     "waar de besluiten vallen. Wonen is hier het grootste probleem, en daar moet je het dan ook "
     "over hebben, ook als dat niet in je opdracht staat.\u201d"),
    ("chapter", "3. Jeroen Post: vroeg erbij zijn"),
    ("para",
     "Jeroen Post werkt in het wijkteam met gezinnen waar de spanning oploopt. Hij ziet zijn werk "
     "vooral als voorkomen. \u201cAls ik een gezin spreek op het moment dat de eerste aanmaning "
     "binnenkomt of de eerste ruzie op school ontstaat, kunnen we met een paar gesprekken veel "
     "voorkomen. Kom ik pas als er een uithuis^plaatsing dreigt, dan is de schade al groot\u201d, "
     "aldus Post. Door de korte lijnen met de opbouwwerker hoort hij eerder van zorgen in de buurt. "
     "Een buurvrouw die opmerkt dat de kinderen van de overkant niet meer naar school gaan, weet "
     "nu bij wie ze terechtkan."),
    ("para",
     "Post is kritisch over de manier waarop zijn werk wordt gefinancierd. \u201cWe krijgen "
     "subsidie per jaar en moeten elk kwartaal aantallen aanleveren. Maar wat ik voorkom, zie je "
     "niet terug in een aantal. Een gezin dat niet in de jeugd~bescherming belandt, bestaat in "
     "geen enkele tabel.\u201d Hij pleit voor meerjarige financiering en voor een verantwoording "
     "waarin ook verhalen meetellen.{4} Voor de re-integratie van ouders die lang thuis zitten, "
     "werkt hij samen met de Werkplaats Centrum."),
    ("chapter", "4. Hanneke Visser: van bewoner naar vrijwilliger"),
    ("para",
     "Hanneke Visser woont al dertig jaar in de Havenstraat. Na de dood van haar man zat ze veel "
     "alleen thuis. \u201cIk kwam bij de eettafel omdat mijn buurvrouw zei dat ik niet zo moest "
     "zeuren en gewoon mee moest komen\u201d, vertelt ze lachend. Inmiddels kookt ze elke vrijdag "
     "voor veertig mensen. Visser: \u201cHet mooiste vind ik als iemand die de eerste keer alleen "
     "in een hoekje zat, een paar weken later met drie anderen zit te kaarten. Dan weet je waarom "
     "je het doet.\u201d Voor haar is de buurt weer een plek waar mensen elkaar kennen en op "
     "elkaar letten."),
    ("para",
     "Visser heeft haar rol in de buurt zelf gekozen. Toen de gemeente een avond organiseerde "
     "over de toekomst van het Havenkwartier, stond zij op om te vertellen wat de eettafel "
     "betekent. \u201cIk ben geen deskundige, maar ik weet wel wat hier nodig is. Dat mogen ze "
     "ons best vaker vragen\u201d, zegt Visser. Sindsdien zit ze in de bewoners~commissie die "
     "jaarlijks beslist over het buurt~budget van twintig~duizend euro.{6}"),
    ("chapter", "5. Wat de cijfers laten zien"),
    ("para",
     "In de bewoners~monitor steeg het aandeel bewoners dat zegt minstens één buur te kunnen "
     "vragen om hulp van 54 naar 63 procent.{5} Het vertrouwen in de woning~corporatie bleef "
     "laag. Dat past bij de verhalen: de onderlinge verbondenheid groeit, maar de woon~problemen "
     "zijn niet opgelost. Een cijfer alleen had dat onderscheid niet gemaakt, en een verhaal "
     "alleen had niet laten zien hoe breed het gevoel wordt gedeeld. De volledige monitor en de "
     "interviews staan online:"),
    ("url", "https://www.werkplaats-wierdenstad.voorbeeld.nl/wijkaanpak/havenkwartier-2025"),
    ("chapter", "6. Lessen voor de wijkaanpak"),
    ("para",
     "Drie lessen springen eruit. De eerste is dat vertrouwen tijd kost en dat die tijd "
     "betaald moet worden. Een programma dat na twee jaar stopt, laat teleurgestelde bewoners "
     "achter. De tweede is dat de verhalen van bewoners de professionals helpen om structurele "
     "problemen te agen^deren, zoals de vochtige woningen en de lange wacht~lijsten voor een "
     "betaalbare woning. De derde les is minder verwacht: bijna elke bewoner die we spraken, "
     "liep vast op formulieren en apps. De corporatie wil reparaties alleen nog digitaal laten "
     "melden, toeslagen gaan via de computer, en de school stuurt berichten via een ouder~portaal. "
     "In het buurthuis helpen jongeren uit de wijk ouderen nu met hun telefoon en met DigiD."),
    ("para",
     "Ook over geld valt iets te zeggen. De wijkaanpak kost de gemeente ongeveer "
     "honderd~tachtig~duizend euro per jaar, vooral aan uren van professionals. Daar staan "
     "vermeden kosten tegenover, bijvoorbeeld doordat het wijkteam minder vaak zware jeugd~hulp "
     "hoeft in te schakelen, maar die besparingen zijn moeilijk hard te maken. Wat wel vaststaat, "
     "is dat bewoners zelf meer doen: vrijwilligers draaiden vorig jaar samen ruim vier~duizend "
     "uur in het buurthuis, de klussen~ploeg en de eettafel."),
    ("para",
     "De Werkplaats bedankt alle bewoners en professionals die hun verhaal met ons deelden. "
     "Deze bundel is gemaakt voor onderwijs en onderzoek in het sociaal domein; alle namen "
     "en organisaties zijn verzonnen."),
]

PAGE_W, PAGE_H = A4
NAV_X = 36
BODY_X = 170
BODY_W = PAGE_W - BODY_X - 50
TOP_Y = PAGE_H - 90
FOOTER_Y = 36
FOOTNOTE_AREA = 80
BOTTOM_Y = FOOTER_Y + FOOTNOTE_AREA + 14
FONT, BOLD, SIZE, LEADING = "Helvetica", "Helvetica-Bold", 11, 16
MARK = re.compile(r"\{(\d+)\}")


def _visible(word: str) -> str:
    return MARK.sub("", word.replace("~", ""))


def _width(word: str, font: str = FONT, size: float = SIZE) -> float:
    text = word.replace("~", "")
    total = 0.0
    for part in re.split(r"(\{\d+\})", text):
        if MARK.fullmatch(part):
            total += stringWidth(part[1:-1], font, size * 0.7)
        else:
            total += stringWidth(part, font, size)
    return total


def break_lines(text: str, width: float, font: str = FONT) -> list[str]:
    """Greedy line breaking; a word with ``~`` may be hyphenated at one of those points."""
    lines: list[str] = []
    current = ""
    words = text.split()
    while words:
        word = words.pop(0)
        if "^" in word:  # forced hyphenation: the line ends after the head
            head, tail = word.split("^", 1)
            trial = f"{current} {head}-" if current else f"{head}-"
            if current and _width(trial, font) > width:
                lines.append(current)
                trial = f"{head}-"
            lines.append(trial)
            current = ""
            words.insert(0, tail)
            continue
        candidate = f"{current} {word}" if current else word
        if _width(candidate, font) <= width:
            current = candidate
            continue
        pieces = word.split("~")
        placed = False
        for cut in range(len(pieces) - 1, 0, -1):
            head = "".join(pieces[:cut]) + "-"
            trial = f"{current} {head}" if current else head
            if _width(trial, font) <= width:
                lines.append(trial)
                current = "~".join(pieces[cut:])
                placed = True
                break
        if not placed:
            if current:
                lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


class Bundle:
    def __init__(self, path: Path):
        self.c = canvas.Canvas(str(path), pagesize=A4, invariant=1, pageCompression=0)
        self.c.setTitle("Buurt aan zet: verhalen uit de wijkaanpak in het Havenkwartier")
        self.c.setAuthor("Werkplaats Sociaal Domein Wierdenstad (fictief)")
        self.pages: list[list[tuple]] = [[]]
        self.notes: list[list[int]] = [[]]
        self.y = TOP_Y
        self.split_paragraphs: list[str] = []

    def _new_page(self) -> None:
        self.pages.append([])
        self.notes.append([])
        self.y = TOP_Y

    def _need(self, height: float) -> None:
        if self.y - height < BOTTOM_Y:
            self._new_page()

    def add_line(self, text: str, font: str = FONT, size: float = SIZE, gap: float = LEADING):
        self._need(gap)
        self.pages[-1].append((self.y, text, font, size))
        for mark in MARK.findall(text):
            self.notes[-1].append(int(mark))
        self.y -= gap

    def space(self, height: float) -> None:
        self.y -= height

    def render(self) -> int:
        total = len(self.pages)
        for number, (lines, notes) in enumerate(zip(self.pages, self.notes), start=1):
            c = self.c
            c.setFont("Helvetica", 8)
            c.drawString(BODY_X, PAGE_H - 40, HEADER)
            c.line(BODY_X, PAGE_H - 46, PAGE_W - 50, PAGE_H - 46)
            c.setFont("Helvetica-Bold", 8)
            c.drawString(NAV_X, PAGE_H - 90, "Navigatie")
            c.setFont("Helvetica", 8)
            for i, item in enumerate(NAVIGATION):
                c.drawString(NAV_X, PAGE_H - 104 - 12 * i, item)
            for y, text, font, size in lines:
                self._draw_text(BODY_X, y, text, font, size)
            if notes:
                top = FOOTER_Y + FOOTNOTE_AREA
                c.line(BODY_X, top + 6, BODY_X + 120, top + 6)
                ny = top - 6
                for n in notes:
                    for k, line in enumerate(break_lines(f"{n} {FOOTNOTES[n]}", BODY_W, FONT)):
                        c.setFont("Helvetica", 7.5)
                        c.drawString(BODY_X, ny, line)
                        ny -= 10
            c.setFont("Helvetica", 8)
            c.drawCentredString(BODY_X + BODY_W / 2, FOOTER_Y, f"Pagina {number} van {total}")
            c.showPage()
        self.c.save()
        return total

    def _draw_text(self, x: float, y: float, text: str, font: str, size: float) -> None:
        t = self.c.beginText(x, y)
        t.setFont(font, size)
        for part in re.split(r"(\{\d+\})", text.replace("~", "")):
            if not part:
                continue
            if MARK.fullmatch(part):
                t.setFont(font, size * 0.7)
                t.setRise(3.5)
                t.textOut(part[1:-1])
                t.setRise(0)
                t.setFont(font, size)
            else:
                t.textOut(part)
        self.c.drawText(t)


def build(path: Path = DEFAULT_OUT) -> int:
    """Write the bundle to ``path``; returns the number of pages."""
    path.parent.mkdir(parents=True, exist_ok=True)
    b = Bundle(path)
    for kind, text in CONTENT:
        if kind == "title":
            for line in break_lines(text, BODY_W, BOLD):
                b.add_line(line, BOLD, 15, 20)
            b.space(10)
        elif kind in ("chapter", "people"):
            b._need(3 * LEADING + 8)  # keep a title with the first lines under it
            b.space(6)
            b.add_line(text, BOLD, 12 if kind == "chapter" else SIZE, 17)
        elif kind == "url":
            b.add_line(text, FONT, 9.5)
            b.space(6)
        else:
            first_page = len(b.pages)
            for line in break_lines(text, BODY_W):
                b.add_line(line)
            if len(b.pages) != first_page:
                b.split_paragraphs.append(text[:40])
            b.space(7)
    if not b.split_paragraphs:
        raise RuntimeError("geen alinea loopt over een paginagrens; pas de opmaak aan")
    return b.render()


def main() -> None:
    parser = argparse.ArgumentParser(description="Maak de voorbeeldbundel (PDF) opnieuw.")
    parser.add_argument("--uit", type=Path, default=DEFAULT_OUT, help="pad van de PDF")
    args = parser.parse_args()
    pages = build(args.uit)
    print(f"{args.uit} geschreven ({pages} pagina's)")


if __name__ == "__main__":
    main()
