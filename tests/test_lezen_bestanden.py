"""Readers per file type, folders with metadata/mensen.csv, and bad input (Dutch LeesFout)."""

from __future__ import annotations

import pandas as pd
import pytest

from verhalen.fouten import LeesFout
from verhalen.lezen import read_corpus

STORY = (
    "Sanne werkt al vijf jaar als jongerenwerker in de wijk. Ze ziet dat jongeren vaak pas "
    "na maanden over hun zorgen praten.\n\n"
    "In het buurthuis begon ze een kookgroep. Daar ontstond vertrouwen, en dat maakte het "
    "gesprek over school en thuis makkelijker.\n"
)


def _all_segments(corpus):
    return [s for d in corpus.documents for s in d.segments]


def _check(corpus):
    for d in corpus.documents:
        d.check_offsets()
        for s in d.segments:
            assert s.id == f"{d.id}-{s.index:04d}"
            assert s.sentences, s.id
            for sent in s.sentences:
                assert s.start <= sent.start < sent.end <= s.end


# --------------------------------------------------------------------------------- text files
def test_txt_paragraphs_offsets_and_sentences(tmp_path, nlp):
    p = tmp_path / "Interview Sanne.txt"
    p.write_text(STORY, encoding="utf-8")
    corpus = read_corpus(p, nlp=nlp)
    assert [d.id for d in corpus.documents] == ["interview-sanne"]
    segs = _all_segments(corpus)
    assert len(segs) == 2
    assert segs[0].text.startswith("Sanne werkt")
    assert segs[1].text.endswith("makkelijker.")
    assert len(segs[0].sentences) == 2
    _check(corpus)
    assert corpus.meta["gelezen"] == 1 and corpus.meta["errors"] == []
    assert corpus.meta["bron"] == str(p)
    assert corpus.meta["nlp"]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1252", "latin-1"])
def test_encodings_are_detected(tmp_path, nlp, encoding):
    text = ("De cliënt vond het café een fijne plek. Het was één van de weinige plekken "
            "waar hij zich thuis voelde, zei hij tegen de coördinator.\n")
    p = tmp_path / "verhaal.txt"
    p.write_bytes(text.encode(encoding))
    corpus = read_corpus(p, nlp=nlp)
    doc = corpus.documents[0]
    assert "cliënt" in doc.text and "café" in doc.text and "één" in doc.text
    assert "coördinator" in doc.text
    assert "\ufeff" not in doc.text


def test_markdown_headings_become_sections(tmp_path, nlp):
    p = tmp_path / "verslag.md"
    p.write_text("# Kookgroep in de wijk\n\n" + STORY + "\n## Wat het opleverde\n\n"
                 "Twee jongeren gingen terug naar school. Het team was daar trots op.\n",
                 encoding="utf-8")
    corpus = read_corpus(p, nlp=nlp)
    segs = _all_segments(corpus)
    assert not any(s.text.startswith("#") for s in segs)
    assert segs[-1].section == "Wat het opleverde"
    assert segs[0].section in ("Kookgroep in de wijk", None)
    _check(corpus)


# --------------------------------------------------------------------------------- docx
def test_docx_headings_and_paragraphs(tmp_path, nlp):
    docx = pytest.importorskip("docx")
    d = docx.Document()
    d.add_heading("Gesprek met een buurtwerker", level=1)
    d.add_paragraph("Ahmed werkt in Noord. Hij kent de meeste bewoners bij naam.")
    d.add_heading("Eerste contact", level=2)
    d.add_paragraph("Het eerste gesprek vond plaats op de stoep. Pas later kwam hij binnen.")
    d.add_paragraph("")
    d.add_paragraph("Na drie maanden vroeg de bewoner zelf om hulp bij zijn schulden.")
    p = tmp_path / "buurtwerker.docx"
    d.save(str(p))
    corpus = read_corpus(p, nlp=nlp)
    segs = _all_segments(corpus)
    assert [s.text for s in segs] == [
        "Ahmed werkt in Noord. Hij kent de meeste bewoners bij naam.",
        "Het eerste gesprek vond plaats op de stoep. Pas later kwam hij binnen.",
        "Na drie maanden vroeg de bewoner zelf om hulp bij zijn schulden.",
    ]
    assert segs[1].section == "Eerste contact" and segs[2].section == "Eerste contact"
    _check(corpus)


# --------------------------------------------------------------------------------- pdf
def make_pdf(path, pages, *, header="Verhalen uit de wijk - bundel 2025", footnotes=None):
    """A real multi-page PDF: running header, page numbers, optional footnotes per page."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4)
    for n, lines in enumerate(pages, 1):
        if header:
            c.setFont("Helvetica", 9)
            c.drawString(72, 800, header)
        c.setFont("Helvetica", 11)
        y = 760
        for ln in lines:
            c.drawString(72, y, ln)
            y -= 16
        for k, note in enumerate((footnotes or {}).get(n, [])):
            c.setFont("Helvetica", 8)
            c.drawString(72, 90 - 12 * k, note)
        c.setFont("Helvetica", 9)
        c.drawString(290, 50, str(n))
        c.showPage()
    c.save()


PDF_PAGES = [
    ["Wijkteam in beweging",
     "Sanne werkt als jongerenwerker in de wijk en ziet dagelijks hoe jongeren zich",
     "ontwikkelen. Ze vertelt over de samen-",
     "werking met school en ouders, die volgens haar het verschil maakt.1 Daarnaast",
     "is het contact met de buurt belangrijk voor het vertrouwen van de"],
    ["jongeren die bij het buurthuis binnenlopen en meedoen met de activiteiten.",
     "Het tweede jaar",
     "In het tweede jaar groeide de groep van 12 naar 30 deelnemers, een stijging",
     "van 1,6 keer ten opzichte van 2020. De re-integratie van twee jongeren in",
     "het onderwijs gaf het team veel energie en nieuwe ideeën voor de toekomst."],
    ["Slot",
     "De gemeente wil de aanpak voortzetten en deelt de resultaten met andere",
     "wijken in de regio, zodat ook daar jongeren baat hebben bij de aanpak."],
]


def test_pdf_furniture_footnotes_hyphens_and_page_breaks(tmp_path, nlp):
    pytest.importorskip("reportlab")
    p = tmp_path / "bundel.pdf"
    make_pdf(p, PDF_PAGES, footnotes={1: ["1 Zie Jansen, P. (2021). Samenwerken in de wijk. "
                                          "Utrecht: Uitgeverij Wijk."]})
    corpus = read_corpus(p, nlp=nlp)
    doc = corpus.documents[0]
    assert doc.meta["paginas"] == 3
    segs = _all_segments(corpus)
    text = "\n".join(s.text for s in segs)
    assert "Verhalen uit de wijk" not in text          # running header
    assert "Jansen" not in text and "Uitgeverij" not in text  # footnote block
    assert "samenwerking" in text and "samen-" not in text     # broken word joined
    assert "maakt. Daarnaast" in text                  # footnote marker dropped
    assert "re-integratie" in text                     # real hyphen kept
    assert "1,6 keer" in text and "2020" in text and "12 naar 30" in text
    # the paragraph cut by the page break is whole
    assert any("vertrouwen van de jongeren die bij het buurthuis" in s.text for s in segs)
    assert not any(s.text.strip().isdigit() for s in segs)  # page numbers
    assert {s.section for s in segs} >= {"Het tweede jaar", "Slot"}
    _check(corpus)


def test_pdf_layout_gaps_and_font_sizes(tmp_path, nlp):
    """Paragraph gaps and larger-font headings are read from the layout, not guessed."""
    pytest.importorskip("reportlab")
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    p = tmp_path / "opmaak.pdf"
    c = canvas.Canvas(str(p), pagesize=A4)
    y = 780

    def line(text, size=11, gap=0):
        nonlocal y
        y -= gap
        c.setFont("Helvetica-Bold" if size > 11 else "Helvetica", size)
        c.drawString(72, y, text)
        y -= size + 5

    line("Werken aan vertrouwen", size=16)
    line("1. Het begin", size=13, gap=10)
    # the first paragraph ends on a full-width line: only the gap after it shows the break
    line("De buurtcoach begon met huisbezoeken in de flat aan de Lindelaan en luisterde")
    line("eerst naar wat bewoners zelf belangrijk vonden, voordat er iets werd gepland.")
    line("Daarna kwamen de eerste bijeenkomsten in de gemeenschappelijke ruimte, waar", gap=8)
    line("buren elkaar voor het eerst spraken over de trap, de lift en de kinderen.")
    line("2. Wat het opleverde", size=13, gap=10)
    line("Een jaar later kennen de meeste bewoners elkaar bij naam en helpen ze elkaar")
    line("met boodschappen, en het aantal klachten bij de corporatie is gehalveerd.")
    c.showPage()
    c.save()
    corpus = read_corpus(p, nlp=nlp)
    segs = _all_segments(corpus)
    assert [s.text.split()[0] for s in segs] == ["De", "Daarna", "Een"]
    assert segs[0].text.endswith("voordat er iets werd gepland.")
    assert [s.section for s in segs] == ["1. Het begin", "1. Het begin", "2. Wat het opleverde"]
    assert corpus.documents[0].title == "Werken aan vertrouwen"
    _check(corpus)


def test_pdf_without_text_layer(tmp_path):
    pytest.importorskip("reportlab")
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    p = tmp_path / "scan.pdf"
    c = canvas.Canvas(str(p), pagesize=A4)
    c.rect(100, 100, 300, 400, fill=1)
    c.showPage()
    c.save()
    with pytest.raises(LeesFout, match="tekstlaag"):
        read_corpus(p)


# --------------------------------------------------------------------------------- sheets
def test_csv_one_story_per_row_with_meta(tmp_path, nlp):
    df = pd.DataFrame({
        "id": ["a1", "a2"],
        "casus": ["K1", "K2"],
        "datum": ["2024-03-01", "2024-04-01"],
        "wijk": ["Noord", "Zuid"],
        "ervaring": ["Ik kreeg hulp bij de formulieren. Daardoor kon ik weer slapen.",
                     "De buurvrouw bracht soep. Ik voelde me minder alleen.\n\nLater "
                     "ging ik zelf naar de koffieochtend."],
    })
    p = tmp_path / "Verhalen 2024.csv"
    df.to_csv(p, index=False, sep=";")
    corpus = read_corpus(p, nlp=nlp)
    ids = [d.id for d in corpus.documents]
    assert ids == ["verhalen-2024-a1", "verhalen-2024-a2"]
    d1, d2 = corpus.documents
    assert d1.case_id == "K1" and d1.date == "2024-03-01" and d1.meta["wijk"] == "Noord"
    assert "ervaring" not in d1.meta
    assert len(d2.segments) == 2
    _check(corpus)


def test_xlsx_text_column_auto_and_explicit(tmp_path, nlp):
    df = pd.DataFrame({
        "nr": [1, 2, 3],
        "opmerking": ["kort", "ok", "-"],
        "antwoorden": ["Mijn zoon kreeg een maatje via het jongerenwerk en bloeide op.",
                       "Ik weet nu bij wie ik terecht kan als het misgaat met de huur.",
                       "De wijkverpleegkundige kwam elke week langs en luisterde echt."],
    })
    p = tmp_path / "korte_verhalen.xlsx"
    df.to_excel(p, index=False)
    corpus = read_corpus(p, nlp=nlp)  # longest average text wins
    assert len(corpus.documents) == 3
    assert corpus.documents[0].text.startswith("Mijn zoon")
    assert corpus.documents[0].meta["opmerking"] == "kort"
    corpus2 = read_corpus(p, nlp=nlp, text_column="opmerking")
    assert corpus2.documents[0].text == "kort"
    with pytest.raises(LeesFout, match="tekstkolom"):
        read_corpus(p, nlp=nlp, text_column="bestaat_niet")
    _check(corpus)


# --------------------------------------------------------------------------------- folders
def test_folder_with_metadata_people_and_reserved_files(tmp_path, nlp):
    root = tmp_path / "corpus"
    (root / "interviews").mkdir(parents=True)
    (root / "cijfers").mkdir()
    (root / "cijfers" / "aantallen.csv").write_text("jaar,aantal\n2023,12\n", encoding="utf-8")
    (root / "README.md").write_text("# Over dit corpus\n\nUitleg.\n", encoding="utf-8")
    (root / "interviews" / "sanne.txt").write_text(
        "Interviewer: Hoe begon het?\n\nSanne: Met een kookgroep in het buurthuis.\n\n"
        "Interviewer: En daarna?\n\nSanne: Daarna kwamen de gesprekken vanzelf.\n",
        encoding="utf-8")
    (root / "bewoner.md").write_text(STORY, encoding="utf-8")
    (root / "kapot.txt").write_bytes(b"\x00\x01\x02\x03binary\x00\xff\xfe" * 50)
    (root / "metadata.csv").write_text(
        "bestand,titel,casus,datum,soort\n"
        "interviews/sanne.txt,Gesprek met Sanne,C1,2024-05-01,interview\n"
        "bewoner.md,Verhaal van een bewoner,C2,2024-06-01,ervaringsverhaal\n",
        encoding="utf-8")
    (root / "mensen.csv").write_text(
        "naam,rol,organisatie,aliassen\n"
        "Sanne de Vries,sociaal professional,Buurtwerk Noord,Sanne;S. de Vries\n",
        encoding="utf-8")
    corpus = read_corpus(root, nlp=nlp, progress=False)
    ids = sorted(d.id for d in corpus.documents)
    assert ids == ["bewoner", "interviews-sanne"]
    assert corpus.meta["gelezen"] == 2
    assert [e["path"] for e in corpus.meta["errors"]] == [str(root / "kapot.txt")]
    assert "kapot.txt" in corpus.meta["errors"][0]["message"]
    doc = corpus.get_document("interviews-sanne") if hasattr(corpus, "get_document") else \
        next(d for d in corpus.documents if d.id == "interviews-sanne")
    assert doc.title == "Gesprek met Sanne" and doc.case_id == "C1"
    assert doc.date == "2024-05-01" and doc.meta["soort"] == "interview"
    turns = doc.segments
    assert len(turns) == 4
    assert turns[1].speakers == ["Sanne de Vries"]
    assert turns[1].roles == ["sociaal professional"]
    assert turns[1].text == "Met een kookgroep in het buurthuis."
    assert turns[0].roles == ["onderzoeker"]
    people = corpus.people
    assert list(people.columns)[:4] == ["naam", "rol", "organisatie", "aliassen"]
    assert "Sanne de Vries" in set(people["naam"])
    _check(corpus)


def test_people_argument_as_dataframe(tmp_path, nlp):
    p = tmp_path / "t.txt"
    p.write_text("Klaassen: “Eenzaamheid zie je niet aan de buitenkant.” Dat is haar "
                 "ervaring na twintig jaar.\n", encoding="utf-8")
    people = pd.DataFrame({"naam": ["Ina Klaassen"], "rol": ["sociaal professional"],
                           "organisatie": ["Kwadraad"], "aliassen": [""]})
    corpus = read_corpus(p, nlp=nlp, people=people)
    seg = corpus.documents[0].segments[0]
    assert seg.speakers == ["Ina Klaassen"] and seg.roles == ["sociaal professional"]


# --------------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("name,content,pattern", [
    ("leeg.txt", b"", "leeg"),
    ("binair.txt", b"\x00\x01\x02\x89PNG\x00\x00" * 100, "binair|tekst"),
    ("kapot.docx", b"dit is geen zip-bestand", "Word"),
    ("kapot.pdf", b"geen pdf-kop hier", "PDF"),
    ("half.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n", "PDF"),
    ("plaatje.jpg", b"\xff\xd8\xff\xe0", "wordt niet ondersteund"),
    ("kapot.xlsx", b"PK-nee", "Excel"),
])
def test_bad_single_file_raises_dutch_error(tmp_path, name, content, pattern):
    p = tmp_path / name
    p.write_bytes(content)
    with pytest.raises(LeesFout, match=pattern) as exc:
        read_corpus(p)
    assert name in str(exc.value)


def test_failed_decode_with_replacement_chars_is_an_error(tmp_path):
    p = tmp_path / "kapot_gedecodeerd.txt"
    p.write_text("De cli\ufffdnt zei dat het caf\ufffd gesloten was. " * 5
                 + "Hij wist niet waar hij heen moest.\n", encoding="utf-8")
    with pytest.raises(LeesFout, match="kapot_gedecodeerd.txt"):
        read_corpus(p)


def test_missing_path_and_empty_folder(tmp_path):
    with pytest.raises(LeesFout, match="bestaat niet"):
        read_corpus(tmp_path / "nergens.txt")
    empty = tmp_path / "leeg"
    empty.mkdir()
    corpus = read_corpus(empty)
    assert corpus.meta["gelezen"] == 0 and corpus.meta["errors"]


def test_csv_with_broken_rows_names_the_line(tmp_path):
    p = tmp_path / "stuk.csv"
    p.write_text("id,tekst\n1,Een verhaal over de buurt en de mensen daar.\n"
                 "2,\"Een open aanhalingsteken zonder eind\n", encoding="utf-8")
    with pytest.raises(LeesFout, match="stuk.csv"):
        read_corpus(p)


def test_file_with_only_front_matter_is_named(tmp_path):
    path = tmp_path / "alleen_kop.txt"
    path.write_text("Casus: WT-OOST\n", encoding="utf-8")
    with pytest.raises(LeesFout, match=r"alleen_kop\.txt.*geen tekst om te coderen"):
        read_corpus(path, progress=False)
