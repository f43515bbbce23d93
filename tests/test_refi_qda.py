"""REFI-QDA exchange: schema validity, round trip, import from another tool, bad input, CLI."""

from __future__ import annotations

import io
import json
import re
import warnings
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from lxml import etree

from verhalen.codeboek import Code, Codebook
from verhalen.codeboek import load_codebook
from verhalen.fouten import LeesFout, OverschrijfFout
from verhalen.model import Corpus, Document, Segment, Sentence
from verhalen.uitwisseling.refi_qda import (MACHINE_USER, NS_CODEBOOK, NS_PROJECT,
                                            RefiWaarschuwing, codebook_xml, export_qdc,
                                            export_qdpx, guid_for, import_qdc, import_qdpx,
                                            schema_errors)

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "src" / "verhalen" / "uitwisseling" / "schema"
REFI = ROOT / "tests" / "data" / "refi"
Q = {"q": NS_PROJECT}


# ---------------------------------------------------------------------------------------------
# a small coded corpus (paragraphs separated by blank lines, as verhalen lees writes them)
# ---------------------------------------------------------------------------------------------
def _doc(doc_id: str, paras: list[str], **kw) -> Document:
    text = "\n\n".join(paras)
    doc = Document(id=doc_id, text=text, source=f"{doc_id}.txt", title=kw.pop("title", doc_id),
                   **kw)
    pos = 0
    for i, p in enumerate(paras):
        doc.segments.append(Segment(id=f"{doc_id}-{i:04d}", doc_id=doc_id, index=i, text=p,
                                    start=pos, end=pos + len(p), section="Inleiding",
                                    speakers=["Kim Smit"] if i == 1 else [],
                                    roles=["sociaal professional"] if i == 1 else [],
                                    sentences=[Sentence(pos, pos + len(p))]))
        pos += len(p) + 2
    return doc


@pytest.fixture()
def corpus() -> Corpus:
    d1 = _doc("gesprek-wijkteam", [
        "Gesprek met het wijkteam over de aanpak in de Bloemenbuurt.",
        "We nemen de tijd om te luisteren zonder oordeel; pas dan vertelt iemand over de "
        "schulden. Vertrouwen opbouwen gaat niet in één gesprek.",
        "Elk kwartaal leveren we cijfers aan de gemeente: aantallen, doorlooptijden en een "
        "vragenlijst voor en na.",
        "Een buurvrouw die elke ochtend aanbelt, doet soms meer dan wij – dat is het "
        "relationele weefsel van de straat.",
    ], case_id="BLOEM", date="2025-02-03", meta={"soort_tekst": "tekst", "n_deelnemers": 12})
    d2 = _doc("verhaal-bewoner", [
        "Ik durfde eerst niets te zeggen. Nu zit ik in de bewonerscommissie en praat ik mee "
        "over het plein.",
        "Dankzij het preventieve huisbezoek bleef mijn zoon op school; anders was het "
        "misgegaan.",
    ], case_id="BLOEM", meta={"soort_tekst": "tekst", "n_deelnemers": 3})
    return Corpus(documents=[d1, d2], meta={"bron": "test"})


@pytest.fixture()
def codes_long() -> pd.DataFrame:
    rows = [
        ("gesprek-wijkteam-0001", "basishouding", 0.91, ["«luisteren zonder oordeel»"],
         "machine", "ensemble"),
        ("gesprek-wijkteam-0001", "relationeel_weefsel", 0.55, [], "machine", "ensemble"),
        ("gesprek-wijkteam-0002", "meten_en_verantwoorden", 0.97, ["«cijfers»", "«vragenlijst»"],
         "machine", "ensemble"),
        ("gesprek-wijkteam-0003", "relationeel_weefsel", 1.0, [], "mens", "Sanne"),
        ("verhaal-bewoner-0000", "eigen_stem", 1.0, [], "mens", "Sanne"),
        ("verhaal-bewoner-0000", "eigen_stem", 0.7, [], "machine", "ensemble"),
        ("verhaal-bewoner-0001", "preventie", 0.88, ["«preventieve huisbezoek»"], "machine",
         "ensemble"),
    ]
    return pd.DataFrame(rows, columns=["segment_id", "code", "score", "evidence", "source",
                                       "coder"])


@pytest.fixture(scope="module")
def impact() -> Codebook:
    return load_codebook("impact")


def _qde(path: Path) -> etree._Element:
    with zipfile.ZipFile(path) as zf:
        return etree.fromstring(zf.read("project.qde"))


def _key(df: pd.DataFrame) -> list[tuple]:
    return sorted((r.segment_id, r.code, r.source, round(float(r.score), 4))
                  for r in df.itertuples())


def _rezip(src: Path, dst: Path, *, drop_prefix: str | None = None,
           edit: dict[str, bytes] | None = None, remove: tuple[str, ...] = ()) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            if drop_prefix and info.filename.startswith(drop_prefix):
                continue
            if info.filename in remove:
                continue
            data = (edit or {}).get(info.filename, zin.read(info.filename))
            zout.writestr(info.filename, data)
    return dst


# ---------------------------------------------------------------------------------------------
# schema
# ---------------------------------------------------------------------------------------------
def test_vendored_schemas_are_the_refi_ones():
    for name, ns in (("Project.xsd", NS_PROJECT), ("Codebook.xsd", NS_CODEBOOK)):
        tree = etree.parse(str(SCHEMA / name))
        assert tree.getroot().get("targetNamespace") == ns
        text = (SCHEMA / name).read_text(encoding="utf-8")
        assert "MIT license" in text and "REFI" in text   # licence notice kept
        etree.XMLSchema(tree)                              # compiles


def test_export_is_valid_against_project_xsd(tmp_path, corpus, codes_long, impact):
    out = export_qdpx(corpus, codes_long, impact, tmp_path / "p.qdpx")
    schema = etree.XMLSchema(etree.parse(str(SCHEMA / "Project.xsd")))
    root = _qde(out)
    assert schema.validate(root), schema.error_log
    assert schema_errors(root) == []


def test_schema_check_catches_wrong_structure(tmp_path, corpus, codes_long, impact):
    """The schema really checks: element order, required attributes and GUID patterns."""
    out = export_qdpx(corpus, codes_long, impact, tmp_path / "p.qdpx")
    root = _qde(out)
    users = root.find("q:Users", Q)
    root.remove(users)
    root.append(users)                       # Users after Sources: wrong order
    assert schema_errors(root)
    root = _qde(out)
    sel = root.find(".//q:PlainTextSelection", Q)
    del sel.attrib["startPosition"]
    assert any("startPosition" in e for e in schema_errors(root))
    root = _qde(out)
    root.find(".//q:Code", Q).set("guid", "niet-een-guid")
    assert schema_errors(root)


def test_qdc_is_valid_against_codebook_xsd(tmp_path, impact):
    out = export_qdc(impact, tmp_path / "impact.qdc")
    schema = etree.XMLSchema(etree.parse(str(SCHEMA / "Codebook.xsd")))
    root = etree.parse(str(out)).getroot()
    assert schema.validate(root), schema.error_log
    assert root.tag == f"{{{NS_CODEBOOK}}}CodeBook"


# ---------------------------------------------------------------------------------------------
# what the export holds
# ---------------------------------------------------------------------------------------------
def test_export_structure(tmp_path, corpus, codes_long, impact):
    out = export_qdpx(corpus, codes_long, impact, tmp_path / "p.qdpx")
    root = _qde(out)
    users = {u.get("guid"): u for u in root.iterfind("q:Users/q:User", Q)}
    names = {u.get("name") for u in users.values()}
    assert "Sanne" in names
    machine = [u for u in users.values() if u.get("name").startswith(MACHINE_USER[:-1])]
    assert len(machine) == 1 and machine[0].get("id").startswith("verhalen:machine")
    # tracks are non-codable groups holding the codes, colours are #RRGGBB
    groups = root.findall("q:CodeBook/q:Codes/q:Code", Q)
    assert {g.get("name") for g in groups} == {"Vakmanschap", "Betekenisgeving",
                                               "Doelmatigheid"}
    assert all(g.get("isCodable") == "false" for g in groups)
    codes = {c.get("name"): c for c in root.iterfind(".//q:Code[@isCodable='true']", Q)}
    assert len(codes) == len(impact)
    for c in impact.codes:
        el = codes[c.label]
        assert el.get("color") == c.colour.upper()
        assert el.get("guid") == guid_for("code", c.id)
        assert el.findtext("q:Description", namespaces=Q).startswith(c.definition[:40])
    vak = next(g for g in groups if g.get("name") == "Vakmanschap")
    assert "Basishouding" in {c.get("name") for c in vak.findall("q:Code", Q)}
    # one TextSource per document with its exact text in sources/
    with zipfile.ZipFile(out) as zf:
        for doc in corpus.documents:
            src = root.find(f"q:Sources/q:TextSource[@guid='{guid_for('document', doc.id)}']", Q)
            assert src is not None and src.get("name") == doc.title
            path = src.get("plainTextPath")
            assert path.startswith("internal://")
            assert zf.read("sources/" + path[len("internal://"):]).decode("utf-8") == doc.text
    # selections: offsets into the text, codings by the right user, confidence in Description
    seg = corpus.document("gesprek-wijkteam").segments[1]
    sel = root.find(f".//q:PlainTextSelection[@name='{seg.id}']", Q)
    assert (int(sel.get("startPosition")), int(sel.get("endPosition"))) == (seg.start, seg.end)
    refs = [c.find("q:CodeRef", Q).get("targetGUID") for c in sel.findall("q:Coding", Q)]
    assert refs == [guid_for("code", "basishouding"), guid_for("code", "relationeel_weefsel")]
    desc = sel.findtext("q:Description", namespaces=Q)
    assert "basishouding (Basishouding): zekerheid 0.9100" in desc
    assert "luisteren zonder oordeel" in desc
    for cd in sel.findall("q:Coding", Q):
        assert users[cd.get("creatingUser")].get("id").startswith("verhalen:machine")
    hsel = root.find(".//q:PlainTextSelection[@name='gesprek-wijkteam-0003']", Q)
    assert users[hsel.find("q:Coding", Q).get("creatingUser")].get("name") == "Sanne"
    # human and machine code on the same segment: two codings, two users
    both = root.find(".//q:PlainTextSelection[@name='verhaal-bewoner-0000']", Q)
    assert len(both.findall("q:Coding", Q)) == 2
    # uncoded segments get no selection
    assert root.find(".//q:PlainTextSelection[@name='gesprek-wijkteam-0000']", Q) is None
    # cases and variables
    case = root.find("q:Cases/q:Case", Q)
    assert case.get("name") == "BLOEM" and len(case.findall("q:SourceRef", Q)) == 2
    var = {v.get("name"): v.get("typeOfVariable") for v in root.iterfind("q:Variables/q:Variable", Q)}
    assert var["casus"] == "Text" and var["n_deelnemers"] == "Integer"


def test_reexport_is_byte_identical(tmp_path, corpus, codes_long, impact):
    a = export_qdpx(corpus, codes_long, impact, tmp_path / "a.qdpx").read_bytes()
    b = export_qdpx(corpus, codes_long, impact, tmp_path / "b.qdpx").read_bytes()
    assert a == b


def test_export_refuses_overwrite(tmp_path, corpus, codes_long, impact):
    out = tmp_path / "p.qdpx"
    out.write_bytes(b"eerder werk")
    with pytest.raises(OverschrijfFout):
        export_qdpx(corpus, codes_long, impact, out)
    assert out.read_bytes() == b"eerder werk"
    with pytest.raises(OverschrijfFout):
        export_qdc(impact, out)
    export_qdpx(corpus, codes_long, impact, out, overwrite=True)
    assert zipfile.is_zipfile(out)
    assert [p.name for p in tmp_path.iterdir()] == ["p.qdpx"]   # no temp files left


def test_export_accepts_wide_codes_and_segments_only_corpus(tmp_path, impact):
    """A corpus read from a {"id","text"} file (no document text) still exports."""
    corpus = Corpus.from_texts(["Ze luisterde zonder oordeel.", "We telden de bezoeken."],
                               ids=["s1", "s2"])
    for d in corpus.documents:
        d.text = ""
    wide = pd.DataFrame({"id": ["s1"], "codes": [["basishouding"]],
                         "scores": [{"basishouding": 0.8}], "evidence": [{}]})
    out = export_qdpx(corpus, wide, impact, tmp_path / "p.qdpx")
    assert schema_errors(_qde(out)) == []
    c2, long, _ = import_qdpx(out)
    assert [s.text for s in c2.segments()] == ["Ze luisterde zonder oordeel.",
                                               "We telden de bezoeken."]
    assert list(long["code"]) == ["basishouding"] and long["score"].iloc[0] == pytest.approx(0.8)


def test_control_characters_do_not_break_the_xml(tmp_path, impact):
    """PDF text can hold form feeds and other control characters: the XML drops them, the
    source text keeps them (offsets stay exact)."""
    paras = ["Kop\x0c van pagina twee", "Ze luisterde\x07 zonder oordeel."]
    corpus = Corpus(documents=[_doc("pdf-bundel", paras, title="Bundel\x0b 2024")])
    long = pd.DataFrame([("pdf-bundel-0001", "basishouding", 0.8, ["«luisterde\x07»"], "machine",
                          "ensemble")], columns=["segment_id", "code", "score", "evidence",
                                                 "source", "coder"])
    out = export_qdpx(corpus, long, impact, tmp_path / "p.qdpx")
    assert schema_errors(_qde(out)) == []
    c2, l2, _ = import_qdpx(out)
    assert c2.documents[0].text == corpus.documents[0].text
    assert _key(l2) == _key(long)


def test_unknown_segments_and_codes_warn(tmp_path, corpus, codes_long, impact):
    extra = pd.DataFrame([("bestaat-niet-0001", "basishouding", 0.5, [], "machine", ""),
                          ("verhaal-bewoner-0001", "nieuw_thema", 0.6, [], "machine", "")],
                         columns=codes_long.columns)
    with pytest.warns(RefiWaarschuwing) as rec:
        out = export_qdpx(corpus, pd.concat([codes_long, extra]), impact, tmp_path / "p.qdpx")
    msgs = " ".join(str(w.message) for w in rec)
    assert "bestaat-niet-0001" in msgs and "nieuw_thema" in msgs
    root = _qde(out)
    assert schema_errors(root) == []
    assert root.find(".//q:Code[@name='nieuw_thema']", Q) is not None


# ---------------------------------------------------------------------------------------------
# round trip
# ---------------------------------------------------------------------------------------------
def test_round_trip_is_lossless(tmp_path, corpus, codes_long, impact):
    out = export_qdpx(corpus, codes_long, impact, tmp_path / "p.qdpx")
    c2, long, cb2 = import_qdpx(out)
    assert [d.id for d in c2.documents] == [d.id for d in corpus.documents]
    assert [d.text for d in c2.documents] == [d.text for d in corpus.documents]
    assert [(d.case_id, d.date, d.title, d.meta) for d in c2.documents] == \
        [(d.case_id, d.date, d.title, d.meta) for d in corpus.documents]
    assert [s.to_record() for s in c2.segments()] == [s.to_record() for s in corpus.segments()]
    assert _key(long) == _key(codes_long)
    segs = {s.id: s for s in corpus.segments()}
    for r in long.itertuples():                      # offsets of every code are the segment's
        assert (r.start, r.end) == (segs[r.segment_id].start, segs[r.segment_id].end)
    assert set(long.loc[long.source == "mens", "coder"]) == {"Sanne"}
    assert cb2.codes == impact.codes


def test_round_trip_through_xml_only(tmp_path, corpus, codes_long, impact):
    """Without verhalen's own zip entries (as after a trip through another tool) the texts,
    codes, offsets, confidences and the codebook still come back from project.qde."""
    out = export_qdpx(corpus, codes_long, impact, tmp_path / "p.qdpx")
    bare = _rezip(out, tmp_path / "kaal.qdpx", drop_prefix="verhalen/")
    c2, long, cb2 = import_qdpx(bare)
    assert [d.text for d in c2.documents] == [d.text for d in corpus.documents]
    assert [d.id for d in c2.documents] == [d.id for d in corpus.documents]
    assert [(s.id, s.start, s.end, s.text) for s in c2.segments()] == \
        [(s.id, s.start, s.end, s.text) for s in corpus.segments()]
    assert _key(long) == _key(codes_long)
    ev = {(r.segment_id, r.code, r.source): r.evidence for r in long.itertuples()}
    assert ev[("gesprek-wijkteam-0002", "meten_en_verantwoorden", "machine")] == \
        ["«cijfers»", "«vragenlijst»"]                       # machine evidence kept
    quote = corpus.document("gesprek-wijkteam").segments[3].text
    assert ev[("gesprek-wijkteam-0003", "relationeel_weefsel", "mens")] == [quote]
    assert [d.case_id for d in c2.documents] == ["BLOEM", "BLOEM"]
    assert c2.documents[0].meta["n_deelnemers"] == 12
    by_id = {c.id: c for c in cb2.codes}
    assert set(by_id) == set(impact.ids)
    for c in impact.codes:
        got = by_id[c.id]
        assert (got.label, got.definition, got.colour) == (c.label, c.definition, c.colour)
        assert got.tracks == pytest.approx(c.tracks)
        assert (got.indicators, got.examples, got.negative_examples) == \
            (c.indicators, c.examples, c.negative_examples)


def test_qdc_round_trip(tmp_path, impact):
    cb = Codebook("eigen", impact.codes[:3] + [
        Code(id="buurtkracht", label="Buurtkracht", definition="Bewoners die samen iets "
             "regelen.", tracks={"betekenisgeving": 0.6, "doelmatigheid": 0.4},
             indicators=["samen regelen"], parent="relationeel_weefsel", colour="#AA4499",
             emergent=True)])
    cb.codes.insert(3, impact.get("relationeel_weefsel"))
    out = export_qdc(cb, tmp_path / "eigen.qdc")
    back = import_qdc(out)
    assert sorted(back.ids) == sorted(cb.ids)
    got = {c.id: c for c in back.codes}
    assert got["buurtkracht"].parent == "relationeel_weefsel"
    assert got["buurtkracht"].emergent is True
    assert got["buurtkracht"].tracks == pytest.approx({"betekenisgeving": 0.6,
                                                       "doelmatigheid": 0.4})
    assert got["basishouding"] == impact.get("basishouding")
    root = etree.parse(str(out)).getroot()     # nested under its parent in the XML
    parent = root.find(f".//{{{NS_CODEBOOK}}}Code[@name='Relationeel weefsel']")
    assert parent.find(f"{{{NS_CODEBOOK}}}Code").get("name") == "Buurtkracht"


# ---------------------------------------------------------------------------------------------
# a project written by another tool
# ---------------------------------------------------------------------------------------------
def test_committed_sample_matches_its_folder():
    import importlib.util

    spec = importlib.util.spec_from_file_location("maak_qdpx", REFI / "maak_qdpx.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert mod.build() == (REFI / "qualcoder_stijl.qdpx").read_bytes()
    assert schema_errors(_qde(REFI / "qualcoder_stijl.qdpx")) == []


def test_import_other_tool(tmp_path):
    with pytest.warns(RefiWaarschuwing) as rec:
        corpus, long, cb = import_qdpx(REFI / "qualcoder_stijl.qdpx")
    msgs = " ".join(str(w.message) for w in rec)
    assert "Interview Ahmed.docx" in msgs and "foto buurtkamer.jpg" in msgs   # skipped, named
    assert "overgeslagen" in msgs
    assert [d.title for d in corpus.documents] == ["Interview Marieke.txt",
                                                   "Verslag bewonersavond", "Notitie huisbezoek"]
    marieke, verslag, notitie = corpus.documents
    raw = (REFI / "qualcoder_stijl" / "sources" /
           "3f2a9c1e-7b44-4d0a-9e51-0c6d2b8a1f01.txt").read_text(encoding="utf-8")
    assert marieke.text == raw
    assert "\r" not in verslag.text and verslag.text.startswith("Verslag bewonersavond")
    assert notitie.text.startswith("Korte notitie na het huisbezoek")
    # paragraph segments with offsets into the text, and sentences
    assert [s.text[:20] for s in marieke.segments] == [
        "Interview met Mariek", "Ik begin altijd met ", "We tellen elk kwarta",
        "Sinds de buurtkamer "]
    for doc in corpus.documents:
        doc.check_offsets()
        assert all(s.sentences for s in doc.segments)
    assert len(marieke.segments) == 4 and len(verslag.segments) == 3
    # cases and variables
    assert (marieke.case_id, verslag.case_id, notitie.case_id) == ("ZUIDRAND", "ZUIDRAND", None)
    assert verslag.meta == {"wijk": "Zuidrand", "aantal aanwezigen": 20}
    # codebook: nesting, colours, tracks
    by_label = {c.label: c for c in cb.codes}
    assert by_label["Luisteren"].parent == by_label["Vakmanschap in de praktijk"].id
    assert by_label["Luisteren"].colour == "#4477AA"
    assert re.fullmatch(r"#[0-9A-F]{6}", by_label["Vertrouwen opbouwen"].colour)
    assert by_label["Relationeel weefsel"].id == "relationeel_weefsel"
    assert by_label["Relationeel weefsel"].tracks == {"betekenisgeving": 1.0}
    assert by_label["Relationeel weefsel"].definition == "Bewoners die elkaar vinden en helpen."
    assert by_label["Zelfvertrouwen"].definition == "Zelfvertrouwen"
    # human codes: exact selection offsets, on every paragraph a selection overlaps
    assert set(long["source"]) == {"mens"} and set(long["coder"]) == {"Sanne", "Jelle"}
    assert (long["score"] == 1.0).all()
    expected = {
        ("interview-marieke", "luisteren", "Sanne"):
            "Pas als iemand merkt dat ik blijf luisteren, komt het verhaal over de schulden of "
            "de eenzaamheid.",
        ("interview-marieke", "vertrouwen_opbouwen", "Jelle"):
            "Pas als iemand merkt dat ik blijf luisteren, komt het verhaal over de schulden of "
            "de eenzaamheid.",
        ("interview-marieke", "relationeel_weefsel", "Jelle"):
            "helpen bewoners elkaar met boodschappen en formulieren. Dat netwerk draagt meer dan "
            "wij alleen ooit konden.",
        ("verslag-bewonersavond", "zelfvertrouwen", "Jelle"):
            "Een moeder vertelde dat haar zoon via het jongerenwerk een stageplek vond. "
            "\"Zonder die ene coach was hij afgehaakt,\" zei ze.",
        ("notitie-huisbezoek", "relationeel_weefsel", "Sanne"):
            "sinds de buurvrouw elke ochtend even aanbelt",
    }
    texts = {d.id: d.text for d in corpus.documents}
    for r in long.itertuples():
        quote = texts[r.doc_id][r.start:r.end]
        assert r.evidence == [quote.strip()]
        if (r.doc_id, r.code, r.coder) in expected:
            assert quote == expected[(r.doc_id, r.code, r.coder)]
    seg_of = long.groupby("code")["segment_id"].agg(sorted).to_dict()
    assert seg_of["cijfers_en_verantwoording"] == ["interview-marieke-0002",
                                                   "interview-marieke-0003"]
    assert seg_of["luisteren"] == ["interview-marieke-0001"]
    assert seg_of["zelfvertrouwen"] == ["verslag-bewonersavond-0002"]
    # the CRLF source: offsets 142–266 in the file are 138–262 in the normalised text
    z = long[long.code == "zelfvertrouwen"].iloc[0]
    assert (z.start, z.end) == (138, 262)


def test_import_transcript_speakers_notes_and_memos(tmp_path):
    text = ("Interviewer: Hoe begon het contact met de buurt?\n\n"
            "Marieke (buurtwerker): Met koffie op het plein, elke dinsdag.\n\n"
            "Interviewer: En wat leverde dat op?\n\n"
            "Marieke (buurtwerker): Dat mensen mij gingen aanspreken over hun zorgen.")
    a = text.index("Dat mensen")
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="t" origin="MAXQDA 2022">
 <Users><User guid="11111111-1111-4111-8111-111111111111" name="Aylin"/></Users>
 <CodeBook><Codes>
  <Code guid="22222222-2222-4222-8222-222222222222" name="Vertrouwen" isCodable="true"/>
 </Codes></CodeBook>
 <Sources>
  <TextSource guid="33333333-3333-4333-8333-333333333333" name="Transcript Marieke">
   <PlainTextContent>{text}</PlainTextContent>
   <PlainTextSelection guid="44444444-4444-4444-8444-444444444444" startPosition="{a}"
      endPosition="{len(text)}" creatingUser="11111111-1111-4111-8111-111111111111">
    <Description>Hier kantelt het contact.</Description>
    <Coding guid="55555555-5555-4555-8555-555555555555"
        creatingUser="11111111-1111-4111-8111-111111111111">
     <CodeRef targetGUID="22222222-2222-4222-8222-222222222222"/></Coding>
   </PlainTextSelection>
  </TextSource>
 </Sources>
 <Notes><Note guid="66666666-6666-4666-8666-666666666666" name="Memo">
  <PlainTextContent>Eerste ronde.</PlainTextContent></Note></Notes>
</Project>"""
    assert schema_errors(qde.encode("utf-8")) == []
    path = tmp_path / "maxqda.qdpx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", qde)
    with pytest.warns(RefiWaarschuwing):            # a code without track
        corpus, long, _ = import_qdpx(path)
    segs = corpus.documents[0].segments
    assert [s.speakers for s in segs] == [["Interviewer"], ["Marieke"], ["Interviewer"],
                                          ["Marieke"]]
    assert segs[0].roles == ["onderzoeker"] and segs[1].roles == ["sociaal professional"]
    assert list(long["segment_id"]) == [segs[3].id]
    assert long["notitie"].iloc[0] == "Hier kantelt het contact."
    assert long["coder"].iloc[0] == "Aylin" and long["source"].iloc[0] == "mens"
    notes = corpus.meta["refi"]["notities"]
    assert [(n["naam"], n["tekst"], n["bij"]) for n in notes] == [("Memo", "Eerste ronde.", [])]


def test_import_skips_text_that_is_missing_from_the_zip(tmp_path):
    src = REFI / "qualcoder_stijl.qdpx"
    bad = _rezip(src, tmp_path / "x.qdpx",
                 remove=("sources/3f2a9c1e-7b44-4d0a-9e51-0c6d2b8a1f01.txt",))
    with pytest.warns(RefiWaarschuwing) as rec:
        corpus, long, _ = import_qdpx(bad)
    assert any("ontbreekt in het archief" in str(w.message) for w in rec)
    assert "interview-marieke" not in {d.id for d in corpus.documents}
    assert set(long["doc_id"]) == {"verslag-bewonersavond", "notitie-huisbezoek"}


def test_import_qdc_from_project_xml_and_from_qdpx(tmp_path):
    with pytest.warns(RefiWaarschuwing):
        cb = import_qdc(REFI / "qualcoder_stijl.qdpx")
    assert "luisteren" in cb.ids
    qde = tmp_path / "project.qdc"
    qde.write_bytes((REFI / "qualcoder_stijl" / "project.qde").read_bytes())
    with pytest.warns(RefiWaarschuwing):
        assert import_qdc(qde).ids == cb.ids


# ---------------------------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------------------------
def test_bad_inputs(tmp_path):
    not_zip = tmp_path / "kapot.qdpx"
    not_zip.write_text("dit is geen zip", encoding="utf-8")
    with pytest.raises(LeesFout, match="kapot.qdpx.*geen geldig .qdpx"):
        import_qdpx(not_zip)
    with pytest.raises(LeesFout, match="bestaat niet"):
        import_qdpx(tmp_path / "weg.qdpx")
    no_qde = tmp_path / "leeg.qdpx"
    with zipfile.ZipFile(no_qde, "w") as zf:
        zf.writestr("sources/a.txt", "tekst")
    with pytest.raises(LeesFout, match="project.qde ontbreekt"):
        import_qdpx(no_qde)
    broken = tmp_path / "xml.qdpx"
    with zipfile.ZipFile(broken, "w") as zf:
        zf.writestr("project.qde", "<Project name='x'>\n<Users>\n</Project>")
    with pytest.raises(LeesFout) as exc:
        import_qdpx(broken)
    assert "xml.qdpx" in str(exc.value) and "project.qde" in str(exc.value)
    assert "regel 3" in str(exc.value) and "geen geldige XML" in str(exc.value)
    wrong_root = tmp_path / "root.qdpx"
    with zipfile.ZipFile(wrong_root, "w") as zf:
        zf.writestr("project.qde", "<CodeBook/>")
    with pytest.raises(LeesFout, match="verwacht <Project>"):
        import_qdpx(wrong_root)


def test_dangling_coderef_names_file_and_line(tmp_path):
    src = REFI / "qualcoder_stijl.qdpx"
    qde = (REFI / "qualcoder_stijl" / "project.qde").read_text(encoding="utf-8")
    bad_qde = qde.replace('<CodeRef targetGUID="a1000000-0000-4000-8000-000000000004"/>',
                          '<CodeRef targetGUID="a1000000-0000-4000-8000-0000000000ff"/>')
    assert bad_qde != qde
    line = bad_qde[:bad_qde.index("0000000000ff")].count("\n") + 1
    bad = _rezip(src, tmp_path / "d.qdpx", edit={"project.qde": bad_qde.encode("utf-8")})
    with pytest.raises(LeesFout) as exc:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RefiWaarschuwing)
            import_qdpx(bad)
    msg = str(exc.value)
    assert "d.qdpx" in msg and f"regel {line}" in msg and "onbekende code" in msg


def test_selection_outside_text_is_an_error(tmp_path):
    src = REFI / "qualcoder_stijl.qdpx"
    qde = (REFI / "qualcoder_stijl" / "project.qde").read_text(encoding="utf-8")
    bad_qde = qde.replace('startPosition="367" endPosition="474"',
                          'startPosition="367" endPosition="9999"')
    bad = _rezip(src, tmp_path / "o.qdpx", edit={"project.qde": bad_qde.encode("utf-8")})
    with pytest.raises(LeesFout, match="valt buiten de tekst"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RefiWaarschuwing)
            import_qdpx(bad)


def test_bad_qdc(tmp_path):
    p = tmp_path / "c.qdc"
    p.write_text("<CodeBook xmlns='urn:QDA-XML:codebook:1.0'><Codes>", encoding="utf-8")
    with pytest.raises(LeesFout, match="c.qdc.*geen geldige XML"):
        import_qdc(p)
    p.write_text("<CodeBook xmlns='urn:QDA-XML:codebook:1.0'><Codes/></CodeBook>",
                 encoding="utf-8")
    with pytest.raises(LeesFout, match="geen codes"):
        import_qdc(p)
    p.write_text("<Iets/>", encoding="utf-8")
    with pytest.raises(LeesFout, match="verwacht <CodeBook>"):
        import_qdc(p)


def test_no_external_entities(tmp_path):
    """XML from outside is parsed without resolving entities (no file disclosure)."""
    secret = tmp_path / "geheim.txt"
    secret.write_text("GEHEIM", encoding="utf-8")
    p = tmp_path / "e.qdc"
    p.write_text(f'<!DOCTYPE x [<!ENTITY e SYSTEM "file://{secret}">]>'
                 "<CodeBook xmlns='urn:QDA-XML:codebook:1.0'><Codes>"
                 "<Code guid='a1000000-0000-4000-8000-000000000001' name='A' isCodable='true'>"
                 "<Description>&e;</Description></Code></Codes></CodeBook>", encoding="utf-8")
    with pytest.warns(RefiWaarschuwing):
        cb = import_qdc(p)
    assert "GEHEIM" not in cb.codes[0].definition
    # entity expansion bombs are refused quickly, with the project's own error
    lol = ('<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
           + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'
                     for i in range(8)) + "]>")
    p.write_text(lol + "<CodeBook xmlns='urn:QDA-XML:codebook:1.0'><Codes>"
                 "<Code guid='a1000000-0000-4000-8000-000000000001' name='A' isCodable='true'>"
                 "<Description>&i;</Description></Code></Codes></CodeBook>", encoding="utf-8")
    with pytest.raises(LeesFout, match="e.qdc"):
        import_qdc(p)


# ---------------------------------------------------------------------------------------------
# CLI: verhalen importeer (and exporteer qdpx → importeer)
# ---------------------------------------------------------------------------------------------
def test_cli_importeer_qdpx_and_qdc(tmp_path, capsys):
    from verhalen.cli.main import main
    from verhalen.menselijk import load_human_codes

    out = tmp_path / "project"
    assert main(["importeer", str(REFI / "qualcoder_stijl.qdpx"), "--uit", str(out)]) == 0
    printed = capsys.readouterr()
    assert "overgeslagen" in printed.err and "Geschreven:" in printed.out
    corpus = Corpus.load(out)
    assert len(corpus.documents) == 3
    cb = load_codebook(out / "codeboek.yaml")
    human = load_human_codes(out / "menselijke_codes.jsonl", segments_df=corpus.segments_df(),
                             codebook=cb)
    got = {r["id"]: sorted(r["codes"]) for r in human.to_dict("records")}
    assert got["interview-marieke-0001"] == ["luisteren", "vertrouwen_opbouwen"]
    assert got["interview-marieke-0003"] == ["cijfers_en_verantwoording", "relationeel_weefsel"]
    sel = pd.read_csv(out / "selecties.csv", sep=";", encoding="utf-8-sig")
    assert {"segment_id", "code", "start", "end", "citaat"} <= set(sel.columns)
    assert not (out / "codes.jsonl").exists()          # no machine codes in this project
    # refuses to overwrite, then replaces with --overschrijf
    assert main(["importeer", str(REFI / "qualcoder_stijl.qdpx"), "--uit", str(out)]) == 1
    assert "bestaat al" in capsys.readouterr().err
    (out / "menselijke_codes.jsonl").write_text('{"id": "x", "codes": ["luisteren"]}\n',
                                                encoding="utf-8")
    assert main(["importeer", str(REFI / "qualcoder_stijl.qdpx"), "--uit", str(out),
                 "--overschrijf"]) == 0
    kept = out / "menselijke_codes.vorige1.jsonl"         # earlier human codes are kept
    assert kept.read_text(encoding="utf-8") == '{"id": "x", "codes": ["luisteren"]}\n'
    # qdc → codeboek.yaml
    qdc = export_qdc(load_codebook("impact"), tmp_path / "impact.qdc")
    assert main(["importeer", str(qdc), "--uit", str(tmp_path / "cb.yaml")]) == 0
    back = {c.id: c for c in load_codebook(tmp_path / "cb.yaml").codes}
    assert back == {c.id: c for c in load_codebook("impact").codes}
    # bad input: a clear Dutch error, exit 1
    bad = tmp_path / "kapot.qdpx"
    bad.write_bytes(b"\x00\x01")
    assert main(["importeer", str(bad), "--uit", str(tmp_path / "x")]) == 1
    assert "kapot.qdpx" in capsys.readouterr().err


def test_cli_importeer_then_exporteer_keeps_coders(tmp_path):
    """QualCoder project → verhalen folder → .qdpx: every human code keeps its coder."""
    from verhalen.cli.main import main

    folder = tmp_path / "project"
    assert main(["importeer", str(REFI / "qualcoder_stijl.qdpx"), "--uit", str(folder)]) == 0
    assert main(["exporteer", str(folder), "--uit", str(tmp_path / "terug.qdpx")]) == 0
    with pytest.warns(RefiWaarschuwing):
        _, first, _ = import_qdpx(REFI / "qualcoder_stijl.qdpx")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RefiWaarschuwing)
        _, again, _ = import_qdpx(tmp_path / "terug.qdpx")
    key = lambda df: sorted(zip(df.segment_id, df.code, df.source, df.coder))  # noqa: E731
    assert key(again) == key(first)


# ---------------------------------------------------------------------------------------------
# projects in the conventions of NVivo, ATLAS.ti, MAXQDA, QualCoder (tests/data/refi/producenten.py)
# ---------------------------------------------------------------------------------------------
def _producenten():
    import importlib.util

    spec = importlib.util.spec_from_file_location("producenten", REFI / "producenten.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


P = _producenten()
WITH_TEXT = [n for n in P.FIXTURES if n != "atlas_codeboek"]


def _write_fixture(tmp_path, name, suffix=".qdpx"):
    path = tmp_path / f"{name}{suffix}"
    path.write_bytes(P.FIXTURES[name]())
    return path


def _quiet_import(path):
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        out = import_qdpx(path)
    return (*out, [str(w.message) for w in rec])


@pytest.mark.parametrize("name", list(P.FIXTURES))
def test_producer_fixtures_are_valid_refi(name):
    data = P.FIXTURES[name]()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert schema_errors(zf.read("project.qde")) == []


@pytest.mark.parametrize("name", WITH_TEXT)
def test_selections_give_the_exact_quotes(tmp_path, name):
    """Emoji, \\r\\n and a BOM: every selection quotes exactly the words the tool selected."""
    corpus, long, cb, msgs = _quiet_import(_write_fixture(tmp_path, name))
    sels = corpus.meta["refi"]["selecties"]
    assert sorted(s["citaat"] for s in sels) == sorted(P.SELECTIES[name])
    texts = {d.id: d.text for d in corpus.documents}
    for r in long.itertuples():
        assert r.evidence == [texts[r.doc_id][r.start:r.end].strip()]
    assert all("passen bij geen enkele telling" not in m for m in msgs)


def test_nvivo_positions_are_utf16_and_crlf_counts_two(tmp_path):
    corpus, long, _, msgs = _quiet_import(_write_fixture(tmp_path, "nvivo_windows"))
    pos = corpus.meta["refi"]["posities"]
    assert (pos["eenheid"], pos["crlf"], pos["producent"]) == ("utf16", 2, "NVivo")
    assert all("\r" not in d.text and not d.text.startswith("\ufeff") for d in corpus.documents)
    # the same selections read as code points would land on the wrong words
    from verhalen.uitwisseling.posities import CODE_POINTS, Reading, TextPositions

    raw = P._text(P.BUURT).replace("\n", "\r\n")
    tp = TextPositions(raw)
    a = P.utf16_pos(P._text(P.BUURT), P._text(P.BUURT).index("Nu helpt hij"))
    wrong = tp.to_offsets(a, a + 12, Reading(CODE_POINTS, 2))
    assert tp.text[wrong[0]:wrong[1]] != "Nu helpt hij"


def test_atlas_crlf_counts_one_and_unknown_unit_is_detected(tmp_path):
    corpus, _, _, msgs = _quiet_import(_write_fixture(tmp_path, "atlas_project"))
    pos = corpus.meta["refi"]["posities"]
    assert (pos["eenheid"], pos["crlf"]) == ("utf16", 1)
    assert any("ATLAS.ti" in m and "UTF-16" in m for m in msgs)      # says what it chose


def test_unknown_producer_detects_utf16_by_word_boundaries(tmp_path):
    corpus, _, _, msgs = _quiet_import(_write_fixture(tmp_path, "volledig"))
    pos = corpus.meta["refi"]["posities"]
    assert pos["eenheid"] == "utf16"
    assert pos["woordgrens"]["UTF-16-eenheden, \\r\\n telt 2"] > \
        pos["woordgrens"]["codepunten, \\r\\n telt 2"]


def test_positions_that_fit_no_reading_warn(tmp_path):
    text = P._text(P.BUURT)
    sels = "".join(
        f'<PlainTextSelection guid="{P.G(f"x{i}")}" startPosition="{a}" endPosition="{a + 7}">'
        f'<Coding guid="{P.G(f"c{i}")}"><CodeRef targetGUID="{P.G("code:k")}"/></Coding>'
        "</PlainTextSelection>" for i, a in enumerate(range(3, 300, 23)))
    qde = P._project("Onbekend 1", ["X"], P._code("k", "K"),
                     f'<TextSource guid="{P.G("s")}" name="t"><PlainTextContent>{text}'
                     f"</PlainTextContent>{sels}</TextSource>")
    path = tmp_path / "scheef.qdpx"
    path.write_bytes(P._zip({"project.qde": qde}))
    *_, msgs = _quiet_import(path)
    assert any("passen bij geen enkele telling goed" in m and "selecties.csv" in m for m in msgs)


def _refi_without_origin(refi):
    out = {k: v for k, v in refi.items() if k != "posities"}
    out["project"] = {k: v for k, v in refi["project"].items() if k not in ("origin",
                                                                            "producent")}
    return out


def _sel_key(long):
    return sorted(zip(long.segment_id, long.code, long.source, long.coder, long.start, long.end,
                      long.selectie, long.notitie))


@pytest.mark.parametrize("name", list(P.FIXTURES))
def test_import_export_import_is_lossless(tmp_path, name):
    c1, l1, cb1, _ = _quiet_import(_write_fixture(tmp_path, name))
    out = export_qdpx(c1, l1, cb1, tmp_path / "terug.qdpx")
    assert schema_errors(_qde(out)) == []
    c2, l2, cb2, _ = _quiet_import(out)
    assert [(d.id, d.text, d.title, d.case_id, d.date, d.meta) for d in c2.documents] == \
        [(d.id, d.text, d.title, d.case_id, d.date, d.meta) for d in c1.documents]
    assert [s.to_record() for s in c2.segments()] == [s.to_record() for s in c1.segments()]
    assert _sel_key(l2) == _sel_key(l1)
    assert cb2.codes == cb1.codes and cb2.sets == cb1.sets
    assert _refi_without_origin(c2.meta["refi"]) == _refi_without_origin(c1.meta["refi"])
    # and once more: the second export is the same file
    again = export_qdpx(c2, l2, cb2, tmp_path / "nogmaals.qdpx")
    assert etree.tostring(_qde(again)) == etree.tostring(_qde(out))


def test_what_real_files_carry_is_kept(tmp_path):
    """Non-codable categories, descriptions with line breaks, colours, all users, sets."""
    _, _, cb, msgs = _quiet_import(_write_fixture(tmp_path, "atlas_codeboek"))
    by = {c.label: c for c in cb.codes}
    assert [by[x].codable for x in ("Aanpak", "In de wijk", "Huisbezoek", "Eerste bezoek",
                                    "Drempel")] == [False, False, False, True, True]
    assert by["Drempel"].parent == by["Eerste bezoek"].id        # five levels deep
    assert by["Drempel"].definition == "De drempel om open te doen.\nOf niet."
    assert by["Drempel"].colour == "#F0A0A0"
    assert all(c.tracks == {} for c in cb.codes)                   # no invented weights
    assert [s["naam"] for s in cb.sets] == ["Codegroep: eerste contact", "Codegroep: overig"]
    assert cb.sets[0]["codes"] == [by["Drempel"].id, by["Warm welkom"].id]
    says = [m for m in msgs if "zonder spoor" in m]
    assert len(says) == 1 and "4 van de 4 codes" in says[0]       # once, with the count
    c, _, _, _ = _quiet_import(_write_fixture(tmp_path, "qualcoder"))
    assert [u["naam"] for u in c.meta["refi"]["gebruikers"]] == ["Aylin", "Bram", "Chris"]
    c, _, cbm, _ = _quiet_import(_write_fixture(tmp_path, "maxqda"))
    assert [(s["naam"], s["documenten"]) for s in c.meta["refi"]["sets"]] == [
        ("ICLS 2024", ["interview-buurtkamer", "notitie"]), ("ICLS 2025", ["interview-zorg"])]
    assert cbm.get("thema_ontmoeting").definition == \
        "Bovencategorie.\nGebruik alleen de codes eronder."


def test_notes_cases_and_variables_are_kept(tmp_path):
    c, long, cb, _ = _quiet_import(_write_fixture(tmp_path, "volledig"))
    refi = c.meta["refi"]
    hung = {n["naam"]: [b["soort"] for b in n["bij"]] for n in refi["notities"]}
    assert hung == {"projectmemo": ["project"], "srcmemo": ["document"], "selmemo": ["selectie"],
                    "codingmemo": ["codering"], "codememo": ["code"], "los": []}
    assert refi["notities"][0]["tekst"] == "Wat we leerden:\n- luisteren\n- tijd nemen"
    fam = next(x for x in refi["cases"] if x["naam"] == "Familie K.")
    assert fam["documenten"] == ["huisbezoek"] and fam["codes"] == ["drempel"]
    assert fam["waarden"] == {"leeftijd": 41, "actief": True, "start": "2025-01-06",
                              "moment": "2025-01-06T09:30:00Z"}
    assert len(fam["selecties"]) == 1
    assert [v["type"] for v in refi["variabelen"]] == ["Integer", "Float", "Boolean", "Date",
                                                      "DateTime", "Text"]
    assert c.document("buurtkamer").meta == {"wijk": "Noord", "leeftijd": 0}
    whole = long[(long.doc_id == "huisbezoek") & (long.code == "buren") & (long.selectie == "")]
    assert set(whole.segment_id) == {s.id for s in c.document("huisbezoek").segments}
    assert refi["project"]["beschrijving"] == "Project om alles te bewaren."
    assert [(x["name"], x["direction"]) for x in refi["links"]] == [("Annotatie", "OneWay")]


def test_researcher_edits_survive_the_export(tmp_path):
    """A code the researcher removed from a segment drops that selection's coding; a code they
    added becomes a segment selection; tracks they gave are written in the description."""
    c, long, cb, _ = _quiet_import(_write_fixture(tmp_path, "nvivo_windows"))
    tellen = next(x.id for x in cb.codes if x.label == "3. Tellen")
    human = long[long.source == "mens"]
    gone = human[human.code == tellen]
    kept = human[human.code != tellen][["segment_id", "code", "score", "evidence", "source",
                                        "coder"]]
    added = pd.DataFrame([{"segment_id": c.documents[0].segments[0].id, "code": tellen,
                           "score": 1.0, "evidence": [], "source": "mens", "coder": "Gergo"}])
    cb.get("ritueel").tracks = {"betekenisgeving": 1.0}
    with pytest.warns(RefiWaarschuwing, match="weggelaten"):
        out = export_qdpx(c, pd.concat([kept, added]), cb, tmp_path / "bewerkt.qdpx")
    c2, l2, cb2, _ = _quiet_import(out)
    assert tellen not in set(l2[l2.selectie.isin(set(gone.selectie))].code)
    assert set(l2[l2.code == tellen].segment_id) == {c.documents[0].segments[0].id}
    assert cb2.get("ritueel").tracks == {"betekenisgeving": 1.0}
    assert cb2.get("welkom").tracks == {}
    root = _qde(out)                                      # the foreign tree is not regrouped
    assert [e.get("name") for e in root.findall("q:CodeBook/q:Codes/q:Code", Q)] == \
        ["1. Houding", "2. Netwerk", "3. Tellen"]


def test_export_positions_are_utf16(tmp_path):
    c, long, cb, _ = _quiet_import(_write_fixture(tmp_path, "nvivo_mac"))
    out = export_qdpx(c, long, cb, tmp_path / "u.qdpx")
    root = _qde(out)
    assert root.get("origin").endswith("(posities: UTF-16)")
    with zipfile.ZipFile(out) as zf:
        texts = {n.split("/")[-1][:-4]: zf.read(n).decode("utf-8") for n in zf.namelist()
                 if n.startswith("sources/")}
    for src in root.iter(f"{{{NS_PROJECT}}}TextSource"):
        units = texts[src.get("guid")].encode("utf-16-le")
        for sel in src.iter(f"{{{NS_PROJECT}}}PlainTextSelection"):
            a, z = int(sel.get("startPosition")), int(sel.get("endPosition"))
            quote = units[2 * a:2 * z].decode("utf-16-le")
            assert quote in P.SELECTIES["nvivo_mac"]


def test_cli_codebook_only_project_and_zip_name(tmp_path, capsys):
    from verhalen.cli.main import main

    path = _write_fixture(tmp_path, "atlas_codeboek", suffix=".zip")
    assert main(["importeer", str(path), "--uit", str(tmp_path / "cb")]) == 0
    printed = capsys.readouterr()
    assert "geen tekstbronnen: alleen het codeboek" in printed.out
    assert "zonder spoor" in printed.err
    cb = load_codebook(tmp_path / "cb" / "codeboek.yaml")
    assert len(cb) == 8 and len(cb.sets) == 2
    assert not cb.get("aanpak").codable and cb.get("drempel").guid
    # a project under a .zip name is a project
    proj = _write_fixture(tmp_path, "qualcoder", suffix=".zip")
    assert main(["importeer", str(proj), "--uit", str(tmp_path / "qc")]) == 0
    out = capsys.readouterr().out
    assert "3 exacte selecties" in out and "3 gebruiker(s)" in out
    other = tmp_path / "iets.zip"
    with zipfile.ZipFile(other, "w") as zf:
        zf.writestr("a.txt", "x")
    assert main(["importeer", str(other), "--uit", str(tmp_path / "x")]) == 1
    assert "zonder project.qde" in capsys.readouterr().err


def test_cli_round_trip_keeps_exact_selections(tmp_path):
    """importeer → exporteer → import: exact selections, users, sets, notes all come back."""
    from verhalen.cli.main import main

    for name in ("nvivo_windows", "volledig", "maxqda"):
        src = _write_fixture(tmp_path, name)
        folder = tmp_path / f"map_{name}"
        assert main(["importeer", str(src), "--uit", str(folder)]) == 0
        assert main(["exporteer", str(folder), "--uit", str(tmp_path / f"{name}_t.qdpx")]) == 0
        c1, l1, cb1, _ = _quiet_import(src)
        c2, l2, cb2, _ = _quiet_import(tmp_path / f"{name}_t.qdpx")
        assert schema_errors(_qde(tmp_path / f"{name}_t.qdpx")) == []
        assert _sel_key(l2) == _sel_key(l1)
        assert _refi_without_origin(c2.meta["refi"]) == _refi_without_origin(c1.meta["refi"])
        assert cb2.codes == cb1.codes and cb2.sets == cb1.sets


def test_verhalen_round_trip_twice_is_stable(tmp_path, corpus, codes_long, impact):
    """verhalen's own per-segment selections and machine codes are not kept as exact
    selections: a second round trip gives the same codes and the same file."""
    first = export_qdpx(corpus, codes_long, impact, tmp_path / "a.qdpx")
    c1, l1, cb1, _ = _quiet_import(first)
    assert c1.meta["refi"]["selecties"] == []
    second = export_qdpx(c1, l1, cb1, tmp_path / "b.qdpx")
    c2, l2, cb2, _ = _quiet_import(second)
    assert _key(l2) == _key(l1) == _key(codes_long)
    assert len(l2) == len(codes_long)
    assert etree.tostring(_qde(second)) == etree.tostring(_qde(first))


def test_selection_follows_its_quote_when_the_text_changed(tmp_path):
    """A text that changed after import (pseudonymised, edited) keeps the exact selections
    whose quote is still there, at its new place."""
    c, long, cb, _ = _quiet_import(_write_fixture(tmp_path, "nvivo_mac"))
    doc = c.documents[0]
    extra = "Vooraf een zin die er eerst niet stond.\n\n"
    doc.text = extra + doc.text
    for s in doc.segments:
        s.start += len(extra)
        s.end += len(extra)
        s.sentences = [type(x)(x.start + len(extra), x.end + len(extra)) for x in s.sentences]
    with pytest.warns(RefiWaarschuwing, match="teruggevonden"):
        out = export_qdpx(c, long, cb, tmp_path / "verschoven.qdpx")
    c2, l2, _, _ = _quiet_import(out)
    assert sorted(s["citaat"] for s in c2.meta["refi"]["selecties"]) == \
        sorted(P.SELECTIES["nvivo_mac"])


def test_qdc_keeps_code_groups_guids_and_categories(tmp_path):
    _, _, cb, _ = _quiet_import(_write_fixture(tmp_path, "atlas_codeboek"))
    out = export_qdc(cb, tmp_path / "groepen.qdc")
    assert schema_errors(etree.parse(str(out)).getroot(), kind="codebook") == []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RefiWaarschuwing)
        back = import_qdc(out)
    assert back.codes == cb.codes and back.sets == cb.sets
    from verhalen.codeboek import save_codebook

    yaml_back = load_codebook(save_codebook(cb, tmp_path / "cb.yaml"))   # and through YAML
    assert yaml_back.codes == cb.codes and yaml_back.sets == cb.sets


def test_codebook_yaml_zonder_spoor_and_sets(tmp_path):
    from verhalen.fouten import CodeboekFout

    p = tmp_path / "c.yaml"
    p.write_text("codes:\n  - {id: a, label: A, definitie: \"regel een\\nregel twee\", sporen: {},"
                 " codeerbaar: false, guid: 5067d381-1dc9-4816-81dd-ae1dbfea2ad7}\n"
                 "sets:\n  - {naam: Groep, codes: [a]}\n", encoding="utf-8")
    cb = load_codebook(p)
    a = cb.get("a")
    assert (a.tracks, a.codable, a.guid, a.definition) == (
        {}, False, "5067d381-1dc9-4816-81dd-ae1dbfea2ad7", "regel een\nregel twee")
    assert cb.sets == [{"naam": "Groep", "codes": ["a"]}] and cb.without_track() == []
    p.write_text("codes:\n  - {id: a, label: A, definitie: x, sporen: {}}\n"
                 "sets:\n  - {naam: Groep, codes: [b]}\n", encoding="utf-8")
    with pytest.raises(CodeboekFout, match="onbekende code.*b"):
        load_codebook(p)


def test_rewritten_guids_and_dates_still_give_a_valid_export(tmp_path):
    """Pseudonymisation scrubs metadata, also digits in GUIDs and dates of corpus.meta['refi']
    ('…-aNummer_3', 'Datum_5T09:30:00Z'): the export stays valid and consistent."""
    c, long, cb, _ = _quiet_import(_write_fixture(tmp_path, "volledig"))
    scrub = lambda v: re.sub(r"\d{4}-\d{2}-\d{2}", "Datum_5", re.sub(r"[0-9a-f]{4}$",  # noqa: E731
                                                                        "Nummer_3", v))
    def walk(x):
        if isinstance(x, dict):
            return {k: walk(v) for k, v in x.items()}
        if isinstance(x, list):
            return [walk(v) for v in x]
        return scrub(x) if isinstance(x, str) else x
    c.meta["refi"] = walk(c.meta["refi"])
    for d in c.documents:
        d.meta = walk(d.meta)
    out = export_qdpx(c, long, cb, tmp_path / "geschrobd.qdpx")
    assert schema_errors(_qde(out)) == []
    c2, _, _, _ = _quiet_import(out)
    fam = next(x for x in c2.meta["refi"]["cases"] if x["naam"] == "Familie K.")
    assert len(fam["selecties"]) == 1                      # references still line up
    assert len(c2.meta["refi"]["gebruikers"]) == 3


def test_reading_chosen_by_selection_names():
    """A tool that writes the selected text as the selection's name (QualCoder, with U+2029
    for a line break) settles the reading even where word boundaries cannot."""
    from verhalen.uitwisseling.posities import (CODE_POINTS, UTF16, Reading, TextPositions,
                                                choose_reading)

    text = "🙂🙂 ab\n\ncd 🙂 ef gh"
    tp = TextPositions(text)
    # code-point positions of "ab\n\ncd" and "ef": in UTF-16 they would read other letters
    items = [(tp, 3, 9, "ab\u2029\u2029cd"), (tp, 12, 14, "ef")]
    reading, msgs, _ = choose_reading(items, {}, "Onbekend")
    assert reading.unit == CODE_POINTS
    assert tp.to_offsets(3, 9, reading) == (3, 9)
    reading, _, _ = choose_reading([(tp, 5, 11, "ab\u2029\u2029cd")], {}, "Onbekend")
    assert reading.unit == UTF16 and tp.text[slice(*tp.to_offsets(5, 11, Reading()))] == \
        "ab\n\ncd"
