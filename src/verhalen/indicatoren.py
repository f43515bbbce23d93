"""The indicator grammar of a codebook: one string per indicator, parsed into an
:class:`Indicator` (word patterns, ``..`` gaps, weight). The codebook validates its indicators
with it when it is loaded; :class:`verhalen.coderen.regels.RuleCoder` matches them (its module
docstring describes the syntax)::

    luisteren  vertrouwen*  *kosten  zonder oordeel  klein .. stap*  cijfers^0.5
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Indicator", "parse_indicator"]

_WEIGHT = re.compile(r"\^\s*([0-9]*\.?[0-9]+)\s*$")
_WORD = re.compile(r"^\*?[\w'’-]+\*?$|^\*$", re.UNICODE)


@dataclass(frozen=True)
class Indicator:
    text: str                      # as written in the codebook
    words: tuple[str, ...]         # word patterns (with * wildcards)
    gaps: tuple[bool, ...]         # gaps[k]: a '..' gap before words[k+1]
    weight: float


def parse_indicator(text: str) -> Indicator:
    """Parse one indicator string; ``ValueError`` (Dutch) on bad syntax."""
    raw = str(text).strip()
    weight = 1.0
    m = _WEIGHT.search(raw)
    if m:
        weight = float(m.group(1))
        raw = raw[: m.start()].strip()
    if not raw:
        raise ValueError(f"lege indicator {text!r}.")
    parts = raw.lower().split()
    words: list[str] = []
    gaps: list[bool] = []
    pending_gap = False
    for p in parts:
        if p == "..":
            if not words or pending_gap:
                raise ValueError(f"indicator {text!r}: '..' moet tussen twee woorden staan.")
            pending_gap = True
            continue
        if not _WORD.match(p) or p == "*":
            raise ValueError(f"indicator {text!r}: ongeldig woord '{p}' (alleen letters, "
                             "cijfers, - en ' met * aan het begin of einde).")
        if words:
            gaps.append(pending_gap)
        pending_gap = False
        words.append(p)
    if pending_gap:
        raise ValueError(f"indicator {text!r}: '..' moet tussen twee woorden staan.")
    return Indicator(str(text).strip(), tuple(words), tuple(gaps), weight)
