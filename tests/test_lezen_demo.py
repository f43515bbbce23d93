"""The demo corpus (corpora/voorbeeld) reads without errors, with metadata, people and speakers."""

from __future__ import annotations

import re

import pytest

from verhalen.lezen import read_corpus


@pytest.fixture(scope="module")
def demo_corpus(demo_dir):
    from verhalen.nlp import load_nlp

    return read_corpus(demo_dir, nlp=load_nlp(), progress=False)


def test_demo_reads_without_errors(demo_corpus, demo_dir):
    assert demo_corpus.meta["errors"] == []
    assert demo_corpus.meta["gelezen"] >= 5
    ids = [d.id for d in demo_corpus.documents]
    assert len(ids) == len(set(ids))
    assert not any(i.startswith(("cijfers", "readme", "leesmij", "metadata", "mensen"))
                   for i in ids)
    for d in demo_corpus.documents:
        d.check_offsets()
        assert d.segments, d.id


def test_demo_metadata_applied(demo_corpus, demo_dir):
    import pandas as pd

    meta = pd.read_csv(demo_dir / "metadata.csv", dtype=str).fillna("")
    by_source = {d.source: d for d in demo_corpus.documents}
    checked = 0
    for row in meta.to_dict("records"):
        path = str(demo_dir / row["bestand"])
        if path not in by_source or path.endswith((".csv", ".xlsx")):
            continue
        d = by_source[path]
        if row.get("titel"):
            assert d.title == row["titel"]
        if row.get("casus"):
            assert d.case_id == row["casus"]
        if row.get("soort"):
            assert d.meta["soort"] == row["soort"]
        checked += 1
    assert checked >= 3


def test_demo_speakers_have_roles_from_people_table(demo_corpus, demo_dir):
    import pandas as pd

    from verhalen.lezen.sprekers import normalise_role

    people = pd.read_csv(demo_dir / "mensen.csv", dtype=str).fillna("")
    roles = dict(zip(people["naam"], people["rol"]))
    spoken = {(sp, r) for s in demo_corpus.segments() for sp, r in zip(s.speakers, s.roles)}
    named = {sp for sp, _ in spoken if sp in roles}
    assert len(named) >= 3
    for sp, r in spoken:
        if sp in roles and roles[sp]:
            assert r == normalise_role(roles[sp]), (sp, r)
    # transcript header lines ("Casus: …", "Datum: …") are not speakers
    assert not {sp for sp, _ in spoken} & {"Casus", "Datum", "Onderwerp"}


def test_demo_pdf_bundle_is_clean(demo_corpus):
    pdfs = [d for d in demo_corpus.documents if d.source.endswith(".pdf")]
    if not pdfs:
        pytest.skip("geen PDF in het demo-corpus")
    for d in pdfs:
        for s in d.segments:
            assert not re.search(r"https?://|www\.", s.text)
            assert not re.match(r"^(Pagina )?\d+( van \d+)?$", s.text)
            assert not re.search(r"\b[a-zà-ÿ]{2,}- [a-zà-ÿ]{3,}", s.text) or \
                re.search(r"- (en|of|tot) ", s.text)
        first_lines = [s.text.split("\n")[0][:40] for s in d.segments]
        # furniture repeated on every page does not open several segments
        assert len(set(first_lines)) == len(first_lines)


def test_demo_pdf_paragraphs_and_headings_from_layout(demo_corpus):
    """Paragraphs ending on a full line are split at the layout gap; headings are sections."""
    pdfs = [d for d in demo_corpus.documents if d.source.endswith(".pdf")]
    if not pdfs:
        pytest.skip("geen PDF in het demo-corpus")
    segs = [s for d in pdfs for s in d.segments]
    starts = [s.text[:34] for s in segs]
    assert "De verhalen staan niet op zichzelf" in starts
    assert any(st.startswith("Ook over geld") for st in starts)
    heads = {s.section for s in segs}
    assert all(re.match(r"^\d\. ", h) for h in heads), heads
    assert not any(s.text in heads for s in segs)          # no heading as a segment
