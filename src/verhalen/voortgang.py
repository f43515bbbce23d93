"""Progress and messages of a long run, reported to whatever front end runs it.

A :class:`verhalen.Project` never prints: it tells a *progress* object what it does. The
protocol is small on purpose::

    class Progress(Protocol):
        bars: bool                                   # inner loops may show tqdm.auto bars
        def step(self, n: int, total: int, text: str) -> None   # a stage of the run begins
        def info(self, text: str) -> None            # a line about what happened
        def warn(self, text: str) -> None            # something was skipped or merged ("Let op")
        def error(self, text: str) -> None           # a part could not be done (a file not read)

Implementations: :class:`ConsoleProgress` (the command line: lines on stdout/stderr, tqdm bars
in the inner loops), :class:`NotebookProgress` (Jupyter: one ``tqdm.auto`` bar over the stages,
messages as lines), :class:`CallbackProgress` (the workbench: every event is a dict passed to a
function, e.g. to feed a progress bar over a websocket), :class:`SilentProgress`. Any object
with these four methods and ``bars`` will do; :func:`as_progress` turns ``None``/``True``/
``False``/a callable into one.
"""

from __future__ import annotations

import sys
from typing import Any, Callable, Protocol, TextIO, runtime_checkable

__all__ = ["Progress", "ConsoleProgress", "NotebookProgress", "CallbackProgress",
           "SilentProgress", "as_progress"]


@runtime_checkable
class Progress(Protocol):
    bars: bool

    def step(self, n: int, total: int, text: str) -> None: ...

    def info(self, text: str) -> None: ...

    def warn(self, text: str) -> None: ...

    def error(self, text: str) -> None: ...


class SilentProgress:
    """Reports nothing (tests, batch jobs)."""

    bars = False

    def step(self, n: int, total: int, text: str) -> None:
        pass

    def info(self, text: str) -> None:
        pass

    def warn(self, text: str) -> None:
        pass

    def error(self, text: str) -> None:
        pass


class ConsoleProgress:
    """The command line: ``[n/N] stage`` and info lines on ``out``, ``Let op: …`` on
    ``warn_stream`` (stdout unless a command reports warnings on stderr), errors on stderr."""

    def __init__(self, bars: bool = True, out: TextIO | None = None,
                 warn_stream: TextIO | None = None, err: TextIO | None = None):
        self.bars = bars
        self._out, self._warn, self._err = out, warn_stream, err

    def _stream(self, s: TextIO | None, default: str) -> TextIO:
        return s if s is not None else getattr(sys, default)   # late: pytest swaps sys.stdout

    def step(self, n: int, total: int, text: str) -> None:
        print(f"[{n}/{total}] {text}", file=self._stream(self._out, "stdout"), flush=True)

    def info(self, text: str) -> None:
        print(text, file=self._stream(self._out, "stdout"))

    def warn(self, text: str) -> None:
        print(f"Let op: {text}", file=self._stream(self._warn, "stdout"))

    def error(self, text: str) -> None:
        print(text, file=self._stream(self._err, "stderr"))


class NotebookProgress:
    """Jupyter: one ``tqdm.auto`` bar (a widget when ipywidgets is there) over the stages;
    info lines only with ``verbose``, warnings and errors always."""

    def __init__(self, verbose: bool = False, bars: bool = True):
        self.bars, self.verbose = bars, verbose
        self._bar: Any = None

    def step(self, n: int, total: int, text: str) -> None:
        from tqdm.auto import tqdm

        if self._bar is None or self._bar.total != total or n <= self._bar.n:
            if self._bar is not None:
                self._bar.close()
            self._bar = tqdm(total=total, desc=text, leave=True)
        self._bar.set_description_str(text)
        self._bar.update(n - 1 - self._bar.n)
        if n == total:
            self._bar.update(1)

    def info(self, text: str) -> None:
        if self.verbose:
            print(text)

    def warn(self, text: str) -> None:
        print(f"Let op: {text}")

    def error(self, text: str) -> None:
        print(text, file=sys.stderr)


class CallbackProgress:
    """Every event as a dict to ``fn``: ``{"soort": "stap", "n", "totaal", "tekst"}``,
    ``{"soort": "info"|"let_op"|"fout", "tekst"}`` (the workbench's progress bar)."""

    def __init__(self, fn: Callable[[dict], Any], bars: bool = False):
        self.fn, self.bars = fn, bars

    def step(self, n: int, total: int, text: str) -> None:
        self.fn({"soort": "stap", "n": n, "totaal": total, "tekst": text})

    def info(self, text: str) -> None:
        self.fn({"soort": "info", "tekst": text})

    def warn(self, text: str) -> None:
        self.fn({"soort": "let_op", "tekst": text})

    def error(self, text: str) -> None:
        self.fn({"soort": "fout", "tekst": text})


def as_progress(progress: Any = None) -> Progress:
    """``None``/``True`` → :class:`ConsoleProgress`; ``False`` → :class:`SilentProgress`; a
    callable → :class:`CallbackProgress`; an object of the protocol as it is."""
    if progress is None or progress is True:
        return ConsoleProgress()
    if progress is False:
        return SilentProgress()
    if all(hasattr(progress, m) for m in ("step", "info", "warn", "error")):
        if not hasattr(progress, "bars"):
            progress.bars = False
        return progress
    if callable(progress):
        return CallbackProgress(progress)
    raise TypeError(f"progress: verwacht None, True, False, een functie of een object met "
                    f"step/info/warn/error, niet {type(progress).__name__}.")
