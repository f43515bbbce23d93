"""Mixed methods: numbers per case, honest statistics (checked by hand), joint display."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from verhalen.mixed import (CijferFout, joint_display, joint_figure, paired_change, read_numbers,
                            read_scores, report_section, social_return, theme_outcome)


def test_paired_t_interval_matches_hand_computation():
    # d = na - voor = [3, 1, 3, 3, 0]: mean 2, sd sqrt(2), se sqrt(2)/sqrt(5) = 0.632456,
    # t(4; 0.975) = 2.776445 -> margin 1.755978 -> [0.244022, 3.755978]; one follow-up missing.
    v = paired_change([10, 12, 14, 16, 18, 11], [13, 13, 17, 19, 18, np.nan])
    assert v.n_paren == 5 and v.n_zonder_nameting == 1 and v.n_deelnemers == 6
    assert v.gem_verschil == pytest.approx(2.0)
    assert v.sd_verschil == pytest.approx(math.sqrt(2))
    assert v.ci_laag == pytest.approx(0.244022, abs=1e-5)
    assert v.ci_hoog == pytest.approx(3.755978, abs=1e-5)
    assert "n = 5 paren, 1 zonder nameting" in v.beschrijving()


def test_bootstrap_interval_contains_mean_and_is_reproducible():
    a = paired_change([1, 2, 3, 4, 5, 6], [2, 2, 5, 5, 6, 8], method="bootstrap", random_state=1)
    b = paired_change([1, 2, 3, 4, 5, 6], [2, 2, 5, 5, 6, 8], method="bootstrap", random_state=1)
    assert a.ci_laag == b.ci_laag and a.ci_laag <= a.gem_verschil <= a.ci_hoog
    assert a.gem_verschil == pytest.approx(7 / 6)


def test_too_few_pairs_gives_no_interval():
    v = paired_change([5, 6], [7, np.nan])
    assert v.n_paren == 1 and math.isnan(v.ci_laag)
    assert "Te weinig paren" in v.beschrijving()


def test_social_return_ratio_formula_and_assumptions():
    sr = social_return(30_000, 12_000)
    assert sr.ratio == pytest.approx(2.5)
    assert "baten_eur ÷ kosten_eur" in sr.formule
    assert "€ 2,50" in sr.beschrijving() and "Aannames" in sr.beschrijving()
    sr2 = social_return(30_000, 12_000, uren_bespaard=100, uurtarief=50)
    assert sr2.ratio == pytest.approx(35_000 / 12_000)
    assert "uurtarief" in sr2.formule
    assert math.isnan(social_return(1000, 0).ratio)


def test_theme_outcome_needs_enough_cases():
    shares = pd.DataFrame({"kleine_stappen": [0.1, 0.5, 0.3]}, index=["a", "b", "c"])
    out = theme_outcome(shares, pd.Series([1.0, 3.0, 2.0], index=["a", "b", "c"]))
    assert len(out) == 1 and math.isnan(out.loc[0, "spearman_rho"])
    assert "minstens 8" in out.loc[0, "kanttekening"]
    idx = list("abcdefgh")
    shares = pd.DataFrame({"x": np.arange(8) / 10}, index=idx)
    out = theme_outcome(shares, pd.Series(np.arange(8.0), index=idx))
    assert out.loc[0, "spearman_rho"] == pytest.approx(1.0)


@pytest.fixture()
def numbers_dir(tmp_path):
    d = tmp_path / "cijfers"
    d.mkdir()
    (d / "casussen.csv").write_text(
        "casus,naam,deelnemers,kosten_eur,uren_bespaard,baten_eur,schaal,toelichting\n"
        "JW-ZUID,Jongerenwerk Zuid,5,\"12.000\",40,\"30.000,00\",zelfredzaamheid 1-5,fictief\n"
        "BUURT-HAVEN,Buurtkamer Haven,3,8000,10,6000,eenzaamheid 0-10,fictief\n",
        encoding="utf-8")
    (d / "scores_JW-ZUID.csv").write_text(
        "deelnemer,voor,na\nd1,10,13\nd2,12,13\nd3,14,17\nd4,16,19\nd5,18,18\nd6,11,\n",
        encoding="utf-8")
    return d


def _segments():
    return pd.DataFrame({
        "id": ["a-0001", "a-0002", "b-0001", "b-0002", "c-0001"],
        "doc_id": ["a", "a", "b", "b", "c"],
        "text": ["We luisteren zonder oordeel naar de jongeren.",
                 "Elke euro levert meer op dan hij kost.",
                 "In de buurtkamer vinden bewoners elkaar.",
                 "Buren helpen elkaar met boodschappen.",
                 "Een onderzoeker over methoden."],
        "case_id": ["JW-ZUID", "JW-ZUID", "BUURT-HAVEN", "BUURT-HAVEN", None]})


def _codes():
    return pd.DataFrame({
        "segment_id": ["a-0001", "a-0002", "b-0001", "b-0002"],
        "code": ["basishouding", "kosten_en_baten", "relationeel_weefsel", "relationeel_weefsel"],
        "score": [0.9, 0.8, 0.7, 0.95], "evidence": [[], [], [], ["Buren helpen elkaar."]],
        "source": "machine", "coder": "test"})


def _codebook():
    from verhalen.codeboek import Code, Codebook
    return Codebook("t", [
        Code("basishouding", "Basishouding", "luisteren", {"vakmanschap": 1.0}),
        Code("kosten_en_baten", "Kosten en baten", "geld", {"doelmatigheid": 1.0}),
        Code("relationeel_weefsel", "Relationeel weefsel", "verbinding",
             {"betekenisgeving": 1.0})])


def test_read_numbers_dutch_notation_and_scores(numbers_dir):
    nums = read_numbers(numbers_dir.parent / "cijfers" / "casussen.csv")
    assert list(nums["casus"]) == ["JW-ZUID", "BUURT-HAVEN"]
    assert nums.loc[0, "kosten_eur"] == 12000 and nums.loc[0, "baten_eur"] == 30000
    assert nums.loc[0, "n_scores"] == 6
    assert read_numbers(numbers_dir.parent)["casus"].tolist() == ["JW-ZUID", "BUURT-HAVEN"]
    sc = read_scores(numbers_dir)
    assert len(sc) == 6 and sc["na"].isna().sum() == 1


def test_bad_numbers_name_file_row_and_column(tmp_path):
    p = tmp_path / "c.csv"
    p.write_text("casus,kosten_eur\nA,100\nB,veel\n", encoding="utf-8")
    with pytest.raises(CijferFout, match=r"c\.csv, rij 3, kolom 'kosten_eur'"):
        read_numbers(p)
    p.write_text("casus,kosten_eur\nA,100\nA,200\n", encoding="utf-8")
    with pytest.raises(CijferFout, match="dubbel"):
        read_numbers(p)


def test_unmatched_case_id_error_suggests_close_match(numbers_dir):
    segs = _segments()
    segs["case_id"] = segs["case_id"].replace({"JW-ZUID": "JW-ZUlD"})
    with pytest.raises(CijferFout, match=r"casussen\.csv, rij 2: casus 'JW-ZUID'.*bedoel je 'JW-ZUlD'"):
        joint_display(numbers_dir / "casussen.csv", segs, _codes(), _codebook())


def test_joint_display_numbers_tracks_themes_quotes(numbers_dir):
    disp = joint_display(numbers_dir / "casussen.csv", _segments(), _codes(), _codebook())
    jw = disp.set_index("casus").loc["JW-ZUID"]
    assert jw["rendement_per_euro"] == pytest.approx(2.5)
    assert jw["verandering"] == pytest.approx(2.0) and jw["n_zonder_nameting"] == 1
    assert jw["ci_laag"] == pytest.approx(0.244022, abs=1e-5)
    assert jw["vakmanschap"] == pytest.approx(0.5) and jw["doelmatigheid"] == pytest.approx(0.5)
    haven = disp.set_index("casus").loc["BUURT-HAVEN"]
    assert haven["betekenisgeving"] == pytest.approx(1.0)
    lead = haven["leidende_themas"][0]
    assert lead["code"] == "relationeel_weefsel" and len(lead["citaten"]) == 2
    assert lead["citaten"][0]["tekst"] == "Buren helpen elkaar."   # evidence, highest score
    fig = joint_figure(disp)
    assert fig.data[0].type == "table"
    html = report_section(numbers_dir / "casussen.csv", _segments(), _codes(), _codebook())
    assert html.startswith("<section") and html.rstrip().endswith("</section>")
    assert "<script" not in html and "Buurtkamer Haven" in html and "+2,00" in html


def test_demo_numbers_match_demo_documents(demo_dir):
    from verhalen.lezen import read_corpus
    from verhalen.mixed import check_case_ids, change_per_case

    if not (demo_dir / "cijfers" / "casussen.csv").exists():
        pytest.skip("demo-cijfers ontbreken")
    nums = read_numbers(demo_dir)
    segs = read_corpus(demo_dir).segments_df()
    assert check_case_ids(nums, segs) == list(nums["casus"])
    ch = change_per_case(read_scores(demo_dir / "cijfers"))
    assert (ch["n_paren"] >= 2).all() and (ch["ci_laag"] <= ch["gem_verschil"]).all()
