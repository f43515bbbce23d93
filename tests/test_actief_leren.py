"""Active learning: uncertainty, diversity, reasons, and a simulated coding loop in which
labelling the suggested segments beats labelling random ones."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from verhalen.coderen.actief_leren import STRATEGIES, suggest_next, uncertainty
from verhalen.fouten import VerhalenFout


class FixedCoder:
    """Fake fitted coder whose probabilities we control (looked up by segment id)."""

    def __init__(self, proba: dict[str, list[float]], classes=("a", "b"), thresholds=None):
        self.proba = proba
        self.classes_ = list(classes)
        if thresholds is not None:
            self.thresholds_ = thresholds

    def predict_proba(self, X):
        return np.array([self.proba[i] for i in X["id"]], dtype=float)


class LookupEmbedder:
    name = "opzoek"

    def __init__(self, vectors: dict[str, list[float]]):
        self.vectors = vectors

    def encode(self, texts):
        return np.array([self.vectors[t] for t in texts], dtype=float)


def _frame(ids, texts=None):
    return pd.DataFrame({"id": ids, "text": texts or [f"tekst {i}" for i in ids]})


def test_uncertainty_shape_and_values():
    u = uncertainty(np.array([[0.5, 0.0, 1.0, 0.25, 0.75]]), 0.5)
    assert u.tolist() == [[1.0, 0.0, 0.0, 0.5, 0.5]]
    u = uncertainty(np.array([[0.3, 0.65]]), np.array([0.3, 0.3]))
    assert u[0, 0] == pytest.approx(1.0) and u[0, 1] == pytest.approx(0.5)


def test_uncertainty_ranks_closest_to_threshold():
    coder = FixedCoder({"zeker": [0.95, 0.02], "half": [0.5, 0.1], "twijfel": [0.45, 0.55],
                        "laag": [0.2, 0.1]})
    out = suggest_next(coder, _frame(["zeker", "half", "twijfel", "laag"]), n=4,
                       strategy="onzekerheid")
    assert out["id"].tolist() == ["twijfel", "half", "laag", "zeker"]
    assert out["rang"].tolist() == [1, 2, 3, 4]
    assert out["onzekerheid"].is_monotonic_decreasing
    top = out.iloc[0]
    assert "onzeker over" in top["reden"] and "a (kans 0.45" in top["reden"]
    assert "b (kans 0.55" in top["reden"]
    assert top["voorstel"] == ["b"]
    assert top["kansen"] == {"a": 0.45, "b": 0.55}
    assert out.iloc[3]["reden"].startswith("geen code dicht bij de drempel")
    assert out["afstand"].isna().all()


def test_coder_thresholds_are_used():
    proba = {"x": [0.2, 0.9], "y": [0.5, 0.5]}
    coder = FixedCoder(proba, thresholds={"a": 0.2, "b": 0.9})
    out = suggest_next(coder, _frame(["y", "x"]), n=2, strategy="onzekerheid")
    assert out["id"].tolist() == ["x", "y"]
    assert out.iloc[0]["voorstel"] == ["a", "b"]
    arr = suggest_next(FixedCoder(proba), _frame(["y", "x"]), n=1, strategy="onzekerheid",
                       threshold=[0.2, 0.9])
    assert arr["id"].tolist() == ["x"]


def test_exclude_ids_empty_texts_and_small_pools():
    coder = FixedCoder({"1": [0.5, 0.5], "2": [0.4, 0.5], "3": [0.1, 0.1], "4": [0.5, 0.5]})
    df = pd.DataFrame({"id": ["1", "2", "3", "4"], "text": ["een", "twee", "drie", "  "]})
    out = suggest_next(coder, df, n=10, strategy="gemengd", exclude_ids=["1"])
    assert sorted(out["id"]) == ["2", "3"]            # 1 excluded, 4 is empty
    assert suggest_next(coder, df, n=0).empty
    assert suggest_next(coder, df, exclude_ids=["1", "2", "3"]).empty
    assert list(suggest_next(coder, df, n=0).columns)[:3] == ["rang", "id", "text"]


def test_list_of_texts_input():
    class ByText:
        classes_ = ["a"]

        def predict_proba(self, X):
            return np.array([[0.5 if "twijfel" in t else 0.99] for t in X["text"]])

    out = suggest_next(ByText(), ["zeker weten", "twijfel hier", "ook zeker"], n=1,
                       strategy="onzekerheid")
    assert out.iloc[0]["id"] == "1" and out.iloc[0]["text"] == "twijfel hier"


def test_mixed_strategy_avoids_near_duplicates():
    # five near-identical, very uncertain segments and three distinct, a bit less uncertain ones
    ids = [f"dup{i}" for i in range(5)] + ["v1", "v2", "v3"]
    proba = {**{f"dup{i}": [0.5, 0.5] for i in range(5)},
             "v1": [0.35, 0.6], "v2": [0.62, 0.4], "v3": [0.4, 0.38]}
    texts = [f"bijna hetzelfde {i}" for i in range(5)] + ["ander een", "ander twee", "ander drie"]
    vectors = {t: [1.0, 0.01 * i, 0.0, 0.0] for i, t in enumerate(texts[:5])}
    vectors.update({"ander een": [0, 1, 0, 0], "ander twee": [0, 0, 1, 0],
                    "ander drie": [0, 0, 0, 1]})
    coder = FixedCoder(proba)
    df = _frame(ids, texts)
    unc = suggest_next(coder, df, n=4, strategy="onzekerheid")
    assert sum(i.startswith("dup") for i in unc["id"]) == 4       # uncertainty alone: duplicates
    mixed = suggest_next(coder, df, n=4, strategy="gemengd", embedder=LookupEmbedder(vectors))
    assert sum(i.startswith("dup") for i in mixed["id"]) == 1
    assert mixed.iloc[0]["id"].startswith("dup")                  # most uncertain goes first
    assert "verschilt van de eerdere voorstellen (afstand" in mixed.iloc[1]["reden"]
    div = suggest_next(coder, df, n=4, strategy="diversiteit", embedder=LookupEmbedder(vectors))
    assert sum(i.startswith("dup") for i in div["id"]) == 1
    assert div.iloc[0]["reden"].endswith("het meest typische segment") or \
        "typische" in div.iloc[0]["reden"]


def test_mixed_strategy_keeps_to_the_uncertain_pool_unless_cold_start():
    # 20 segments on a line of embeddings; uncertainty falls with the index
    ids = [f"s{i}" for i in range(20)]
    texts = [f"t{i}" for i in range(20)]
    vectors = {t: [np.cos(i / 6), np.sin(i / 6)] for i, t in enumerate(texts)}
    proba = {sid: [0.5 + 0.02 * i, 0.3 + 0.01 * i] for i, sid in enumerate(ids)}
    out = suggest_next(FixedCoder(proba), _frame(ids, texts), n=3,
                       embedder=LookupEmbedder(vectors), pool_factor=2)
    assert all(int(i[1:]) < 6 for i in out["id"])                 # within the top 2·3
    wide = suggest_next(FixedCoder(proba), _frame(ids, texts), n=3,
                        embedder=LookupEmbedder(vectors), pool_factor=None)
    assert any(int(i[1:]) >= 6 for i in wide["id"])
    cold = {sid: [p[0], 0.1] for sid, p in proba.items()}          # code b: no signal at all
    out = suggest_next(FixedCoder(cold), _frame(ids, texts), n=3,
                       embedder=LookupEmbedder(vectors), pool_factor=2)
    assert any(int(i[1:]) >= 6 for i in out["id"])


def test_labelled_segments_push_suggestions_away():
    ids = ["a1", "a2", "b1"]
    texts = ["aa een", "aa twee", "bb"]
    vectors = {"aa een": [1, 0], "aa twee": [0.99, 0.05], "bb": [0, 1], "al gecodeerd": [1, 0]}
    coder = FixedCoder({"a1": [0.5, 0.5], "a2": [0.5, 0.5], "b1": [0.5, 0.5]})
    labelled = pd.DataFrame({"id": ["L1"], "text": ["al gecodeerd"]})
    out = suggest_next(coder, _frame(ids, texts), n=1, strategy="diversiteit",
                       embedder=LookupEmbedder(vectors), labelled=labelled)
    assert out.iloc[0]["id"] == "b1"
    assert out.iloc[0]["afstand"] == pytest.approx(1.0)
    assert "al gecodeerde segmenten" in out.iloc[0]["reden"]


def test_tfidf_fallback_without_embedder():
    texts = ["de buurtcoach luistert naar de bewoner", "de buurtcoach luistert naar de bewoner!",
             "kosten en baten van de aanpak", "vrijwilligers in de wijk helpen elkaar"]
    coder = FixedCoder({str(i): [0.5, 0.5] for i in range(4)})
    out = suggest_next(coder, texts, n=3, strategy="gemengd")
    assert len(out) == 3 and not {"0", "1"} <= set(out["id"])   # not both near-duplicates


def test_bad_arguments():
    coder = FixedCoder({"1": [0.5, 0.5]})
    with pytest.raises(VerhalenFout, match="strategie"):
        suggest_next(coder, _frame(["1"]), strategy="willekeurig")
    with pytest.raises(VerhalenFout, match="weight"):
        suggest_next(coder, _frame(["1"]), weight=2)
    with pytest.raises(VerhalenFout, match="text"):
        suggest_next(coder, pd.DataFrame({"id": ["1"]}))
    assert set(STRATEGIES) == {"onzekerheid", "diversiteit", "gemengd"}


# --------------------------------------------------------------------------- simulated loop
CODES = ["a", "b", "c"]


def _toy(n, seed):
    """Points in a square; three linearly separable codes, two of them rare."""
    rng = np.random.default_rng(seed)
    pts = rng.uniform(-1, 1, (n, 2))
    Y = [[c for c, on in zip(CODES, (p[0] > 0.5, p[1] > 0.6, p[0] + p[1] < -0.9)) if on]
         for p in pts]
    ids = [f"s{seed}-{i}" for i in range(n)]
    return pts, Y, ids


class ToyCoder:
    """A real (tiny) learner: one logistic regression per code on the points behind the ids."""

    def __init__(self, feats):
        self.feats = feats

    def fit(self, X, Y):
        from sklearn.linear_model import LogisticRegression

        self.classes_ = CODES
        F = np.array([self.feats[i] for i in X["id"]])
        self.models_ = []
        for c in CODES:
            y = np.array([c in yy for yy in Y], dtype=int)
            if y.min() == y.max():          # one class seen so far: a constant guess
                self.models_.append(0.1 + 0.8 * float(y.mean()))
            else:
                self.models_.append(LogisticRegression(C=100).fit(F, y))
        return self

    def predict_proba(self, X):
        F = np.array([self.feats[i] for i in X["id"]])
        return np.column_stack([np.full(len(F), m) if isinstance(m, float)
                                else m.predict_proba(F)[:, 1] for m in self.models_])

    def predict(self, X):
        return (self.predict_proba(X) >= 0.5).astype(int)


class PointEmbedder:
    name = "punten"

    def __init__(self, feats):
        self.feats = feats

    def encode(self, texts):
        return np.array([np.r_[self.feats[t.split()[1]], 0.5] for t in texts])


def _loop(strategy, seed, rounds=6, batch=5):
    from sklearn.metrics import f1_score

    pts, Y, ids = _toy(300, seed)
    tpts, tY, tids = _toy(300, seed + 1000)
    feats = {**dict(zip(ids, pts)), **dict(zip(tids, tpts))}
    pool = pd.DataFrame({"id": ids, "text": [f"punt {i}" for i in ids]})
    test = pd.DataFrame({"id": tids, "text": [f"punt {i}" for i in tids]})
    rng = np.random.default_rng(seed)
    labelled = [int(i) for i in rng.choice(len(ids), 8, replace=False)]
    pos = {sid: n for n, sid in enumerate(ids)}
    for _ in range(rounds):
        coder = ToyCoder(feats).fit(pool.iloc[labelled], [Y[i] for i in labelled])
        if strategy == "willekeurig":
            rest = [i for i in range(len(ids)) if i not in set(labelled)]
            labelled += [int(i) for i in rng.choice(rest, batch, replace=False)]
        else:
            sug = suggest_next(coder, pool, n=batch, strategy=strategy,
                               embedder=PointEmbedder(feats),
                               exclude_ids=[ids[i] for i in labelled])
            labelled += [pos[s] for s in sug["id"]]
    assert len(set(labelled)) == len(labelled) == 8 + rounds * batch
    coder = ToyCoder(feats).fit(pool.iloc[labelled], [Y[i] for i in labelled])
    truth = np.array([[c in y for c in CODES] for y in tY], dtype=int)
    return f1_score(truth, coder.predict(test), average="macro", zero_division=0)


def test_suggested_segments_beat_random_selection():
    seeds = range(6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rand = np.array([_loop("willekeurig", s) for s in seeds])
        mixed = np.array([_loop("gemengd", s) for s in seeds])
    # same labelling budget (38 segments): the default strategy learns the codes better
    assert mixed.mean() > rand.mean() + 0.02, (mixed, rand)
    assert (mixed >= rand).sum() >= 5, (mixed, rand)
