"""Safe writing: atomic writes (temp file + rename) and output folders that are never
overwritten without being asked. A run never destroys a user's work."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Iterator

from .fouten import OverschrijfFout


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success it replaces ``path`` in one rename.

    If the block raises (or the process dies) the old ``path`` is left untouched.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.replace(tmp_path, path)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def atomic_write_text(path: str | Path, text: str, encoding: str = "utf-8") -> Path:
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding=encoding, newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
    return Path(path)


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    return Path(path)


def ensure_output_dir(folder: str | Path, overwrite: bool = False, marker: str | None = None) -> Path:
    """Create ``folder``; refuse if it already holds output (``marker`` file, or any file when
    ``marker`` is None) unless ``overwrite`` is set."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise OverschrijfFout(f"{folder}: bestaat al en is geen map.")
    if folder.exists() and not overwrite:
        taken = (folder / marker).exists() if marker else any(folder.iterdir())
        if taken:
            raise OverschrijfFout(
                f"{folder}: deze map bevat al uitvoer van een eerdere run. Kies een andere map of "
                "geef --overschrijf mee om de uitvoer te vervangen.")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def refuse_overwrite(path: str | Path, overwrite: bool = False) -> Path:
    """Raise if ``path`` exists and ``overwrite`` is not set (for single output files)."""
    path = Path(path)
    if path.exists() and not overwrite:
        raise OverschrijfFout(
            f"{path}: bestaat al. Kies een andere naam of geef --overschrijf mee.")
    return path
