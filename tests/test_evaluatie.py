"""Evaluation statistics: hand-computed values, the krippendorff package, scikit-learn, edge
cases, track mapping, iterative stratification and cross-validation with a fake coder."""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pandas as pd
import pytest

from verhalen.codeboek import Code, Codebook
from verhalen.evaluatie import (Evaluation, binary_agreement, bootstrap_f1, cohen_kappa,
                                cross_validate, evaluate, iterative_stratification,
                                in_source_workflow, krippendorff_alpha_nominal, read_groups)
from verhalen.fouten import VerhalenFout


@pytest.fixture()
def codebook():
    return Codebook(name="toets", codes=[
        Code("a", "Code A", "eerste", {"vakmanschap": 1.0}),
        Code("b", "Code B", "tweede", {"betekenisgeving": 0.5, "doelmatigheid": 0.5}),
        Code("c", "Code C", "derde", {"doelmatigheid": 1.0}),
    ])


REF = [{"id": "s1", "codes": ["a"]}, {"id": "s2", "codes": ["a", "b"]},
       {"id": "s3", "codes": []}, {"id": "s4", "codes": ["b"]}, {"id": "s5", "codes": ["a"]}]
PRED = [{"id": "s1", "codes": ["a"]}, {"id": "s2", "codes": ["a"]},
        {"id": "s3", "codes": ["b"]}, {"id": "s4", "codes": ["b"]}, {"id": "s5", "codes": []}]


# ------------------------------------------------------------------ hand-computed values
def test_hand_computed_per_code(codebook):
    ev = evaluate(pd.DataFrame(REF), pd.DataFrame(PRED), codebook=codebook)
    pc = ev.per_code.set_index("code")
    a, b, c = pc.loc["a"], pc.loc["b"], pc.loc["c"]
    # code a: ref 1,1,0,0,1 pred 1,1,0,0,0
    assert (a.TP, a.FP, a.FN, a.support, a.predicted) == (2, 0, 1, 3, 2)
    assert a.precision == 1.0 and a.recall == pytest.approx(2 / 3) and a.F1 == pytest.approx(0.8)
    # p_o = 0.8, p_e = 0.6·0.4 + 0.4·0.6 = 0.48 → kappa = 0.32 / 0.52
    assert a.kappa == pytest.approx(0.32 / 0.52)
    # alpha = 1 − (n − 1)·D / (n0·n1) = 1 − 9·1 / (5·5)
    assert a.alpha == pytest.approx(0.64)
    # code b: ref 0,1,0,1,0 pred 0,0,1,1,0: p_o = 0.6, p_e = 0.52 → kappa = 1/6
    assert (b.TP, b.FP, b.FN) == (1, 1, 1)
    assert b.F1 == pytest.approx(0.5) and b.kappa == pytest.approx(1 / 6)
    assert b.alpha == pytest.approx(1 - 9 * 2 / (6 * 4))
    # code c never present: undefined, not zero
    assert c.support == 0 and c.predicted == 0
    for col in ("precision", "recall", "F1", "kappa", "alpha"):
        assert math.isnan(c[col])
    assert pc.loc["a", "label"] == "Code A"


def test_hand_computed_summary_and_tracks(codebook):
    s = evaluate(REF, PRED, codebook=codebook).summary
    assert s["n_segments"] == 5
    assert s["micro_precision"] == pytest.approx(0.75)
    assert s["micro_recall"] == pytest.approx(0.6)
    assert s["micro_f1"] == pytest.approx(2 / 3)
    # macro over the codes with support or a prediction: a and b (not c)
    assert s["n_codes_macro"] == 2
    assert s["macro_precision"] == pytest.approx(0.75)
    assert s["macro_recall"] == pytest.approx((2 / 3 + 0.5) / 2)
    assert s["macro_f1"] == pytest.approx(0.65)
    assert s["mean_kappa"] == pytest.approx((0.32 / 0.52 + 1 / 6) / 2)
    assert s["n_codes_kappa"] == 2
    assert s["exact_match"] == pytest.approx(0.4)
    # tracks: V like a (F1 .8); B and D like b (F1 .5 each); micro TP 4 FP 2 FN 3
    assert s["track_micro_f1"] == pytest.approx(8 / 13)
    assert s["track_macro_f1"] == pytest.approx(0.6)


def test_tracks_need_the_codebook():
    ev = evaluate(REF, PRED)
    assert ev.per_track is None and ev.summary["track_micro_f1"] is None
    assert list(ev.per_code["code"]) == ["a", "b"]


def test_code_only_predicted_counts_in_macro():
    ev = evaluate([{"id": "1", "codes": ["a"]}, {"id": "2", "codes": []}],
                  [{"id": "1", "codes": ["a"]}, {"id": "2", "codes": ["z"]}])
    pc = ev.per_code.set_index("code")
    # recall of a code the reference never has: 0 when it was predicted (false alarms count)
    assert pc.loc["z", "precision"] == 0.0 and pc.loc["z", "recall"] == 0.0
    assert pc.loc["z", "F1"] == 0.0
    assert ev.summary["macro_f1"] == pytest.approx(0.5)


def test_code_never_predicted_has_zero_precision():
    ev = evaluate([{"id": "1", "codes": ["a"]}], [{"id": "1", "codes": []}])
    row = ev.per_code.iloc[0]
    assert row.precision == 0.0 and row.recall == 0.0 and row.F1 == 0.0


# ------------------------------------------------------------------ against the reference packages
def test_kappa_matches_sklearn():
    from sklearn.metrics import cohen_kappa_score

    rng = np.random.default_rng(7)
    for _ in range(100):
        n = int(rng.integers(2, 60))
        a = rng.integers(0, 4, n)
        b = np.where(rng.random(n) < 0.6, a, rng.integers(0, 4, n))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = cohen_kappa_score(a, b)
        got = cohen_kappa(a.tolist(), b.tolist())
        if math.isnan(expected):
            assert math.isnan(got)
        else:
            assert got == pytest.approx(expected, abs=1e-12)


def test_alpha_matches_krippendorff_package_with_missing_values():
    krippendorff = pytest.importorskip("krippendorff")
    rng = np.random.default_rng(11)
    checked = 0
    for _ in range(100):
        coders, n = int(rng.integers(2, 5)), int(rng.integers(3, 40))
        data = rng.integers(0, 4, (coders, n)).astype(float)
        data[rng.random((coders, n)) < 0.2] = np.nan
        try:
            expected = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
        except ValueError:      # the package refuses a one-valued domain
            continue
        assert krippendorff_alpha_nominal(data) == pytest.approx(expected, abs=1e-12)
        checked += 1
    assert checked > 80


def test_per_code_statistics_match_packages_on_random_codings():
    krippendorff = pytest.importorskip("krippendorff")
    from sklearn.metrics import cohen_kappa_score, f1_score, precision_score, recall_score

    rng = np.random.default_rng(3)
    codes = ["p", "q", "r", "s"]
    ref = [[c for c in codes if rng.random() < 0.3] for _ in range(80)]
    pred = [[c for c in codes if (c in r) != (rng.random() < 0.15)] for r in ref]
    ev = evaluate([{"id": str(i), "codes": r} for i, r in enumerate(ref)],
                  [{"id": str(i), "codes": p} for i, p in enumerate(pred)], codes=codes)
    for row in ev.per_code.to_dict("records"):
        y = np.array([row["code"] in r for r in ref], dtype=int)
        yh = np.array([row["code"] in p for p in pred], dtype=int)
        assert row["kappa"] == pytest.approx(cohen_kappa_score(y, yh))
        assert row["alpha"] == pytest.approx(krippendorff.alpha(
            reliability_data=np.vstack([y, yh]).astype(float), level_of_measurement="nominal"))
        assert row["alpha"] == pytest.approx(krippendorff_alpha_nominal(np.vstack([y, yh])))
        assert row["precision"] == pytest.approx(precision_score(y, yh))
        assert row["recall"] == pytest.approx(recall_score(y, yh))
        assert row["F1"] == pytest.approx(f1_score(y, yh))
    Y = np.array([[c in r for c in codes] for r in ref], dtype=int)
    YH = np.array([[c in p for c in codes] for p in pred], dtype=int)
    assert ev.summary["micro_f1"] == pytest.approx(f1_score(Y, YH, average="micro"))
    assert ev.summary["macro_f1"] == pytest.approx(f1_score(Y, YH, average="macro"))


def test_alpha_hand_example_three_coders():
    # Krippendorff's canonical nominal example (2011, "Computing Krippendorff's alpha"): 0.743
    nan = np.nan
    data = [[1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
            [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
            [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
            [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan]]
    assert krippendorff_alpha_nominal(data) == pytest.approx(0.743, abs=5e-4)


# ------------------------------------------------------------------ edge cases
def test_all_agree():
    rows = [{"id": "1", "codes": ["a"]}, {"id": "2", "codes": ["a", "b"]}, {"id": "3", "codes": []}]
    ev = evaluate(rows, rows)
    assert ev.summary["micro_f1"] == 1.0 and ev.summary["exact_match"] == 1.0
    assert (ev.per_code["kappa"] == 1.0).all() and (ev.per_code["alpha"] == 1.0).all()


def test_code_present_everywhere_has_undefined_kappa():
    rows = [{"id": str(i), "codes": ["a"]} for i in range(4)]
    stats = evaluate(rows, rows).per_code.iloc[0]
    assert stats.F1 == 1.0 and math.isnan(stats.kappa) and math.isnan(stats.alpha)


def test_empty_code_lists_everywhere(codebook):
    rows = [{"id": "1", "codes": []}, {"id": "2", "codes": None}]
    ev = evaluate(rows, [{"id": "1", "codes": []}, {"id": "2", "codes": []}], codebook=codebook)
    s = ev.summary
    assert math.isnan(s["micro_f1"]) and math.isnan(s["macro_f1"]) and s["n_codes_macro"] == 0
    assert s["exact_match"] == 1.0
    text = ev.to_text()
    assert "–" in text and "nan" not in text.lower()


def test_binary_agreement_empty_input():
    s = binary_agreement(np.array([], dtype=bool), np.array([], dtype=bool))
    assert s["TP"] == 0 and math.isnan(s["kappa"])


def test_missing_prediction_is_an_error_unless_allowed():
    with pytest.raises(VerhalenFout, match="s5"):
        evaluate(REF, PRED[:4])
    ev = evaluate(REF, PRED[:4] + [{"id": "extra", "codes": ["a"]}], allow_missing=True)
    assert ev.summary["n_segments"] == 4
    assert ev.summary["n_alleen_referentie"] == 1 and ev.summary["n_alleen_voorspelling"] == 1
    assert ev.missing["alleen_referentie"] == ["s5"]
    assert "alleen in de referentie" in ev.to_text()


def test_no_common_ids_and_duplicates_are_errors():
    with pytest.raises(VerhalenFout, match="gemeen"):
        evaluate([{"id": "x", "codes": []}], [{"id": "y", "codes": []}], allow_missing=True)
    with pytest.raises(VerhalenFout, match="meer dan eens"):
        evaluate(REF + [{"id": "s1", "codes": []}], PRED)


def test_unknown_codes_are_reported(codebook):
    ev = evaluate([{"id": "1", "codes": ["a", "onbekend"]}], [{"id": "1", "codes": ["a"]}],
                  codebook=codebook)
    assert ev.summary["onbekende_codes"] == ["onbekend"]
    assert "onbekend" in list(ev.per_code["code"])
    assert "niet in het codeboek" in ev.to_text()


def test_explicit_codes_restrict_the_evaluation():
    ev = evaluate(REF, PRED, codes=["b"])
    assert list(ev.per_code["code"]) == ["b"]
    assert ev.summary["micro_f1"] == pytest.approx(0.5)


def test_text_and_dict_views(codebook):
    ev = evaluate(REF, PRED, codebook=codebook)
    text = ev.to_text()
    for word in ("precisie", "recall", "kappa", "alpha", "Micro", "Macro", "sporen",
                 "vakmanschap", "betekenisgeving", "doelmatigheid"):
        assert word in text
    lines = text.splitlines()
    header = next(l for l in lines if l.startswith("code "))
    row_c = next(l for l in lines if l.startswith("c "))
    assert len(header) == len(row_c)            # aligned columns
    assert row_c.rstrip().endswith("–")
    d = ev.to_dict()
    json.dumps(d, allow_nan=False)               # strictly JSON-able
    assert d["samenvatting"]["micro_f1"] == pytest.approx(0.6667, abs=1e-4)
    assert d["per_code"][2]["kappa"] is None
    assert len(d["per_spoor"]) == 3
    assert isinstance(ev, Evaluation) and "<pre>" in ev._repr_html_()


# ------------------------------------------------------------------ bootstrap intervals
def test_bootstrap_intervals_cover_the_estimate_and_shrink_with_n():
    rng = np.random.default_rng(5)

    def codings(n):
        R = rng.random((n, 4)) < 0.3
        P = np.where(rng.random((n, 4)) < 0.2, ~R, R)
        return R, P

    R, P = codings(60)
    ev = evaluate([{"id": str(i), "codes": [c for c, on in zip("pqrs", r) if on]}
                   for i, r in enumerate(R)],
                  [{"id": str(i), "codes": [c for c, on in zip("pqrs", p) if on]}
                   for i, p in enumerate(P)])
    lo, hi = ev.summary["micro_f1_bi"]
    assert lo < ev.summary["micro_f1"] < hi
    lo_m, hi_m = ev.summary["macro_f1_bi"]
    assert lo_m < ev.summary["macro_f1"] < hi_m
    assert "95%-BI" in ev.to_text()
    small = bootstrap_f1(R, P)["micro_f1"]
    R2, P2 = codings(2000)
    large = bootstrap_f1(R2, P2)["micro_f1"]
    assert (large[1] - large[0]) < (small[1] - small[0]) / 3
    assert bootstrap_f1(R, P) == bootstrap_f1(R, P)           # fixed seed: reproducible
    assert bootstrap_f1(R, R)["micro_f1"] == (1.0, 1.0)
    none = evaluate(REF, PRED, n_bootstrap=0).summary
    assert "micro_f1_bi" not in none


# ------------------------------------------------------------------ stratification and CV
def test_iterative_stratification_balances_rare_labels():
    rng = np.random.default_rng(0)
    Y = [[c for c in ("x", "y") if rng.random() < 0.4] for _ in range(97)]
    for i in range(5):                   # a label with exactly k examples: one per fold
        Y[i * 10] = Y[i * 10] + ["zeldzaam"]
    folds = iterative_stratification(Y, k=5, random_state=1)
    assert folds.min() == 0 and folds.max() == 4 and (folds >= 0).all()
    sizes = np.bincount(folds)
    assert sizes.max() - sizes.min() <= 2
    rare = sorted(folds[[i * 10 for i in range(5)]])
    assert rare == [0, 1, 2, 3, 4]
    for lab in ("x", "y"):
        per_fold = np.bincount(folds[[lab in y for y in Y]], minlength=5)
        assert per_fold.max() - per_fold.min() <= 2
    again = iterative_stratification(Y, k=5, random_state=1)
    assert (folds == again).all()
    with pytest.raises(VerhalenFout):
        iterative_stratification(Y[:3], k=5)


class KeywordCoder:
    """Fake estimator: a word signals the codes present in every training segment with it."""

    instances = 0

    def __init__(self):
        KeywordCoder.instances += 1
        self.fitted_ids: list[str] = []

    def fit(self, X, Y):
        self.fitted_ids = list(X["id"])
        self.classes_ = sorted({c for y in Y for c in y})
        words: dict[str, set[str]] = {}
        for text, y in zip(X["text"], Y):
            for w in set(text.split()):
                words[w] = words[w] & set(y) if w in words else set(y)
        self.cue_ = {w: cs for w, cs in words.items() if cs}
        return self

    def predict_proba(self, X):
        out = np.zeros((len(X), len(self.classes_)))
        col = {c: j for j, c in enumerate(self.classes_)}
        for i, text in enumerate(X["text"]):
            for w in text.split():
                for c in self.cue_.get(w, ()):
                    out[i, col[c]] = 0.9
        return out

    def predict(self, X):
        return (self.predict_proba(X) >= 0.5).astype(int)


def _toy_set(n=60, seed=0):
    rng = np.random.default_rng(seed)
    rows, Y = [], []
    for i in range(n):
        y = [c for c in ("a", "b") if rng.random() < 0.4]
        words = ["ruis"] + [f"woord_{c}" for c in y]
        rows.append({"id": f"t{i}", "text": " ".join(words)})
        Y.append(y)
    return pd.DataFrame(rows), Y


def test_cross_validate_with_fake_coder(codebook):
    X, Y = _toy_set()
    seen_test_overlap = []

    def make():
        coder = KeywordCoder()
        seen_test_overlap.append(coder)
        return coder

    KeywordCoder.instances = 0
    ev, pred = cross_validate(make, X, Y, k=4, random_state=0, codebook=codebook, progress=False)
    assert KeywordCoder.instances == 4                 # a fresh coder per fold
    assert ev.summary["micro_f1"] == pytest.approx(1.0)
    assert ev.summary["folds"] == 4 and len(ev.summary["fold_micro_f1"]) == 4
    assert list(pred["id"]) == list(X["id"]) and set(pred["fold"]) == {0, 1, 2, 3}
    for f, coder in enumerate(seen_test_overlap):      # never trained on its own test fold
        test_ids = set(pred.loc[pred["fold"] == f, "id"])
        assert not test_ids & set(coder.fitted_ids)
        assert len(coder.fitted_ids) + len(test_ids) == len(X)
    assert "Kruisvalidatie: 4 folds" in ev.to_text()


def test_cross_validate_is_honest_about_unseen_cues():
    # each segment has a unique cue word: memorising training data cannot predict held-out ones
    X = pd.DataFrame({"id": [f"u{i}" for i in range(20)],
                      "text": [f"uniek_{i}" for i in range(20)]})
    Y = [["a"] if i % 2 else [] for i in range(20)]
    ev, _ = cross_validate(KeywordCoder, X, Y, k=5, progress=False)
    assert ev.summary["micro_recall"] == 0.0


def test_cross_validate_input_errors():
    X, Y = _toy_set(10)
    with pytest.raises(VerhalenFout, match="codelijsten"):
        cross_validate(KeywordCoder, X, Y[:-1], k=2, progress=False)
    with pytest.raises(VerhalenFout, match="text"):
        cross_validate(KeywordCoder, X.drop(columns="text"), Y, k=2, progress=False)


class GroupKeywordCoder(KeywordCoder):
    """KeywordCoder whose ``fit`` takes the sources (to check they are passed on)."""

    seen_groups: list = []

    def __init__(self):
        super().__init__()
        self.classes_, self.cue_ = ["a"], {}          # unfitted: knows the code, no cues

    def fit(self, X, Y, groups=None):
        GroupKeywordCoder.seen_groups.append(list(groups) if groups is not None else None)
        return super().fit(X, Y)


def _sourced_set():
    """Three sources; in source 'c' code 'a' is said with a word no other source uses, so only
    leave-one-source-out shows that the memorised cue does not travel."""
    rows, Y, groups = [], [], []
    for i in range(30):
        src = "abc"[i % 3]
        y = ["a"] if i % 2 else []
        word = ("woord_c" if src == "c" else "woord_a") if y else "ruis"
        rows.append({"id": f"s{i}", "text": f"{word} bron_{src}"})
        Y.append(y)
        groups.append(src)
    return pd.DataFrame(rows), Y, groups


def test_leave_one_source_out_is_lower_than_random_folds():
    X, Y, groups = _sourced_set()
    GroupKeywordCoder.seen_groups = []
    ev, pred = cross_validate(GroupKeywordCoder, X, Y, groups=groups, progress=False)
    s = ev.summary
    assert s["folds"] == 3 and set(s["per_groep"]) == {"a", "b", "c"}
    assert s["per_groep"]["c"]["micro_f1"] == 0.0            # the cue of 'c' was never seen
    assert s["per_groep"]["a"]["micro_f1"] == pytest.approx(1.0)
    assert s["groep_gemiddelde_micro_f1"] == pytest.approx(2 / 3)
    for seen in GroupKeywordCoder.seen_groups:               # sources reach fit, minus one
        assert len(set(seen)) == 2
    random_ev, _ = cross_validate(KeywordCoder, X, Y, k=3, random_state=0, progress=False)
    assert random_ev.summary["micro_f1"] > s["micro_f1"]    # random folds: optimistic
    assert "Kruisvalidatie per bron" in ev.to_text()
    with pytest.raises(VerhalenFout, match="twee bronnen"):
        cross_validate(KeywordCoder, X, Y, groups=["x"] * len(Y), progress=False)


def test_read_groups(tmp_path):
    p = tmp_path / "groups.csv"
    p.write_text("id,group\ns1,a\ns2,b\n", encoding="utf-8")
    assert read_groups(p) == {"s1": "a", "s2": "b"}
    with pytest.raises(VerhalenFout, match="geen bron voor 1"):
        read_groups(p, ["s1", "s3"])
    p.write_text("id,naam\ns1,a\n", encoding="utf-8")
    with pytest.raises(VerhalenFout, match="'id' en 'group'"):
        read_groups(p)


def test_in_source_workflow_scores_the_rest_of_the_source():
    X, Y, groups = _sourced_set()
    X = pd.concat([X] * 2, ignore_index=True)
    X["id"] = [f"s{i}" for i in range(len(X))]
    Y, groups = Y * 2, groups * 2
    df = in_source_workflow(GroupKeywordCoder, X, Y, groups, ks=(0, 4, 40), draws=2,
                            active=False, min_rest=10)
    assert set(df["K"]) == {0, 4}                            # 40 leaves too little of a source
    c4 = df[(df["bron"] == "c") & (df["K"] == 4)]
    assert len(c4) == 4 and (c4["n_rest"] == 16).all()       # 2 draws x with/without others
    # K = 0 with the other sources is leave-one-source-out: the cue of 'c' is unknown there
    c0 = df[(df["bron"] == "c") & (df["K"] == 0)]
    assert c0["micro_f1"].tolist() == [0.0]
    # a few codes of the source itself teach its own cue (when a positive was drawn)
    assert c4["micro_f1"].max() == pytest.approx(1.0)
