"""The human-codes journal: every decision a researcher makes, append-only, never lost.

The journal is one JSONL file in the project folder (:data:`JOURNAL_FILE`). Each line is one
decision ``{"id", "tijd", "codeur", "segment", "actie", "code", "memo"}``:

* ``accepteer`` CODE — the researcher accepts a code the machine proposed;
* ``verwerp`` CODE — the researcher rejects a proposed code (it is not a code of the segment);
* ``voeg_toe`` CODE — the researcher adds a code of their own;
* ``verwijder`` CODE — the researcher removes a code they accepted or added earlier;
* ``memo`` — the segment's memo becomes ``memo`` (an empty memo clears it);
* ``klaar`` — the segment is reviewed with the codes it has now (also: "no code applies").

The current human codes are *derived* by replaying the lines in order (:meth:`Journal.current`):
per coder and segment, the codes accepted or added and not removed or rejected since. A
segment counts as reviewed once it has any code decision or ``klaar``; a memo alone does not
review it. Machine proposals never enter the journal except as what a human decided about them,
so a machine run can never overwrite a human decision.

Safety: :meth:`Journal.append` takes an exclusive ``fcntl.flock`` on the file, writes the whole
line with one ``write`` on an ``O_APPEND`` descriptor, and ``fsync``\\ s before it returns, so two
browser tabs, two processes or a crash lose nothing that was confirmed. A line torn by a crash
mid-write (the only way a line can be incomplete) is skipped with a warning when read, and the
next append starts on a fresh line; a line that is valid JSON but not a valid decision (e.g. a
hand edit) raises :class:`JournaalFout` naming file and line.

Other stages read the human codes with :meth:`Journal.current` (wide), :meth:`Journal.human_long`
(long shape of :mod:`verhalen.codes`, ``source == "mens"``, coder = the coder's name),
:func:`human_wide` (one coder, for :func:`verhalen.menselijk.merge_codes`) or write them as a
human-codes file for ``verhalen codeer --menselijk`` with :func:`write_human_codes`.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
import uuid
import warnings
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

import pandas as pd

from .fouten import VerhalenFout

__all__ = ["JOURNAL_FILE", "ACTIONS", "CODE_ACTIONS", "Journal", "JournaalFout",
           "JournaalWaarschuwing", "replay", "write_human_codes", "human_codes_records",
           "human_wide"]

JOURNAL_FILE = "menselijk/journaal.jsonl"

ACTIONS = ("accepteer", "verwerp", "voeg_toe", "verwijder", "memo", "klaar")
#: actions that need a code
CODE_ACTIONS = ("accepteer", "verwerp", "voeg_toe", "verwijder")
_FIELDS = ("id", "tijd", "codeur", "segment", "actie", "code", "memo")
MAX_MEMO = 20_000
MAX_NAME = 100

WIDE_COLUMNS = ["id", "codes", "coder", "memo", "reviewed", "rejected", "tijd", "n_besluiten"]
LONG_COLUMNS = ["segment_id", "code", "score", "evidence", "source", "coder"]


class JournaalFout(VerhalenFout):
    """The journal cannot be read or a decision is not valid (the message names file and line)."""


class JournaalWaarschuwing(UserWarning):
    """A torn (incomplete) journal line was skipped."""


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _check_text(value: Any, what: str, where: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise JournaalFout(f"{where}: {what} ontbreekt of is leeg.")
    if len(value) > limit:
        raise JournaalFout(f"{where}: {what} is langer dan {limit} tekens.")
    if any(ch in value for ch in "\n\r\x00"):
        raise JournaalFout(f"{where}: {what} mag geen regeleinde bevatten.")
    return value


def _validate(rec: Any, where: str) -> dict:
    """A journal record as stored, or :class:`JournaalFout` saying what is wrong where."""
    if not isinstance(rec, dict):
        raise JournaalFout(f"{where}: een regel van het journaal moet een JSON-object zijn.")
    action = rec.get("actie")
    if action not in ACTIONS:
        raise JournaalFout(f"{where}: onbekende actie {action!r}; geldig zijn "
                           f"{', '.join(ACTIONS)}.")
    _check_text(rec.get("codeur"), "de naam van de codeur", where, MAX_NAME)
    _check_text(rec.get("segment"), "de segment-id", where, 300)
    code = rec.get("code")
    if action in CODE_ACTIONS:
        _check_text(code, f"de code (nodig bij '{action}')", where, 200)
    elif code is not None:
        raise JournaalFout(f"{where}: bij '{action}' hoort geen code.")
    memo = rec.get("memo")
    if action == "memo":
        if not isinstance(memo, str):
            raise JournaalFout(f"{where}: bij 'memo' hoort een tekst (leeg wist de memo).")
        if len(memo) > MAX_MEMO:
            raise JournaalFout(f"{where}: de memo is langer dan {MAX_MEMO} tekens.")
    elif memo is not None:
        raise JournaalFout(f"{where}: een memo hoort bij de actie 'memo', niet bij '{action}'.")
    return rec


class _SegmentState:
    __slots__ = ("codes", "rejected", "memo", "reviewed", "tijd", "n")

    def __init__(self) -> None:
        self.codes: list[str] = []
        self.rejected: list[str] = []
        self.memo = ""
        self.reviewed = False
        self.tijd = ""
        self.n = 0

    def apply(self, rec: dict) -> None:
        action, code = rec["actie"], rec.get("code")
        self.n += 1
        self.tijd = rec.get("tijd", "")
        if action in ("accepteer", "voeg_toe"):
            if code not in self.codes:
                self.codes.append(code)
            if code in self.rejected:
                self.rejected.remove(code)
            self.reviewed = True
        elif action == "verwerp":
            if code in self.codes:
                self.codes.remove(code)
            if code not in self.rejected:
                self.rejected.append(code)
            self.reviewed = True
        elif action == "verwijder":
            if code in self.codes:
                self.codes.remove(code)
            self.reviewed = True
        elif action == "memo":
            self.memo = rec.get("memo") or ""
        elif action == "klaar":
            self.reviewed = True

    def as_row(self, coder: str, sid: str) -> dict:
        return {"id": sid, "codes": list(self.codes), "coder": coder, "memo": self.memo,
                "reviewed": self.reviewed, "rejected": list(self.rejected), "tijd": self.tijd,
                "n_besluiten": self.n}


class _State:
    """Replayed journal: (coder, segment) → state, in order of first decision."""

    def __init__(self) -> None:
        self.by_key: dict[tuple[str, str], _SegmentState] = {}
        self.n_records = 0

    def apply(self, rec: dict) -> None:
        key = (rec["codeur"], rec["segment"])
        st = self.by_key.get(key)
        if st is None:
            st = self.by_key[key] = _SegmentState()
        st.apply(rec)
        self.n_records += 1

    def rows(self, coder: str | None = None) -> list[dict]:
        return [st.as_row(c, s) for (c, s), st in self.by_key.items()
                if coder is None or c == coder]

    def segment(self, coder: str, sid: str) -> dict | None:
        st = self.by_key.get((coder, sid))
        return st.as_row(coder, sid) if st is not None else None

    def coders(self) -> list[str]:
        return list(dict.fromkeys(c for c, _ in self.by_key))


def replay(records: Iterable[dict], coder: str | None = None) -> pd.DataFrame:
    """The derived view (see :meth:`Journal.current`) of journal records given in order."""
    st = _State()
    for rec in records:
        st.apply(rec)
    return pd.DataFrame(st.rows(coder), columns=WIDE_COLUMNS)


class Journal:
    """The append-only journal of one project (see the module docstring).

    Reading is incremental: the file is parsed once and afterwards only the bytes appended since
    (by this or any other process) are read, so :meth:`current` stays fast on long journals.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._records: list[dict] = []
        self._state = _State()
        self._offset = 0          # bytes of the file parsed so far (always at a line end)
        self._lineno = 0          # lines parsed so far
        self._inode: tuple[int, int] | None = None
        self.skipped: list[int] = []   # line numbers of torn lines that were skipped

    @classmethod
    def for_project(cls, folder: str | Path) -> "Journal":
        return cls(Path(folder) / JOURNAL_FILE)

    def __repr__(self) -> str:
        return f"Journal({str(self.path)!r})"

    # ---------------------------------------------------------------------------------- write
    def append(self, *, coder: str, segment_id: str, action: str, code: str | None = None,
               memo: str | None = None) -> dict:
        """Store one decision durably and return the stored record.

        The record is validated first (unknown action, a code missing or where none belongs,
        an empty coder name: :class:`JournaalFout`, nothing is written). Then, under an
        exclusive lock on the file: a torn last line (from a crash) is closed with a newline,
        the record is written with one ``write``, flushed and ``fsync``\\ ed.
        """
        rec = {"id": uuid.uuid4().hex, "tijd": _now(), "codeur": coder, "segment": segment_id,
               "actie": action, "code": code, "memo": memo}
        _validate(rec, f"{self.path}: nieuw besluit")
        line = (json.dumps(rec, ensure_ascii=False) + "\n").encode("utf-8")
        new = not self.path.exists()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                try:
                    size = os.fstat(fd).st_size
                    if size:
                        with open(self.path, "rb") as fh:
                            fh.seek(size - 1)
                            if fh.read(1) != b"\n":
                                line = b"\n" + line     # close a torn line first
                    view = memoryview(line)
                    while view:
                        written = os.write(fd, view)
                        view = view[written:]
                    os.fsync(fd)
                finally:
                    fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)
            if new:
                _fsync_dir(self.path.parent)
        return rec

    # ----------------------------------------------------------------------------------- read
    def _refresh(self) -> None:
        """Parse what was appended since the last read (or everything, if the file changed)."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            self._reset()
            return
        inode = (st.st_dev, st.st_ino)
        if inode != self._inode or st.st_size < self._offset:
            self._reset()
            self._inode = inode
        if st.st_size == self._offset:
            return
        with open(self.path, "rb") as fh:
            fcntl.flock(fh.fileno(), fcntl.LOCK_SH)
            try:
                fh.seek(self._offset)
                data = fh.read()
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
        cut = data.rfind(b"\n") + 1          # 0 when no complete line was appended
        complete, tail = data[:cut], data[cut:]
        self._offset += cut
        for raw in complete.split(b"\n")[:-1]:
            self._lineno += 1
            self._parse(raw, self._lineno)
        if tail.strip():
            # an unfinished last line: a crash mid-write (never confirmed), or a writer that
            # is busy right now. Not consumed, so it is read again once it is complete.
            self._warn_torn(self._lineno + 1)

    def _reset(self) -> None:
        self._records, self._state = [], _State()
        self._offset = self._lineno = 0
        self._inode = None
        self.skipped = []

    def _warn_torn(self, lineno: int) -> None:
        if lineno not in self.skipped:
            self.skipped.append(lineno)
            warnings.warn(f"{self.path}, regel {lineno}: onvolledige regel (afgebroken tijdens "
                          "het schrijven, nooit bevestigd) overgeslagen.", JournaalWaarschuwing,
                          stacklevel=4)

    def _parse(self, raw: bytes, lineno: int) -> None:
        if not raw.strip():
            return
        where = f"{self.path}, regel {lineno}"
        try:
            rec = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            # a line torn by a crash and closed by a later append: skipped, never an error
            self._warn_torn(lineno)
            return
        _validate(rec, where)
        rec = {k: rec.get(k) for k in _FIELDS}
        self._records.append(rec)
        self._state.apply(rec)

    def records(self) -> list[dict]:
        """All decisions in file order (torn lines skipped with a :class:`JournaalWaarschuwing`)."""
        with self._lock:
            self._refresh()
            return [dict(r) for r in self._records]

    def current(self, coder: str | None = None) -> pd.DataFrame:
        """Derived current view, one row per (coder, segment) with any decision.

        Columns: ``id`` (segment), ``codes`` (list, in order of acceptance), ``coder``, ``memo``,
        ``reviewed`` (bool), plus ``rejected`` (codes the coder rejected), ``tijd`` (last
        decision) and ``n_besluiten``. ``coder=None``: every coder (rows per coder).
        """
        with self._lock:
            self._refresh()
            return pd.DataFrame(self._state.rows(coder), columns=WIDE_COLUMNS)

    def segment_state(self, coder: str, segment_id: str) -> dict | None:
        """The derived state of one segment for one coder (None: no decision yet)."""
        with self._lock:
            self._refresh()
            return self._state.segment(coder, segment_id)

    def states(self, coder: str | None = None) -> dict[str, dict]:
        """segment id → derived state (as :meth:`current` rows) for one coder."""
        with self._lock:
            self._refresh()
            return {r["id"]: r for r in self._state.rows(coder)}

    def coders(self) -> list[str]:
        """The coders with at least one decision, in order of their first decision."""
        with self._lock:
            self._refresh()
            return self._state.coders()

    def human_long(self, coder: str | None = None) -> pd.DataFrame:
        """The human codes in the long shape of :mod:`verhalen.codes` (reviewed segments):
        segment_id, code, score = 1.0, evidence = [], source = "mens", coder = the coder's name."""
        cur = self.current(coder)
        rows = [{"segment_id": r["id"], "code": c, "score": 1.0, "evidence": [],
                 "source": "mens", "coder": r["coder"]}
                for r in cur.to_dict("records") if r["reviewed"] for c in r["codes"]]
        return pd.DataFrame(rows, columns=LONG_COLUMNS)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _journal(journal_or_folder: "Journal | str | Path") -> Journal:
    if isinstance(journal_or_folder, Journal):
        return journal_or_folder
    p = Path(journal_or_folder)
    return Journal(p) if p.suffix == ".jsonl" else Journal.for_project(p)


def human_codes_records(journal_or_folder: "Journal | str | Path",
                        coder: str | None = None) -> list[dict]:
    """The reviewed segments of one coder as human-codes records ``{"id", "codes", "codeur",
    "memo"}`` (the format :func:`verhalen.menselijk.load_human_codes` reads).

    ``coder=None`` is allowed when exactly one coder made decisions; with more coders it is an
    error (whose codes count is the researcher's choice, not ours).
    """
    j = _journal(journal_or_folder)
    coders = j.coders()
    if coder is None:
        if len(coders) > 1:
            raise JournaalFout(f"{j.path}: er zijn besluiten van meer codeurs "
                               f"({', '.join(coders)}); kies er één.")
        coder = coders[0] if coders else None
    elif coder not in coders:
        raise JournaalFout(f"{j.path}: geen besluiten van codeur '{coder}' (wel van: "
                           f"{', '.join(coders) or 'niemand'}).")
    if coder is None:
        return []
    out = []
    for r in j.current(coder).to_dict("records"):
        if not r["reviewed"]:
            continue
        rec = {"id": r["id"], "codes": list(r["codes"]), "codeur": coder}
        if r["memo"]:
            rec["memo"] = r["memo"]
        out.append(rec)
    return out


def human_wide(journal_or_folder: "Journal | str | Path", coder: str | None = None) -> pd.DataFrame:
    """One coder's reviewed segments in the wide shape :func:`verhalen.menselijk.load_human_codes`
    returns (id, codes, scores = 1.0 per code, evidence = {}, source = "mens", coder, memo), ready
    for :func:`verhalen.menselijk.merge_codes` (human codes win per segment, the machine's
    proposal is kept next to them). ``coder``: as in :func:`human_codes_records`."""
    rows = [{"id": r["id"], "codes": r["codes"], "scores": {c: 1.0 for c in r["codes"]},
             "evidence": {}, "source": "mens", "coder": r["codeur"], "memo": r.get("memo", "")}
            for r in human_codes_records(journal_or_folder, coder)]
    return pd.DataFrame(rows, columns=["id", "codes", "scores", "evidence", "source", "coder",
                                       "memo"])


def write_human_codes(journal_or_folder: "Journal | str | Path", path: str | Path, *,
                      coder: str | None = None, overwrite: bool = False,
                      codebook: Any = None) -> Path:
    """Write one coder's current human codes as a JSONL file for ``verhalen codeer --menselijk``.

    One line ``{"id", "codes", "codeur", "memo"}`` per reviewed segment (an empty ``codes``
    list: the researcher says no code applies). Atomic; an existing file is only replaced with
    ``overwrite=True``; with ``codebook`` unknown codes are refused before writing.
    """
    from .menselijk import save_human_codes

    recs = human_codes_records(journal_or_folder, coder)
    return save_human_codes(recs, path, overwrite=overwrite, codebook=codebook)
