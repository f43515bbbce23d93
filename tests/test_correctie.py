"""Learning as a correction of the codebook: shrinkage to the prior, folds grouped by source,
the per-code decision and its report, on constructed data where the right answer is known."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from verhalen.codeboek import Code, Codebook
from verhalen.coderen import EnsembleCoder
from verhalen.coderen.bronnen import group_folds, infer_groups
from verhalen.coderen.correctie import fit_offset_logistic, learning_report, sigmoid


# ---------------------------------------------------------------- shrinkage

def test_offset_logistic_is_the_prior_when_the_prior_is_right():
    rng = np.random.default_rng(0)
    n = 4000
    off = rng.normal(0, 2, n)
    y = (rng.random(n) < sigmoid(off)).astype(float)
    F = np.column_stack([np.ones(n), rng.normal(size=n)])   # intercept + an unrelated feature
    b = fit_offset_logistic(F, y, off, penalty=1.0)
    assert np.abs(b).max() < 0.15


def test_offset_logistic_moves_in_proportion_to_the_evidence():
    """The prior says p = 0.5 everywhere, the truth is p = 0.88 (logit 2): with 5 examples the
    correction stays near the prior, with 500 it reaches the truth."""
    def fitted(n):
        y = np.zeros(n)
        y[: int(round(0.88 * n))] = 1
        return fit_offset_logistic(np.ones((n, 1)), y, np.zeros(n), penalty=3.0)[0]

    small, large = fitted(5), fitted(500)
    assert 0 < small < 1.0
    assert 1.8 < large < 2.1
    assert fit_offset_logistic(np.ones((0, 1)), np.zeros(0), np.zeros(0))[0] == 0.0


# ---------------------------------------------------------------- sources

def test_infer_groups_column_prefix_and_blocks():
    df = pd.DataFrame({"id": ["a", "b", "c"], "text": ["x", "y", "z"], "doc_id": ["d1", "d1", "d2"]})
    g, how = infer_groups(df)
    assert g.tolist() == ["d1", "d1", "d2"] and how == "kolom doc_id"
    ids = [f"A-{i:03d}" for i in range(6)] + [f"bundel-wijk-{i:04d}" for i in range(6)]
    g, how = infer_groups(pd.DataFrame({"id": ids, "text": ids}))
    assert how == "id-voorvoegsel" and g.tolist() == ["A"] * 6 + ["bundel-wijk"] * 6
    g, how = infer_groups([f"tekst {i}" for i in range(40)])
    assert how == "blokken" and len(set(g)) == 4
    assert g.tolist() == sorted(g.tolist())              # consecutive blocks in file order


def test_group_folds_keep_a_source_together():
    groups = ["a"] * 10 + ["b"] * 3 + ["c"] * 7 + ["d"] * 2 + ["e"] * 5 + ["f"] * 4 + ["g"]
    f = group_folds(groups, k=3)
    assert set(f) == {0, 1, 2}
    for g in set(groups):
        assert len({f[i] for i, x in enumerate(groups) if x == g}) == 1
    sizes = np.bincount(f)
    assert sizes.max() - sizes.min() <= 4
    one = group_folds(["x"] * 9, k=3)                     # one source: random folds
    assert sorted(np.bincount(one).tolist()) == [3, 3, 3]


# ---------------------------------------------------------------- the coder

def _codebook() -> Codebook:
    return Codebook("werk", [
        Code("werk", "Werk", "Betaald werk hebben: een baan, een contract, een salaris.",
             {"doelmatigheid": 1.0}, indicators=["baan^2", "contract^2", "salaris^2"],
             examples=["Hij heeft sinds maandag een baan."]),
        Code("zorg", "Zorg", "Zorgen voor een ander: verzorgen, mantelzorg.",
             {"betekenisgeving": 1.0}, indicators=["verzorgen^2", "mantelzorg*^2"],
             examples=["Ze verzorgt haar moeder elke dag."]),
    ])


BAKKERIJ = ["In de bakkerij ruikt het 's ochtends naar vers brood.",
            "De bakker kneedt het deeg voor de krentenbollen.",
            "Op zaterdag staan er taarten in de etalage van de bakkerij.",
            "De oven van de bakkerij wordt om vier uur aangezet.",
            "Het meel wordt in grote zakken naar de bakkerij gebracht.",
            "De bakker strooit maanzaad over de broodjes.",
            "In de bakkerij verkopen ze ook appelflappen.",
            "Het deeg moet een nacht rijzen in de koele bakkerij."]
WERK = ["Hij heeft eindelijk een baan bij de gemeente.",
        "Ze tekende gisteren haar contract bij de fabriek.",
        "Met zijn nieuwe salaris kan hij de huur betalen.",
        "Na twee jaar zoeken vond ze een vaste baan.",
        "Zijn contract werd met een jaar verlengd."]
ZORG = ["Ze verzorgt haar zieke vader elke avond.",
        "Als mantelzorger doet hij de boodschappen voor zijn moeder.",
        "Zij helpt haar buurvrouw met verzorgen na de operatie.",
        "De mantelzorg voor haar man kost haar veel energie."]


def _sources():
    """Source A codes 'werk' on all its bakery paragraphs (how that source happened to be
    coded, not what the codebook says); sources B and C code as the codebook says and have
    one bakery paragraph each without 'werk'."""
    rows = []
    for i, t in enumerate(BAKKERIJ):
        rows.append(("A", f"A-{i}", t + " De bakker is er trots op.", ["werk"]))
    for src in ("B", "C"):
        for i, t in enumerate(WERK):
            rows.append((src, f"{src}-w{i}", t, ["werk"]))
        for i, t in enumerate(ZORG):
            rows.append((src, f"{src}-z{i}", t, ["zorg"]))
        rows.append((src, f"{src}-b0", BAKKERIJ[0 if src == "B" else 1], []))
    return pd.DataFrame(rows, columns=["group", "id", "text", "codes"])


def test_a_code_learned_from_one_source_does_not_override_the_codebook(nlp, embedder):
    df = _sources()
    X, Y, groups = df[["id", "text"]], df["codes"].tolist(), df["group"].tolist()
    target = ["Bij de bakkerij op de hoek is het brood vandaag op.",
              "De bakker versiert een taart met slagroom.",
              "Zij heeft een nieuwe baan in het ziekenhuis.",
              "Hij verzorgt zijn opa sinds diens val."]
    zero = EnsembleCoder(_codebook(), embedder=embedder, nlp=nlp)
    learned = EnsembleCoder(_codebook(), embedder=embedder, nlp=nlp).fit(X, Y, groups=groups)
    p0, p1 = zero.predict(target), learned.predict(target)
    assert p0[:2, 0].tolist() == [0, 0]                   # the codebook: bakery is not work
    assert p1[:2, 0].tolist() == [0, 0]                   # ...and learning keeps it that way
    assert p1[2].tolist() == [1, 0] and p1[3].tolist() == [0, 1]
    # the earlier stacker (random inner folds) learns source A's habit and codes bakery as work
    old = EnsembleCoder(_codebook(), embedder=embedder, nlp=nlp, stacker="gedeeld").fit(X, Y)
    assert old.predict(target)[:2, 0].sum() >= 1
    rep = learning_report(learned)
    assert rep["bronnen"] == {"A": 8, "B": 10, "C": 10}
    assert rep["bronnen_gevonden_via"] == "opgegeven"
    assert set(rep["codes"]) == {"werk", "zorg"}
    for d in rep["codes"].values():
        assert d["besluit"] in ("geleerd", "codeboek") and d["reden"]
    json.dumps(rep)                                       # JSON-able


def test_too_few_examples_keep_the_codebook(nlp, embedder):
    texts = WERK + ZORG[:2] + BAKKERIJ[:4]
    Y = [["werk"]] * 5 + [["zorg"]] * 2 + [[]] * 4       # 'zorg' has 2 < min_positives
    ec = EnsembleCoder(_codebook(), embedder=embedder, nlp=nlp).fit(texts, Y)
    rep = learning_report(ec)
    assert rep["codes"]["zorg"]["besluit"] == "codeboek"
    assert "minder dan 3" in rep["codes"]["zorg"]["reden"] or "niet beter" in rep["codes"]["zorg"]["reden"]
    new = ZORG[2:] + ["Het brood is op."]
    P1 = ec.predict_proba(new)
    P0 = EnsembleCoder(_codebook(), embedder=embedder, nlp=nlp).predict_proba(new)
    assert np.allclose(P1[:, 1], P0[:, 1])                # the codebook column is the prior's
    assert ec.thresholds_[1] == ec.threshold


def test_unfitted_coder_reports_the_codebook(nlp, embedder):
    rep = learning_report(EnsembleCoder(_codebook(), embedder=embedder, nlp=nlp))
    assert rep["geleerd"] is False
    assert {d["besluit"] for d in rep["codes"].values()} == {"codeboek"}


def test_fit_checks_groups_and_weights(nlp, embedder):
    from verhalen.fouten import VerhalenFout

    ec = EnsembleCoder(_codebook(), embedder=embedder, nlp=nlp)
    with pytest.raises(VerhalenFout, match="bronnen in groups"):
        ec.fit(WERK, [["werk"]] * 5, groups=["a", "b"])
    with pytest.raises(VerhalenFout, match="sample_weight"):
        ec.fit(WERK, [["werk"]] * 5, sample_weight=[1, 1])


# ---------------------------------------------------------------- adapting to the bundle

def test_adapt_to_bundle_moves_only_where_the_bundle_s_own_codes_point():
    from verhalen.coderen.correctie import adapt_to_bundle

    rng = np.random.default_rng(1)
    d = 16
    c1, c2 = rng.normal(size=d), rng.normal(size=d)
    V = np.vstack([c1 + 0.3 * rng.normal(size=(20, d)), c2 + 0.3 * rng.normal(size=(20, d))])
    A = np.full((40, 1), -2.0)                             # the prior: never this code
    lab = np.array([0, 1, 2, 3, 4, 20, 21, 22, 23, 24])    # 5 coded in each cluster
    Y = np.array([[1]] * 5 + [[0]] * 5)
    out, shift = adapt_to_bundle(A, V, lab, Y, penalty=1.0)
    rest1, rest2 = out[5:20, 0], out[25:, 0]
    assert rest1.min() > rest2.max()                       # the coded cluster rises...
    assert rest1.mean() > 0 > rest2.mean()                 # ...above the threshold, the other not
    same, _ = adapt_to_bundle(A, V, np.array([], dtype=int), np.zeros((0, 1)))
    assert np.array_equal(same, A)                         # no codes of the bundle: the prior
    strong, _ = adapt_to_bundle(A, V, lab, Y, penalty=1e6)
    assert np.abs(strong - A).max() < 1e-3                 # an infinite penalty: the prior
    weak, _ = adapt_to_bundle(A, V, lab[:2], Y[:2], penalty=1.0)
    assert np.abs(weak - A).max() < np.abs(out - A).max()  # less evidence, smaller move


def test_codes_of_a_bundle_adapt_that_bundle_and_no_other(nlp, embedder):
    """In bundle A the researcher codes bakery paragraphs as 'werk' (what work means in that
    bundle). Coding bundle A, its other bakery paragraphs move towards 'werk' (as far as five
    codes carry); coding other material, the codebook still decides that bakery is not work."""
    df = _sources()
    a = df[df["group"] == "A"]
    train = pd.concat([df[df["group"] != "A"], a.iloc[:5]], ignore_index=True)
    Xt, Yt, gt = train[["id", "text"]], train["codes"].tolist(), train["group"].tolist()
    bundle = a[["id", "text"]].reset_index(drop=True)
    other = ["Bij de bakkerij op de hoek is het brood vandaag op.",
             "De bakker versiert een taart met slagroom.",
             "Zij heeft een nieuwe baan in het ziekenhuis."]

    def coder(**kw):
        return EnsembleCoder(_codebook(), embedder=embedder, nlp=nlp, **kw).fit(Xt, Yt, groups=gt)

    off, ec, trusting = coder(bundle_penalty=None), coder(), coder(bundle_penalty=0.3)
    P_off, P = off.predict_proba(bundle), ec.predict_proba(bundle)
    assert off.adaptation_ is None and P_off[5:, 0].max() < 0.2      # without: the codebook
    assert ec.adaptation_["segmenten_met_menselijke_codes"] == 5
    assert ec.adaptation_["segmenten_in_bundel"] == 8
    assert ec.adaptation_["verschuiving_per_code"]["werk"] > 1
    assert (P[5:, 0] > 2 * P_off[5:, 0] + 0.2).all()                  # the rest of A moves up
    assert trusting.predict(bundle)[5:, 0].tolist() == [1, 1, 1]      # a weaker penalty: werk
    assert (trusting.predict_proba(bundle)[5:, 0] > P[5:, 0]).all()
    # other material: no adaptation, the same probabilities as without it
    for c in (ec, trusting):
        assert c.predict(other)[:, 0].tolist() == [0, 0, 1]
        assert c.adaptation_ is None
        assert np.allclose(c.predict_proba(other), off.predict_proba(other))


def test_a_category_that_only_groups_codes_is_never_assigned(nlp, embedder):
    from verhalen.coderen import RuleCoder

    cb = _codebook()
    group = Code("bestaan", "Bestaanszekerheid", "Werk, inkomen, een baan en een salaris.",
                 {"doelmatigheid": 1.0}, indicators=["baan^3", "salaris^3"],
                 examples=["Hij heeft een baan en een salaris."], codable=False)
    cb = Codebook("werk", [group] + list(cb.codes))
    texts = ["Hij heeft eindelijk een baan met een goed salaris.", "Ze verzorgt haar moeder."]
    for coder in (RuleCoder(cb, nlp=nlp), EnsembleCoder(cb, embedder=embedder, nlp=nlp)):
        assert coder.classes_[0] == "bestaan"
        assert (coder.predict_proba(texts)[:, 0] == 0).all()
        wide = coder.code(texts)
        assert "bestaan" not in wide["codes"][0] and "werk" in wide["codes"][0]
