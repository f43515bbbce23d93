"""What `verhalen analyse` loads: the command line without the topic and model stacks,
BERTopic without sentence-transformers, transformers, torch and plotly's figure factory (and
those still reachable), the numba cache of UMAP in the verhalen cache, lemmas for the topic
model from the spaCy cache without loading spaCy, and spaCy's stop words without spaCy.

Each import check runs in a fresh process: what this test process imported says nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
HEAVY = ("sentence_transformers", "transformers", "torch", "plotly.figure_factory",
         "nbformat", "jsonschema")


def _run(code: str, tmp_path: Path, cache: Path | None = None) -> dict:
    env = dict(os.environ, PYTHONPATH=str(SRC) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("NUMBA_CACHE_DIR", None)
    if cache is not None:
        env["VERHALEN_CACHE"] = str(cache)
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env,
                          capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT "))
    return json.loads(line[len("RESULT "):])


@pytest.fixture(scope="module")
def shared_cache(tmp_path_factory) -> Path:
    """One verhalen cache for the import checks: pynndescent compiles once, not per test."""
    return tmp_path_factory.mktemp("laden-cache")


def test_command_line_imports_no_model_stack(tmp_path):
    """Parsing the command line (every command module) imports neither the topic stack nor
    sentence-transformers, torch, spaCy or plotly: those cost seconds and load when a step
    needs them."""
    res = _run('''
        import json, sys
        import verhalen, verhalen.cli.main as cli
        cli.build_parser()
        heavy = ("sentence_transformers", "transformers", "torch", "bertopic", "umap",
                 "hdbscan", "numba", "spacy", "plotly", "deduce")
        print("RESULT " + json.dumps(sorted(m for m in heavy if m in sys.modules)))
    ''', tmp_path)
    assert res == []


def test_bertopic_without_the_parts_the_topic_step_does_not_run(tmp_path, shared_cache):
    res = _run('''
        import importlib.util, json, sys
        from verhalen.themas.laden import import_bertopic
        BERTopic = import_bertopic()
        out = {"class": BERTopic.__module__,
               "loaded": sorted(m for m in %r if m in sys.modules)}
        # everything BERTopic exports is still there, imported on first use
        import bertopic, bertopic.backend, bertopic.representation, bertopic._bertopic
        from bertopic.backend import MultiModalBackend
        from bertopic.representation import (PartOfSpeech, TextGeneration,
                                             VisualRepresentation, ZeroShotClassification)
        out["exports"] = [c.__module__ for c in (MultiModalBackend, TextGeneration,
                          ZeroShotClassification, VisualRepresentation, PartOfSpeech)]
        out["plotting"] = bertopic._bertopic.plotting.visualize_barchart.__module__
        out["same_plotting"] = sys.modules["bertopic.plotting"] is bertopic.plotting
        out["has_torch"] = bertopic._bertopic.save_utils._has_torch
        out["torch_installed"] = importlib.util.find_spec("torch") is not None
        from bertopic.backend._sentencetransformers import SentenceTransformerBackend
        out["st_backend"] = SentenceTransformerBackend.__module__
        print("RESULT " + json.dumps(out))
    ''' % (HEAVY,), tmp_path, shared_cache)
    assert res["class"] == "bertopic._bertopic"
    assert res["loaded"] == []
    assert res["exports"] == ["bertopic.backend._multimodal",
                              "bertopic.representation._textgeneration",
                              "bertopic.representation._zeroshot",
                              "bertopic.representation._visual",
                              "bertopic.representation._pos"]
    assert res["plotting"] == "bertopic.plotting._barchart"
    assert res["same_plotting"] is True
    assert res["has_torch"] == res["torch_installed"]
    assert res["st_backend"] == "bertopic.backend._sentencetransformers"


def test_bertopic_already_imported_is_used_as_it_is(tmp_path, shared_cache):
    res = _run('''
        import json, sys
        import bertopic
        from verhalen.themas.laden import import_bertopic
        print("RESULT " + json.dumps([import_bertopic() is bertopic.BERTopic,
                                      "sentence_transformers" in sys.modules]))
    ''', tmp_path, shared_cache)
    assert res == [True, True]


def test_umap_compiled_functions_are_cached_in_the_verhalen_cache(tmp_path, shared_cache):
    """UMAP's own jitted functions get a numba cache under VERHALEN_CACHE/numba/<versions>
    (pynndescent's too); numba's global setting is left as it was."""
    res = _run('''
        import json
        from numba.core import config
        before = config.CACHE_DIR
        from verhalen.themas.laden import import_umap, numba_cache_dir
        import_umap()
        import umap.umap_, umap.utils, umap.layouts, pynndescent.utils
        from numba.core.caching import NullCache
        fns = [umap.utils.fast_knn_indices, umap.umap_.smooth_knn_dist,
               umap.umap_.compute_membership_strengths,
               umap.layouts._nb_optimize_layout_euclidean_single_epoch,
               pynndescent.utils.make_heap]
        print("RESULT " + json.dumps({
            "root": str(numba_cache_dir()),
            "paths": [f._cache._cache_path for f in fns],
            "null": [isinstance(f._cache, NullCache) for f in fns],
            "config": [before, config.CACHE_DIR]}))
    ''', tmp_path, shared_cache)
    root = Path(res["root"])
    assert root.parent == shared_cache / "numba"
    assert res["null"] == [False] * 5
    assert all(Path(p).is_relative_to(root) for p in res["paths"]), res["paths"]
    assert res["config"][0] == res["config"][1]


def test_numba_cache_key_follows_the_library_versions(tmp_path, monkeypatch):
    from verhalen.themas import laden

    a = laden.numba_cache_dir(tmp_path)
    assert a == laden.numba_cache_dir(tmp_path) and a.parent == tmp_path / "numba"
    real = laden.NUMBA_PACKAGES
    monkeypatch.setattr(laden, "NUMBA_PACKAGES", real + ("verhalen-bestaat-niet",))
    assert laden.numba_cache_dir(tmp_path) != a


def test_warm_up_fills_the_umap_part_without_pynndescent(tmp_path):
    """The warm-up process for UMAP compiles what a small-corpus fit runs while pynndescent
    is a stand-in (so it need not wait for pynndescent's compilation), and marks it done."""
    res = _run('''
        import json, sys
        from verhalen.themas.laden import _warm_up, numba_cache_dir, warm_marker
        path = numba_cache_dir()
        _warm_up(path, "umap")
        print("RESULT " + json.dumps({
            "marker": warm_marker(path, "umap").is_file(),
            "stand_in": not hasattr(sys.modules["pynndescent"], "__file__"),
            "indexes": sorted(p.name.split(".")[1].rsplit("-", 1)[0]
                              for p in path.rglob("*.nbi"))}))
    ''', tmp_path, tmp_path / "cache")
    assert res["marker"] and res["stand_in"]
    for fn in ("fast_knn_indices", "smooth_knn_dist", "compute_membership_strengths",
               "_optimize_layout_euclidean_single_epoch"):
        assert fn in res["indexes"], res["indexes"]


def test_stop_words_without_importing_spacy(tmp_path):
    res = _run('''
        import json, sys
        from verhalen.nlp import stop_words
        words = stop_words()
        loaded = "spacy" in sys.modules
        from spacy.lang.nl.stop_words import STOP_WORDS
        fillers = {"gewoon", "eigenlijk", "natuurlijk", "echt", "heel", "zeggen", "zegt",
                   "vertelt", "ja", "nou", "hè", "even"}
        print("RESULT " + json.dumps([loaded, words == frozenset(STOP_WORDS) | fillers,
                                      len(STOP_WORDS)]))
    ''', tmp_path)
    assert res[0] is False
    assert res[1] is True
    assert res[2] > 100


TRICKY = ["Bewoners vertelden dat de wijkteams VERTROUWEN opbouwden, stap voor stap.",
          "İstanbul en Ærø: 3e keer, co-creatie, ’s avonds en zó’n gesprek — 12 mensen.",
          "DE GEMEENTE BETAALT; de buurtcoach luistert zonder oordeel.",
          "ﬁnanciering (ligatuur) en ŉ oude apostrof, ǅ titel-hoofdletter.",
          "   ", "ok"]


def test_topic_lemmas_from_the_cache_equal_spacy_and_need_no_spacy(tmp_path, demo_dir):
    """lemma_documents gives the same lemmas from the spaCy cache as from spaCy itself, and
    with a warm cache a LazyNLP stays unloaded."""
    from verhalen.cache import LazyNLP, NLPCache
    from verhalen.lezen import read_corpus
    from verhalen.themas.model import lemma_documents

    demo = read_corpus(demo_dir, cache=False).segments_df()["text"].tolist()
    texts = demo + TRICKY
    direct = lemma_documents(texts, cache=False)
    store = NLPCache(tmp_path)
    first = lemma_documents(texts, cache=store)
    store.close()
    store = NLPCache(tmp_path)
    second = lemma_documents(texts, nlp=LazyNLP(), cache=store)
    store.close()
    assert first == direct
    assert second == direct      # "İstanbul" lower-cases longer: that text asks spaCy itself
    assert store.hits == len(texts) and store.misses == 0
    assert any(d for d in direct)       # not a vacuous comparison
    lazy = LazyNLP()
    store = NLPCache(tmp_path)
    assert lemma_documents(demo, nlp=lazy, cache=store) == direct[: len(demo)]
    store.close()
    assert lazy.loaded is False


@pytest.mark.slow
def test_warm_analyse_loads_neither_spacy_nor_the_model_stacks(tmp_path, demo_dir):
    """`verhalen analyse` run again on the same material (caches filled) needs no spaCy, no
    torch and no sentence-transformers, and gives the same files."""
    code = '''
        import json, sys
        from verhalen.cli.main import main
        code = main(["analyse", sys.argv[1], "--uit", sys.argv[2], "--stil"])
        heavy = ("spacy", "torch", "transformers", "sentence_transformers",
                 "plotly.figure_factory")
        print("RESULT " + json.dumps([code, sorted(m for m in heavy if m in sys.modules)]))
    '''
    env = dict(os.environ, PYTHONPATH=str(SRC), VERHALEN_CACHE=str(tmp_path / "cache"))
    env.pop("NUMBA_CACHE_DIR", None)
    outs = []
    for n in (1, 2):
        out = tmp_path / f"uit{n}"
        proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code), str(demo_dir),
                               str(out)], env=env, capture_output=True, text=True, timeout=900)
        assert proc.returncode == 0, proc.stderr[-3000:]
        line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT "))
        outs.append((out, json.loads(line[len("RESULT "):])))
    assert outs[0][1][0] == 0 and outs[1][1][0] == 0
    assert outs[1][1][1] == [], outs[1][1][1]
    for name in ("segments.jsonl", "codes.jsonl", "themas.jsonl", "themas_tabel.csv"):
        assert (outs[0][0] / name).read_bytes() == (outs[1][0] / name).read_bytes(), name
