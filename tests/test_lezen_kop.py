"""Front matter ("Casus: …", "Datum: …", bylines) is metadata, never a segment to code."""

from __future__ import annotations

import docx

from verhalen.lezen import read_corpus


def _doc(tmp_path, name, text, nlp):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    corpus = read_corpus(path, nlp=nlp, progress=False)
    (doc,) = corpus.documents
    for seg in doc.segments:
        assert doc.text[seg.start:seg.end] == seg.text
    return doc


def test_txt_title_and_key_lines(tmp_path, nlp):
    doc = _doc(tmp_path, "gesprek.txt", (
        "Gesprek met Ilse Veenstra, buurtwerker in Noordhaven\n"
        "Casus: NH-01 – buurtwerk Noordhaven\n"
        "Datum: 4 april 2025\n"
        "Interviewer: Karel Smit, Werkplaats Noord\n\n"
        "Interviewer: Hoe begon het?\n"
        "Veenstra: Met koffie op het plein. Ik ging er elke week staan.\n\n"
        "Interviewer: En toen?\n"
        "Veenstra: Toen kwamen de eerste bewoners zelf naar me toe.\n"), nlp)
    texts = [s.text for s in doc.segments]
    assert not any("Casus:" in t or "Datum:" in t or "Werkplaats Noord" in t for t in texts)
    assert doc.meta["kopregels"][:2] == ["Casus: NH-01 – buurtwerk Noordhaven",
                                        "Datum: 4 april 2025"]
    assert any("Karel Smit" in k for k in doc.meta["kopregels"])
    assert texts == ["Hoe begon het?", "Met koffie op het plein. Ik ging er elke week staan.",
                     "En toen?", "Toen kwamen de eerste bewoners zelf naar me toe."]
    assert {s.section for s in doc.segments} == {
        "Gesprek met Ilse Veenstra, buurtwerker in Noordhaven"}
    # the header line still tells who the interviewer is
    assert doc.segments[0].speakers == ["Karel Smit"]
    # the interviewer's turns are marked (theme discovery leaves the questions out)
    assert [s.meta.get("beurt") for s in doc.segments] == ["interviewer", None,
                                                           "interviewer", None]


def test_markdown_italic_byline_and_story_subtitle(tmp_path, nlp):
    doc = _doc(tmp_path, "reportage.md", (
        "# Eerst de hamer, dan het cv\n\n"
        "*Reportage voor de Noordhavense Courant, 2 mei 2025. Tekst: Mila Bos.*\n\n"
        "In de werkplaats ruikt het naar hout. Deelnemers repareren fietsen.\n"), nlp)
    assert [s.text for s in doc.segments] == [
        "In de werkplaats ruikt het naar hout. Deelnemers repareren fietsen."]
    assert doc.meta["kopregels"][0].startswith("*Reportage voor")

    doc = _doc(tmp_path, "verhaal.txt", (
        "Weer naar buiten\n"
        "Ervaringsverhaal van Tamara (23), Noordhaven, opgetekend in maart 2025\n\n"
        "Een jaar lang kwam ik de deur niet uit.\n"), nlp)
    assert [s.text for s in doc.segments] == ["Een jaar lang kwam ik de deur niet uit."]
    assert doc.title == "Weer naar buiten"


def test_docx_key_line_is_metadata(tmp_path, nlp):
    path = tmp_path / "wijkteam.docx"
    d = docx.Document()
    d.add_heading("Interview met Sem de Graaf, wijkteam Zuidrand", level=1)
    d.add_paragraph("Casus: ZR-02 – wijkteam Zuidrand. Datum: 9 juni 2025.")
    d.add_paragraph("Het wijkteam begint bij de voordeur, niet bij het formulier.")
    d.save(path)
    (doc,) = read_corpus(path, nlp=nlp, progress=False).documents
    assert [s.text for s in doc.segments] == [
        "Het wijkteam begint bij de voordeur, niet bij het formulier."]
    assert doc.meta["kopregels"] == ["Casus: ZR-02 – wijkteam Zuidrand. Datum: 9 juni 2025."]


def test_story_text_is_not_mistaken_for_front_matter(tmp_path, nlp):
    # a first line that is a sentence, and key-like lines after the first real paragraph,
    # stay content
    doc = _doc(tmp_path, "notitie.txt", (
        "Ik kwam binnen en zag meteen dat het mis was.\n"
        "Datum: dat wist ik niet meer.\n\n"
        "Tweede alinea over het gesprek.\n\n"
        "Plaats: de keuken, waar we altijd zaten.\n"), nlp)
    assert len(doc.segments) == 3
    assert "kopregels" not in doc.meta


def test_link_captions_are_references_not_segments(tmp_path, nlp):
    doc = _doc(tmp_path, "artikel.txt", (
        "# Buurtpension in Zuidwijk\n\n"
        "Het buurtpension begon met drie kamers boven de bakker en een gedeelde keuken.\n\n"
        "## Meer informatie\n\n"
        "• Na het interview hoorden we dat het pension een tweede pand krijgt van de "
        "corporatie, met ruimte voor zes bewoners.\n\n"
        "• Publicatie: Wonen met steun in de wijk\n\n"
        "• Leestip: Handreiking buurtpensions 2024\n\n"
        "Artikel: een avond in de gedeelde keuken\n"), nlp)
    texts = [s.text for s in doc.segments]
    assert len(texts) == 2 and texts[1].startswith("• Na het interview")   # content stays
    assert doc.meta["verwijzingen"] == ["• Publicatie: Wonen met steun in de wijk",
                                        "• Leestip: Handreiking buurtpensions 2024",
                                        "Artikel: een avond in de gedeelde keuken"]
    assert "Leestip" in doc.text            # kept in the document text (offsets intact)
