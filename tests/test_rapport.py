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
    start = html.index(f'<section id="{anchor}">')
    end = html.find("<section id=", start + 10)
    return html[start: end if end > 0 else len(html)]


def test_every_section_and_figure(report):
    for anchor in ("overzicht", "sporenkaart", "spoorwissel", "themas", "themakaarten",
                   "codeboek", "methode"):
        assert f'<section id="{anchor}">' in report, anchor
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
    part = _section(report, "sporenkaart")
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
    assert "Wat de coder leerde" not in plain
