"""Re-run caches on disk: what spaCy found in a text, and what a reader made of a file.

A researcher who re-runs an analysis on a mostly unchanged folder should only wait for the
changed material. Next to the embedding cache (``verhalen.embed``) this module keeps two
SQLite files in the same cache root (``VERHALEN_CACHE`` or ``~/.cache/verhalen``):

* ``nlp-analyse.sqlite`` — per text, the spaCy analysis the coders need
  (``coderen.basis.prepare``): sentence spans and, for every token with a letter or digit,
  (lemma, lower form, character offset). Keyed by the pipeline's identity
  (:func:`nlp_identity`: name, versions, components) and the SHA-1 of the text.
* ``lezen.sqlite`` — per input file, the documents ``read_corpus`` built from it and the
  people index after it. Keyed by the file's content hash, its path and document id, the
  reader options, the people known before the file, the pipeline identity and the reader's
  code identity (source of the readers + versions of the libraries they use), so an edited
  reader or a changed file is read again.

Both use WAL mode and a busy timeout (safe with concurrent processes). A cache that cannot be
opened or read (corrupt, locked, read-only) only costs time: a ``CacheWaarschuwing`` is issued
and the work is computed as without cache. Values are compressed (zlib); the reading cache
stores pickles, so only point ``VERHALEN_CACHE`` at a folder you own. The files hold the texts
(lower-cased tokens, whole documents), so they are created readable by the owner only; they are
never pruned: delete them to empty the caches (sizes measured on 10,000 stories / 20,055
segments: ``nlp-analyse.sqlite`` 10.6 MiB, ``lezen.sqlite`` 2.5 MiB). Pass ``cache=False`` to
``read_corpus`` / ``prepare`` (or set ``coder.nlp_cache = False``) to keep a text out of them.

:class:`LazyNLP` is a stand-in for a spaCy pipeline that loads it on first use: with both
caches warm a re-run never imports spaCy (which with torch installed costs ~5 s here).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import os
import pickle
import sqlite3
import threading
import warnings
import zlib
from pathlib import Path
from typing import Any, Iterable, Sequence

__all__ = ["CacheWaarschuwing", "LazyNLP", "NLPCache", "ReadCache", "nlp_identity",
           "pipeline_info_of", "analyse_doc", "analyse_texts", "cached_analyses", "default_cache_dir",
           "NLP_CACHE_FILE", "READ_CACHE_FILE"]

NLP_CACHE_FILE = "nlp-analyse.sqlite"
READ_CACHE_FILE = "lezen.sqlite"
#: bump when the stored analysis or the stored reading result changes shape
FORMAT = 2
_CHUNK = 900          # SQLite's parameter limit is 999


class CacheWaarschuwing(UserWarning):
    """A cache could not be used; the work is done without it."""


def default_cache_dir() -> Path:
    """The cache root shared with the embedding cache (``VERHALEN_CACHE`` or
    ``~/.cache/verhalen``)."""
    from .embed import default_cache_dir as root

    return root()


def _version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "-"


# -- pipeline identity ----------------------------------------------------------------------
class LazyNLP:
    """A spaCy pipeline that is loaded (``verhalen.nlp.load_nlp(model)``) on first use.

    Attribute access, ``pipe`` and calling are passed to the loaded pipeline. The caches ask
    :func:`nlp_identity` / :func:`pipeline_info_of`, which for the fallback pipeline are known
    without loading it, so a fully cached re-run does not load spaCy at all.
    """

    def __init__(self, model: str | None = None):
        self.__dict__["model"] = model
        self.__dict__["_nlp"] = None

    @property
    def loaded(self) -> bool:
        return self._nlp is not None

    def load(self):
        if self._nlp is None:
            from .nlp import load_nlp

            self.__dict__["_nlp"] = load_nlp(self.model)
        return self._nlp

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.load(), name)

    def __call__(self, *args, **kwargs):
        return self.load()(*args, **kwargs)

    def __repr__(self) -> str:
        return f"LazyNLP({self.model!r}, geladen={self.loaded})"

    def __getstate__(self):          # pickled without the pipeline: loaded again on use
        return {"model": self.model, "_nlp": None}

    def __setstate__(self, state):
        self.__dict__.update(state)

    def _fallback_without_loading(self) -> bool:
        """True when ``load_nlp(self.model)`` would build the fallback pipeline."""
        from .nlp import PREFERRED_MODELS

        if self.model == "blank":
            return True
        if self.model is None:
            return not any(importlib.util.find_spec(m) is not None for m in PREFERRED_MODELS)
        return False


def _fallback_identity(lemmatizer: str, pipes: Sequence[str]) -> str:
    from .nlp import FALLBACK_NAME

    return (f"{FALLBACK_NAME}|spacy {_version('spacy')}|lookups "
            f"{_version('spacy-lookups-data')}|lemmatizer {lemmatizer}|{','.join(pipes)}")


def _lazy_fallback_lemmatizer() -> str:
    return "lookup" if importlib.util.find_spec("spacy_lookups_data") is not None else "none"


def nlp_identity(nlp) -> str | None:
    """A string that changes whenever the pipeline would analyse a text differently: its name,
    version, spaCy (and lookup table) version and components. ``None`` for an object that is
    not a recognisable spaCy pipeline (then nothing is cached)."""
    from .nlp import FALLBACK_NAME

    if isinstance(nlp, LazyNLP):
        if not nlp.loaded and nlp._fallback_without_loading():
            lem = _lazy_fallback_lemmatizer()
            return _fallback_identity(lem, ["sentencizer"] + (["lemmatizer"] if lem != "none" else []))
        nlp = nlp.load()
    meta = getattr(nlp, "meta", None)
    pipes = getattr(nlp, "pipe_names", None)
    if not isinstance(meta, dict) or pipes is None:
        return None
    if meta.get("name") == FALLBACK_NAME:
        return _fallback_identity(meta.get("verhalen_lemmatizer", "none"), list(pipes))
    return (f"{meta.get('lang', '?')}_{meta.get('name', '?')}|{meta.get('version', '?')}|spacy "
            f"{_version('spacy')}|{','.join(pipes)}")


def pipeline_info_of(nlp):
    """``verhalen.nlp.pipeline_info`` that does not load a :class:`LazyNLP` fallback."""
    from .nlp import FALLBACK_NAME, PipelineInfo, pipeline_info

    if isinstance(nlp, LazyNLP) and not nlp.loaded and nlp._fallback_without_loading():
        return PipelineInfo(FALLBACK_NAME, _version("spacy"), False, False,
                            _lazy_fallback_lemmatizer())
    return pipeline_info(nlp.load() if isinstance(nlp, LazyNLP) else nlp)


# -- the SQLite store ------------------------------------------------------------------------
class _Store:
    """One SQLite file with a (key TEXT PRIMARY KEY, value BLOB) table. Every failure of the
    file warns once and turns the store off for this object; the caller then computes."""

    def __init__(self, path: Path, timeout: float = 10.0):
        self.path = Path(path)
        self.timeout = timeout
        self.broken = False
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def _fail(self, exc: Exception, what: str) -> None:
        if not self.broken:
            warnings.warn(f"Cache {self.path} kon niet {what} worden ({exc}); er wordt zonder "
                          "cache gerekend (alleen langzamer).", CacheWaarschuwing, stacklevel=4)
        self.broken = True
        self.close()

    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if not self.path.exists():
                # the caches hold the texts (stories about people): readable by the owner only;
                # SQLite gives the -wal and -shm files the same permissions
                os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
            conn = sqlite3.connect(self.path, timeout=self.timeout, check_same_thread=False)
            try:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")   # a cache: no fsync per commit
                conn.execute("CREATE TABLE IF NOT EXISTS cache (key TEXT PRIMARY KEY, "
                             "value BLOB NOT NULL)")
                conn.commit()
            except Exception:
                conn.close()
                raise
            self._conn = conn
        return self._conn

    def get_many(self, keys: Sequence[str]) -> dict[str, bytes]:
        if self.broken or not keys:
            return {}
        found: dict[str, bytes] = {}
        try:
            with self._lock:
                db = self._db()
                uniq = list(dict.fromkeys(keys))
                for i in range(0, len(uniq), _CHUNK):
                    chunk = uniq[i : i + _CHUNK]
                    q = f"SELECT key, value FROM cache WHERE key IN ({','.join('?' * len(chunk))})"
                    found.update(db.execute(q, chunk).fetchall())
        except (sqlite3.Error, OSError) as exc:
            self._fail(exc, "gelezen")
            return {}
        return found

    def put_many(self, items: Iterable[tuple[str, bytes]]) -> None:
        items = list(items)
        if self.broken or not items:
            return
        try:
            with self._lock:
                db = self._db()
                with db:
                    db.executemany("INSERT OR REPLACE INTO cache VALUES (?, ?)", items)
        except (sqlite3.Error, OSError) as exc:
            self._fail(exc, "bijgewerkt")

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except sqlite3.Error:
                pass
            self._conn = None


# -- the NLP analysis cache -----------------------------------------------------------------
#: per text: (sentence spans [(start, end)], then for every token with a letter or digit, in
#: text order, three columns: lemmas, lower forms, character offsets)
Analysis = tuple[list[tuple[int, int]], list[str], list[str], list[int]]


def analyse_doc(doc) -> Analysis:
    """What ``prepare`` needs from a spaCy Doc: the non-blank sentence spans, and for every
    token with a letter or digit its lower-cased lemma (or form), lower form and offset."""
    spans = [(s.start_char, s.end_char) for s in doc.sents if s.text.strip()]
    lems, lows, idxs = [], [], []
    for t in doc:
        text = t.text
        if not any(ch.isalnum() for ch in text):
            continue
        lems.append((t.lemma_ or text).lower())
        lows.append(t.lower_)
        idxs.append(t.idx)
    return spans, lems, lows, idxs


_SEP = "\x1f"   # unit separator: joins the token strings of one text


def _encode(a: Analysis) -> bytes:
    spans, lems, lows, idxs = a
    flat = [x for ab in spans for x in ab]
    # columns: spans, offsets, lower forms joined, lemmas only where they differ from the
    # lower form (most tokens) — compact, and decoded by split instead of per token
    if any(_SEP in x for x in lows) or any(_SEP in x for x in lems):
        rec: list = [0, flat, lems, lows, idxs]
    else:
        rec = [1, flat, idxs, _SEP.join(lows),
               [[n, lem] for n, (lem, low) in enumerate(zip(lems, lows)) if lem != low]]
    return zlib.compress(json.dumps(rec, ensure_ascii=False, separators=(",", ":")).encode(), 6)


def _decode(blob: bytes) -> Analysis:
    rec = json.loads(zlib.decompress(blob))
    flat = rec[1]
    spans = list(zip(flat[0::2], flat[1::2]))
    if rec[0] == 0:
        lems, lows, idxs = rec[2], rec[3], rec[4]
    else:
        idxs, lows = rec[2], (rec[3].split(_SEP) if rec[2] else [])
        lems = list(lows)
        for n, lem in rec[4]:
            lems[n] = lem
    if not (len(lems) == len(lows) == len(idxs)):
        raise ValueError("beschadigde cache-regel")
    return spans, lems, lows, idxs


class _CacheFile:
    """One cache file ``cache_dir/FILE`` with hit and miss counters (NLPCache, ReadCache)."""

    FILE = ""

    def __init__(self, cache_dir: str | Path | None = None, timeout: float = 10.0):
        self.cache_dir = Path(cache_dir) if cache_dir else default_cache_dir()
        self.path = self.cache_dir / self.FILE
        self._store = _Store(self.path, timeout)
        self.hits = 0
        self.misses = 0

    @property
    def broken(self) -> bool:
        return self._store.broken

    def close(self) -> None:
        self._store.close()


class NLPCache(_CacheFile):
    """The spaCy analysis per text in ``cache_dir/nlp-analyse.sqlite`` (see module doc)."""

    FILE = NLP_CACHE_FILE

    def analyse(self, texts: Sequence[str], nlp, batch_size: int = 64) -> list[Analysis]:
        """The analysis of every text: from the cache where the same pipeline saw the same
        text before, the rest in one batched ``nlp.pipe`` call (and stored)."""
        texts = list(texts)
        ident = nlp_identity(nlp)
        if ident is None or self._store.broken:
            return analyse_texts(texts, nlp, batch_size)
        salt = f"{FORMAT}|{ident}|".encode()
        keys = [hashlib.sha1(salt + t.encode("utf-8", "surrogatepass")).hexdigest() for t in texts]
        blobs = self._store.get_many(keys)
        out: list[Analysis | None] = [None] * len(texts)
        for n, k in enumerate(keys):
            blob = blobs.get(k)
            if blob is not None:
                try:
                    out[n] = _decode(blob)
                except (ValueError, TypeError, IndexError, zlib.error):
                    out[n] = None      # a damaged entry is recomputed and replaced
        todo = [n for n, a in enumerate(out) if a is None]
        self.hits += len(texts) - len(todo)
        self.misses += len(todo)
        if todo:
            computed = analyse_texts([texts[n] for n in todo], nlp, batch_size)
            new: dict[str, bytes] = {}
            for n, a in zip(todo, computed):
                out[n] = a
                new[keys[n]] = _encode(a)
            self._store.put_many(new.items())
        return out  # type: ignore[return-value]


def cached_analyses(texts: Sequence[str], nlp, cache: "NLPCache | bool | None" = None) -> list[Analysis]:
    """The analysis of every text through ``cache``: an open :class:`NLPCache`, ``None`` for
    one in the cache root (opened and closed here), or ``False`` for no cache."""
    if cache is False:
        return analyse_texts(texts, nlp)
    store = cache if cache is not None else NLPCache()
    try:
        return store.analyse(texts, nlp)
    finally:
        if cache is None:
            store.close()


def analyse_texts(texts: Sequence[str], nlp, batch_size: int = 64) -> list[Analysis]:
    """:func:`analyse_doc` of every text, without cache."""
    if not texts:
        return []
    return [analyse_doc(doc) for doc in nlp.pipe(list(texts), batch_size=batch_size)]


# -- the reading cache ----------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def reader_code_identity() -> str:
    """Hash of the reader's source (``verhalen.lezen``, the data model, the NLP loader, this
    module) and the versions of the libraries that shape what a reader returns."""
    from .versie import __version__

    here = Path(__file__).resolve().parent
    files = sorted((here / "lezen").glob("*.py")) + [here / "model.py", here / "nlp.py",
                                                       here / "cache.py"]
    h = hashlib.sha1(f"{FORMAT}|{__version__}".encode())
    for f in files:
        try:
            h.update(f.name.encode() + b"\0" + f.read_bytes())
        except OSError:
            h.update(f.name.encode() + b"\0?")
    for dist in ("spacy", "spacy-lookups-data", "deduce", "pypdf", "python-docx", "openpyxl",
                 "pandas", "charset-normalizer", "chardet"):
        h.update(f"|{dist} {_version(dist)}".encode())
    return h.hexdigest()


def people_state(index) -> list[list[Any]]:
    """The people of a ``PeopleIndex`` in order, as plain lists (what the reader depends on)."""
    return [[p.naam, p.rol, p.organisatie, list(p.aliassen), p.bron, p.functie]
            for p in index.people.values()]


def restore_people(index, state: list[list[Any]]) -> None:
    """Put a stored :func:`people_state` back into ``index`` (in place).

    The person type is the one ``index.add`` takes (its annotation, resolved in the reader's
    own module), so this shared cache layer does not import the reader package (that made a
    ``cache`` ↔ ``lezen`` circle)."""
    import typing

    Person = typing.get_type_hints(type(index).add)["person"]
    index.people.clear()
    for naam, rol, org, alias, bron, functie in state:
        index.people[naam] = Person(naam, rol, org, list(alias), bron, functie)
    index.__dict__.pop("_ix_n", None)   # the lookup tables are rebuilt on the next resolve()


class ReadCache(_CacheFile):
    """What ``read_corpus`` made of one file, in ``cache_dir/lezen.sqlite`` (see module doc)."""

    FILE = READ_CACHE_FILE

    def key(self, file: Path, data: bytes, doc_id: str, text_column: str | None,
            meta: dict[str, Any], people: list[list[Any]], ident: str) -> str:
        h = hashlib.sha256(data).hexdigest()
        opts = json.dumps([str(file), doc_id, text_column, meta, people, ident,
                           reader_code_identity()], ensure_ascii=False, sort_keys=True,
                          default=str)
        return h + ":" + hashlib.sha256(opts.encode("utf-8", "surrogatepass")).hexdigest()

    def get(self, key: str) -> tuple[list, list[list[Any]]] | None:
        blob = self._store.get_many([key]).get(key)
        if blob is not None:
            try:
                docs, people = pickle.loads(zlib.decompress(blob))
                self.hits += 1
                return docs, people
            except Exception:  # noqa: BLE001 - a damaged entry is read again and replaced
                pass
        self.misses += 1
        return None

    def put(self, key: str, docs: list, people: list[list[Any]]) -> None:
        if self._store.broken:
            return
        try:
            blob = zlib.compress(pickle.dumps((docs, people), protocol=5), 6)
        except Exception as exc:  # noqa: BLE001 - something unpicklable in the metadata
            warnings.warn(f"Cache {self.path}: leesresultaat niet op te slaan ({exc}).",
                          CacheWaarschuwing, stacklevel=3)
            return
        self._store.put_many([(key, blob)])
