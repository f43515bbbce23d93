"""Positions of REFI-QDA selections: in which unit each producer counts, and detection.

REFI-QDA's ``startPosition``/``endPosition`` say "character", and the tools disagree on what
a character is. Two things differ:

* the **unit**: Unicode code points (an emoji counts 1) or UTF-16 code units (an emoji, or any
  character outside the Basic Multilingual Plane, counts 2 — what .NET, Cocoa and Qt count);
* the **line break**: whether a ``\\r\\n`` in the source text counts as 2 or as 1.

verhalen's documents hold the text with ``\\n`` line breaks and count code points, so a
:class:`Reading` maps a producer's positions onto ``Document.text`` (and back, on export).

What the producers write (measured on public project files where there were selections;
otherwise taken from the source of a tool that reads them):

=================  ===========================  ===========================================
producer           unit                         ``\\r\\n``
=================  ===========================  ===========================================
NVivo (Win, Mac)   UTF-16 (measured)            counts 2 (Windows writes CRLF text + BOM)
ATLAS.ti           not known: detected          counts 1 (QualCoder's importer relies on it)
MAXQDA             not known: detected          counts 2 (QualCoder adds CRLF for MAXQDA)
QualCoder          UTF-16 (Qt cursor positions) text is written with ``\\n``
verhalen (new)     UTF-16                       text is written with ``\\n``
verhalen (< 0.2)   code points                  text is written with ``\\n``
=================  ===========================  ===========================================

Measured (``origin`` of the file, selections whose two edges fall on a word boundary):
NVivo for Windows 12.6, 303 selections: UTF-16 300, code points 49; NVivo for Windows 12.6,
97 selections: 97 / 60; NVivo for Mac 12.7.0, 297 selections: 294 / 58. The texts hold
about 900 emoji.

When the producer leaves a dimension open, :func:`choose_reading` tries every reading that
gives different offsets and keeps the one that puts most selection edges on word boundaries
(or, where a tool writes the selected text as the selection's ``name``, the one that
reproduces those texts); when none fits well it says so.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np

__all__ = ["Reading", "CODE_POINTS", "UTF16", "producer_profile", "TextPositions",
           "choose_reading", "FIT_THRESHOLD", "utf16_length"]

CODE_POINTS = "codepunten"
UTF16 = "utf16"
#: share of selection edges on word boundaries below which a reading "does not fit"
FIT_THRESHOLD = 0.75


@dataclass(frozen=True)
class Reading:
    """How a producer counts positions: ``unit`` (``"utf16"`` or ``"codepunten"``) and
    ``crlf`` (2: a ``\\r\\n`` counts two, 1: it counts one)."""

    unit: str = UTF16
    crlf: int = 2

    def label(self) -> str:
        unit = "UTF-16-eenheden" if self.unit == UTF16 else "codepunten"
        return f"{unit}, \\r\\n telt {self.crlf}"


def producer_profile(origin: str | None) -> tuple[str, dict[str, object]]:
    """(producer name, the dimensions of its :class:`Reading` that are known) from the
    project's ``origin`` attribute. Unknown dimensions are left out (they are detected)."""
    o = (origin or "").strip()
    lo = o.lower()
    if "nvivo" in lo:
        return ("NVivo voor Mac" if "mac" in lo else "NVivo"), {"unit": UTF16, "crlf": 2}
    if "atlas" in lo:
        return "ATLAS.ti", {"crlf": 1}
    if "maxqda" in lo:
        return "MAXQDA", {"crlf": 2}
    if "qualcoder" in lo:               # QualCoder writes "QualCoder 3.6"
        return "QualCoder", {"unit": UTF16, "crlf": 2}
    if lo.startswith("verhalen"):
        unit = UTF16 if "utf-16" in lo else CODE_POINTS
        return "verhalen", {"unit": unit, "crlf": 2}
    return (o or "onbekend"), {}


def utf16_length(text: str) -> int:
    """Length of ``text`` in UTF-16 code units."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


class TextPositions:
    """One source text: its raw form (BOM removed, line breaks as in the file) and the
    normalised text (``\\r\\n`` and ``\\r`` → ``\\n``); converts positions of a
    :class:`Reading` to code-point offsets into the normalised text and back."""

    def __init__(self, raw: str):
        if raw.startswith("\ufeff"):
            raw = raw[1:]
        self.raw = raw
        crlf_raw = [m.start() for m in re.finditer("\r\n", raw)]
        # index in the normalised text of each \n that was a \r\n
        self.crlf_at = np.array([p - i for i, p in enumerate(crlf_raw)], dtype=np.int64)
        self.text = raw.replace("\r\n", "\n").replace("\r", "\n")
        codes = np.frombuffer(self.text.encode("utf-32-le"), dtype=np.uint32)
        self.astral = np.flatnonzero(codes > 0xFFFF)
        self._cum: dict[Reading, np.ndarray] = {}

    @property
    def has_astral(self) -> bool:
        return len(self.astral) > 0

    @property
    def has_crlf(self) -> bool:
        return len(self.crlf_at) > 0

    def _cumulative(self, reading: Reading) -> np.ndarray:
        """Position (in the reading's units) before each normalised character, plus the end."""
        cum = self._cum.get(reading)
        if cum is None:
            size = np.ones(len(self.text), dtype=np.int64)
            if reading.unit == UTF16 and len(self.astral):
                size[self.astral] += 1
            if reading.crlf == 2 and len(self.crlf_at):
                size[self.crlf_at] += 1
            cum = np.zeros(len(self.text) + 1, dtype=np.int64)
            np.cumsum(size, out=cum[1:])
            self._cum[reading] = cum
        return cum

    def length(self, reading: Reading) -> int:
        return int(self._cumulative(reading)[-1])

    def to_offsets(self, start: int, end: int, reading: Reading) -> tuple[int, int] | None:
        """Code-point offsets into ``self.text`` of a selection, or None when it does not fit
        in the text. A position inside a character (half a surrogate pair, between ``\\r``
        and ``\\n``) widens the selection to whole characters."""
        cum = self._cumulative(reading)
        if start < 0 or end < start or end > cum[-1]:
            return None
        a = bisect_right(cum, start) - 1
        z = bisect_left(cum, end)
        return int(a), int(z)

    def from_offset(self, offset: int, reading: Reading) -> int:
        """A code-point offset into ``self.text`` in the reading's units."""
        return int(self._cumulative(reading)[offset])

    def differs(self, a: Reading, b: Reading) -> bool:
        return not np.array_equal(self._cumulative(a), self._cumulative(b))


def _word_edge(text: str, i: int) -> bool:
    """Does offset ``i`` fall on a word boundary (not between two letters or digits)?"""
    if i <= 0 or i >= len(text):
        return True
    return not (text[i - 1].isalnum() and text[i].isalnum())


def _same_quote(name: str, quote: str) -> bool:
    """A selection name that is the selected text (QualCoder writes it; Qt's paragraph
    separator U+2029 stands for a line break)."""
    n = " ".join(name.replace("\u2029", "\n").split())
    return bool(n) and n == " ".join(quote.split())


def _score(items: Sequence[tuple[TextPositions, int, int, str]], reading: Reading
           ) -> tuple[float, float | None]:
    """(share of selection edges on a word boundary, share of named selections whose name
    is the selected text — None when no selection has a usable name)."""
    ok = total = 0
    named = named_ok = 0
    for tp, a0, z0, name in items:
        total += 2
        got = tp.to_offsets(a0, z0, reading)
        if got is None:
            if name:
                named += 1
            continue
        a, z = got
        ok += _word_edge(tp.text, a) + _word_edge(tp.text, z)
        if name and len(name.strip()) >= 3:
            named += 1
            named_ok += _same_quote(name, tp.text[a:z])
    return (ok / total if total else 1.0), (named_ok / named if named else None)


def choose_reading(items: Iterable[tuple[TextPositions, int, int, str]], known: dict,
                   producer: str) -> tuple[Reading, list[str], dict[str, float]]:
    """Pick the reading of a project's positions.

    ``items``: (text, startPosition, endPosition, selection name) for every selection;
    ``known``: the dimensions the producer fixes (:func:`producer_profile`). Returns
    (reading, Dutch warnings, {reading label: share of edges on word boundaries}).
    """
    items = list(items)
    units = [known["unit"]] if "unit" in known else [UTF16, CODE_POINTS]
    crlfs = [known["crlf"]] if "crlf" in known else [2, 1]
    default = Reading(unit=known.get("unit", UTF16), crlf=known.get("crlf", 2))
    candidates = [Reading(u, c) for u in units for c in crlfs]
    texts = {id(tp): tp for tp, *_ in items}.values()
    # only readings that give different offsets for these texts are worth comparing
    distinct: list[Reading] = []
    for r in [default] + [c for c in candidates if c != default]:
        if all(any(tp.differs(r, d) for tp in texts) for d in distinct):
            distinct.append(r)
    if not items or len(distinct) == 1:
        return default, [], {}
    scores = {r: _score(items, r) for r in distinct}
    edge = {r.label(): round(s[0], 4) for r, s in scores.items()}
    by_name = {r: s[1] for r, s in scores.items() if s[1] is not None}
    if by_name and max(by_name.values()) >= 0.5:
        best = max(distinct, key=lambda r: (by_name.get(r, 0.0), scores[r][0], r == default))
    else:
        best = max(distinct, key=lambda r: (scores[r][0], r == default))
    warnings: list[str] = []
    if scores[best][0] < FIT_THRESHOLD and known:   # the producer's usual reading fails:
        others = [Reading(u, c) for u in (UTF16, CODE_POINTS) for c in (2, 1)]
        others = [r for r in others if r not in scores
                  and all(any(tp.differs(r, d) for tp in texts) for d in scores)]
        alt = {r: _score(items, r) for r in others}
        good = [r for r in alt if alt[r][0] >= FIT_THRESHOLD]
        if good:
            r = max(good, key=lambda r: alt[r][0])
            edge.update({o.label(): round(s[0], 4) for o, s in alt.items()})
            warnings.append(
                f"de posities passen niet bij wat {producer} gewoonlijk schrijft "
                f"({best.label()}: {100 * scores[best][0]:.0f}% van de selectiegrenzen op een "
                f"woordgrens); ik lees ze als {r.label()} ({100 * alt[r][0]:.0f}%).")
            return r, warnings, edge
    shares = "; ".join(f"{lab}: {100 * s:.0f}%" for lab, s in edge.items())
    if scores[best][0] < FIT_THRESHOLD and not (by_name and by_name.get(best, 0) >= 0.5):
        warnings.append(
            f"de posities van de selecties ({producer}) passen bij geen enkele telling goed: "
            f"selectiegrenzen op een woordgrens per telling — {shares}. Ik gebruik "
            f"{best.label()}; controleer de citaten in selecties.csv.")
    elif len(candidates) > 1 or best != default:
        warnings.append(
            f"posities van {producer}: gelezen als {best.label()} (selectiegrenzen op een "
            f"woordgrens — {shares}).")
    return best, warnings, edge
