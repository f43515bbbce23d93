"""Re-run caches (verhalen.cache): the spaCy analysis cache behind coderen.basis.prepare and the
per-file reading cache behind read_corpus give exactly what a fresh computation gives, are
keyed by pipeline and content, and never break a run (a bad cache file only warns)."""

from __future__ import annotations

import shutil
import sqlite3
import warnings

import pandas as pd
import pytest

from verhalen.cache import (NLP_CACHE_FILE, READ_CACHE_FILE, CacheWaarschuwing, LazyNLP,
                            NLPCache, ReadCache, analyse_texts, nlp_identity, pipeline_info_of)
from verhalen.coderen import RuleCoder
from verhalen.coderen.basis import prepare
from verhalen.lezen import read_corpus
from verhalen.nlp import pipeline_info


@pytest.fixture(scope="module")
def demo_segments(demo_dir, nlp):
    return read_corpus(demo_dir, nlp=nlp, progress=False, cache=False).segments_df()


def _same_batch(a, b):
    assert a.ids == b.ids
    assert a.texts == b.texts
    assert a.sentences == b.sentences
    assert a.tokens == b.tokens
    assert list(a.empty) == list(b.empty)


def _same_corpus(a, b):
    pd.testing.assert_frame_equal(a.segments_df(), b.segments_df())
    pd.testing.assert_frame_equal(a.documents_df(), b.documents_df())
    pd.testing.assert_frame_equal(a.people, b.people)
    assert a.meta == b.meta


# -- NLP analysis cache ----------------------------------------------------------------------
def test_cached_prepare_equals_uncached(demo_segments, nlp, tmp_path):
    texts = demo_segments["text"].tolist() + ["", "   ", "Eén zin zonder punt",
                                              "IN HOOFDLETTERS. Twee zinnen!"]
    frame = pd.DataFrame({"id": [f"s{i}" for i in range(len(texts))], "text": texts})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")        # the empty segments warn (CoderWaarschuwing)
        fresh = prepare(frame, nlp, cache=False)
        store = NLPCache(tmp_path)
        first = prepare(frame, nlp, cache=store)          # computes and stores
        assert store.misses == len(texts)
        second = prepare(frame, nlp, cache=store)         # everything from the cache
    assert store.hits == len(texts)
    _same_batch(fresh, first)
    _same_batch(fresh, second)
    # with the reader's sentence offsets as well (the DataFrame path of the coders)
    _same_batch(prepare(demo_segments, nlp, cache=False),
                prepare(demo_segments, nlp, cache=store))
    assert (tmp_path / NLP_CACHE_FILE).exists()


def test_coder_output_same_with_cache(demo_segments, nlp, tmp_path):
    plain = RuleCoder("impact", nlp=nlp)
    plain.nlp_cache = False
    cached = RuleCoder("impact", nlp=nlp)
    cached.nlp_cache = NLPCache(tmp_path)
    expected = plain.code(demo_segments)
    cached.code(demo_segments)                            # fills the cache
    got = cached.code(demo_segments)
    assert cached.nlp_cache.hits == len(demo_segments)
    pd.testing.assert_frame_equal(expected, got)
    assert sum(len(c) for c in got["codes"]) > 0         # the comparison is not vacuous


def test_cache_is_keyed_by_pipeline(nlp, tmp_path):
    import spacy

    texts = ["De buurtwerker luisterde naar de bewoners.", "Wij maakten samen een plan."]
    store = NLPCache(tmp_path)
    store.analyse(texts, nlp)
    other = spacy.blank("nl")
    other.add_pipe("sentencizer")                         # no lemmatizer: other lemmas
    assert nlp_identity(other) != nlp_identity(nlp)
    before = store.misses
    got = store.analyse(texts, other)
    assert store.misses == before + len(texts)            # nothing reused across pipelines
    assert got == analyse_texts(texts, other)
    assert got != analyse_texts(texts, nlp)              # (lemmas differ: 'luisterde')
    # the same pipeline hits again
    hits = store.hits
    store.analyse(texts, nlp)
    assert store.hits == hits + len(texts)


def test_unknown_pipeline_object_is_not_cached(tmp_path, nlp):
    class Wrapper:                                        # no spaCy meta: no identity
        def pipe(self, texts, batch_size=64):
            return nlp.pipe(texts, batch_size=batch_size)

    store = NLPCache(tmp_path)
    assert nlp_identity(Wrapper()) is None
    assert store.analyse(["Een zin."], Wrapper()) == analyse_texts(["Een zin."], nlp)
    assert store.hits == store.misses == 0


def test_lazy_pipeline_identity_without_loading(nlp):
    lazy = LazyNLP()
    assert nlp_identity(lazy) == nlp_identity(nlp)
    assert pipeline_info_of(lazy) == pipeline_info(nlp)
    assert not lazy.loaded                                # known without loading spaCy
    assert [t.text for t in lazy("Twee woorden")] == ["Twee", "woorden"]
    assert lazy.loaded


def test_corrupt_cache_file_warns_and_computes(demo_segments, nlp, tmp_path):
    (tmp_path / NLP_CACHE_FILE).write_bytes(b"dit is geen sqlite-bestand" * 100)
    seg = demo_segments.head(20)
    with pytest.warns(CacheWaarschuwing, match=NLP_CACHE_FILE):
        got = prepare(seg, nlp, cache=NLPCache(tmp_path))
    _same_batch(prepare(seg, nlp, cache=False), got)


def test_damaged_entry_is_recomputed(nlp, tmp_path):
    texts = ["Het wijkteam kwam elke week langs.", "Daarna ging het beter."]
    store = NLPCache(tmp_path)
    expected = store.analyse(texts, nlp)
    store.close()
    with sqlite3.connect(tmp_path / NLP_CACHE_FILE) as conn:
        conn.execute("UPDATE cache SET value = ?", (b"kapot",))
    store = NLPCache(tmp_path)
    assert store.analyse(texts, nlp) == expected
    assert store.misses == len(texts)
    assert NLPCache(tmp_path).analyse(texts, nlp) == expected   # and it was repaired


def test_locked_cache_file_warns_and_computes(nlp, tmp_path):
    NLPCache(tmp_path).analyse(["Eerst één tekst."], nlp)
    holder = sqlite3.connect(tmp_path / NLP_CACHE_FILE)
    holder.execute("BEGIN EXCLUSIVE")                     # another process is writing
    try:
        texts = ["Een nieuwe tekst die opgeslagen moet worden.", "Nog een."]
        with pytest.warns(CacheWaarschuwing, match="zonder cache"):
            got = NLPCache(tmp_path, timeout=0.2).analyse(texts, nlp)
        assert got == analyse_texts(texts, nlp)
    finally:
        holder.rollback()
        holder.close()


# -- reading cache ---------------------------------------------------------------------------
def test_reading_cache_returns_identical_corpus(demo_dir, nlp, tmp_path):
    folder = tmp_path / "corpus"
    shutil.copytree(demo_dir, folder)
    fresh = read_corpus(folder, nlp=nlp, progress=False, cache=False)
    store = ReadCache(tmp_path / "cache")
    first = read_corpus(folder, nlp=nlp, progress=False, cache=store)
    n_files = first.meta["gelezen"]
    assert store.misses == n_files and store.hits == 0
    lazy = LazyNLP()
    second = read_corpus(folder, nlp=lazy, progress=False, cache=store)
    assert store.hits == n_files
    assert not lazy.loaded                                # nothing read: spaCy not needed
    _same_corpus(fresh, first)
    _same_corpus(fresh, second)
    # what the coders get is the same as well
    _same_batch(prepare(fresh.segments_df(), nlp, cache=False),
                prepare(second.segments_df(), nlp, cache=False))


def test_reading_cache_invalidated_when_file_changes(demo_dir, nlp, tmp_path):
    folder = tmp_path / "corpus"
    shutil.copytree(demo_dir, folder)
    store = ReadCache(tmp_path / "cache")
    read_corpus(folder, nlp=nlp, progress=False, cache=store)
    target = sorted(p for p in folder.rglob("*.txt"))[0]
    target.write_text(target.read_text(encoding="utf-8")
                      + "\n\nEen nieuwe alinea: de buurtcoach belde Fatima elke week op.\n",
                      encoding="utf-8")
    misses = store.misses
    changed = read_corpus(folder, nlp=nlp, progress=False, cache=store)
    assert store.misses > misses
    assert any("nieuwe alinea" in t for t in changed.segments_df()["text"])
    _same_corpus(read_corpus(folder, nlp=nlp, progress=False, cache=False), changed)


def test_reading_cache_single_file_and_options(tmp_path, nlp):
    path = tmp_path / "verhalen.csv"
    path.write_text("id,verteller,rol,verhaal\n1,Anna de Vries,bewoner,Ik kreeg hulp van het "
                    "wijkteam. Dat hielp.\n2,Tom Bakker,professional,We werkten samen met de "
                    "school.\n", encoding="utf-8")
    store = ReadCache(tmp_path / "cache")
    a = read_corpus(path, nlp=nlp, progress=False, cache=store)
    b = read_corpus(path, nlp=nlp, progress=False, cache=store)
    assert store.hits == 1
    _same_corpus(a, b)
    read_corpus(path, nlp=nlp, progress=False, cache=store, text_column="verhaal")
    assert store.misses == 2                              # other reader options: read again
    people = pd.DataFrame({"naam": ["Anna de Vries"], "rol": ["onderzoeker"]})
    c = read_corpus(path, nlp=nlp, progress=False, cache=store, people=people)
    assert store.misses == 3                              # other people known: read again
    _same_corpus(read_corpus(path, nlp=nlp, progress=False, cache=False, people=people), c)


def test_corrupt_reading_cache_warns_and_reads(tmp_path, nlp):
    path = tmp_path / "verhaal.txt"
    path.write_text("De jongerenwerker bleef in contact met de jongen.\n", encoding="utf-8")
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / READ_CACHE_FILE).write_bytes(b"\x00kapot" * 500)
    with pytest.warns(CacheWaarschuwing):
        got = read_corpus(path, nlp=nlp, progress=False, cache=ReadCache(tmp_path / "cache"))
    _same_corpus(read_corpus(path, nlp=nlp, progress=False, cache=False), got)


def test_cache_files_private(nlp, tmp_path):
    NLPCache(tmp_path).analyse(["Een verhaal over een bewoner."], nlp)
    assert (tmp_path / NLP_CACHE_FILE).stat().st_mode & 0o777 == 0o600


def test_concurrent_processes_share_a_cache(tmp_path):
    """Two processes writing the same cache file at once (WAL + busy timeout): no warning, no
    lost entry."""
    import subprocess
    import sys

    from verhalen.cache import _Store

    script = (
        "import sys, warnings\n"
        "warnings.simplefilter('error')\n"
        "from pathlib import Path\n"
        "from verhalen.cache import _Store\n"
        "s = _Store(Path(sys.argv[1]))\n"
        "for i in range(40):\n"
        "    s.put_many([(f'{sys.argv[2]}-{i}-{j}', b'x' * 2000) for j in range(25)])\n"
        "    assert len(s.get_many([f'{sys.argv[2]}-{i}-0'])) == 1\n"
    )
    path = tmp_path / "gedeeld.sqlite"
    procs = [subprocess.Popen([sys.executable, "-c", script, str(path), name],
                              stderr=subprocess.PIPE, text=True) for name in ("a", "b")]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    keys = [f"{n}-{i}-{j}" for n in ("a", "b") for i in range(40) for j in range(25)]
    assert len(_Store(path).get_many(keys)) == len(keys)
