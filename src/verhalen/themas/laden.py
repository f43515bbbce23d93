"""Loading the topic-model stack (BERTopic, UMAP, HDBSCAN) for what the topic step runs.

Two costs of fitting themes in a new process are not the fit itself (measured on the demo
corpus, 2 shared cores, see ``benchmarks/analyse_tijd.py``):

* ``import bertopic`` imports sentence-transformers and transformers (and with them torch)
  through optional parts it only exports (``bertopic.backend.MultiModalBackend``,
  ``bertopic.representation.TextGeneration``, ``ZeroShotClassification``,
  ``VisualRepresentation``; ``PartOfSpeech`` imports spaCy), plotly's figure factory (with
  nbformat and jsonschema) through ``bertopic.plotting``, and torch through
  ``bertopic._save_utils``: together about 5 s. The topic step passes its own embeddings
  (``embedding_model=None``), uses BERTopic's c-TF-IDF keywords, draws its own figures and
  neither saves nor loads a BERTopic model, so it runs none of them.
  :func:`import_bertopic` imports BERTopic without them and leaves all of them reachable:
  the first use of ``bertopic.plotting``, ``bertopic._save_utils`` or of one of those names
  imports the real module, and the libraries themselves are never blocked (a
  sentence-transformers model name given to BERTopic loads it as usual).
* numba compiles UMAP's functions again in every process (UMAP does not ask numba to keep
  them on disk; pynndescent does, in its own ``__pycache__``). :func:`import_umap` gives
  UMAP's and pynndescent's compiled functions a numba cache in the verhalen cache root
  (``VERHALEN_CACHE``/numba/<versions>), so a second process loads them instead of
  compiling them (several seconds). The compiled code is the same, so are the results.
  A ``NUMBA_CACHE_DIR`` set by the user is respected. On an empty cache (the first run with
  these library versions) pynndescent compiles ~12 s and UMAP ~5 s on one core:
  :func:`start_numba_warm_up`, called by ``Project.analyse`` before it reads, fills the cache
  in two child processes while the main process reads and codes.

Both only change how the libraries are loaded, never how they are called.
"""

from __future__ import annotations

import atexit
import hashlib
import importlib
import importlib.util
import os
import subprocess
import sys
import threading
import time
import types
from pathlib import Path

__all__ = ["import_bertopic", "import_umap", "make_umap", "numba_cache_dir",
           "start_numba_warm_up", "NumbaWarmUp", "warm_marker", "NUMBA_PACKAGES",
           "OPTIONAL_PARTS", "LATER_MODULES", "WARM_PARTS"]

#: packages whose versions decide what numba compiles for UMAP (the cache folder's key)
NUMBA_PACKAGES = ("numba", "llvmlite", "umap-learn", "pynndescent", "numpy")

_LOCK = threading.RLock()
#: BERTopic modules it imports at import time but uses only in functions the topic step does
#: not call (figures; saving and loading models, which imports torch): imported on first use
LATER_MODULES = ("bertopic.plotting", "bertopic._save_utils")


class _LaterModule(types.ModuleType):
    """Stands in for a module in ``sys.modules`` until one of its attributes is asked for;
    then the real module is imported (in its place) and answers from then on."""

    def __init__(self, name: str):
        super().__init__(name)
        self.__dict__["_verhalen_real"] = None

    def _verhalen_load(self) -> types.ModuleType:
        with _LOCK:
            real = self.__dict__["_verhalen_real"]
            if real is None:
                if sys.modules.get(self.__name__) is self:
                    del sys.modules[self.__name__]
                real = importlib.import_module(self.__name__)
                self.__dict__["_verhalen_real"] = real
        return real

    def __getattr__(self, name: str):
        return getattr(self._verhalen_load(), name)

    def __dir__(self):
        return dir(self._verhalen_load())

    def __repr__(self) -> str:
        state = "geladen" if self.__dict__["_verhalen_real"] is not None else "nog niet geladen"
        return f"<module {self.__name__!r} ({state})>"


#: BERTopic's optional parts that import a heavy library at import time, which BERTopic
#: catches (ModuleNotFoundError) and only exports: (module, package, name, heavy library)
OPTIONAL_PARTS = (
    ("bertopic.backend._multimodal", "bertopic.backend", "MultiModalBackend",
     "sentence_transformers"),
    ("bertopic.representation._textgeneration", "bertopic.representation", "TextGeneration",
     "transformers"),
    ("bertopic.representation._zeroshot", "bertopic.representation", "ZeroShotClassification",
     "transformers"),
    ("bertopic.representation._visual", "bertopic.representation", "VisualRepresentation",
     "transformers"),
    ("bertopic.representation._pos", "bertopic.representation", "PartOfSpeech", "spacy"),
)


def _restore_later(package: types.ModuleType, parts: dict[str, tuple[str, object]]) -> None:
    """The names of ``parts`` (name → (module, BERTopic's "not installed" placeholder)) are
    imported from their module on first access (PEP 562 module ``__getattr__``); the
    placeholder stays the answer when the module's own dependencies are missing."""
    for name in parts:
        package.__dict__.pop(name, None)
    previous = package.__dict__.get("__getattr__")

    def __getattr__(name: str):
        if name in parts:
            module, stub = parts[name]
            with _LOCK:
                try:
                    value = getattr(importlib.import_module(module), name)
                except ModuleNotFoundError:
                    value = stub
                setattr(package, name, value)
                return value
        if previous is not None:
            return previous(name)
        raise AttributeError(f"module {package.__name__!r} has no attribute {name!r}")

    package.__getattr__ = __getattr__


def _bertopic_has(module: str) -> bool:
    """Whether the installed BERTopic has ``module`` (found on disk, nothing imported)."""
    if module == "bertopic.plotting" and importlib.util.find_spec("plotly") is None:
        return False        # BERTopic then does not import its plotting at all
    spec = importlib.util.find_spec("bertopic")
    if spec is None or not spec.submodule_search_locations:
        return False
    tail = module.split(".", 1)[1]
    return any((Path(d) / tail).is_dir() or (Path(d) / f"{tail}.py").is_file()
               for d in spec.submodule_search_locations)


def import_bertopic():
    """``bertopic.BERTopic``, imported without sentence-transformers, transformers and
    plotly's figure factory (see the module docstring). An already imported ``bertopic`` is
    used as it is."""
    with _LOCK:
        if "bertopic" in sys.modules and "bertopic._bertopic" in sys.modules:
            return sys.modules["bertopic"].BERTopic
        import_umap()       # with the numba cache, before BERTopic imports UMAP itself
        blocked = [part for part in OPTIONAL_PARTS
                   if part[3] not in sys.modules and part[0] not in sys.modules]
        for module, *_ in blocked:
            sys.modules[module] = None      # its import fails, as if not installed
        proxies = []
        for name in LATER_MODULES:
            if name not in sys.modules and _bertopic_has(name):
                proxies.append(_LaterModule(name))
                sys.modules[name] = proxies[-1]
        ok = False
        try:
            import bertopic
            ok = True
        finally:
            for module, *_ in blocked:
                if module in sys.modules and sys.modules[module] is None:
                    del sys.modules[module]
            for proxy in proxies:
                if not ok and sys.modules.get(proxy.__name__) is proxy:
                    del sys.modules[proxy.__name__]
        by_package: dict[str, dict[str, tuple[str, object]]] = {}
        for module, package, name, _ in blocked:
            pkg = sys.modules[package]
            by_package.setdefault(package, {})[name] = (module, pkg.__dict__.get(name))
        for package, parts in by_package.items():
            _restore_later(sys.modules[package], parts)
        return bertopic.BERTopic


def numba_cache_dir(root: str | Path | None = None) -> Path:
    """Where numba keeps UMAP's compiled functions: ``<cache root>/numba/<key>``, the key a
    hash of the versions in :data:`NUMBA_PACKAGES` and of Python's (a changed library never
    meets code compiled for another)."""
    from importlib.metadata import PackageNotFoundError, version

    if root is None:
        from ..embed import default_cache_dir

        root = default_cache_dir()
    parts = [sys.version.split()[0]]
    for dist in NUMBA_PACKAGES:
        try:
            parts.append(f"{dist} {version(dist)}")
        except PackageNotFoundError:
            parts.append(f"{dist} -")
    key = hashlib.sha1("|".join(parts).encode()).hexdigest()[:12]
    return Path(root) / "numba" / key


def _enable_umap_caching() -> int:
    """Ask numba to keep every module-level jitted function of UMAP on disk (the ones UMAP
    itself compiles without ``cache=True``); returns how many were switched on."""
    from numba.core.caching import NullCache
    from numba.core.dispatcher import Dispatcher

    n = 0
    for name, mod in list(sys.modules.items()):
        if mod is None or not (name == "umap" or name.startswith("umap.")):
            continue
        for value in list(vars(mod).values()):
            if (isinstance(value, Dispatcher) and isinstance(value._cache, NullCache)
                    and "<locals>" not in value.py_func.__qualname__):
                try:
                    value.enable_caching()
                except Exception:       # noqa: BLE001 — a function numba cannot cache: compiled
                    continue
                n += 1
    return n


def import_umap(cache_dir: str | Path | None = None):
    """``umap.UMAP``, with UMAP's and pynndescent's compiled functions cached on disk under
    ``cache_dir`` (default :func:`numba_cache_dir`; when ``NUMBA_CACHE_DIR`` is set, numba's
    own choice)."""
    with _LOCK:
        if cache_dir is None and os.environ.get("NUMBA_CACHE_DIR"):
            from umap import UMAP
            _enable_umap_caching()
            return UMAP
        from numba.core import config

        previous = config.CACHE_DIR
        path = Path(cache_dir) if cache_dir is not None else numba_cache_dir()
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError:         # no cache folder: numba compiles, only slower
            from umap import UMAP
            return UMAP
        # numba fixes a function's cache folder when the cache object is made: pynndescent's
        # at import, UMAP's in _enable_umap_caching. Other code's is left as it was.
        config.CACHE_DIR = str(path)
        try:
            from umap import UMAP
            _enable_umap_caching()
        finally:
            config.CACHE_DIR = previous
        return UMAP


def make_umap(n_neighbors: int, n_components: int, random_state: int,
              cache_dir: str | Path | None = None):
    """The topic model's UMAP (cosine on the embeddings, ``min_dist=0``, one thread so the
    fixed ``random_state`` gives the same layout every run); ``cache_dir`` as in
    :func:`import_umap`."""
    UMAP = import_umap(cache_dir)
    return UMAP(n_neighbors=n_neighbors, n_components=n_components, min_dist=0.0,
                metric="cosine", random_state=random_state, n_jobs=1)


# -- filling the numba cache in other processes --------------------------------------------
#: the two parts of a cold numba cache, each filled by its own process: pynndescent compiles
#: its functions when it is imported (~12 s on one core, most in ``rp_trees``); UMAP compiles
#: its own when a fit first calls them (~5 s)
WARM_PARTS = ("pynndescent", "umap")


def warm_marker(cache_dir: Path, part: str) -> Path:
    """The file a warm-up writes into the numba cache folder once ``part`` is in it."""
    return Path(cache_dir) / f"verhalen-opgewarmd-{part}"


def _warm_up(cache_dir: str | Path, part: str) -> None:
    """Fill the numba cache with ``part`` (see :data:`WARM_PARTS`); run in a process of its
    own by :func:`start_numba_warm_up`.

    ``"umap"`` fits :func:`make_umap`'s UMAP on float32 unit vectors (numba compiles per
    argument type, not per size, so any such input compiles what the topic step runs). For
    fewer than 4096 units UMAP computes all distances itself and never calls pynndescent,
    so this throwaway process puts a stand-in for pynndescent in ``sys.modules`` and does
    not wait for pynndescent's compilation, which the other process does meanwhile. Should a
    UMAP version need pynndescent there after all, this fit fails, and the topic step
    compiles what is missing itself."""
    import warnings

    path = Path(cache_dir)
    if part == "pynndescent":
        from numba.core import config

        config.CACHE_DIR = str(path)
        import pynndescent  # noqa: F401
    elif part == "umap":
        import numpy as np

        if "pynndescent" not in sys.modules:
            stand_in = types.ModuleType("pynndescent")

            class NNDescent:        # never called on small data
                def __init__(self, *args, **kwargs):
                    raise RuntimeError("pynndescent is in dit opwarmproces niet geladen")

            stand_in.NNDescent = NNDescent
            stand_in.__path__ = []
            for sub, attr in (("distances", "named_distances"),
                              ("sparse", "sparse_named_distances")):
                mod = types.ModuleType(f"pynndescent.{sub}")
                setattr(mod, attr, {})
                setattr(stand_in, sub, mod)
                sys.modules[mod.__name__] = mod
            sys.modules["pynndescent"] = stand_in
        x = np.random.default_rng(0).normal(size=(64, 16)).astype(np.float32)
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            make_umap(8, 5, 42, cache_dir=path).fit_transform(x)
    else:
        raise ValueError(f"onbekend deel van de numba-cache: {part!r}")
    warm_marker(path, part).write_text(f"numba-cache gevuld: {part}\n", encoding="utf-8")


class NumbaWarmUp:
    """The processes that fill the numba cache while this one reads and codes (the first run
    with these library versions)."""

    def __init__(self, processes: list[subprocess.Popen], cache_dir: Path):
        self.processes = processes
        self.cache_dir = cache_dir
        atexit.register(self.stop)

    def wait(self, timeout: float = 600.0) -> bool:
        """Wait for them; True when all filled their part. After ``timeout`` (or a failure)
        the topic step compiles what is missing itself: only slower."""
        ok = True
        end = time.monotonic() + timeout
        for proc in self.processes:
            try:
                ok = proc.wait(max(0.0, end - time.monotonic())) == 0 and ok
            except subprocess.TimeoutExpired:
                ok = False
        self.stop()
        return ok

    def stop(self) -> None:
        for proc in self.processes:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()


def start_numba_warm_up() -> NumbaWarmUp | None:
    """Start filling the numba cache (each part of :data:`WARM_PARTS` not yet in it, in a
    process of its own) so the topic step later loads compiled code instead of compiling it.
    ``None`` (nothing started) when the cache is warm, when ``NUMBA_CACHE_DIR`` is set, when
    UMAP is imported already, on a single core, or when the topic stack is not installed."""
    if os.environ.get("NUMBA_CACHE_DIR") or "umap.umap_" in sys.modules:
        return None
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    if cores < 2:
        return None
    if importlib.util.find_spec("umap") is None or importlib.util.find_spec("numba") is None:
        return None
    path = numba_cache_dir()
    parts = [p for p in WARM_PARTS if not warm_marker(path, p).is_file()]
    if not parts:
        return None
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    src = str(Path(__file__).resolve().parents[2])       # the folder that holds verhalen
    code = ("import sys; sys.path.insert(0, sys.argv[1]); "
            "from verhalen.themas.laden import _warm_up; _warm_up(sys.argv[2], sys.argv[3])")
    procs = []
    for part in parts:
        try:
            procs.append(subprocess.Popen([sys.executable, "-c", code, src, str(path), part],
                                          stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL))
        except OSError:
            continue
    return NumbaWarmUp(procs, path) if procs else None
