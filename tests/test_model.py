"""Data model: offsets, ids, DataFrame and folder round-trips, refusal to overwrite."""

import json

import pandas as pd
import pytest

from verhalen.fouten import OverschrijfFout, VerhalenFout
from verhalen.model import Corpus, Document, Segment, Sentence, load_segments, slugify


def _corpus():
    text = "Eerste alinea. Nog een zin.\n\nTweede alinea van Kees."
    doc = Document(id="interview-kees", text=text, source="x/Interview Kees.txt", title="Kees",
                   case_id="C1", meta={"soort": "interview"})
    doc.segments = [
        Segment(id="interview-kees-0000", doc_id=doc.id, index=0, text=text[:27], start=0, end=27,
                section="Intro", speakers=["Kees"], roles=["sociaal professional"],
                sentences=[Sentence(0, 14), Sentence(15, 27)]),
        Segment(id="interview-kees-0001", doc_id=doc.id, index=1, text=text[29:], start=29,
                end=len(text), meta={"pagina": 2}),
    ]
    return Corpus(documents=[doc], meta={"nlp": "blank"})


def test_offsets_and_sentences():
    corpus = _corpus()
    doc = corpus.documents[0]
    doc.check_offsets()
    assert doc.segments[0].sentence_texts() == ["Eerste alinea.", "Nog een zin."]
    doc.segments[1].text = "iets anders"
    with pytest.raises(VerhalenFout, match="interview-kees-0001"):
        doc.check_offsets()


def test_dataframe_roundtrip_is_lossless():
    corpus = _corpus()
    back = Corpus.from_dataframes(corpus.documents_df(), corpus.segments_df(), corpus.meta)
    assert [d.to_record(with_segments=True) for d in back] == \
        [d.to_record(with_segments=True) for d in corpus]


def test_folder_roundtrip_and_no_overwrite(tmp_path):
    corpus = _corpus()
    corpus.people = pd.DataFrame([{"naam": "Kees", "rol": "sociaal professional"}])
    out = corpus.save(tmp_path / "map")
    back = Corpus.load(out)
    assert [d.to_record(with_segments=True) for d in back] == \
        [d.to_record(with_segments=True) for d in corpus]
    assert back.people.iloc[0]["naam"] == "Kees"
    assert json.loads((out / "corpus.json").read_text())["nlp"] == "blank"
    before = (out / "segments.jsonl").read_text()
    with pytest.raises(OverschrijfFout):
        corpus.save(out)
    assert (out / "segments.jsonl").read_text() == before
    corpus.save(out, overwrite=True)


def test_unique_ids_and_slug():
    corpus = Corpus()
    corpus.add(Document(id="a", text=""))
    d2 = corpus.add(Document(id="a", text="x", segments=[
        Segment(id="a-0000", doc_id="a", index=0, text="x", start=0, end=1)]))
    assert d2.id == "a-2" and d2.segments[0].id == "a-2-0000"
    assert slugify("Interview Één – Kees.docx") == "interview-een-kees-docx"


def test_load_segments_from_gold_style_jsonl(tmp_path):
    p = tmp_path / "s.jsonl"
    p.write_text('{"id": "A-001", "text": "Hallo"}\n\n{"id": "A-002", "text": "Dag"}\n')
    df = load_segments(p)
    assert list(df["id"]) == ["A-001", "A-002"] and list(df["doc_id"]) == ["A-001", "A-002"]
    p.write_text('{"id": "A-001"}\n')
    with pytest.raises(VerhalenFout, match="regel 1"):
        load_segments(p)
    p.write_text('{"id": "A-001", "text": "x"}\n{kapot\n')
    with pytest.raises(VerhalenFout, match="regel 2"):
        load_segments(p)
