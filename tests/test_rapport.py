"""The HTML report and its tables on the constructed corpus of tests/data/sporen (known
answers: document 'vak' carries only vakmanschap codes, 'mix' has profile 2/7, 3/7, 2/7)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from verhalen.codeboek import Code, Codebook
from verhalen.codes import read_codes, wide_to_long
from verhalen.fouten import OverschrijfFout, VerhalenFout
from verhalen.rapport import FIGURE_IDS, build_report, write_report
from verhalen.sporen.tabellen import report_tables, to_markdown, write_tables

DATA = Path(__file__).parent / "data" / "sporen"


@pytest.fixture(scope="module")
def codebook() -> Codebook:
    def code(cid, tracks, colour):
        return Code(id=cid, label=cid.capitalize(), definition=f"Definitie van {cid}.",
                    tracks=tracks, colour=colour)
    return Codebook(name="test", codes=[
        code("luisteren", {"vakmanschap": 1.0}, "#111111"),
        code("methodiek", {"vakmanschap": 1.0}, "#222222"),
        code("verbinding", {"betekenisgeving": 1.0}, "#333333"),
        code("kosten", {"doelmatigheid": 1.0}, "#444444"),
        code("tellen", {"betekenisgeving": 0.5, "doelmatigheid": 0.5}, "#555555")])


@pytest.fixture(scope="module")
def report(segs, codes, codebook) -> str:
    return build_report(segs, codes, codebook, title="Testrapport")


def _section(html: str, anchor: str) -> str:
    m = re.search(rf'<section id="{anchor}"[ >]', html)
    assert m, f"geen sectie {anchor}"
    end = html.find("<section id=", m.start() + 10)
    return html[m.start(): end if end > 0 else len(html)]


def _text(html: str) -> str:
    """Visible text, tags dropped, entities unescaped, whitespace collapsed."""
    import html as _html

    html = re.sub(r"</?(b|a|span|code|i|em|strong)\b[^>]*>", "", html)
    return " ".join(_html.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_every_section_and_figure(report):
    for anchor in ("samenvatting", "overzicht", "sporenkaart", "spoorwissel", "themas",
                   "themakaarten", "documenten", "codeboek", "methode"):
        assert re.search(rf'<section id="{anchor}"[ >]', report), anchor
        assert f'href="#{anchor}"' in report            # in the table of contents
    for fig in FIGURE_IDS:
        assert report.count(f'id="{fig}"') == 1, fig
    # a section per code of the codebook
    for cid in ("luisteren", "methodiek", "verbinding", "kosten", "tellen"):
        assert f'id="thema-{cid}"' in report


def test_offline_and_plotly_inlined_once(report):
    assert report.count("plotly.js v") == 1             # the library's banner: inlined once
    assert not re.search(r'<script[^>]+src=', report)
    assert not re.search(r'<link[^>]+href=["\']https?:', report)
    assert "@import" not in report and "fonts.googleapis" not in report
    assert 'lang="nl"' in report


def test_track_profile_known_answers_in_report(report):
    part = _section(report, "documenten")              # the per-document profile: appendix A
    rows = re.findall(r"<tr><td>([^<]+)</td>(.*?)</tr>", part)
    cells = {name: re.findall(r'<td class="num">([^<]+)</td>', rest) for name, rest in rows}
    # 'Alleen vakmanschap': segments, coded, then vakmanschap/betekenisgeving/doelmatigheid
    vak = cells["Alleen vakmanschap"]
    assert vak[2:5] == ["100%", "0%", "0%"]
    mix = next(v for k, v in cells.items() if k != "Alleen vakmanschap" and v[2:5] == ["29%", "43%", "29%"])
    assert mix


def test_quotes_carry_speaker_document_and_place(report):
    part = _section(report, "themas")
    quotes = re.findall(r"<blockquote>(.*?)</blockquote>", part, flags=re.S)
    assert quotes
    assert any("Anna de Vries" in q and "Alleen vakmanschap" in q and "tekens " in q for q in quotes)


def test_text_is_escaped(segs, codes, codebook):
    bad = segs.copy()
    evil = "<script>alert('x')</script> & <b>vet</b>"
    bad.loc[bad["id"] == "vak-0000", "text"] = evil
    bad.loc[bad["id"] == "vak-0000", "speakers"] = pd.Series([["<img src=x onerror=alert(1)>"]],
                                                              index=bad.index[bad["id"] == "vak-0000"])
    html = build_report(bad, codes, codebook, title="Titel <met> tekens")
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html       # the speaker, escaped
    assert "<title>Titel &lt;met&gt; tekens</title>" in html


def test_write_report_refuses_overwrite_and_is_atomic(segs, codes, codebook, tmp_path):
    p = tmp_path / "rapport.html"
    p.write_text("eerder rapport", encoding="utf-8")
    with pytest.raises(OverschrijfFout, match="--overschrijf"):
        write_report(segs, codes, codebook, p)
    assert p.read_text(encoding="utf-8") == "eerder rapport"
    write_report(segs, codes, codebook, p, overwrite=True)
    assert p.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [x.name for x in tmp_path.iterdir()] == ["rapport.html"]    # no temp files left


def test_empty_corpus_is_a_clear_error(segs, codes, codebook):
    with pytest.raises(VerhalenFout, match="geen segmenten"):
        build_report(segs.iloc[0:0], codes, codebook)


def test_report_without_codes_still_shows_the_corpus(segs, codebook):
    html = build_report(segs, None, codebook)
    assert "Niet gecodeerd" in html or "niet gecodeerd" in html
    for fig in FIGURE_IDS:
        assert f'id="{fig}"' in html


def test_tables_csv_and_markdown(segs, codes, codebook, tmp_path):
    tables = report_tables(segs, codes, codebook)
    assert {"sporen_per_document", "sporen_per_rol", "sporen_per_casus", "codes_per_document",
            "spoorwissel", "citaten", "codeboek"} <= set(tables)
    per_doc = tables["sporen_per_document"].set_index("document")
    assert per_doc.loc["vak", "aandeel_vakmanschap"] == 1.0
    assert per_doc.loc["mix", "aandeel_betekenisgeving"] == pytest.approx(3 / 7, abs=1e-3)
    written = write_tables(tables, tmp_path / "tabellen")
    assert len(written) == 2 * len(tables)
    back = pd.read_csv(tmp_path / "tabellen" / "sporen_per_document.csv", sep=";", decimal=",",
                       encoding="utf-8-sig")
    assert back.set_index("document").loc["mix", "aandeel_doelmatigheid"] == pytest.approx(2 / 7, abs=1e-3)
    md = (tmp_path / "tabellen" / "sporen_per_document.md").read_text(encoding="utf-8")
    assert "| document |" in md and "---:" in md
    with pytest.raises(OverschrijfFout):
        write_tables(tables, tmp_path / "tabellen")


def test_markdown_escapes_pipes():
    md = to_markdown(pd.DataFrame({"a": ["x | y"], "b": [0.5]}))
    assert "x \\| y" in md and "0,5" in md


def test_report_with_themes_numbers_and_reference(codebook, tmp_path):
    """The demo corpus folder carries the case numbers; themes and reference are optional."""
    pytest.importorskip("plotly")
    from verhalen.mixed import find_numbers

    demo = Path(__file__).resolve().parents[1] / "corpora" / "voorbeeld"
    assert find_numbers(demo) is not None
    themes = pd.DataFrame({"topic": [0, 1], "label": ["0: digitaal · loket", "1: geld · jaar"],
                           "n": [12, 9], "trefwoorden": [["digitaal", "loket"], ["geld", "jaar"]],
                           "citaten": [["Het loket is alleen online."], ["Het kost geld."]],
                           "dichtstbijzijnde_code": ["kosten", "kosten"],
                           "emergent": [True, False]})
    segs = pd.DataFrame([json.loads(x) for x in (DATA / "segments.jsonl").read_text(
        encoding="utf-8").splitlines()])
    long = wide_to_long(read_codes(DATA / "codes.jsonl"))
    ref = read_codes(DATA / "codes.jsonl")        # the same codes as reference: agreement 1.0
    html = build_report(segs, long, codebook, themes=themes, reference=ref)
    em = _section(html, "emergent")
    assert "0: digitaal · loket" in em and "Het loket is alleen online." in em
    assert "micro-F1 1.00" in _section(html, "methode")


def test_method_appendix_names_the_versions_that_ran(report):
    import bertopic

    method = _section(report, "methode")
    assert "Versies" in method and f"bertopic {bertopic.__version__}" in method
    assert "Lock" in method


def test_method_appendix_shows_what_the_coder_learned(segs, codes, codebook):
    leren = {"geleerd": True, "uitleg": "Het codeboek is de uitgangswaarde.",
             "codes": {"luisteren": {"besluit": "geleerd", "reden": "buiten de eigen bron beter"},
                       "kosten": {"besluit": "codeboek", "reden": "2 menselijke voorbeelden"}}}
    html = build_report(segs, codes, codebook, method={"coder": "ensemble", "leren": leren})
    part = _section(html, "methode")
    assert "Wat de coder leerde" in part and "Het codeboek is de uitgangswaarde." in part
    assert "<td>kosten</td><td>codeboek</td><td>2 menselijke voorbeelden</td>" in part
    plain = _section(build_report(segs, codes, codebook, method={"coder": "x"}), "methode")
    assert "Wat de coder leerde" not in plain and "Aanpassing aan deze bundel" not in part
    leren["aanpassing_aan_bundel"] = {"segmenten_met_menselijke_codes": 12,
                                      "segmenten_in_bundel": 80, "uitleg": "Per code een correctie."}
    part = _section(build_report(segs, codes, codebook, method={"coder": "ensemble", "leren": leren}),
                    "methode")
    assert "Aanpassing aan deze bundel: 12 van de 80 segmenten" in part


# ------------------------------------------------------------------------------------------
# the summary the report opens with
def test_summary_opens_the_report_before_the_contents_and_the_appendices(report):
    body = report[report.index("<main>"):]
    first = re.search(r"<section id=\"([^\"]+)\"", body).group(1)
    assert first == "samenvatting"
    assert body.index("</h1>") < body.index('id="samenvatting"') < body.index("<nav>")
    first_appendix = re.search(r'<section id="([^"]+)" class="bijlage"', body)
    assert first_appendix.group(1) == "documenten"
    assert body.index('id="samenvatting"') < first_appendix.start()
    # every detail section lies between the summary and the appendices
    for anchor in ("overzicht", "sporenkaart", "spoorwissel", "themas"):
        assert body.index('id="samenvatting"') < body.index(f'<section id="{anchor}"') \
            < first_appendix.start()
    # the track map per document is the summary's figure (and the first, carrying plotly.js)
    summary = _section(report, "samenvatting")
    assert 'id="fig-sporenkaart-documenten"' in summary and "plotly.js v" in summary


def test_summary_known_answers(report):
    """tests/data/sporen: 6 of 9 segments coded; 10 assignments: vakmanschap 5, betekenis-
    geving 2 + 0.5 + 0.5 = 3, doelmatigheid 2 (tellen is half/half); luisteren 4 segments."""
    text = _text(_section(report, "samenvatting"))
    assert ("3 documenten met 9 segmenten en" in text
            and "3 sprekers (bewoner/cliënt: 1, onderzoeker: 1, sociaal professional: 1)" in text)
    assert "6 van de 9 segmenten (67%) hebben minstens één code" in text
    assert ("Van de gecodeerde inhoud gaat 50% over vakmanschap, 30% over betekenisgeving en "
            "20% over doelmatigheid") in text
    assert "Meest gecodeerd: Luisteren (4 segmenten, 67%) en Methodiek (1 segment, 17%)" in text
    # a tie (verbinding and tellen, 2 segments each) in codebook order
    assert "Meest gecodeerd: Verbinding (2 segmenten, 33%) en Tellen (2 segmenten, 33%)" in text
    assert "Meest gecodeerd: Tellen (2 segmenten, 33%) en Kosten (1 segment, 17%)" in text
    # the same numbers in the details: the theme sections say so
    assert "4 segmenten in 2 documenten" in _text(_section(report, "themas"))
    # little material: said, and no role difference named
    assert "Weinig materiaal" in text
    assert "te weinig gecodeerde segmenten om te vergelijken" in text
    assert "Er is geen topicmodel gedraaid" in text


def test_summary_has_one_quote_per_track_from_its_leading_theme(report):
    part = _section(report, "samenvatting")
    quotes = re.findall(r'<blockquote class="citaat-spoor" data-spoor="([^"]+)">(.*?)</blockquote>',
                        part, flags=re.S)
    assert [t for t, _ in quotes] == ["vakmanschap", "betekenisgeving", "doelmatigheid"]
    segments = [re.search(r"segment ([\w-]+)", q).group(1) for _, q in quotes]
    assert len(set(segments)) == 3                      # never the same segment twice
    themes = [re.search(r"thema (\w+)", q).group(1) for _, q in quotes]
    assert themes == ["Luisteren", "Verbinding", "Tellen"]
    assert "Anna de Vries (sociaal professional)" in quotes[0][1]


def _role_corpus(n_a, n_b, code_a, code_b, interviewer=0):
    """n_a segments of role A coded code_a, n_b of role B coded code_b; the first
    ``interviewer`` segments of B are interviewer turns."""
    ids = [f"d-{i:04d}" for i in range(n_a + n_b)]
    segs = pd.DataFrame({"id": ids, "doc_id": "d", "title": "Document", "text": "tekst hier",
                         "speakers": [["Ans"]] * n_a + [["Bob"]] * n_b,
                         "roles": [["sociaal professional"]] * n_a + [["onderzoeker"]] * n_b,
                         "beurt": [None] * n_a + ["interviewer"] * interviewer
                         + [None] * (n_b - interviewer)})
    codes = pd.DataFrame({"segment_id": ids, "code": [code_a] * n_a + [code_b] * n_b,
                          "score": 0.9, "evidence": [[] for _ in ids]})
    return segs, codes


def test_summary_names_a_clear_role_difference_with_the_rule(codebook):
    segs, codes = _role_corpus(20, 15, "luisteren", "kosten", interviewer=5)
    part = _text(_section(build_report(segs, codes, codebook), "samenvatting"))
    assert ("Vergeleken zijn sociaal professional (20 gecodeerde segmenten) en onderzoeker (15)"
            in part)
    assert ("Vakmanschap (spoor) komt vaker voor bij sociaal professional: 100% van hun "
            "gecodeerde segmenten, tegen 0% bij onderzoeker") in part
    assert "Luisteren komt vaker voor bij sociaal professional" in part
    assert "Kosten komt vaker voor bij onderzoeker" in part
    assert "Methodiek komt vaker" not in part               # in neither role: not a difference
    assert "5 van de 15 gecodeerde segmenten van 'onderzoeker' zijn vragen van de interviewer" in part
    # the figures are those of the spoorwissel table in the details
    sw = _text(_section(build_report(segs, codes, codebook), "spoorwissel"))
    assert "sociaal professional" in sw and "100%" in sw


def test_summary_says_nothing_rather_than_noise(codebook):
    # the same mix in both roles: no difference named
    ids = [f"d-{i:04d}" for i in range(24)]
    segs = pd.DataFrame({"id": ids, "doc_id": "d", "text": "x",
                         "roles": [["sociaal professional"]] * 12 + [["onderzoeker"]] * 12})
    codes = pd.DataFrame({"segment_id": ids, "code": ["luisteren", "kosten"] * 12})
    part = _text(_section(build_report(segs, codes, codebook), "samenvatting"))
    assert "is geen duidelijk verschil" in part and "komt vaker voor" not in part
    # one role only
    one = segs.assign(roles=[["sociaal professional"]] * 24)
    part = _text(_section(build_report(one, codes, codebook), "samenvatting"))
    assert "zijn van één rol (sociaal professional)" in part
    # no roles at all
    part = _text(_section(build_report(segs.drop(columns="roles"), codes, codebook), "samenvatting"))
    assert "geen gecodeerde segmenten met een sprekersrol" in part


def test_summary_edge_cases_are_said_plainly(segs, codes, codebook):
    # nothing coded
    part = _text(_section(build_report(segs, None, codebook), "samenvatting"))
    assert "Nog geen bevindingen" in part and "0 van de 9 segmenten (0%)" in part
    assert "Meest gecodeerd" not in part
    # a track without a code in the codebook, and a track whose codes are not coded
    cb = Codebook(name="smal", codes=[
        Code(id="luisteren", label="Luisteren", definition="d", tracks={"vakmanschap": 1.0}),
        Code(id="verbinding", label="Verbinding", definition="d",
             tracks={"betekenisgeving": 1.0})])
    only = codes[codes["code"] == "luisteren"]
    part = _text(_section(build_report(segs, only, cb), "samenvatting"))
    assert "Doelmatigheid Geen hoofdthema: het codeboek heeft geen code op dit spoor" in part
    assert "Betekenisgeving Geen hoofdthema: geen enkel gecodeerd segment raakt dit spoor" in part
    assert "100% over vakmanschap" in part


def test_summary_emergent_themes_one_line_each(segs, codes, codebook):
    themes = pd.DataFrame({"topic": [0, 1, 2], "label": ["0: digitaal · loket", "1: geld · jaar",
                                                          "2: buren · koffie"],
                           "n": [12, 9, 5], "trefwoorden": ["digitaal; loket; app", "geld; jaar",
                                                            "buren; koffie"],
                           "dichtstbijzijnde_code": ["kosten", "kosten", "verbinding"],
                           "emergent": [True, False, "True"]})
    part = _section(build_report(segs, codes, codebook, themes=themes), "samenvatting")
    text = _text(part)
    assert "Van de 3 thema's die het topicmodel vond, dekt het codeboek er 2 niet" in text
    assert ("0: digitaal · loket — 12 eenheden; trefwoorden: digitaal, loket, app; het dichtst "
            "bij code Kosten.") in text
    assert "1: geld · jaar" not in text
    covered = themes.assign(emergent=False)
    text = _text(_section(build_report(segs, codes, codebook, themes=covered), "samenvatting"))
    assert "Het topicmodel vond 3 thema's; het codeboek dekt ze alle." in text


def test_summary_corpus_line_with_period_source_and_people_per_role():
    from verhalen.model import Corpus, Document, Segment

    def doc(i, date, speaker):
        text = f"Tekst nummer {i} hier."
        seg = Segment(id=f"d{i}-0000", doc_id=f"d{i}", index=0, text=text, start=0,
                      end=len(text), speakers=[speaker])
        return Document(id=f"d{i}", text=text, date=date, segments=[seg])

    people = pd.DataFrame([{"naam": "Ans", "rol": "sociaal professional"},
                           {"naam": "Bob", "rol": "onderzoeker"},
                           {"naam": "Cas", "rol": "sociaal professional"}])
    corpus = Corpus(documents=[doc(1, "2024-09-12", "Ans"), doc(2, "2025-03-06", "Bob"),
                               doc(3, None, "Cas"), doc(4, "geen datum", "Dirk")],
                    meta={"bron": "map/bundel"}, people=people)
    cb = Codebook(name="c", codes=[Code(id="x", label="X", definition="d",
                                        tracks={"vakmanschap": 1.0})])
    text = _text(_section(build_report(corpus, None, cb), "samenvatting"))
    # roles from the people table (the segments carry none); Dirk has no known role
    assert ("4 documenten met 4 segmenten en 16 woorden; 4 sprekers (sociaal professional: 2, "
            "onderzoeker: 1, onbekend: 1); periode september 2024 – maart 2025; bron "
            "map/bundel.") in text
    # Dutch dates are day first; words and abbreviations count; a pseudonym is no date
    from verhalen.rapport import _period
    dated = pd.DataFrame({"doc_id": ["a", "b", "c", "d", "e"],
                          "date": ["12-09-2024", "3 mrt. 2025", "2024-10-01 00:00:00",
                                   "Datum_1", None]})
    assert _period(dated, None) == "september 2024 – maart 2025"
    assert _period(dated.iloc[3:], None) == ""
    one = Corpus(documents=[doc(1, "2024-09-12", "Ans")], people=people)
    text = _text(_section(build_report(one, None, cb), "samenvatting"))
    assert "1 document met 1 segment en 4 woorden; 1 spreker (sociaal professional: 1); " \
           "periode september 2024." in text
