"""Coders as estimators: rules on lemmas, semantics, supervised learning, the ensemble."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from verhalen.codeboek import Code, Codebook
from verhalen.coderen import (CoderWaarschuwing, EnsembleCoder, RuleCoder, SemanticCoder,
                              SupervisedCoder, default_coder, load_codebook)
from verhalen.fouten import VerhalenFout


@pytest.fixture(scope="module")
def impact():
    return load_codebook("impact")


def toy_codebook() -> Codebook:
    return Codebook(name="toy", codes=[
        Code(id="dieren", label="Dieren", definition="Over huisdieren zoals honden en katten.",
             tracks={"betekenisgeving": 1.0}, indicators=["kat^2", "hond*^2"],
             examples=["De hond blaft naar de kat.", "Onze poes slaapt in de mand."]),
        Code(id="weer", label="Weer", definition="Over het weer: regen, zon en wind.",
             tracks={"doelmatigheid": 1.0}, indicators=["regen*^2", "zon^2"],
             examples=["Het regent al de hele dag.", "Morgen schijnt de zon."]),
    ])


# ---------------------------------------------------------------- rules

def test_rule_coder_hits_lemmas_and_gives_evidence(impact, nlp):
    rc = RuleCoder(impact, nlp=nlp)
    texts = ["Zij luisterde zonder oordeel naar zijn verhaal en bouwde zo een vertrouwensband op.",
             "DE GEMEENTE VERSTREKT EEN SUBSIDIE AAN HET PROJECT VIA DE WMO.",
             "Het was een zonnige dag."]
    wide = rc.code(texts)
    assert list(wide.columns) == ["id", "codes", "scores", "evidence"]
    assert "basishouding" in wide.loc[0, "codes"]
    ev = " ".join(wide.loc[0, "evidence"]["basishouding"])
    assert "«Zij luisterde zonder oordeel" in ev and "zonder oordeel" in ev and "luisteren" in ev
    assert "financiering_en_beleid" in wide.loc[1, "codes"]   # capitals are lemmatised too
    assert wide.loc[2, "codes"] == []
    P = rc.predict_proba(texts)
    assert P.shape == (3, len(impact)) and rc.classes_ == impact.ids
    assert ((P >= 0) & (P <= 1)).all()
    assert (rc.predict(texts) == (P >= rc.threshold)).all()


def test_rule_coder_passing_word_does_not_fire(impact, nlp):
    rc = RuleCoder(impact, nlp=nlp)
    wide = rc.code(["We gingen samen naar de markt."])      # one weak indicator only
    assert wide.loc[0, "codes"] == []


def test_rule_phrase_with_gap(nlp):
    cb = Codebook("t", [Code("stap", "Stap", "Kleine stappen.", {"betekenisgeving": 1.0},
                             indicators=["klein .. stap*^2"])])
    rc = RuleCoder(cb, nlp=nlp)
    assert rc.predict(["Ze zette kleine, concrete stapjes vooruit."])[0, 0] == 1
    assert rc.predict(["Een stap, en veel later iets kleins."])[0, 0] == 0


def test_rule_fit_reweights_indicators(nlp):
    cb = toy_codebook()
    texts = ["Ik zag een kat in de tuin."] * 6 + ["De hond liep mee."] * 6
    Y = [[]] * 6 + [["dieren"]] * 6      # in this material 'kat' never signals the code
    rc = RuleCoder(cb, nlp=nlp).fit(texts, Y)
    w = rc.weights_[0]
    assert w[0] < 1.0 < w[1]
    assert rc.predict(["Een kat op het dak."])[0, 0] == 0
    assert rc.predict(["Een hond op straat."])[0, 0] == 1


def test_input_validation(impact, nlp):
    rc = RuleCoder(impact, nlp=nlp)
    with pytest.raises(VerhalenFout, match="kolom 'text'"):
        rc.predict(pd.DataFrame({"id": ["a"], "tekst": ["x"]}))
    with pytest.raises(VerhalenFout, match="losse tekst"):
        rc.predict("een tekst")
    with pytest.raises(VerhalenFout, match="onbekende code 'luisteren'.*basishouding|onbekende code 'luisteren'"):
        rc.fit(["a", "b"], [["luisteren"], []])
    with pytest.raises(VerhalenFout, match="2 segmenten maar 1"):
        rc.fit(["a", "b"], [[]])
    with pytest.warns(CoderWaarschuwing, match="zonder tekst"):
        wide = rc.code(pd.DataFrame({"id": ["x", "y"], "text": ["", "We meten de impact met "
                                                                "een vragenlijst."]}))
    assert wide.loc[0, "codes"] == [] and wide.loc[0, "id"] == "x"
    assert "meten_en_verantwoorden" in wide.loc[1, "codes"]
    assert rc.code([]).empty


def test_sentence_offsets_from_lees_folder_are_used(impact, nlp):
    text = "Wij meten alles. Met een vragenlijst en een nulmeting volgen we de cijfers."
    df = pd.DataFrame({"id": ["d-0001"], "text": [text], "start": [100],
                       "sentences": [[[100, 116], [117, 100 + len(text)]]]})
    wide = RuleCoder(impact, nlp=nlp).code(df)
    ev = wide.loc[0, "evidence"]["meten_en_verantwoorden"]
    assert any(e.startswith("«Met een vragenlijst") for e in ev)


# ---------------------------------------------------------------- semantic

def test_semantic_coder_ranks_clear_examples(impact, nlp, embedder):
    sc = SemanticCoder(impact, embedder=embedder, nlp=nlp)
    texts = ["De maatschappelijke kosten-batenanalyse laat zien dat elke geïnvesteerde euro "
             "twee euro aan besparingen oplevert.",
             "In de lotgenotengroep merkte ze dat ze niet de enige was; ze vond er vriendinnen."]
    P = sc.predict_proba(texts)
    assert P.shape == (2, len(impact))
    ids = impact.ids
    assert P[0, ids.index("kosten_en_baten")] > P[0, ids.index("relationeel_weefsel")]
    assert P[1, ids.index("relationeel_weefsel")] > P[1, ids.index("kosten_en_baten")]
    wide = sc.code(texts)
    for codes, ev in zip(wide["codes"], wide["evidence"]):
        assert set(ev) == set(codes)


# ---------------------------------------------------------------- supervised

def test_supervised_learns_separable_toy_set(nlp, embedder):
    cb = toy_codebook()
    dieren = ["De kat ligt op de bank.", "Mijn hond wil wandelen.", "De poes speelt met een bal.",
              "We brachten de hond naar de dierenarts.", "De katten eten brokjes."]
    weer = ["Het regent pijpenstelen.", "De zon schijnt fel vandaag.", "Er staat veel wind.",
            "Het onweert en het stormt.", "Morgen wordt het droog en zonnig."]
    coder = SupervisedCoder(cb, embedder=embedder, nlp=nlp).fit(dieren + weer,
                                                                [["dieren"]] * 5 + [["weer"]] * 5)
    pred = coder.predict(["Onze kater jaagt op muizen.", "Vannacht valt er veel regen."])
    assert pred.tolist() == [[1, 0], [0, 1]]
    with pytest.raises(VerhalenFout, match="fit"):
        SupervisedCoder(cb, embedder=embedder, nlp=nlp).predict(["x"])


# ---------------------------------------------------------------- ensemble

def test_ensemble_zero_shot_and_sklearn_clone(impact, nlp, embedder):
    from sklearn.base import clone

    ec = default_coder(impact, embedder=embedder, nlp=nlp)
    assert isinstance(ec, EnsembleCoder)
    wide = ec.code(["Elk kwartaal rapporteren we de cijfers en indicatoren aan de gemeente, "
                    "die de subsidie verstrekt.",
                    "Ze luisterde zonder oordeel; er ontstond een vertrouwensband."])
    assert "meten_en_verantwoorden" in wide.loc[0, "codes"]
    assert "basishouding" in wide.loc[1, "codes"]
    for codes, scores, ev in zip(wide["codes"], wide["scores"], wide["evidence"]):
        assert set(scores) == set(codes) == set(ev)
        assert all(e.startswith("«") for c in codes for e in ev[c])
    c2 = clone(ec)
    assert c2.get_params()["semantic_weight"] == ec.semantic_weight


def test_ensemble_improves_with_labels(nlp, embedder):
    """The toy codebook's indicators miss how this material talks about the codes; human
    codes must teach the ensemble what the indicators cannot."""
    cb = Codebook("toy", [
        Code("zorg", "Zorg", "Zorgen voor een ander.", {"betekenisgeving": 1.0},
             indicators=["verzorgen^2"], examples=["Ze verzorgt haar moeder."]),
        Code("werk", "Werk", "Betaald werk hebben.", {"doelmatigheid": 1.0},
             indicators=["baan^2"], examples=["Hij heeft een baan."]),
    ])
    zorg = ["Ze kookt elke dag voor haar zieke buurman.", "Hij helpt zijn vader met douchen.",
            "Zij doet de boodschappen voor haar oma.", "Hij brengt zijn moeder naar de dokter.",
            "Ze past elke middag op haar kleinkinderen.", "Hij wast de kleren van zijn zus.",
            "Ze geeft haar opa zijn medicijnen.", "Hij maakt het huis van zijn tante schoon."]
    werk = ["Hij begint maandag bij de bakker als verkoper.", "Ze tekende een contract bij de fabriek.",
            "Hij verdient nu een salaris in het magazijn.", "Zij werkt drie dagen als kassamedewerker.",
            "Hij is aangenomen als chauffeur.", "Ze draait diensten in het ziekenhuis als schoonmaker.",
            "Hij krijgt loon voor zijn werk in de tuin.", "Zij is in dienst bij een schoonmaakbedrijf."]
    train_X = zorg[:6] + werk[:6]
    train_Y = [["zorg"]] * 6 + [["werk"]] * 6
    test_X = zorg[6:] + werk[6:]
    test_Y = np.array([[1, 0]] * 2 + [[0, 1]] * 2)

    def f1(pred):
        tp = (pred & test_Y).sum()
        return 2 * tp / (pred.sum() + test_Y.sum())

    zero = EnsembleCoder(cb, embedder=embedder, nlp=nlp, inner_folds=3)
    f_zero = f1(zero.predict(test_X))
    fitted = EnsembleCoder(cb, embedder=embedder, nlp=nlp, inner_folds=3).fit(train_X, train_Y)
    f_fit = f1(fitted.predict(test_X))
    assert f_fit > f_zero and f_fit >= 0.75


# ---------------------------------------------------------------- shared stacker

def _care_work_set():
    cb = Codebook("toy", [
        Code("zorg", "Zorg", "Zorgen voor een ander.", {"betekenisgeving": 1.0},
             indicators=["verzorgen^2"], examples=["Ze verzorgt haar moeder."]),
        Code("werk", "Werk", "Betaald werk hebben.", {"doelmatigheid": 1.0},
             indicators=["baan^2"], examples=["Hij heeft een baan."]),
        Code("sport", "Sport", "Sporten en bewegen.", {"betekenisgeving": 1.0},
             indicators=["voetbal*^2"], examples=["Hij voetbalt elke zaterdag."]),
    ])
    X = ["Ze kookt elke dag voor haar zieke buurman.", "Hij helpt zijn vader met douchen.",
         "Zij doet de boodschappen voor haar oma.", "Hij brengt zijn moeder naar de dokter.",
         "Ze past elke middag op haar kleinkinderen.", "Hij wast de kleren van zijn zus.",
         "Hij begint maandag bij de bakker als verkoper.", "Ze tekende een contract bij de fabriek.",
         "Hij verdient nu een salaris in het magazijn.", "Zij werkt drie dagen als kassamedewerker.",
         "Hij is aangenomen als chauffeur.", "Ze draait diensten in het ziekenhuis.",
         "Hij voetbalt graag met vrienden."]
    Y = [["zorg"]] * 6 + [["werk"]] * 6 + [["sport"]]
    return cb, X, Y


def test_shared_stacker_structure(nlp, embedder):
    cb, X, Y = _care_work_set()
    ec = EnsembleCoder(cb, embedder=embedder, nlp=nlp, inner_folds=3, stacker="gedeeld").fit(X, Y)
    assert ec.stacker_ is not None
    # 'sport' has one human positive (< min_positives): it keeps the zero-shot rule
    assert ec.stack_codes_.tolist() == [0, 1]
    thr = ec.thresholds_
    assert thr[0] == thr[1] and thr[2] == 0.5          # one threshold for the stacked codes
    assert ec.oof_proba_.shape == (len(X), 3)
    assert ((ec.oof_proba_ >= 0) & (ec.oof_proba_ <= 1)).all()
    # features: 3 shared + total weight + one-hot per code + 3 scaled slopes per code
    RR = np.array([[1.0, 0.0, 2.0], [0.0, 2.0, 0.0]])
    Z = np.zeros((2, 3))
    SP = np.full((2, 3), 0.5)
    F = ec._shared_features(RR, Z, SP, np.array([0, 1]))
    assert F.shape == (4, 3 + 1 + 2 + 3 * 2)
    assert F[0, 0] == 1.0 and F[1, 0] == 0.0 and F[2, 0] == 0.0 and F[3, 0] == 2.0
    assert np.allclose(F[:, 3], np.log1p([3.0, 3.0, 2.0, 2.0]))
    assert F[:, 4:6].tolist() == [[1, 0], [0, 1], [1, 0], [0, 1]]
    # code 0's own rule slope column, scaled by code_slope_scale
    assert np.isclose(F[0, 6], 1.0 * ec.code_slope_scale) and F[1, 6] == 0.0
    P = ec.predict_proba(X)
    RR, Z, _ = ec._base_features(ec._prepare(X))
    assert np.allclose(P[:, 2], ec._zero_shot(RR, Z)[:, 2])   # zero-shot column untouched
    assert (P[:12, :2].argmax(1) == np.array([0] * 6 + [1] * 6)).mean() >= 0.75


def test_stacker_choice_is_validated(nlp, embedder):
    cb, X, Y = _care_work_set()
    with pytest.raises(VerhalenFout, match="onbekende stacker"):
        EnsembleCoder(cb, embedder=embedder, nlp=nlp, stacker="mooi").fit(X, Y)
    old = EnsembleCoder(cb, embedder=embedder, nlp=nlp, inner_folds=3,
                        stacker="per_code").fit(X, Y)
    assert old.stackers_[0] is not None and old.stackers_[2] is None
    assert old.predict(X[:1]).tolist() == [[1, 0, 0]]


@pytest.mark.slow
def test_learning_on_reference_set(shared_dir, nlp, embedder):
    """Leave one source out on ../shared/gold/dev.jsonl (groups.csv): learning from the other
    sources beats zero-shot on average and is not below it on any source of >= 15 segments."""
    import json

    from verhalen.evaluatie import cross_validate, read_groups

    dev_path = shared_dir / "gold" / "dev.jsonl"
    groups_path = shared_dir / "gold" / "groups.csv"
    if not dev_path.exists() or not groups_path.exists():
        pytest.skip("dev.jsonl of groups.csv ontbreekt")
    dev = [json.loads(line) for line in dev_path.read_text(encoding="utf-8").splitlines()
           if line.strip()]
    cb = load_codebook("impact")
    X = pd.DataFrame({"id": [r["id"] for r in dev], "text": [r["text"] for r in dev]})
    Y = [r["codes"] for r in dev]
    gmap = read_groups(groups_path, X["id"].tolist())
    groups = [gmap[i] for i in X["id"]]

    def make():
        return EnsembleCoder(cb, embedder=embedder, nlp=nlp)

    learned = cross_validate(make, X, Y, codebook=cb, groups=groups, progress=False)[0].summary
    zero = cross_validate(make, X, Y, codebook=cb, groups=groups, learn=False,
                          progress=False)[0].summary
    assert zero["groep_gemiddelde_micro_f1"] >= 0.62
    assert learned["groep_gemiddelde_micro_f1"] >= zero["groep_gemiddelde_micro_f1"] + 0.03
    for g, v in zero["per_groep"].items():
        if v["n"] >= 15:
            assert learned["per_groep"][g]["micro_f1"] >= v["micro_f1"] - 1e-9, g
