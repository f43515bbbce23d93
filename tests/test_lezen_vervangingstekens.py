"""Replacement and private-use glyphs in real bundles: lone ones are dropped, counted and
reported, never a reason to refuse the file; only text with many letters lost inside words is
refused, with a message naming the file, the count and the places.

The bundle ``tests/data/lezen/bundel.sjabloon.txt`` (our own text, laid out like a pdftotext
export: pages opening with one space, a navigation menu whose items end in an icon glyph,
page numbers, footnotes, URLs, lists) marks where glyphs go:
``⟦g⟧`` a lone glyph (line start, line end, after a list number, between words, in headings),
``⟦gg⟧`` two of them, ``⟦s⟧`` a glyph in place of the space before a capital, ``⟦b⟧`` a glyph
used as a list bullet (followed by a tab), ``⟦L⟧`` a line of glyphs only, ``⟦n⟧`` the icon
after a navigation item. :func:`render` fills them in with a mix of kinds, or leaves them out
(the clean reference: bullets as ``•``, navigation icons kept since they mark the menu).
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from verhalen.fouten import LeesFout
from verhalen.lezen import read_corpus, summary_lines
from verhalen.lezen.vervangingstekens import (MANGLED_SHARE, check_mangled, drop_lone_glyphs,
                                              glyph_runs, scan_glyphs)

DATA = Path(__file__).parent / "data" / "lezen"
TEMPLATE = DATA / "bundel.sjabloon.txt"
BUNDLE = DATA / "bundel_vervangingstekens.txt"
#: the kinds PDF exports produce: U+FFFD, Symbol/Wingdings private-use glyphs (U+F0B7 is
#: Word's bullet), other private-use code points (BMP and plane 15), U+FFFC
KINDS = ["\ufffd", "\uf0b7", "\ue000", "\U000f0041", "\uf0a7", "\ufffc", "\uf076"]
NAV_KINDS = ["\ufffd", "\uf0e0"]


def render(template: str, glyphs: bool = True) -> str:
    """The bundle with glyphs, or its clean reference (see module docstring)."""
    kind = itertools.cycle(KINDS)
    page = 0
    out = []
    for line in template.split("\n"):
        if line.startswith(" ") and line[1:2].strip():
            page += 1
        if line == "⟦L⟧":
            if glyphs:
                out.append(next(kind) + next(kind))
            continue
        nav = NAV_KINDS[page % 2]
        line = line.replace("⟦n⟧", nav)
        line = re.sub("⟦gg⟧", lambda m: next(kind) + next(kind) if glyphs else "", line)
        line = re.sub("⟦g⟧", lambda m: next(kind) if glyphs else "", line)
        line = re.sub("⟦s⟧", lambda m: next(kind) if glyphs else " ", line)
        line = re.sub("⟦b⟧", lambda m: next(kind) if glyphs else "•", line)
        out.append(line)
    return "\n".join(out)


def _segments(path, nlp):
    corpus = read_corpus(path, nlp=nlp, cache=False, progress=False)
    return corpus, [(s.section, s.text) for s in corpus.segments()]
