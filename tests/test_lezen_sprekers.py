"""Speaker turns, quote attribution and the people table."""

from __future__ import annotations

import pytest

from verhalen.lezen import read_corpus
from verhalen.lezen.sprekers import PeopleIndex, Person, attribute_quotes, read_people
from verhalen.model import ROLES


def _read(tmp_path, nlp, text, name="doc.txt", **kw):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    corpus = read_corpus(p, nlp=nlp, **kw)
    for d in corpus.documents:
        d.check_offsets()
    return corpus


def test_transcript_turns_with_roles(tmp_path, nlp):
    text = (
        "Interviewer: Kun je vertellen hoe je in het jongerenwerk terecht bent gekomen?\n\n"
        "Sanne (jongerenwerker): Ik liep stage in een buurthuis. Daar bleef ik hangen.\n\n"
        "Dat was in 2015, toen er nog nauwelijks jongerenwerk was in de wijk.\n\n"
        "Interviewer: Wat maakt het werk voor jou waardevol?\n\n"
        "Sanne (jongerenwerker): Dat jongeren terugkomen, ook als het goed gaat.\n"
    )
    corpus = _read(tmp_path, nlp, text)
    segs = corpus.documents[0].segments
    assert [s.speakers for s in segs] == [["Interviewer"], ["Sanne"], ["Sanne"],
                                          ["Interviewer"], ["Sanne"]]
    assert segs[0].roles == ["onderzoeker"]
    assert segs[1].roles == ["sociaal professional"]
    assert segs[1].text == "Ik liep stage in een buurthuis. Daar bleef ik hangen."
    # a long turn split at its paragraph break keeps its speaker
    assert segs[2].text.startswith("Dat was in 2015")
    people = corpus.people.set_index("naam")
    assert people.loc["Sanne", "rol"] == "sociaal professional"


def test_short_labels_i_and_r(tmp_path, nlp):
    text = ("I: Hoe gaat het nu met u?\n\nR: Beter. Ik heb weer contact met mijn dochter.\n\n"
            "I: Wat hielp daarbij?\n\nR: Dat de wijkcoach gewoon bleef komen.\n")
    segs = _read(tmp_path, nlp, text).documents[0].segments
    assert len(segs) == 4
    assert segs[1].text == "Beter. Ik heb weer contact met mijn dochter."
    assert segs[0].roles == ["onderzoeker"]
    assert segs[1].speakers == segs[3].speakers != segs[0].speakers  # respondent: role unknown


def _index():
    idx = PeopleIndex()
    idx.add(Person("Ina Klaassen", "sociaal professional", organisatie="Kwadraad"))
    idx.add(Person("Piet van Aerle", "beleid", organisatie="gemeente"))
    idx.add(Person("Marloes Luijken", "sociaal professional"))
    idx.add(Person("Tessa Bakker", "sociaal professional"))
    idx.add(Person("Vincent Vermeulen", "sociaal professional", organisatie="Versa Welzijn"))
    return idx


@pytest.mark.parametrize("text,who", [
    ("Klaassen: “Jongeren zoeken vooral iemand die blijft.”", "Ina Klaassen"),
    ("“We moeten het samen doen”, zegt Van Aerle. Dat vindt de gemeente ook.", "Piet van Aerle"),
    ("“Het begint bij luisteren”, aldus Klaassen.", "Ina Klaassen"),
    ("“Iedereen mag hier binnenlopen.” Aan het woord is Tessa Bakker van het buurthuis.",
     "Tessa Bakker"),
    ("Luijken legt uit: “Een panel van jongeren beoordeelt de plannen.”", "Marloes Luijken"),
    ("“Je ziet het pas na een jaar”, zegt Vincent Vermeulen van Versa Welzijn.",
     "Vincent Vermeulen"),
    ("Volgens haar is het lastig. “De cijfers vertellen maar de helft”, stelt Klaassen.",
     "Ina Klaassen"),
])
def test_quote_attribution(text, who):
    att = attribute_quotes(text, _index())
    assert att.speakers == [who]


def test_unattributed_quote_has_no_speaker():
    att = attribute_quotes("Het ‘subsidiecircus’ begint elk jaar opnieuw in de wijk.", _index())
    assert att.speakers == []


def test_quotes_in_document_get_speakers_and_roles(tmp_path, nlp):
    text = (
        "We interviewden drie sociaal professionals: Tessa Bakker, Vincent Vermeulen en Ina "
        "Klaassen. Ook Marloes Luijken, regiocoördinator van Join Us, en onderzoeker "
        "Marlies Maes vertelden over hun werk.\n\n"
        "“Jongeren komen eerst voor de gezelligheid”, zegt Bakker. Later volgt het gesprek.\n\n"
        "Maes legt uit: “Eenzaamheid meet je niet met één vraag.”\n\n"
        "Het buurthuis is op woensdag open voor iedereen.\n"
    )
    corpus = _read(tmp_path, nlp, text)
    segs = corpus.documents[0].segments
    assert segs[1].speakers == ["Tessa Bakker"]
    assert segs[1].roles == ["sociaal professional"]
    assert segs[2].speakers == ["Marlies Maes"] and segs[2].roles == ["onderzoeker"]
    assert segs[3].speakers == []
    people = corpus.people.set_index("naam")
    assert people.loc["Marloes Luijken", "rol"] == "sociaal professional"
    assert people.loc["Marlies Maes", "rol"] == "onderzoeker"
    assert set(people["rol"]) <= set(ROLES)


def test_people_list_wie_spraken_we(tmp_path, nlp):
    text = (
        "Over de opbrengst van buurtwerk spraken we met mensen uit de praktijk.\n\n"
        "“Het gaat om vertrouwen”, zegt Jansen.\n\n"
        "Wie spraken we?\n\n"
        "Karin Jansen — buurtwerker, Welzijn Oost\n\n"
        "Omar El Idrissi — beleidsadviseur, gemeente Arnhem\n"
    )
    corpus = _read(tmp_path, nlp, text)
    people = corpus.people.set_index("naam")
    assert people.loc["Karin Jansen", "rol"] == "sociaal professional"
    assert people.loc["Omar El Idrissi", "rol"] == "beleid"
    assert "Welzijn Oost" in people.loc["Karin Jansen", "organisatie"]
    seg = corpus.documents[0].segments[1]
    assert seg.speakers == ["Karin Jansen"]


def test_read_people_csv_with_aliases(tmp_path):
    p = tmp_path / "mensen.csv"
    p.write_text("naam,rol,organisatie,aliassen\n"
                 "Fatima Bouali,bewoner,,Fatima;mevrouw Bouali\n"
                 "Joost Smit,onderzoeker,Hogeschool,\n", encoding="utf-8")
    idx = read_people(p)
    assert idx.resolve("mevrouw Bouali") == "Fatima Bouali"
    assert idx.resolve("Fatima") == "Fatima Bouali"
    assert idx.resolve("Smit") == "Joost Smit"
    assert idx.role("Fatima Bouali") == "bewoner/cliënt"
    frame = idx.to_frame()
    assert list(frame.columns) == ["naam", "rol", "organisatie", "aliassen", "bron"]
