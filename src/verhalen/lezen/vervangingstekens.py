"""Replacement and private-use glyphs: what PDF exports leave of icon fonts, bullets and symbols.

A PDF export writes U+FFFD (or a private-use code point, U+E000–U+F8FF and planes 15–16, or
U+FFFC) where a font's glyph has no Unicode meaning: the icon after a navigation item
(``Inleiding\\ufffd``), the bullet of a list (``3.\\t\\ufffdAutonomie …``, ``\\uf0b7\\tItem``), a
symbol between words. Such a glyph *stands alone*: at a line start or end, after whitespace,
after a list number or punctuation, or between a word and a capital. It carries no letter; the
readers drop it, count it and report where (``Document.meta["vervangingstekens"]``,
``Corpus.meta["waarschuwingen"]``), and never refuse the file for it.

A glyph *inside a word* (a letter on both sides, ``ge\\ufffdnteresseerd``, ``co\\ufffdrdinator``)
stands for a letter that was lost, usually because the bytes were decoded with the wrong
encoding. A few of them are kept in the text and reported; a text where they are many is
refused (:func:`check_mangled`): see :data:`MANGLED_SHARE` for the rule.

One place for the classification: :func:`glyph_runs` decides for every run of glyphs whether it
stands alone or sits inside a word; :func:`scan_glyphs` (reporting), :func:`check_mangled`
(refusing) and :func:`drop_lone_glyphs` (cleaning) all use it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable

from ..fouten import LeesFout

#: One glyph without a letter's meaning: U+FFFD (replacement character), U+FFFC (object
#: replacement), the private-use area of the BMP (where icon and Symbol/Wingdings fonts put
#: their glyphs, e.g. U+F0B7 for Word's bullet) and the private-use planes 15 and 16.
GLYPH_CLASS = "\ufffc\ufffd\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd"
GLYPH_RE = re.compile(f"[{GLYPH_CLASS}]+")
#: A line that holds nothing but glyphs (and whitespace).
GLYPH_LINE_RE = re.compile(f"^[ \\t]*[{GLYPH_CLASS}][{GLYPH_CLASS} \\t]*$")
#: A line ending in a glyph (the icon after a navigation item); used by the PDF cleaner.
ENDS_IN_GLYPH_RE = re.compile(f"[{GLYPH_CLASS}][ \\t]*$")

#: Refuse a text as mangled when at least MIN_IN_WORD glyphs sit inside words *and* they are
#: at least MANGLED_SHARE of all letters outside ASCII (the lost ones plus the intact ë, é, ï,
#: ö, …). Why this share: a wrong decode replaces *every* letter outside ASCII, so a text
#: opened with the wrong encoding has lost (nearly) all of them (share close to 1); a PDF
#: export loses at most the odd glyph of one font without a Unicode map while the other
#: accented letters of the text survive (share close to 0; a Dutch bundle has hundreds of
#: them: cliënt, één, geïnterviewd, coördinator). One in five lies far from both; below it the
#: lost letters are kept, visible, and reported with their places. A text without any intact
#: accented letter and three or more lost ones has a share of 1: refused.
MANGLED_SHARE = 0.2
MIN_IN_WORD = 3
#: How many places a report or an error message names.
N_PLACES = 5


@dataclass
class GlyphRun:
    start: int
    end: int
    in_word: bool


def glyph_runs(text: str) -> list[GlyphRun]:
    """Every maximal run of glyphs in ``text``, classified.

    Inside a word: a letter directly before and directly after the run, except a lower-case
    letter followed by a capital (``Inleiding\\ufffdImpact``: two words glued by an icon).
    Anything else stands alone."""
    runs = []
    for m in GLYPH_RE.finditer(text):
        prev = text[m.start() - 1] if m.start() else "\n"
        nxt = text[m.end()] if m.end() < len(text) else "\n"
        in_word = prev.isalpha() and nxt.isalpha() and not (prev.islower() and nxt.isupper())
        runs.append(GlyphRun(m.start(), m.end(), in_word))
    return runs


@dataclass
class GlyphScan:
    """Where a text has glyphs: line numbers (1-based) of the lone ones and of those inside
    words, and the number of intact letters outside ASCII (for :func:`check_mangled`)."""

    lone: list[int] = field(default_factory=list)       # one entry per glyph character
    in_word: list[int] = field(default_factory=list)
    intact: int = 0
    examples: list[str] = field(default_factory=list)   # words with a lost letter

    @property
    def n_lone(self) -> int:
        return len(self.lone)

    @property
    def n_in_word(self) -> int:
        return len(self.in_word)


_NON_ASCII_LETTER = re.compile(r"[^\W\d_a-zA-Z]")


def scan_glyphs(text: str) -> GlyphScan:
    """Classify the glyphs of ``text`` and note their line numbers."""
    scan = GlyphScan(intact=len(_NON_ASCII_LETTER.findall(GLYPH_RE.sub("", text))))
    if not GLYPH_RE.search(text):
        return scan
    line, pos = 1, 0
    for run in glyph_runs(text):
        line += text.count("\n", pos, run.start)
        pos = run.start
        n = run.end - run.start
        if run.in_word:
            scan.in_word.extend([line] * n)
            if len(scan.examples) < N_PLACES:
                a, z = run.start, run.end
                while a > 0 and (text[a - 1].isalpha() or GLYPH_RE.match(text[a - 1])):
                    a -= 1
                while z < len(text) and (text[z].isalpha() or GLYPH_RE.match(text[z])):
                    z += 1
                scan.examples.append(text[a:z])
        else:
            scan.lone.extend([line] * n)
    return scan


def is_mangled(scan: GlyphScan) -> bool:
    """The rule of :data:`MANGLED_SHARE`."""
    lost = scan.n_in_word
    return lost >= MIN_IN_WORD and lost >= MANGLED_SHARE * (lost + scan.intact)


def first_places(lines: Iterable[int], unit: str = "regel", n: int = N_PLACES,
                 total: int | None = None) -> str:
    """``"regels 3, 7, 12, …"`` for the first ``n`` distinct line numbers (``total``: how many
    distinct places there are, when ``lines`` holds only the first ones)."""
    uniq = list(dict.fromkeys(lines))
    if not uniq:
        return ""
    more = len(uniq) > n or (total is not None and total > min(n, len(uniq)))
    shown = ", ".join(str(x) for x in uniq[:n]) + (", …" if more else "")
    plural = {"regel": "regels", "pagina": "pagina's", "alinea": "alinea's",
              "rij": "rijen"}.get(unit, unit)
    return f"{unit if len(uniq) == 1 else plural} {shown}"


def check_mangled(text: str, path, unit: str = "regel", scan: GlyphScan | None = None) -> GlyphScan:
    """Raise ``LeesFout`` when ``text`` is really mangled (see :data:`MANGLED_SHARE`);
    returns the scan otherwise. ``unit``: what a line number counts ("regel", "pagina")."""
    scan = scan_glyphs(text) if scan is None else scan
    if is_mangled(scan):
        lost = scan.n_in_word
        examples = ", ".join(f"‘{w}’" for w in dict.fromkeys(scan.examples))
        raise LeesFout(path, f"de tekst is beschadigd: {lost} vervangingstekens (\ufffd) staan "
                       f"midden in woorden (bijvoorbeeld {examples}), tegenover {scan.intact} "
                       "letters met accent die heel zijn gebleven. De oorspronkelijke letters "
                       "zijn verloren, meestal doordat het bestand eerder met de verkeerde "
                       "tekencodering is geopend of opgeslagen. Exporteer het bestand opnieuw "
                       "uit het origineel (PDF of Word) of sla het op als UTF-8, en lees het "
                       "dan opnieuw in.", plaats=first_places(scan.in_word, unit))
    return scan


_CLOSE = set(".,;:!?)]”’\"'»…")
_OPEN = set("(“‘\"'«[")


def drop_lone_glyphs(text: str) -> str:
    """``text`` without its lone glyphs (glyphs inside words stay, visible).

    A lone run between two words or after punctuation becomes one space (``3.\\ufffdAutonomie``
    → ``3. Autonomie``, ``Inleiding\\ufffdImpact`` → ``Inleiding Impact``); a run at a line start
    followed by a tab is the bullet of a list item and becomes ``•``; a line of glyphs only is
    removed with its line break (so it neither splits nor joins paragraphs); a run between two
    spaces goes with one of them; any other lone run is removed."""
    if not GLYPH_RE.search(text):
        return text
    out: list[str] = []
    pos = 0
    for run in glyph_runs(text):
        if run.in_word:
            continue
        a, z = run.start, run.end
        out.append(text[pos:a])
        pos = z
        prev = text[a - 1] if a else "\n"
        nxt = text[z] if z < len(text) else "\n"
        line_start = text.rfind("\n", 0, a) + 1
        before = text[line_start:a]
        if not before.strip() and nxt == "\t":
            out.append("•")
        elif (prev.isalnum() or prev in _CLOSE) and (nxt.isalnum() or nxt in _OPEN):
            out.append(" ")
        elif prev in " \t" and nxt in " \t":
            pos += 1    # "woord \ufffd woord": one space left, the line as long as without
    out.append(text[pos:])
    result = "".join(out)
    # lines that held only glyphs: gone with their line break
    lines = text.split("\n")
    if any(GLYPH_LINE_RE.match(ln) for ln in lines):
        cleaned = result.split("\n")   # as many lines: no run holds or makes a line break
        result = "\n".join(c for ln, c in zip(lines, cleaned) if not GLYPH_LINE_RE.match(ln))
    return result


def glyph_record(scan: GlyphScan, unit: str = "regel") -> dict | None:
    """What ``Document.meta["vervangingstekens"]`` holds (None without glyphs)."""
    if not scan.n_lone and not scan.n_in_word:
        return None
    rec = {"weggelaten": scan.n_lone, "in_woorden": scan.n_in_word, "eenheid": unit,
           "plaatsen": sorted(set(scan.lone + scan.in_word))[:N_PLACES],
           "aantal_plaatsen": len(set(scan.lone + scan.in_word))}
    if scan.n_in_word:
        rec["plaatsen_in_woorden"] = list(dict.fromkeys(scan.in_word))[:N_PLACES]
        rec["voorbeelden"] = list(dict.fromkeys(scan.examples))
    return rec


def merge_scans(scans: Iterable[tuple[int, GlyphScan]]) -> GlyphScan:
    """Scans of pages / paragraphs (numbered) as one scan whose 'lines' are those numbers."""
    out = GlyphScan()
    for number, s in scans:
        out.lone.extend([number] * s.n_lone)
        out.in_word.extend([number] * s.n_in_word)
        out.intact += s.intact
        out.examples.extend(s.examples[: max(0, N_PLACES - len(out.examples))])
    return out


def file_warning(path, docs) -> dict | None:
    """The entry of ``Corpus.meta["waarschuwingen"]`` for one file from the glyph records of
    its documents (a spreadsheet: one per row), or None when it had no glyphs."""
    recs = [d.meta["vervangingstekens"] for d in docs
            if isinstance(d.meta.get("vervangingstekens"), dict)]
    if not recs:
        return None
    rec = {"weggelaten": sum(r.get("weggelaten", 0) for r in recs),
           "in_woorden": sum(r.get("in_woorden", 0) for r in recs),
           "eenheid": recs[0].get("eenheid", "regel"),
           "plaatsen": [x for r in recs for x in r.get("plaatsen", [])][:N_PLACES],
           "aantal_plaatsen": sum(r.get("aantal_plaatsen", len(r.get("plaatsen", [])))
                                  for r in recs),
           "plaatsen_in_woorden": [x for r in recs
                                   for x in r.get("plaatsen_in_woorden", [])][:N_PLACES],
           "voorbeelden": [x for r in recs for x in r.get("voorbeelden", [])][:N_PLACES]}
    return warning_of(str(path), rec)


def warning_of(path: str, rec: dict) -> dict:
    """One entry of ``Corpus.meta["waarschuwingen"]`` for a file's glyph record."""
    unit = rec.get("eenheid", "regel")
    parts = []
    if rec.get("weggelaten"):
        parts.append(f"{rec['weggelaten']} losse vervangingstekens (\ufffd of symbolen uit een "
                     "pictogramlettertype) weggelaten")
    if rec.get("in_woorden"):
        ex = ", ".join(f"‘{w}’" for w in rec.get("voorbeelden", []))
        parts.append(f"{rec['in_woorden']} vervangingsteken(s) midden in een woord laten staan "
                     f"(letter verloren{': ' + ex if ex else ''}; "
                     f"{first_places(rec.get('plaatsen_in_woorden', []), unit)})")
    where = first_places(rec.get("plaatsen", []), unit, total=rec.get("aantal_plaatsen"))
    return {"path": path, "soort": "vervangingstekens", "aantal": rec.get("weggelaten", 0),
            "in_woorden": rec.get("in_woorden", 0), "plaatsen": rec.get("plaatsen", []),
            "eenheid": unit,
            "message": f"{path}: " + "; ".join(parts) + (f" ({where})" if where else "") + "."}


def summary_lines(corpus, max_files: int = 10) -> list[str]:
    """The reading summary's lines about glyphs (``verhalen lees``): one per file (the first
    ``max_files``), Dutch."""
    warnings = [w for w in (corpus.meta.get("waarschuwingen") or [])
                if w.get("soort") == "vervangingstekens"]
    if not warnings:
        return []
    total = sum(w.get("aantal", 0) for w in warnings)
    lines = [f"  vervangingstekens: {total} weggelaten in {len(warnings)} bestand(en); "
             "de tekst is verder gelezen:"]
    lines.extend(f"    - {w['message']}" for w in warnings[:max_files])
    if len(warnings) > max_files:
        lines.append(f"    … en {len(warnings) - max_files} bestand(en) meer (zie "
                     "'waarschuwingen' in corpus.json)")
    return lines
