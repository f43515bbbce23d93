"""Measuring pseudonymisation on a labelled set: recall, precision and leaks per category.

The labelled set is plain text, one text per line, entities marked ``[[Sanne Brouwer|persoon]]``
(lines starting with ``#`` are comments); see ``tests/data/privacy/gelabeld.txt``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..fouten import VerhalenFout
from ..model import Corpus, Document, Segment
from .detectie import CATEGORIES, PARTICLES, TITLES

_MARK_RE = re.compile(r"\[\[([^|\]]+)\|([a-z]+)\]\]")
_TITLE_WORDS = {t.casefold() for t in TITLES}


@dataclass
class Labelled:
    """One labelled text: ``spans`` are ``(start, end, category)`` into ``text``."""

    id: str
    text: str
    spans: list[tuple[int, int, str]] = field(default_factory=list)


def read_labelled(path: str | Path) -> list[Labelled]:
    """Parse a labelled set; a malformed mark or unknown category names file and line."""
    path = Path(path)
    out = []
    for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        text, spans, last = [], [], 0
        pos = 0
        for m in _MARK_RE.finditer(line):
            if m.group(2) not in CATEGORIES:
                raise VerhalenFout(f"{path}, regel {no}: onbekende categorie '{m.group(2)}'.")
            chunk = line[last:m.start()]
            text.append(chunk)
            pos += len(chunk)
            spans.append((pos, pos + len(m.group(1)), m.group(2)))
            text.append(m.group(1))
            pos += len(m.group(1))
            last = m.end()
        text.append(line[last:])
        joined = "".join(text)
        if "[[" in joined or "]]" in joined:
            raise VerhalenFout(f"{path}, regel {no}: onvolledige markering ('[[' of ']]').")
        out.append(Labelled(f"tekst-{no:03d}", joined, spans))
    if not out:
        raise VerhalenFout(f"{path}: bevat geen gelabelde teksten.")
    return out


def as_corpus(items: list[Labelled]) -> Corpus:
    """The labelled texts as a corpus of one-segment documents."""
    corpus = Corpus()
    for it in items:
        seg = Segment(id=f"{it.id}-0000", doc_id=it.id, index=0, text=it.text, start=0,
                      end=len(it.text))
        corpus.documents.append(Document(id=it.id, text=it.text, segments=[seg]))
    return corpus


def _name_tokens(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Character ranges of the identifying words of a gold span (forms of address left out)."""
    out = []
    for m in re.finditer(r"[\w@.+'’-]+", text[start:end]):
        word = m.group().rstrip(".")
        if word.casefold() in _TITLE_WORDS or word.casefold() in PARTICLES or len(word) < 2:
            continue
        out.append((start + m.start(), start + m.start() + len(word)))
    return out


def _overlaps(ent, start: int, end: int) -> bool:
    return ent.start < end and start < ent.end


def evaluate(pseudonimiser, items: list[Labelled]) -> dict:
    """Fit ``pseudonimiser`` on the set (as one corpus) and score what it finds.

    Per category: ``gold``, ``gevonden`` (typed hits: a predicted span of the same category
    overlaps the gold span), ``recall``; ``gedekt`` and ``recall_gedekt``: every identifying
    word of the gold span lies inside some replaced span (of any category), i.e. nothing of it
    is left readable. Precision: share of predicted spans that overlap a gold span.
    ``lekken``: gold person names still readable in the pseudonymised text.
    """
    corpus = as_corpus(items)
    pseudonimiser.fit(corpus)
    rows = {c: {"gold": 0, "gevonden": 0, "gedekt": 0} for c in CATEGORIES}
    n_pred = 0
    wrong: list[str] = []          # replaced spans that overlap no gold span
    for it in items:
        pred = pseudonimiser.find(it.text)
        n_pred += len(pred)
        wrong += [p.text for p in pred if not any(_overlaps(p, s, e) for s, e, _ in it.spans)]
        for s, e, cat in it.spans:
            row = rows[cat]
            row["gold"] += 1
            row["gevonden"] += any(p.category == cat and _overlaps(p, s, e) for p in pred)
            row["gedekt"] += all(any(p.start <= a and b <= p.end for p in pred)
                                 for a, b in _name_tokens(it.text, s, e))
    leaks = []
    out = pseudonimiser.transform_corpus(corpus)
    for it, doc in zip(items, out.documents):
        for s, e, cat in it.spans:
            if cat != "persoon":
                continue
            for a, b in _name_tokens(it.text, s, e):
                word = it.text[a:b]
                if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", doc.text):
                    leaks.append(word)
    table = pd.DataFrame.from_dict(rows, orient="index")
    table = table[table["gold"] > 0]
    table["recall"] = table["gevonden"] / table["gold"]
    table["recall_gedekt"] = table["gedekt"] / table["gold"]
    return {"tabel": table, "precisie": (n_pred - len(wrong)) / n_pred if n_pred else 1.0,
            "voorspeld": n_pred, "fout_gevonden": wrong, "lekken": leaks,
            "pseudoniemen": pseudonimiser.entries_}
