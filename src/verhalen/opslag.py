"""Safe writing: atomic writes (temp file + rename) and output folders that are never
overwritten without being asked. A run never destroys a user's work.

* :func:`atomic_path`, :func:`atomic_write_text`, :func:`atomic_write_bytes` — one file: the
  data goes to a temporary file next to the target, is flushed to disk, and replaces the
  target in one rename. A crash or Ctrl-C before that leaves the earlier file as it was and no
  temporary file behind.
* :func:`atomic_files` — several files that belong together (a project folder): every file is
  written to a temporary file first and only when all are written are they renamed into place;
  if a rename fails the files already replaced are restored from backups, so the folder holds
  either the old set or the new set.
* :func:`ensure_output_dir`, :func:`refuse_overwrite` — refuse earlier output unless the user
  passed ``--overschrijf``.
* :func:`refuse_human_codes` — a file with a researcher's codes is never overwritten by a
  machine run, not even with ``--overschrijf``.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterable, Iterator

from .fouten import OverschrijfFout

__all__ = ["atomic_path", "atomic_write_text", "atomic_write_bytes", "atomic_files",
           "AtomicFiles", "ensure_output_dir", "refuse_overwrite", "human_codes_kind",
           "refuse_human_codes"]


_UMASK: int | None = None


def _umask() -> int:
    """The process umask, read once (from /proc where possible: setting and restoring it
    would briefly change it for other threads)."""
    global _UMASK
    if _UMASK is None:
        try:
            with open("/proc/self/status", encoding="ascii") as fh:
                line = next(ln for ln in fh if ln.startswith("Umask:"))
            _UMASK = int(line.split()[1], 8)
        except (OSError, StopIteration, ValueError, IndexError):
            mask = os.umask(0)
            os.umask(mask)
            _UMASK = mask
    return _UMASK


def _temp_for(path: Path) -> Path:
    """An empty temporary file next to ``path`` with the mode the final file should get
    (the mode of the file it replaces, else the user's default), not mkstemp's 0600."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        mode = path.stat().st_mode & 0o7777 if path.exists() else 0o666 & ~_umask()
        os.fchmod(fd, mode)
    except OSError:  # pragma: no cover - e.g. file systems without permissions
        pass
    finally:
        os.close(fd)
    return Path(tmp)


def _fsync_dir(folder: Path) -> None:
    """Make a rename durable (best effort; not every platform can open a directory)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def _unlink_quietly(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success it replaces ``path`` in one rename.

    If the block raises (also ``KeyboardInterrupt``) the old ``path`` is left untouched and
    the temporary file is removed.
    """
    path = Path(path)
    tmp_path = _temp_for(path)
    try:
        yield tmp_path
        os.replace(tmp_path, path)
        _fsync_dir(path.parent)
    finally:
        _unlink_quietly(tmp_path)


def _write(tmp: Path, data: bytes) -> None:
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def atomic_write_text(path: str | Path, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically (newlines as written, no platform translation)."""
    data = text.encode(encoding)
    with atomic_path(path) as tmp:
        _write(tmp, data)
    return Path(path)


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically."""
    with atomic_path(path) as tmp:
        _write(tmp, bytes(data))
    return Path(path)


class AtomicFiles:
    """Collects files written to temporary paths; :meth:`commit` renames them all into place.

    Use through :func:`atomic_files`. ``path(target)`` gives a temporary path to write
    ``target`` to (e.g. for libraries that want a file name); ``write_text`` / ``write_bytes``
    write directly.
    """

    def __init__(self) -> None:
        self._pending: dict[Path, Path] = {}     # final path -> temporary path

    def path(self, target: str | Path) -> Path:
        target = Path(target)
        if target in self._pending:
            return self._pending[target]
        tmp = _temp_for(target)
        self._pending[target] = tmp
        return tmp

    def write_text(self, target: str | Path, text: str, encoding: str = "utf-8") -> Path:
        _write(self.path(target), text.encode(encoding))
        return Path(target)

    def write_bytes(self, target: str | Path, data: bytes) -> Path:
        _write(self.path(target), bytes(data))
        return Path(target)

    def commit(self) -> list[Path]:
        """Rename every temporary file into place; all or nothing (see module docstring)."""
        backups: dict[Path, Path] = {}
        done: list[Path] = []
        try:
            for final in self._pending:
                if final.exists():
                    backup = final.with_name(f".{final.name}.backup")
                    _unlink_quietly(backup)
                    try:
                        os.link(final, backup)
                    except OSError:
                        shutil.copy2(final, backup)
                    backups[final] = backup
            for final, tmp in self._pending.items():
                os.replace(tmp, final)
                done.append(final)
        except BaseException:
            for final in done:                   # put the earlier set back
                if final in backups:
                    os.replace(backups.pop(final), final)
                else:
                    _unlink_quietly(final)
            raise
        finally:
            for backup in backups.values():
                _unlink_quietly(backup)
            self.discard()
        for folder in {f.parent for f in done}:
            _fsync_dir(folder)
        return done

    def discard(self) -> None:
        for tmp in self._pending.values():
            _unlink_quietly(tmp)
        self._pending.clear()


@contextlib.contextmanager
def atomic_files() -> Iterator[AtomicFiles]:
    """Write several files as one unit::

        with atomic_files() as out:
            out.write_text(folder / "a.jsonl", ...)
            out.write_text(folder / "b.json", ...)

    Nothing is replaced until the block ends without an error; an error (or Ctrl-C) inside
    the block leaves every earlier file as it was and no temporary files behind.
    """
    group = AtomicFiles()
    try:
        yield group
        group.commit()
    finally:
        group.discard()


def ensure_output_dir(folder: str | Path, overwrite: bool = False,
                      marker: str | Iterable[str] | None = None) -> Path:
    """Create ``folder``; refuse if it already holds output unless ``overwrite`` is set.

    ``marker``: a file name (or several) whose presence means "earlier output"; with None any
    file in the folder counts."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise OverschrijfFout(f"{folder}: bestaat al en is geen map.")
    if folder.exists() and not overwrite:
        if marker is None:
            taken = [p.name for p in folder.iterdir()]
        else:
            names = [marker] if isinstance(marker, str) else list(marker)
            taken = [n for n in names if (folder / n).exists()]
        if taken:
            shown = ", ".join(sorted(taken)[:5]) + (" …" if len(taken) > 5 else "")
            raise OverschrijfFout(
                f"{folder}: deze map bevat al uitvoer van een eerdere run ({shown}). Kies een "
                "andere map of geef --overschrijf mee om de uitvoer te vervangen.")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def refuse_overwrite(path: str | Path, overwrite: bool = False) -> Path:
    """Raise if ``path`` exists and ``overwrite`` is not set (for single output files)."""
    path = Path(path)
    if path.exists() and not overwrite:
        raise OverschrijfFout(
            f"{path}: bestaat al. Kies een andere naam of geef --overschrijf mee.")
    return path


def human_codes_kind(path: str | Path) -> tuple[str, set[str]]:
    """What an existing codes file holds: ``("mens", ids)`` for a file a person (or another
    tool) wrote — no line carries the machine's ``scores``, or it is a CSV; ``("gemengd",
    ids)`` for machine output that also carries human codes (lines with ``source: "mens"``;
    ``ids`` are those segments); ``("machine", set())`` otherwise, also for a file that is
    not a codes file at all or does not exist."""
    path = Path(path)
    if not path.is_file():
        return "machine", set()
    if path.suffix.lower() == ".csv":
        import pandas as pd

        try:
            df = pd.read_csv(path, dtype=str)
        except Exception:  # noqa: BLE001 - not a readable CSV: not a codes file either
            return "machine", set()
        if "id" in df.columns and ({"codes", "code"} & set(df.columns)):
            return "mens", set(df["id"].dropna().astype(str))
        return "machine", set()
    ids: set[str] = set()
    human: set[str] = set()
    machine_lines = 0
    try:
        with open(path, encoding="utf-8-sig") as fh:
            for line in fh:
                if not line.strip():
                    continue
                rec = json.loads(line)
                if not isinstance(rec, dict) or "id" not in rec:
                    return "machine", set()
                sid = str(rec["id"])
                ids.add(sid)
                if rec.get("source") == "mens":
                    human.add(sid)
                elif "scores" in rec:
                    machine_lines += 1
    except (OSError, UnicodeDecodeError, ValueError):
        return "machine", set()
    if not ids:
        return "machine", set()
    if machine_lines == 0:
        return "mens", ids
    return ("gemengd", human) if human else ("machine", set())


def refuse_human_codes(path: str | Path, sources: Iterable[str | Path | None] = (),
                       kept_ids: Iterable[str] | None = None) -> Path:
    """Raise :class:`OverschrijfFout` if writing machine codes to ``path`` would destroy human
    codes — also when ``--overschrijf`` was given:

    * ``path`` is one of ``sources`` (the human-codes / training files of this run);
    * ``path`` is a human-codes file (see :func:`human_codes_kind`);
    * ``path`` is earlier output holding human codes for segments that are not in
      ``kept_ids`` (the human codes this run carries over), so they would be lost.
    """
    path = Path(path)
    if not path.exists():
        return path
    for src in sources:
        if src is None:
            continue
        try:
            same = Path(src).exists() and os.path.samefile(src, path)
        except OSError:
            same = False
        if same:
            raise OverschrijfFout(
                f"{path}: dit is het bestand met menselijke codes van deze run; het wordt nooit "
                "overschreven (ook niet met --overschrijf). Kies een ander uitvoerbestand met "
                "--uit.")
    kind, ids = human_codes_kind(path)
    if kind == "mens":
        raise OverschrijfFout(
            f"{path}: bevat menselijke codes ({len(ids)} segmenten) en wordt nooit overschreven, "
            "ook niet met --overschrijf. Kies een ander uitvoerbestand met --uit (of geef dit "
            "bestand mee met --menselijk).")
    if kind == "gemengd":
        lost = ids - set(map(str, kept_ids or ()))
        if lost:
            shown = ", ".join(sorted(lost)[:5]) + (" …" if len(lost) > 5 else "")
            raise OverschrijfFout(
                f"{path}: bevat menselijke codes voor {len(lost)} segment(en) ({shown}) die deze "
                "run niet meeneemt; die zouden verloren gaan, dus het bestand wordt niet "
                "overschreven (ook niet met --overschrijf). Geef het bestand met menselijke "
                "codes mee met --menselijk of kies een ander uitvoerbestand.")
    return path
