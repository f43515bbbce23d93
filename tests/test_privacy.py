"""Pseudonymisation: detection, consistent pseudonyms, offsets, the key, leaks, labelled sets."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pandas as pd
import pytest

from verhalen.fouten import VerhalenFout
from verhalen.model import Corpus, Document, Segment, Sentence
from verhalen.privacy import Pseudonimiser, pseudonymise_corpus, pseudonymise_project, rewrite
from verhalen.privacy.detectie import name_core, pattern_detector, valid_bsn
from verhalen.privacy.evaluatie import evaluate, read_labelled

DATA = Path(__file__).parent / "data" / "privacy"


# -- building blocks (no deduce) -----------------------------------------------------------
def test_valid_bsn_elfproef():
    assert valid_bsn("111222333") and valid_bsn("123456782") and valid_bsn("1234.56.782")
    assert not valid_bsn("123456789") and not valid_bsn("000000000") and not valid_bsn("12345")


def test_name_core_strips_address_and_possessive():
    assert name_core("mevrouw Bakker") == "Bakker"
    assert name_core("Buurvrouw Gerda") == "Gerda"
    assert name_core("Fatima's") == "Fatima"
    assert name_core("Volgens Smit") == "Smit"


def test_pattern_detector_finds_each_kind():
    text = ("Volgens mevrouw Bakker belde J. de Boer op 14 februari 2024 naar 06-41235876. "
            "Mail naar a.jansen@wijkteam.nl; haar BSN is 111222333, niet 123456789. "
            "“Het ging goed,” zegt Van Dijk. Ze woont aan de Kalanderstraat 12 en werkt bij "
            "Stichting De Schakel. Kees: “Dank je.”")
    found = {(e.text, e.category) for e in pattern_detector(text)}
    for expected in [("Bakker", "persoon"), ("J. de Boer", "persoon"), ("Van Dijk", "persoon"),
                     ("Kees", "persoon"), ("14 februari 2024", "datum"),
                     ("06-41235876", "telefoon"), ("a.jansen@wijkteam.nl", "email"),
                     ("111222333", "bsn"), ("Kalanderstraat 12", "plaats"),
                     ("Stichting De Schakel", "organisatie")]:
        assert expected in found, expected
    assert not any(e.text == "123456789" for e in pattern_detector(text))


def test_rewrite_maps_offsets():
    rng = random.Random(3)
    text = "".join(rng.choice("abc de\n") for _ in range(300))
    spans, pos = [], 0
    while pos < 280:
        a = pos + rng.randint(1, 10)
        b = a + rng.randint(1, 8)
        spans.append((a, b, "X" * rng.randint(1, 12)))
        pos = b
    new, where = rewrite(text, spans)
    # text outside the spans is carried over unchanged at the mapped position
    last = 0
    for a, b, rep in spans + [(len(text), len(text), "")]:
        chunk = text[last:a]
        assert new[where(last, "end"):where(last, "end") + len(chunk)] == chunk
        assert new[where(a, "start"):where(b, "end")] == rep
        last = b
    assert where(len(text), "end") == len(new)


# -- a small corpus (deduce off: fast and exact) -----------------------------------------
def _corpus() -> Corpus:
    texts = {
        "interview-sanne": ("Interview met Sanne Brouwer\n\nSanne Brouwer werkt in Almelo. "
                            "“Ik luister eerst,” zegt Sanne.\n\nMevrouw Brouwer belde op "
                            "14 februari 2024 met 06-41235876."),
        "verhaal-ricardo": "Ricardo Mendes: “Brouwer bleef gewoon komen.”\n\nDat zegt Ricardo.",
    }
    corpus = Corpus(meta={"bron": "map/met/interview_sanne.txt"})
    for doc_id, text in texts.items():
        doc = Document(id=doc_id, text=text, source=f"map/{doc_id.replace('-', '_')}.txt",
                       title=text.split("\n")[0])
        pos = 0
        for i, para in enumerate(text.split("\n\n")):
            start = text.index(para, pos)
            end = start + len(para)
            sents = [Sentence(start + m.start(), start + m.end())
                     for m in re.finditer(r"[^.!?]+[.!?”]*", para) if m.group().strip()]
            doc.segments.append(Segment(id=f"{doc_id}-{i:04d}", doc_id=doc_id, index=i,
                                        text=para, start=start, end=end, sentences=sents,
                                        speakers=["Ricardo Mendes"] if "Ricardo M" in para else [],
                                        meta={"student": "Sanne Brouwer", "rij": 2}))
            pos = end
        corpus.documents.append(doc)
    corpus.people = pd.DataFrame([{"naam": "Sanne Brouwer", "rol": "sociaal professional",
                                   "aliassen": "Brouwer;Sanne", "organisatie": "Wijkteam Oost"}])
    return corpus


def test_corpus_consistent_pseudonyms_offsets_and_ids(tmp_path):
    corpus = _corpus()
    key = tmp_path / "pseudoniemen_sleutel.json"
    out = pseudonymise_corpus(corpus, key, deduce=False, progress=False)
    for doc in out.documents:
        doc.check_offsets()
        for seg in doc.segments:
            for s in seg.sentences:
                assert seg.start <= s.start <= s.end <= seg.end
    text = out.documents[0].text
    sanne = re.findall(r"Persoon_\d+", text)
    assert len(set(sanne)) == 1 and len(sanne) == 4     # title, full name, "Sanne", "Brouwer"
    assert "Mevrouw Persoon_" in text                   # the form of address stays
    assert "Datum_1" in text and "Telefoon_1" in text
    assert out.documents[0].title == f"Interview met {sanne[0]}"
    # ids and paths lose the name, consistently for segments; the key maps them back
    assert out.documents[0].id == f"interview-{sanne[0].lower().replace('_', '-')}"
    assert all(s.id.startswith(out.documents[0].id) for s in out.documents[0].segments)
    assert "sanne" not in out.documents[0].source.lower()
    seg = out.documents[1].segments[0]
    assert seg.speakers == [re.search(r"Persoon_\d+", seg.text).group()]
    assert seg.meta["rij"] == 2 and seg.meta["student"] == sanne[0]
    assert out.people.loc[0, "naam"] == sanne[0]
    assert out.people.loc[0, "rol"] == "sociaal professional"
    assert "Sanne" not in out.people.to_csv()
    data = json.loads(key.read_text(encoding="utf-8"))
    assert "Sanne Brouwer" in data["pseudoniemen"][sanne[0]]["vormen"]
    assert data["ids"][out.documents[0].id] == "interview-sanne"
    # the input corpus is untouched
    assert "Sanne Brouwer" in corpus.documents[0].text


def test_no_output_but_the_key_holds_a_name(tmp_path):
    out = pseudonymise_corpus(_corpus(), tmp_path / "sleutel.json", deduce=False, progress=False)
    out.save(tmp_path / "project")
    for path in (tmp_path / "project").iterdir():
        blob = path.read_text(encoding="utf-8")
        for name in ("Sanne", "Brouwer", "Ricardo", "Mendes"):   # places need deduce
            assert name.lower() not in blob.lower(), (path.name, name)
    assert "Sanne" in (tmp_path / "sleutel.json").read_text(encoding="utf-8")


def test_rerun_with_existing_key_keeps_pseudonyms(tmp_path):
    key = tmp_path / "sleutel.json"
    first = pseudonymise_corpus(_corpus(), key, deduce=False, progress=False)
    corpus = _corpus()
    corpus.documents.reverse()                 # another order would number them differently
    second = pseudonymise_corpus(corpus, key, deduce=False, progress=False)
    assert {d.id: d.text for d in first.documents} == {d.id: d.text for d in second.documents}


def test_project_codes_follow_ids_and_evidence(tmp_path):
    corpus = _corpus()
    long = pd.DataFrame([{"segment_id": "interview-sanne-0001", "code": "basishouding",
                          "score": 0.8, "evidence": ["“Ik luister eerst,” zegt Sanne."],
                          "source": "machine", "coder": "ensemble"}])
    out, codes = pseudonymise_project(corpus, long, tmp_path / "x_sleutel.json", deduce=False,
                                      progress=False)
    seg_ids = {s.id for s in out.segments()}
    assert codes.loc[0, "segment_id"] in seg_ids
    assert "Sanne" not in codes.loc[0, "evidence"][0]
    assert re.search(r"zegt Persoon_\d+\.$", codes.loc[0, "evidence"][0])
    assert long.loc[0, "segment_id"] == "interview-sanne-0001"      # input untouched


def test_key_name_must_say_sleutel_and_bad_key_is_named(tmp_path):
    with pytest.raises(VerhalenFout, match="sleutel"):
        pseudonymise_corpus(_corpus(), tmp_path / "namen.json", deduce=False, progress=False)
    bad = tmp_path / "kapotte_sleutel.json"
    bad.write_text("{geen json", encoding="utf-8")
    with pytest.raises(VerhalenFout, match="kapotte_sleutel.json"):
        pseudonymise_corpus(_corpus(), bad, deduce=False, progress=False)
    with pytest.raises(VerhalenFout, match="categorie"):
        Pseudonimiser(categories=["persoon", "huisdier"])


def test_labelled_set_is_well_formed():
    items = read_labelled(DATA / "gelabeld.txt")
    assert len(items) >= 60
    for it in items:
        for s, e, cat in it.spans:
            assert it.text[s:e].strip() == it.text[s:e] and e > s
    assert sum(cat == "persoon" for it in items for *_, cat in it.spans) >= 60


# -- the labelled sets, with deduce (the default) ----------------------------------------
@pytest.mark.parametrize("name", ["gelabeld.txt", "gelabeld_toets.txt"])
def test_person_recall_and_no_leaks_on_labelled_sets(name):
    result = evaluate(Pseudonimiser(), read_labelled(DATA / name))
    table = result["tabel"]
    assert table.loc["persoon", "recall_gedekt"] >= 0.95, table
    assert result["precisie"] >= 0.9, result["fout_gevonden"]
    persons = [p for p, e in result["pseudoniemen"].items() if e["categorie"] == "persoon"]
    for p in persons:                            # no pseudonym carries its original
        for form in result["pseudoniemen"][p]["vormen"]:
            assert form.lower() not in p.lower()
    if name == "gelabeld.txt":
        assert result["lekken"] == []
    else:                                        # measured: one unlisted first name slips by
        assert len(result["lekken"]) <= 1, result["lekken"]


# -- end to end: nothing but the key names anyone -----------------------------------------
def _output_texts(folder: Path) -> dict[str, str]:
    import zipfile

    out = {}
    for p in folder.rglob("*"):
        if not p.is_file() or "sleutel" in p.name:
            continue
        if p.suffix == ".qdpx":
            with zipfile.ZipFile(p) as zf:
                for n in zf.namelist():
                    out[f"{p.name}:{n}"] = zf.read(n).decode("utf-8", "replace")
        else:
            out[str(p.relative_to(folder))] = p.read_text(encoding="utf-8", errors="replace")
    return out


@pytest.mark.slow
def test_analyse_pseudonimiseer_demo_leaks_no_known_name(demo_dir, tmp_path, monkeypatch):
    from verhalen.cli.main import main

    monkeypatch.setenv("VERHALEN_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "anoniem"
    assert main(["analyse", str(demo_dir), "--uit", str(out), "--pseudonimiseer", "--stil"]) == 0
    key = json.loads((out / "pseudoniemen_sleutel.json").read_text(encoding="utf-8"))
    people = pd.read_csv(demo_dir / "mensen.csv", dtype=str)
    forms = {f for e in key["pseudoniemen"].values() if e["categorie"] == "persoon"
             for f in e["vormen"] if len(f) >= 3}
    # every person of the people table is in the key, under one pseudonym with its aliases
    for rec in people.to_dict("records"):
        owners = {p for p, e in key["pseudoniemen"].items() if name_core(rec["naam"]) in e["vormen"]}
        assert len(owners) == 1, rec["naam"]
    texts = _output_texts(out)
    assert {"segments.jsonl", "rapport.html", "project.qdpx:project.qde"} <= set(texts)
    leaks = [(name, f) for name, blob in texts.items() for f in forms
             if re.search(rf"(?<!\w){re.escape(f)}(?!\w)", blob)]
    assert leaks == []
    assert "Persoon_" in texts["rapport.html"] and "Persoon_" in texts["project.qdpx:project.qde"]


@pytest.mark.slow
def test_rapport_pseudonimiseer_on_an_earlier_project(demo_dir, tmp_path, monkeypatch):
    """``verhalen rapport --pseudonimiseer`` on a folder read and coded without it."""
    import shutil

    from verhalen.cli.main import main

    monkeypatch.setenv("VERHALEN_CACHE", str(tmp_path / "cache"))
    src = tmp_path / "verhalen_van_noor"
    src.mkdir()
    for rel in ("interviews/jongerenwerker_zuid.txt", "verhalen/noor_niet_meer_alleen.txt"):
        shutil.copy(demo_dir / rel, src / Path(rel).name)
    project = tmp_path / "project"
    assert main(["lees", str(src), "--uit", str(project)]) == 0
    assert main(["codeer", str(project), "--stil"]) == 0
    html = tmp_path / "rapport.html"
    assert main(["rapport", str(project), "--uit", str(html), "--pseudonimiseer"]) == 0
    text = html.read_text(encoding="utf-8")
    for name in ("Sanne", "Brouwer", "Noor", "noor"):
        assert not re.search(rf"(?<![\w-]){name}(?![\w-])", text), name
    assert "Persoon_" in text
    assert any("sleutel" in p.name for p in tmp_path.iterdir())


def test_evidence_matches_the_pseudonymised_text_and_words_stay_words(tmp_path):
    """A surname that is also a word ("Post") is replaced as a name, never as the word."""
    text = "Jeroen Post belde aan. Sinds die dag durft hij de post weer te openen."
    seg = Segment(id="verhaal-0000", doc_id="verhaal", index=0, text=text, start=0,
                  end=len(text), sentences=[Sentence(0, 22), Sentence(23, len(text))])
    corpus = Corpus(documents=[Document(id="verhaal", text=text, segments=[seg])],
                    people=pd.DataFrame([{"naam": "Jeroen Post", "rol": "bewoner/cliënt",
                                          "aliassen": "Post;Jeroen"}]))
    long = pd.DataFrame([{"segment_id": "verhaal-0000", "code": "kleine_stappen", "score": 0.9,
                          "evidence": [text[23:], text[:22]], "source": "machine",
                          "coder": "ensemble"}])
    out, codes = pseudonymise_project(corpus, long, tmp_path / "sleutel.json", deduce=False,
                                      progress=False)
    new = out.documents[0].segments[0].text
    assert "de post weer" in new and "Post" not in new
    for sentence in codes.loc[0, "evidence"]:
        assert sentence in new, sentence
