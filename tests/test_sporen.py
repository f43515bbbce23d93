"""Track mapping, quotes and theme maps on a small constructed corpus whose answers are known
by hand (tests/data/sporen/README.md), plus one run on the demo corpus coded by rules."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from verhalen.codeboek import Code, Codebook
from verhalen.codes import read_codes, wide_to_long
from verhalen.fouten import VerhalenFout
from verhalen.sporen import (best_quotes, code_counts, compare_groups, cooccurrence,
                             segment_tracks, track_profile)
from verhalen.sporen import figuren
from verhalen.tracks import TRACK_COLOURS, TRACKS

DATA = Path(__file__).parent / "data" / "sporen"
P, O, B = "sociaal professional", "onderzoeker", "bewoner/cliënt"
COLOURS = {"luisteren": "#111111", "methodiek": "#222222", "verbinding": "#333333",
           "kosten": "#444444", "tellen": "#555555"}


@pytest.fixture(scope="module")
def codebook() -> Codebook:
    def code(cid, tracks):
        return Code(id=cid, label=cid.capitalize(), definition="", tracks=tracks,
                    colour=COLOURS[cid])
    return Codebook(name="test", codes=[
        code("luisteren", {"vakmanschap": 1.0}), code("methodiek", {"vakmanschap": 1.0}),
        code("verbinding", {"betekenisgeving": 1.0}), code("kosten", {"doelmatigheid": 1.0}),
        code("tellen", {"betekenisgeving": 0.5, "doelmatigheid": 0.5})])


# --------------------------------------------------------------------------- profiles

def test_segment_tracks_shares(segs, codes, codebook):
    st = segment_tracks(segs, codes, codebook)
    assert list(st.columns) == list(TRACKS)
    assert list(st.index) == ["vak-0000", "vak-0001", "mix-0000", "mix-0001", "mix-0002",
                              "mix-0003"]          # only coded segments, in corpus order
    np.testing.assert_allclose(st.sum(axis=1), 1.0)
    np.testing.assert_allclose(st.loc["vak-0001"], [1, 0, 0])
    np.testing.assert_allclose(st.loc["mix-0001"], [0, 0.5, 0.5])
    np.testing.assert_allclose(st.loc["mix-0002"], [0, 0.25, 0.75])   # kosten 1 + tellen ½|½
    # by confidence: mix-0000 = luisteren 0.60 (vak) + verbinding 0.75 (bet)
    sc = segment_tracks(segs, codes, codebook, weight="score")
    np.testing.assert_allclose(sc.loc["mix-0000"], [0.6 / 1.35, 0.75 / 1.35, 0])


def test_track_profile_per_document(segs, codes, codebook):
    prof = track_profile(segs, codes, codebook, by="doc_id").set_index("doc_id")
    assert list(prof.index) == ["vak", "mix", "leeg"]
    assert list(prof.columns[:7]) == ["n_segmenten", "n_gecodeerd", *TRACKS, "n_codes",
                                      "hoofdthemas"]
    np.testing.assert_allclose(prof.loc["vak", list(TRACKS)].astype(float), [1, 0, 0])
    np.testing.assert_allclose(prof.loc["mix", list(TRACKS)].astype(float), [2 / 7, 3 / 7, 2 / 7])
    assert prof.loc["leeg", list(TRACKS)].isna().all()
    assert prof.loc["vak", "n_segmenten"] == 3 and prof.loc["vak", "n_gecodeerd"] == 2
    assert prof.loc["vak", "n_codes"] == 3 and prof.loc["mix", "n_codes"] == 7
    assert prof.loc["leeg", "n_gecodeerd"] == 0 and prof.loc["leeg", "hoofdthemas"] == []
    # leading themes by number of segments, ties in codebook order
    assert prof.loc["vak", "hoofdthemas"] == ["luisteren", "methodiek"]
    assert prof.loc["mix", "hoofdthemas"] == ["luisteren", "verbinding", "tellen"]
    # coded segments touching each track
    assert prof.loc["mix", ["n_vakmanschap", "n_betekenisgeving", "n_doelmatigheid"]].tolist() \
        == [2, 4, 2]


def test_track_profile_weighted_by_score(segs, codes, codebook):
    prof = track_profile(segs, codes, codebook, weight="score").set_index("doc_id")
    np.testing.assert_allclose(prof.loc["vak", list(TRACKS)].astype(float), [1, 0, 0])
    vak, bet, doel = 0.6 + 0.5, 0.75 + 0.95 / 2 + 0.65 / 2 + 0.9, 0.95 / 2 + 0.85 + 0.65 / 2
    tot = vak + bet + doel
    np.testing.assert_allclose(prof.loc["mix", list(TRACKS)].astype(float),
                               [vak / tot, bet / tot, doel / tot])


def test_track_profile_explodes_roles(segs, codes, codebook):
    prof = track_profile(segs, codes, codebook, by="roles").set_index("roles")
    assert list(prof.index) == [P, O, B]          # order of appearance, empty roles left out
    assert prof.loc[P, "n_segmenten"] == 4 and prof.loc[P, "n_gecodeerd"] == 3
    assert prof.loc[O, "n_segmenten"] == 3 and prof.loc[B, "n_segmenten"] == 1
    # professional: luisteren ×3, methodiek, verbinding → (4/5, 1/5, 0)
    np.testing.assert_allclose(prof.loc[P, list(TRACKS)].astype(float), [0.8, 0.2, 0.0])
    # researcher: luisteren, verbinding, tellen, kosten, tellen → (1, 2, 2) / 5
    np.testing.assert_allclose(prof.loc[O, list(TRACKS)].astype(float), [0.2, 0.4, 0.4])
    np.testing.assert_allclose(prof.loc[B, list(TRACKS)].astype(float), [0.5, 0.5, 0.0])
    with_missing = track_profile(segs, codes, codebook, by="roles", missing="onbekend")
    row = with_missing.set_index("roles").loc["onbekend"]
    assert row["n_segmenten"] == 2 and row["n_gecodeerd"] == 0   # vak-0002, leeg-0001


def test_track_profile_other_groupings(segs, codes, codebook):
    per_seg = track_profile(segs, codes, codebook, by="segment")
    assert len(per_seg) == len(segs) and list(per_seg.columns)[0] == "segment"
    spk = track_profile(segs, codes, codebook, by="speakers").set_index("speakers")
    assert spk.loc["Bert Jansen", "n_segmenten"] == 3 and spk.loc["Cor", "n_codes"] == 2
    case = track_profile(segs, codes, codebook, by="case_id")
    assert list(case["case_id"]) == ["C1", "C2"]  # no case → left out
    sec = track_profile(segs, codes, codebook, by="section").set_index("section")
    assert sec.loc["2. Slot", "n_segmenten"] == 3
    hs = track_profile(segs, codes, codebook, by="hoofdstuk")
    assert list(hs["hoofdstuk"]) == ["Deel A", "Deel B"]


def test_track_profile_matches_mixed_joint_display_semantics(segs, codes, codebook):
    from verhalen.mixed import joint as joint_mod

    prof = joint_mod._track_profile(segs, codes, codebook)
    np.testing.assert_allclose(prof.loc["C2", list(TRACKS)].astype(float), [2 / 7, 3 / 7, 2 / 7])


def test_code_counts_and_shares(segs, codes, codebook):
    cc = code_counts(segs, codes, codebook, by="doc_id")
    assert list(cc.columns) == codebook.ids and list(cc.index) == ["vak", "mix", "leeg"]
    assert cc.loc["vak"].tolist() == [2, 1, 0, 0, 0]
    assert cc.loc["mix"].tolist() == [2, 0, 2, 1, 2]
    assert cc.loc["leeg"].sum() == 0
    sh = code_counts(segs, codes, codebook, by="doc_id", normalize=True)
    assert sh.loc["vak", "luisteren"] == pytest.approx(1.0)       # 2 of 2 coded segments
    assert sh.loc["mix", "tellen"] == pytest.approx(0.5)          # 2 of 4
    assert sh.loc["leeg"].isna().all()
    roles = code_counts(segs, codes, codebook, by="roles")
    assert roles.loc[P, "luisteren"] == 3 and roles.loc[O, "luisteren"] == 1


def test_cooccurrence_counts_by_hand(segs, codes, codebook):
    co = cooccurrence(segs, codes, codebook)
    assert [tuple(r) for r in co.itertuples(index=False)] == [
        ("luisteren", "verbinding", 2), ("luisteren", "methodiek", 1), ("kosten", "tellen", 1)]


def test_duplicate_and_foreign_codes_are_handled(segs, codes, codebook):
    human = codes[codes["segment_id"] == "vak-0000"].assign(source="mens", score=1.0)
    extra = pd.DataFrame([{"segment_id": "elders-0001", "code": "kosten", "score": 1.0,
                           "evidence": [], "source": "machine", "coder": ""}])
    both = pd.concat([codes, human, extra], ignore_index=True)
    prof = track_profile(segs, both, codebook).set_index("doc_id")
    assert prof.loc["vak", "n_codes"] == 3          # the human duplicate counts once
    assert code_counts(segs, both, codebook).to_numpy().sum() == \
        code_counts(segs, codes, codebook).to_numpy().sum()
    # the wide shape is accepted as well
    wide = read_codes(DATA / "codes.jsonl")
    pd.testing.assert_frame_equal(track_profile(segs, wide, codebook),
                                  track_profile(segs, codes, codebook))


def test_missing_group_values_and_string_evidence(segs, codes, codebook):
    odd = segs.copy()
    odd["wijk"] = [pd.NA, 7, 7, "Oost", "Oost", None, np.nan, "Oost", ""]
    prof = track_profile(odd, codes, codebook, by="wijk")
    assert list(prof["wijk"]) == [7, "Oost"]
    assert prof["n_segmenten"].tolist() == [2, 3]
    one = codes.assign(evidence=["«Ik luister eerst.» [x]"] + [""] * (len(codes) - 1))
    q = best_quotes(segs, one, codebook, n=3).set_index("segment_id")
    assert q.loc["vak-0000", "citaat"] == "Ik luister eerst."


def test_boundary_errors_are_dutch(segs, codes, codebook):
    bad = codes.copy()
    bad.loc[0, "code"] = "onbekende_code"
    with pytest.raises(VerhalenFout, match=r"codes_long, rij 1: code\(s\) 'onbekende_code' "
                                           r"staan niet in codeboek 'test'"):
        track_profile(segs, bad, codebook)
    with pytest.raises(VerhalenFout, match=r"codes_long: kolom\(men\) code ontbreken"):
        track_profile(segs, codes.drop(columns=["code"]), codebook)
    with pytest.raises(VerhalenFout, match=r"segments_df: kolom\(men\) id ontbreken"):
        track_profile(segs.drop(columns=["id"]), codes, codebook)
    with pytest.raises(VerhalenFout, match=r"kolom 'wijk' om op te groeperen ontbreekt"):
        track_profile(segs, codes, codebook, by="wijk")
    with pytest.raises(VerhalenFout, match="weight"):
        segment_tracks(segs, codes, codebook, weight="gok")


# --------------------------------------------------------------------------- comparison

def test_compare_groups_by_hand(segs, codes, codebook):
    cmp = compare_groups(segs, codes, codebook, "roles", P, O)
    assert list(cmp["niveau"]) == ["spoor"] * 3 + ["code"] * 5
    t = cmp.set_index("naam")
    assert (t["totaal_a"] == 3).all() and (t["totaal_b"] == 3).all()
    assert t.loc["vakmanschap", ["n_a", "n_b"]].tolist() == [3, 1]
    assert t.loc["betekenisgeving", ["n_a", "n_b"]].tolist() == [1, 3]
    assert t.loc["doelmatigheid", ["n_a", "n_b"]].tolist() == [0, 2]
    assert t.loc["vakmanschap", "verschil"] == pytest.approx(100 * (1 - 1 / 3))
    assert t.loc["doelmatigheid", "verschil"] == pytest.approx(-200 / 3)
    # Fisher exact, two-sided: [[3, 0], [1, 2]] → P(3) + P(1) = 4/20 + 4/20 = 0.4
    assert t.loc["vakmanschap", "p_waarde"] == pytest.approx(0.4)
    assert t.loc["methodiek", ["n_a", "n_b"]].tolist() == [1, 0]
    assert t.loc["methodiek", "p_waarde"] == pytest.approx(1.0)     # [[1,2],[0,3]]
    assert t.loc["tellen", ["n_a", "n_b"]].tolist() == [0, 2]
    assert t.loc["vakmanschap", "label"] == "Vakmanschap"
    assert t.loc["tellen", "label"] == "Tellen"
    assert set(t["toets"]) == {"Fisher exact (tweezijdig)"}
    assert "Geen duidelijk verschil" in t.loc["vakmanschap", "duiding"]
    assert "100% tegen 33%" in t.loc["vakmanschap", "duiding"]


def test_compare_groups_finds_a_clear_difference(codebook):
    segs = pd.DataFrame({"id": [f"s{i}" for i in range(20)], "doc_id": "d",
                         "text": "x", "groep": ["A"] * 10 + ["B"] * 10})
    codes = pd.DataFrame({"segment_id": [f"s{i}" for i in range(20)],
                          "code": ["luisteren"] * 10 + ["kosten"] * 10})
    t = compare_groups(segs, codes, codebook, "groep", "A", "B").set_index("naam")
    p = 2 / math.comb(20, 10)
    assert t.loc["luisteren", "p_waarde"] == pytest.approx(p)
    assert t.loc["luisteren", "verschil"] == pytest.approx(100.0)
    assert t.loc["luisteren", "duiding"].startswith("Luisteren komt vaker voor bij 'A'")
    assert t.loc["kosten", "duiding"].startswith("Kosten komt vaker voor bij 'B'")
    assert t.loc["verbinding", "duiding"] == "Verbinding komt in geen van beide groepen voor."
    assert t.loc["luisteren", "p_bh"] >= t.loc["luisteren", "p_waarde"]
    with pytest.raises(VerhalenFout, match="groep b = 'C' komt niet voor in kolom 'groep'"):
        compare_groups(segs, codes, codebook, "groep", "A", "C")


# --------------------------------------------------------------------------- quotes

def test_best_quotes_spread_over_documents(segs, codes, codebook):
    q = best_quotes(segs, codes, codebook, n=2)
    lu = q[q["code"] == "luisteren"]
    # best per document first: vak-0001 (0.90 + speaker) then mix-0000, not vak-0000
    assert lu["segment_id"].tolist() == ["vak-0001", "mix-0000"]
    assert lu.iloc[0]["citaat"] == segs.set_index("id").loc["vak-0001", "text"]  # no evidence
    assert lu.iloc[1]["citaat"] == "Anna: ik luister naar de buurt."          # «…» unwrapped
    assert list(q.columns) == ["code", "label", "doc_id", "title", "segment_id", "citaat",
                               "speakers", "roles", "score", "start", "end", "section"]
    assert not q.duplicated(["code", "segment_id"]).any()
    assert best_quotes(segs, codes, codebook, n=3).query("code == 'luisteren'")[
        "segment_id"].tolist() == ["vak-0001", "vak-0000", "mix-0000"]
    # quote offsets index the document text: check against the segment
    s = segs.set_index("id")
    for r in q.itertuples():
        seg = s.loc[r.segment_id]
        assert seg["text"][r.start - seg["start"]:r.end - seg["start"]] == r.citaat


def test_best_quotes_prefers_named_speakers(segs, codes, codebook):
    anon = segs.copy()
    anon["speakers"] = [[] if i == "vak-0001" else sp for i, sp in zip(anon["id"],
                                                                       anon["speakers"])]
    q = best_quotes(anon, codes, codebook, n=1)
    assert q.set_index("code").loc["luisteren", "segment_id"] == "vak-0000"


def test_best_quotes_per_code_and_document(segs, codes, codebook):
    q = best_quotes(segs, codes, codebook, n=1, per="code_doc")
    assert [tuple(x) for x in q[["code", "doc_id"]].itertuples(index=False)] == [
        ("luisteren", "vak"), ("luisteren", "mix"), ("methodiek", "vak"),
        ("verbinding", "mix"), ("kosten", "mix"), ("tellen", "mix")]
    assert q.set_index(["code", "doc_id"]).loc[("tellen", "mix"), "segment_id"] == "mix-0001"
    with pytest.raises(VerhalenFout, match="per moet 'code' of 'code_doc'"):
        best_quotes(segs, codes, codebook, per="doc")


# --------------------------------------------------------------------------- figures

def test_track_map_vakmanschap_document_sits_on_its_corner(segs, codes, codebook):
    fig = figuren.track_map(segs, codes, codebook, by="doc_id")
    assert [t.type for t in fig.data] == ["scatterternary", "scatterternary"]
    tr = fig.data[0]
    assert len(tr.a) == 2                      # 'leeg' has nothing coded: no point
    assert (tr.a[0], tr.b[0], tr.c[0]) == (1.0, 0.0, 0.0)
    np.testing.assert_allclose([tr.a[1], tr.b[1], tr.c[1]], [2 / 7, 3 / 7, 2 / 7])
    assert tr.marker.color[0] == TRACK_COLOURS["vakmanschap"]
    assert tr.marker.color[1] == TRACK_COLOURS["betekenisgeving"]
    assert tr.marker.size[1] > tr.marker.size[0]            # 4 coded segments vs 2
    assert "Alleen vakmanschap" in tr.hovertext[0] and "Luisteren, Methodiek" in tr.hovertext[0]
    # the corners are labelled by a text trace placed at the corners, in track order
    corners = fig.data[1]
    assert corners.name == "hoeken" and corners.hoverinfo == "skip"
    assert [(a, b_, c) for a, b_, c in zip(corners.a, corners.b, corners.c)] == [
        (1, 0, 0), (0, 1, 0), (0, 0, 1)]
    assert [re.sub("<[^>]+>", "", t) for t in corners.text] == [
        "Vakmanschap", "Betekenisgeving", "Doelmatigheid"]
    assert list(fig.layout.meta["hoeken"]) == ["Vakmanschap", "Betekenisgeving", "Doelmatigheid"]
    assert not fig.layout.ternary.aaxis.title.text          # no second label from plotly
    # no tick label on a corner (where two axes' labels and the corner label would meet)
    for ax in (fig.layout.ternary.aaxis, fig.layout.ternary.baxis, fig.layout.ternary.caxis):
        assert ax.tickmode == "array" and 0 < min(ax.tickvals) and max(ax.tickvals) < 1
    assert "Sporenkaart" in fig.layout.title.text
    roles = figuren.track_map(segs, codes, codebook, by="roles")
    assert len(roles.data[0].a) == 3


def test_sunburst_track_code_document(segs, codes, codebook):
    fig = figuren.track_sunburst(segs, codes, codebook)
    sb = fig.data[0]
    ids = list(sb.ids)
    assert [i for i in ids if "/" not in i] == list(TRACKS)
    # tellen sits under betekenisgeving and doelmatigheid, half of its 2 segments each
    leaf = ids.index("betekenisgeving/tellen/mix")
    assert sb.values[leaf] == pytest.approx(1.0)
    assert sb.marker.colors[ids.index("doelmatigheid/kosten")] == COLOURS["kosten"]
    assert sb.marker.colors[ids.index("vakmanschap")] == TRACK_COLOURS["vakmanschap"]
    assert len([i for i in ids if i.count("/") == 2]) == 7


def test_code_heatmap_counts_and_colours(segs, codes, codebook):
    fig = figuren.code_heatmap(segs, codes, codebook, by="doc_id", value="aandeel")
    hm = fig.data[0]
    assert np.asarray(hm.z).shape == (3, 5)
    assert list(hm.y) == ["Alleen vakmanschap", "Gemengd verhaal", "Zonder codes"]
    assert hm.text[0][0] == "2" and hm.z[0][0] == pytest.approx(1.0)
    assert all(COLOURS[c] in t for c, t in zip(codebook.ids, fig.layout.xaxis.ticktext))
    counts = figuren.code_heatmap(segs, codes, codebook, value="aantal")
    assert counts.data[0].z[1][4] == 2
    with pytest.raises(VerhalenFout):
        figuren.code_heatmap(segs, codes, codebook, value="procent")


def test_cooccurrence_network_nodes_and_edges(segs, codes, codebook):
    fig = figuren.cooccurrence_network(segs, codes, codebook)
    nodes = [t for t in fig.data if t.name == "codes"][0]
    edges = [t for t in fig.data if t.name == "verband"]
    assert list(nodes.customdata) == codebook.ids and len(edges) == 3
    assert list(nodes.marker.color) == [COLOURS[c] for c in codebook.ids]
    sizes = dict(zip(nodes.customdata, nodes.marker.size))
    assert sizes["luisteren"] > sizes["methodiek"]          # 4 segments vs 1
    assert max(e.line.width for e in edges) == pytest.approx(8.0)
    again = figuren.cooccurrence_network(segs, codes, codebook)
    assert list(again.data[-1].x) == list(nodes.x)          # deterministic layout
    strong = figuren.cooccurrence_network(segs, codes, codebook, min_count=2)
    assert len([t for t in strong.data if t.name == "verband"]) == 1


def test_role_sankey_flows(segs, codes, codebook):
    fig = figuren.role_sankey(segs, codes, codebook)
    sk = fig.data[0]
    labels = list(sk.node.label)
    assert labels[:3] == [P, O, B] and labels[-3:] == ["Vakmanschap", "Betekenisgeving",
                                                         "Doelmatigheid"]
    assert len(labels) == 3 + 5 + 3
    assert len(sk.link.value) == 9 + 6        # role→code links, code→track links
    flows = {(labels[s], labels[t]): v for s, t, v in zip(sk.link.source, sk.link.target,
                                                          sk.link.value)}
    assert flows[(P, "Luisteren")] == 3 and flows[(O, "Tellen")] == 2
    assert flows[("Luisteren", "Vakmanschap")] == 5                  # 3 + 1 + 1
    assert flows[("Tellen", "Doelmatigheid")] == pytest.approx(1.0)  # 2 × ½
    assert sk.node.color[labels.index("Kosten")] == COLOURS["kosten"]


def test_quote_matrix_table(segs, codes, codebook):
    fig = figuren.quote_matrix(segs, codes, codebook, n=1)
    tab = fig.data[0]
    assert tab.type == "table" and len(tab.cells.values[0]) == 6
    assert tab.header.values[2] == "<b>Citaat</b>"
    assert "Bert Jansen (onderzoeker)" in tab.cells.values[3]
    assert tab.cells.fill.color[0][0].startswith("rgba(17,17,17")   # luisteren's #111111


@pytest.mark.parametrize("name", ["track_map", "track_sunburst", "code_heatmap",
                                  "cooccurrence_network", "role_sankey", "quote_matrix"])
def test_figures_without_codes_say_so(segs, codebook, name):
    fig = getattr(figuren, name)(segs, pd.DataFrame(), codebook)
    assert fig.layout.annotations[0].text == "Geen gecodeerde segmenten"
    assert fig.layout.title.text
    fig2 = getattr(figuren, name)(segs.iloc[:0], pd.DataFrame(), codebook)
    assert fig2.layout.annotations[0].text == "Geen gecodeerde segmenten"


# --------------------------------------------------------------------------- real data

@pytest.mark.slow
def test_demo_corpus_rule_coded_figures(demo_dir):
    from verhalen.coderen import RuleCoder
    from verhalen.codeboek import load_codebook
    from verhalen.lezen import read_corpus

    cb = load_codebook()
    segs = read_corpus(demo_dir).segments_df()
    long = wide_to_long(RuleCoder(cb).code(segs))
    assert len(long) > 50
    prof = track_profile(segs, long, cb, by="doc_id")
    coded = prof[prof["n_gecodeerd"] > 0]
    np.testing.assert_allclose(coded[list(TRACKS)].sum(axis=1), 1.0)
    assert len(coded) >= 10
    roles = track_profile(segs, long, cb, by="roles")
    assert {"sociaal professional", "onderzoeker"} <= set(roles["roles"])
    cmp = compare_groups(segs, long, cb, "roles", "sociaal professional", "onderzoeker")
    assert len(cmp) == 3 + len(cb) and cmp["p_waarde"].between(0, 1).all()
    for fig in (figuren.track_map(segs, long, cb), figuren.track_sunburst(segs, long, cb),
                figuren.code_heatmap(segs, long, cb), figuren.cooccurrence_network(segs, long, cb),
                figuren.role_sankey(segs, long, cb), figuren.quote_matrix(segs, long, cb)):
        assert fig.data and fig.layout.title.text
        assert not fig.layout.annotations or \
            fig.layout.annotations[0].text != "Geen gecodeerde segmenten"
    q = best_quotes(segs, long, cb, n=3)
    assert q.groupby("code")["doc_id"].nunique().min() >= 1
    assert (q["citaat"].str.len() <= 240).all()


def test_codes_without_track_are_counted_not_spread():
    """Codes imported from another tool have no track: they do not move the track shares, and
    every view says how much is unassigned."""
    from verhalen.codeboek import Code, Codebook
    from verhalen.sporen import figuren as F
    from verhalen.sporen.profiel import track_profile, without_track, without_track_text
    from verhalen.rapport import build_report
    from verhalen.sporen.tabellen import report_tables

    cb = Codebook("t", [Code("a", "A", "a", {"vakmanschap": 1.0}),
                        Code("b", "B", "b", {}), Code("c", "C", "c", {}, codable=False)])
    segs = pd.DataFrame({"id": ["s1", "s2", "s3"], "doc_id": ["d", "d", "d"],
                         "text": ["x", "y", "z"], "roles": [["bewoner"]] * 3})
    long = pd.DataFrame({"segment_id": ["s1", "s2", "s3", "s3"], "code": ["a", "b", "b", "a"],
                         "score": 1.0, "evidence": [[]] * 4, "source": "mens", "coder": ""})
    prof = track_profile(segs, long, cb, by="doc_id")
    assert prof.loc[0, "vakmanschap"] == 1.0 and prof.loc[0, "n_codes"] == 4
    info = without_track(segs, long, cb)
    assert (info["n_zonder_spoor"], info["n_toekenningen"], info["aandeel"]) == (2, 4, 0.5)
    assert "2 van de 4 toekenningen (50%)" in without_track_text(info, cb)
    tables = report_tables(segs, long, cb)
    assert list(tables["zonder_spoor"]["toekenningen"]) == [2]
    assert list(tables["codeboek"]["zonder_spoor"]) == [False, True, True]
    sankey = F.role_sankey(segs, long, cb)
    assert "zonder spoor" in list(sankey.data[0].node.label)
    sun = F.track_sunburst(segs, long, cb)
    assert "zonder spoor" in list(sun.data[0].labels)
    assert "zonder spoor" in F.track_map(segs, long, cb).layout.annotations[0].text
    html = build_report(segs, long, cb)
    assert "2 van de 4 toekenningen (50%) hebben een code zonder spoor" in html
