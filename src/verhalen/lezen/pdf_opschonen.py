"""Cleaning text extracted from PDF bundles into headings and whole paragraphs.

Input: the text of a PDF export (pages given explicitly, separated by form feeds, or in the
``pdftotext``-style convention where a page starts with a line beginning with one space).
Output: a list of :class:`Block` (headings with a level, paragraphs) plus the links (bare
URLs) and the names found in photo captions.

Rules (all general, none tied to one file):

* replacement and private-use glyphs (U+FFFD, icon fonts; ``vervangingstekens``): a glyph at
  the end of a short line marks a navigation item when such lines form a menu (three or more
  close together, with only their wrapped parts and blank lines between); every other lone
  glyph is dropped (a line start + tab: a list bullet ``•``), and a glyph inside a word stays;
* page furniture: navigation sidebars (the items found above and the lines wrapped into
  them), running headers/footers (short lines repeated at the top or bottom of
  many pages), page numbers (a line that is only a number);
* footnote blocks at the end of a page (``N<TAB>reference`` and everything after it on that
  page) and footnote markers glued to words (``Correspondent.1``, ``Flyvbjerg,10``,
  ``situatie.13,14``, ``Kruiter11``) when N is a footnote number found in a block, without
  touching real numbers (``1,6 keer``, ``2020``, ``12 en 30 jaar``);
* bare URLs: removed from the text, kept as links;
* words broken over lines are joined (``om-`` + ``armd`` → ``omarmd``) unless the hyphen is
  real (``re-integratie``, ``Noord-Brabant``, ``zee-egel``, ``sociaal-pedagogisch``, ``zorg- en
  welzijn``), decided with a lexicon: word forms seen elsewhere in the document plus the Dutch
  lookup table of spacy-lookups-data;
* a paragraph cut by a page break (or by the footnotes of a page) is re-joined when the next
  page's first line continues the sentence;
* numbered and bulleted list items (``3.<TAB>…``, ``•``, ``–``, ``▪``) stay inside the paragraph
  that introduces them (no blank line between): one segment, each item starting clean
  (``3. Autonomie …``); a line ``N.<TAB>…`` is a list item, never a numbered heading;
* headings: chapter titles (level 1, a title page or the document's first title), interview /
  article titles (level 2, a title at the top of a page), sub-headings (level 3, a short line
  directly followed by body text);
* photo captions (a line of person names, possibly glued: ``Vincent VermeulenTessa Bakker``)
  are removed; the names are kept for the people table.
"""

from __future__ import annotations

import functools
import gzip
import json
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .vervangingstekens import ENDS_IN_GLYPH_RE, GLYPH_LINE_RE, GLYPH_RE, drop_lone_glyphs

#: Navigation items and the lines wrapped into them are short.
NAV_MAX_CHARS = 60
#: Lines ending in a glyph that make a navigation menu on one page.
NAV_MIN_GROUP = 3
LARGER_FONT = 1.05  # font size relative to the body above which a layout line is a heading
TERMINAL = tuple(".!?…:;")
CLOSERS = "’”\"')]»"
URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>”’\"]+", re.I)
URL_LINE_RE = re.compile(r"^\s*(?:https?://|www\.)\S+\s*$", re.I)
PAGE_NUMBER_RE = re.compile(
    r"^\s*(?:[-–—]\s*)?(?:(?:pagina|blz\.?|p\.)\s*)?\d{1,4}(?:\s*(?:/|van|of)\s*\d{1,4})?"
    r"(?:\s*[-–—])?\s*$", re.I)
FOOTNOTE_TAB_RE = re.compile(r"^(\d{1,3})\t\s*\S")
FOOTNOTE_SPACE_RE = re.compile(r"^(\d{1,3}) {1,3}(?=[A-Z‘“'\"(])")
NUMBERED_HEADING_RE = re.compile(r"^\d{1,2}(?:\.\d{1,2})*\.?\s+[A-ZÀ-Ý“‘]")
BULLET_CHARS = "•▪◦●○■□‣⁃◾▫"
BULLET_RE = re.compile(rf"^\s*(?:[{BULLET_CHARS}\-–*]|\d{{1,2}}[.)])\s+")
#: A numbered list item as Word lists export it: the number, then a tab (headings use a space).
LIST_NUMBER_TAB_RE = re.compile(r"^\d{1,2}[.)]\t")
MARKER_RE = re.compile(
    r"(?P<pre>[^\W\d_]{2,}|[.,;:!?)\]’”\"])(?P<num>\d{1,3}(?:,\d{1,3})*)(?=[\s.,;:!?)’”\"]|$)")
VOWELS = set("aeiouyáéíóúàèëïöüâêîôû")
SUSPENDED = {"en", "of", "tot", "en/of", "noch", "als"}
FUNCTION_WORDS = {
    "de", "het", "een", "van", "en", "aan", "in", "op", "met", "voor", "bij", "te", "om", "dat",
    "die", "als", "of", "tot", "naar", "over", "door", "uit", "maar", "want", "dan", "hun",
    "haar", "zich", "onder", "tussen", "dit", "deze", "welke", "omdat", "terwijl", "dus"}
ADJ_SUFFIXES = ("aal", "eel", "isch", "ief", "iek", "air", "eus", "ueel", "iel")


@dataclass
class Block:
    """A heading or a paragraph of cleaned text."""

    kind: str                  # "paragraph" | "heading" | "meta" (front matter) | "verwijzing"
    text: str
    level: int = 0             # headings: 1 chapter, 2 title (interview/article), 3 sub-heading
    page: int | None = None    # 1-based page where the block starts


@dataclass
class Cleaned:
    blocks: list[Block]
    links: list[str] = field(default_factory=list)
    caption_names: list[str] = field(default_factory=list)
    removed: Counter = field(default_factory=Counter)


# ---------------------------------------------------------------------------------------------
# lexicon
@functools.lru_cache(maxsize=1)
def dutch_lexicon() -> frozenset[str]:
    """Dutch word forms (lower case) from the lemma lookup table of spacy-lookups-data."""
    try:
        import spacy_lookups_data

        path = Path(spacy_lookups_data.__file__).parent / "data" / "nl_lemma_lookup.json.gz"
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            table = json.load(fh)
    except Exception:  # noqa: BLE001 - without the table the document's own words still count
        return frozenset()
    words = set(table)
    words.update(table.values())
    return frozenset(w.lower() for w in words if w.isalpha())


_INFLECTIONS = ("ste", "sten", "en", "er", "ere", "de", "te", "den", "ten", "e", "s", "n", "d",
                "t")


def _known(word: str, doc_words: set[str], lex: frozenset[str]) -> bool:
    w = word.lower()
    if w in doc_words or w in lex:
        return True
    for suf in _INFLECTIONS:
        if w.endswith(suf) and len(w) - len(suf) >= 4:
            stem = w[: -len(suf)]
            if stem in lex or stem in doc_words:
                return True
    return False


def _is_compound(word: str, lex: frozenset[str]) -> bool:
    w = word.lower()
    for i in range(3, len(w) - 2):
        head, tail = w[:i], w[i:]
        if head in lex and (tail in lex or (tail.startswith("s") and tail[1:] in lex)
                            or _known(tail, set(), lex)):
            return True
    return False


def decide_hyphen(left: str, right: str, doc_words: set[str], doc_hyphenated: set[str],
                  lex: frozenset[str] | None = None) -> str:
    """How to join ``left-`` at a line end with ``right`` on the next line.

    Returns the joining string: "" (a broken word: join), "-" (a real hyphen: keep it) or
    "- " (a suspended hyphen, "zorg- en welzijn")."""
    lex = dutch_lexicon() if lex is None else lex
    lw = re.sub(r"^\W+", "", left)
    rw = re.match(r"[\w’'-]*", right).group(0)
    if not lw or not rw:
        return "-"
    if rw.lower() in SUSPENDED:
        return "- "
    if rw[0].isupper() or rw[0].isdigit() or lw[-1].isdigit():
        return "-"
    joined, hyph = (lw + rw).lower(), f"{lw}-{rw}".lower()
    rw_core = re.match(r"[^\W\d_]+", rw)
    rw_core = rw_core.group(0).lower() if rw_core else rw.lower()
    if hyph in doc_hyphenated and joined not in doc_words:
        return "-"
    if joined in doc_words:
        return ""
    joined_core = (lw + rw_core).lower()
    if _known(joined_core, doc_words, lex):
        return ""
    if lw[-1].lower() in VOWELS and rw_core[:1] in VOWELS:
        return "-"  # vowel clash: re-integratie, zee-egel, co-creatie
    if (len(lw) >= 5 and lw.lower().endswith(ADJ_SUFFIXES) and lw.lower() in lex
            and _known(rw_core, doc_words, lex) and len(rw_core) >= 5):
        return "-"  # coordinated adjectives: sociaal-pedagogisch, medisch-specialistisch
    return ""


# ---------------------------------------------------------------------------------------------
# detection helpers
def normalise_chars(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u00ad", "").replace("\u200b", "").replace("\ufeff", "")
    text = re.sub(r"[\u00a0\u2007\u202f\u2009]", " ", text)
    for lig, rep in (("ﬁ", "fi"), ("ﬂ", "fl"), ("ﬀ", "ff"), ("ﬃ", "ffi"), ("ﬄ", "ffl")):
        text = text.replace(lig, rep)
    # NFC last: a removed soft hyphen between a letter and its accent lets them compose
    # (normalising twice must give the same text)
    return unicodedata.normalize("NFC", text)


def looks_like_pdf_export(text: str) -> bool:
    """Heuristic: does this .txt/.md look like text extracted from a PDF layout?"""
    lines = text.split("\n")
    if "\f" in text:
        return True
    n = max(1, len(lines))
    score = 0
    if sum(1 for ln in lines if ENDS_IN_GLYPH_RE.search(ln)) >= 3:
        score += 1
    if sum(1 for ln in lines if FOOTNOTE_TAB_RE.match(ln)) >= 2:
        score += 1
    broken = sum(1 for ln in lines if re.search(r"[^\W\d_]{2}-$", ln))
    if broken >= 3 and broken / n > 0.01:
        score += 1
    if sum(1 for ln in lines if re.match(r"^ \S", ln)) >= 3:
        score += 1
    if sum(1 for ln in lines if URL_LINE_RE.match(ln)) >= 2:
        score += 1
    if sum(1 for ln in lines if PAGE_NUMBER_RE.match(ln) and ln.strip()) >= 3:
        score += 1
    return score >= 2


def split_pages(text: str) -> list[str]:
    if "\f" in text:
        return text.split("\f")
    lines = text.split("\n")
    starts = [i for i, ln in enumerate(lines) if re.match(r"^ [^\s]", ln)]
    if len(starts) < 2:
        return [text]
    if starts[0] != 0:
        starts = [0] + starts
    pages = []
    for a, b in zip(starts, starts[1:] + [len(lines)]):
        pages.append("\n".join(lines[a:b]))
    return pages


def _key(line: str) -> str:
    s = GLYPH_RE.sub("", line).strip().lower()
    s = re.sub(r"\d+", "#", s)
    return re.sub(r"\s+", " ", s)


_TRAILING_MARKER = re.compile(r"(?<=[.!?:;…’”\"'])\d{1,3}(?:,\d{1,3})*$")


def _ends_sentence(s: str) -> bool:
    s = _TRAILING_MARKER.sub("", s.rstrip()).rstrip(CLOSERS)
    return bool(s) and s.endswith(TERMINAL)


def _first_alpha(s: str) -> str:
    m = re.search(r"[^\W\d_]", s)
    return m.group(0) if m else ""


# ---------------------------------------------------------------------------------------------
@dataclass
class _Line:
    text: str          # stripped text
    page: int          # 0-based page index
    blank_before: int  # blank lines before it on the page (page start: 0)
    page_start: bool
    trailing_space: bool
    layout: bool = False   # the PDF's layout is known for this page (gaps, font sizes)
    size: float = 1.0      # font size relative to the page's body size (layout only)


def _person_names_in(line: str, first_names: frozenset[str], known_full: set[str]) -> list[str]:
    """If ``line`` consists only of person names (photo caption), return them, else []."""
    s = re.sub(r"(?<=[a-zà-ÿ])(?=[A-Z][a-zà-ÿ])", " ", line.strip())  # "VermeulenTessa"
    toks = s.split()
    if not 2 <= len(toks) <= 12 or any(not re.match(r"^[A-Z][\w’'.-]*$|^(van|de|der|den|ter|"
                                                    r"ten|te|het|von|la|le)$", t) for t in toks):
        return []
    names, cur = [], []
    for t in toks:
        if t in first_names and cur and any(c[0].isupper() for c in cur[1:]):
            names.append(" ".join(cur))
            cur = []
        cur.append(t)
    if cur:
        names.append(" ".join(cur))
    ok = all(len(n.split()) >= 2 and (n.split()[0] in first_names or n in known_full)
             for n in names)
    return names if ok else []


def clean_pdf_text(text: str, pages: list[str] | None = None,
                   first_names: frozenset[str] | None = None,
                   layout: list[list[tuple[bool, float]] | None] | None = None) -> Cleaned:
    """Clean PDF-extracted text into heading and paragraph blocks (see module docstring).

    ``layout``: per page, per line of its text, ``(gap_before, relative font size)`` as read
    from the PDF (``bestanden._page_text``), or None for a page without it. With it a
    paragraph gap is a blank line and a line in a larger font is a heading; without it the
    text alone decides.
    """
    from .sprekers import first_name_set

    first_names = first_name_set() if first_names is None else first_names
    removed: Counter = Counter()
    links: list[str] = []
    if pages is None:
        pages = split_pages(normalise_chars(text))
    else:
        pages = [normalise_chars(p) for p in pages]
    page_lines = [p.split("\n") for p in pages]
    npages = len(page_lines)
    # 0. glyphs: which lines end in one (navigation candidates) or hold nothing else; then
    # every lone glyph is dropped from the lines (their number per page stays the same)
    glyph_end = [[bool(ENDS_IN_GLYPH_RE.search(ln)) for ln in lines] for lines in page_lines]
    glyph_only = [[bool(GLYPH_LINE_RE.match(ln)) for ln in lines] for lines in page_lines]
    page_lines = [[drop_lone_glyphs(ln) if not glyph_only[p][i] else ""
                   for i, ln in enumerate(lines)] for p, lines in enumerate(page_lines)]
    nav_idx = [set(_nav_items([ln.strip() for ln in lines], glyph_end[p], glyph_only[p]))
               for p, lines in enumerate(page_lines)]
    page_layout: list[list[tuple[bool, float]] | None] = [None] * npages
    for pno, lay in enumerate(layout or []):
        if pno < npages and lay is not None and len(lay) == len(page_lines[pno]):
            page_layout[pno] = lay

    # 1. running headers/footers: short lines repeated at the top/bottom of many pages
    # (navigation items are removed in step 2: a menu item repeated on every page must not
    # make the chapter title of the same name a footer)
    edge_count: Counter = Counter()
    for p, lines in enumerate(page_lines):
        body = [ln for i, ln in enumerate(lines) if ln.strip() and i not in nav_idx[p]]
        edge = {_key(ln) for ln in body[:3] + body[-3:] if len(ln.strip()) <= 100}
        edge_count.update(k for k in edge if k and k != "#")
    thresh = max(3, math.ceil(0.3 * npages))
    running = {k for k, c in edge_count.items() if c >= thresh}
    # a block of short lines repeated at the top of most pages (a navigation bar / menu):
    # counted in the first 15 lines; removed only as an unbroken run from the page top
    top_count: Counter = Counter()
    for p, lines in enumerate(page_lines):
        top = [ln for i, ln in enumerate(lines) if ln.strip() and i not in nav_idx[p]][:15]
        top_count.update({_key(ln) for ln in top if len(ln.strip()) <= 60})
    top_thresh = max(2, math.ceil(0.6 * npages))
    top_block = {k for k, c in top_count.items() if c >= top_thresh and k and k != "#"} \
        if npages >= 2 else set()

    # 2. footnote numbers: markers glued to words in the text, and footnote lines
    full = "\n".join("\n".join(ls) for ls in page_lines)
    marker_nums: set[int] = set()
    for m in MARKER_RE.finditer(full):
        marker_nums.update(int(x) for x in m.group("num").split(","))
    footnote_nums: set[int] = set()

    items: list[_Line] = []
    for pno, lines in enumerate(page_lines):
        keep = [True] * len(lines)
        stripped = [ln.strip() for ln in lines]
        # navigation items (icon glyph at the end) and the lines wrapped into them
        for i in sorted(nav_idx[pno]):
            if keep[i]:
                keep[i] = False
                removed["navigatie"] += 1
                j = i - 1
                while j >= 0 and stripped[j] and keep[j] and len(stripped[j]) <= NAV_MAX_CHARS \
                        and not _ends_sentence(stripped[j]) \
                        and not URL_LINE_RE.match(stripped[j]):
                    keep[j] = False
                    removed["navigatie"] += 1
                    j -= 1
        for i, s in enumerate(stripped):
            if not s:
                continue
            if keep[i] and _key(s) in top_block | running:
                keep[i] = False
                removed["kop/voettekst"] += 1
            elif keep[i]:
                break
        for i, s in enumerate(stripped):
            if not keep[i] or not s:
                continue
            if _key(s) in running:
                keep[i] = False
                removed["kop/voettekst"] += 1
            elif PAGE_NUMBER_RE.match(s):
                keep[i] = False
                removed["paginanummer"] += 1
            elif URL_LINE_RE.match(s):
                keep[i] = False
                links.append(s)
                removed["url"] += 1
        # footnote zone: from the first footnote line to the end of the page
        for i, ln in enumerate(lines):
            if not keep[i]:
                continue
            m = FOOTNOTE_TAB_RE.match(ln)
            sp = None if m else FOOTNOTE_SPACE_RE.match(ln)
            if sp and int(sp.group(1)) in marker_nums and i > 0 and stripped[i - 1] \
                    and i < 0.5 * len([x for x in stripped if x]):
                sp = None  # a numbered line high on the page is body text, not a footnote
            if sp and stripped[i - 1] and not re.search(
                    rf"(?:[^\W\d_]|[.,;:!?’”)]){sp.group(1)}(?!\d)", "\n".join(lines[:i])):
                sp = None  # no marker for this number earlier on the page
            if m or (sp and int(sp.group(1)) in marker_nums and i > 0):
                num = int((m or sp).group(1))
                if num not in marker_nums and not m:
                    continue
                if i == 0 and pno == 0:
                    continue
                for j in range(i, len(lines)):
                    if keep[j] and stripped[j]:
                        if URL_LINE_RE.match(stripped[j]):
                            continue
                        fm = FOOTNOTE_TAB_RE.match(lines[j]) or FOOTNOTE_SPACE_RE.match(lines[j])
                        if fm:
                            footnote_nums.add(int(fm.group(1)))
                        removed["voetnootregel"] += 1
                    keep[j] = False
                break
        blank = 0
        first = True
        lay = page_layout[pno]
        for i, ln in enumerate(lines):
            s = stripped[i]
            if glyph_only[pno][i]:
                continue  # a line of glyphs only: neither a blank line nor text
            if not s:
                blank += 1
                continue
            if lay is not None and lay[i][0]:
                blank += 1   # a paragraph gap in the layout counts as a blank line
            if not keep[i]:
                continue  # removed furniture does not count as a blank line
            items.append(_Line(s, pno, 0 if first else blank, first, ln != ln.rstrip(),
                               layout=lay is not None,
                               size=lay[i][1] if lay is not None else 1.0))
            first = False
            blank = 0

    # 3. photo captions: a standalone line of person names
    doc_text = " ".join(it.text for it in items)
    caption_names: list[str] = []
    known_full = set()
    keep_items = []
    for idx, it in enumerate(items):
        nxt = items[idx + 1] if idx + 1 < len(items) else None
        standalone = (it.blank_before > 0 or it.page_start) and (
            nxt is None or nxt.blank_before > 0 or nxt.page_start)
        names = _person_names_in(it.text, first_names, known_full) if standalone else []
        if names and all(doc_text.count(n.split()[-1]) >= 2 for n in names):
            caption_names.extend(n for n in names if n not in caption_names)
            removed["fotobijschrift"] += 1
            continue
        keep_items.append(it)
    items = keep_items

    # 4. document vocabulary for de-hyphenation
    body_words: set[str] = set()
    hyphenated: set[str] = set()
    for it in items:
        t = it.text[:-1] if it.text.endswith("-") else it.text
        for w in re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*", t):
            if "-" in w:
                hyphenated.add(w.lower())
                body_words.update(p.lower() for p in w.split("-"))
            else:
                body_words.add(w.lower())

    lengths = sorted(len(it.text) for it in items if len(it.text) > 20)
    width = lengths[int(0.9 * (len(lengths) - 1))] if lengths else 80

    # double-spaced pages (title pages): nearly every line is followed by a blank line
    double: set[int] = set()
    for pno in range(npages):
        pl = [it for it in items if it.page == pno]
        if len(pl) >= 4:
            gaps = sum(1 for it in pl[1:] if it.blank_before == 1)
            if gaps / (len(pl) - 1) >= 0.6:
                double.add(pno)

    blocks = _assemble(items, width, double, body_words, hyphenated, removed)
    for b in blocks:
        b.text = _strip_markers(b.text, footnote_nums, removed)
        urls = URL_RE.findall(b.text)
        if urls:
            links.extend(u.rstrip(".,;)") for u in urls)
            removed["url"] += len(urls)
            b.text = re.sub(r"\s{2,}", " ", URL_RE.sub("", b.text)).strip()
    blocks = [b for b in blocks if b.text]
    seen, uniq = set(), []
    for u in links:
        if u not in seen:
            seen.add(u)
            uniq.append(u)
    return Cleaned(blocks, uniq, caption_names, removed)


def _nav_items(stripped: list[str], ends: list[bool], only: list[bool]) -> list[int]:
    """Indices of a page's navigation items: short lines that ended in a glyph and form a
    menu: labels (no list items, no statements), at least NAV_MIN_GROUP of them, with only
    blank lines, glyph-only lines and at most three short, unfinished lines (items wrapped
    over two lines) between neighbours. An item starts after a blank line, another item or at
    the page top, and the menu ends in a blank line, a page number or the page end: so neither
    the short last line of a paragraph above a menu nor glyphs at the ends of the lines of a
    narrow column of body text (its lines go on after the last one) make a menu. A lone
    glyph at the end of a body line or a heading (even one named like a menu item) is no
    navigation: the line stays, without the glyph."""

    def starts_clean(i: int) -> bool:
        j, wrapped = i - 1, 0
        while j >= 0 and stripped[j]:
            if len(stripped[j]) > NAV_MAX_CHARS:
                return False
            if ends[j]:
                return True     # the item above
            if _ends_sentence(stripped[j]) or wrapped == 3:
                return False
            wrapped += 1
            j -= 1
        return True

    def ends_clean(i: int) -> bool:
        nxt = next((j for j in range(i + 1, len(stripped)) if not only[j]), None)
        return nxt is None or not stripped[nxt] or bool(PAGE_NUMBER_RE.match(stripped[nxt])) \
            or (ends[nxt] and len(stripped[nxt]) <= NAV_MAX_CHARS)

    # a menu item is a label: not a list item of the body text ("2.<TAB>…", "• …") and not
    # a statement ending in . ! : ; (a question, "Wie spraken we?", is a label too)
    cands = [i for i, s in enumerate(stripped) if ends[i] and not only[i] and s
             and len(s) <= NAV_MAX_CHARS and not BULLET_RE.match(s)
             and not s.rstrip(CLOSERS).endswith((".", "!", ":", ";")) and starts_clean(i)]
    if not cands:
        return []
    nav: set[int] = set()
    group = [cands[0]]
    for a, b in zip(cands, cands[1:] + [None]):
        linked = b is not None
        if linked:
            between = [stripped[j] for j in range(a + 1, b) if stripped[j] and not only[j]]
            linked = len(between) <= 3 and all(
                len(x) <= NAV_MAX_CHARS and not _ends_sentence(x) for x in between)
        if linked:
            group.append(b)
            continue
        while group and not ends_clean(group[-1]):
            group.pop()
        if len(group) >= NAV_MIN_GROUP:
            nav.update(group)
        if b is not None:
            group = [b]
    return sorted(nav)


def _heading_run(items: list[_Line], i: int, width: int) -> int:
    """Number of lines from ``i`` that form a heading (0 if none)."""
    it = items[i]
    short = 0.75 * width
    n = 0
    words = 0
    while i + n < len(items):
        cur = items[i + n]
        if n and (cur.blank_before or cur.page_start):
            break
        if len(cur.text) >= short or BULLET_RE.match(cur.text):
            break
        if cur.text.rstrip(CLOSERS).endswith((".", ",", ";", ":", "-")) or cur.text.endswith("…"):
            return 0
        words += len(cur.text.split())
        n += 1
        if n >= 4:
            break
    if n == 0 or words > 22:
        return 0
    last_word = re.sub(r"[^\w’']", "", items[i + n - 1].text.split()[-1]).lower()
    if last_word in FUNCTION_WORDS and not items[i + n - 1].text.rstrip(CLOSERS).endswith("?"):
        return 0  # a heading does not end in an article or preposition: this is body text
    first = _first_alpha(it.text)
    if not first or not (first.isupper() or it.text[0] in "‘“'\"“"):
        return 0
    if re.match(r"^[‘“'\"]", it.text) and not it.text.rstrip().endswith(("’", "”", "'", '"')):
        return 0  # a line opening a quotation is speech, not a heading
    nxt = items[i + n] if i + n < len(items) else None
    if nxt is None:
        return 0
    if it.text.rstrip(CLOSERS).endswith("?") and not (it.page_start or nxt.blank_before):
        return 0
    return n


def _assemble(items: list[_Line], width: int, double: set[int], body_words: set[str],
              hyphenated: set[str], removed: Counter) -> list[Block]:
    blocks: list[Block] = []
    cur: list[_Line] = []
    first_heading_done = False
    page_width: dict[int, int] = {}
    for pno in {it.page for it in items}:
        lens = sorted(len(it.text) for it in items if it.page == pno and len(it.text) > 20)
        if len(lens) >= 3:
            page_width[pno] = lens[int(0.9 * (len(lens) - 1))]
    # pages whose text layer has no blank lines between paragraphs (e.g. pypdf output)
    no_blanks = {pno for pno in page_width
                 if not any(it.blank_before for it in items if it.page == pno)}
    # heading levels from the layout: the larger the font, the higher the level
    larger = sorted({round(it.size, 1) for it in items if it.layout and it.size > LARGER_FONT},
                    reverse=True)
    size_level = {sz: min(n + 1, 3) for n, sz in enumerate(larger)}

    def flush():
        nonlocal cur
        if cur:
            blocks.append(Block("paragraph", _join_lines(cur, body_words, hyphenated, removed),
                                page=cur[0].page + 1))
            cur = []

    i = 0
    while i < len(items):
        it = items[i]
        prev = cur[-1] if cur else None
        # a short run of lines in a larger font (known from the layout): a title or heading
        if it.layout and it.size > LARGER_FONT:
            j = i + 1
            while j < len(items) and items[j].page == it.page and items[j].layout \
                    and abs(items[j].size - it.size) < 0.02 and not items[j].blank_before:
                j += 1
            text = re.sub(r"\s+", " ", " ".join(x.text for x in items[i:j])).strip()
            if j - i <= 4 and len(text.split()) <= 30:
                flush()
                blocks.append(Block("heading", text, level=size_level[round(it.size, 1)],
                                    page=it.page + 1))
                first_heading_done = True
                i = j
                continue
        boundary = it.page_start or it.blank_before > 0 or prev is None
        # a list item directly under its introduction or under an earlier item of the list
        # (on the same page or the next): it stays in that paragraph (no rule below may cut
        # it off); after a list, a new page opening with a capital starts anew even though
        # the last item has no final punctuation (list items often have none)
        item = bool(BULLET_RE.match(it.text))
        cur_items = any(BULLET_RE.match(x.text) for x in cur)
        in_list = prev is not None and item and (not boundary or (
            it.page_start and it.page == prev.page + 1)) and (
            prev.text.rstrip().endswith(":") or cur_items)
        # continuation across a page break / blank line
        continues = False
        # a paragraph gap in the layout on the same page ends the paragraph, unless the
        # line above breaks a word or the line below goes on in lower case
        layout_gap = it.layout and it.blank_before > 0 and not it.page_start
        if prev is not None and layout_gap:
            p = prev.text
            continues = (p.endswith("-") and not p.endswith(" -")
                         and bool(_first_alpha(it.text[:1] or "x"))) or (
                not _ends_sentence(p) and it.text[:1].islower())
        elif prev is not None:
            p = prev.text
            if p.endswith("-") and not p.endswith(" -") and _first_alpha(it.text[:1] or "x"):
                continues = True
            elif not _ends_sentence(p) and not BULLET_RE.match(it.text):
                if it.page_start or prev.page in double or len(p) >= 0.6 * width \
                        or it.blank_before == 0:
                    continues = True
            elif _first_alpha(it.text[:2]) and it.text[0].islower():
                continues = True
        if in_list:
            continues = True
        elif it.page_start and cur_items and not item and it.text[:1].isupper():
            continues = False
        # a short line ending a sentence ends a paragraph even without a blank line
        # (text layers without blank lines between paragraphs)
        if not boundary and not in_list and prev is not None and it.page in no_blanks \
                and _ends_sentence(prev.text) and len(prev.text) < 0.7 * page_width.get(prev.page, width) \
                and not it.text[:1].islower():
            boundary = True
            continues = False
        # a short title-like line after a finished sentence, followed by text: a heading
        if not boundary and not in_list and prev is not None and it.page in no_blanks \
                and _ends_sentence(prev.text) and len(it.text) < 0.6 * page_width.get(it.page, width) \
                and not _ends_sentence(it.text) and it.text[:1].isupper() \
                and i + 1 < len(items) and items[i + 1].text[:1].isupper():
            boundary = True
            continues = False
        # a numbered heading ("2. Kim Smit: …", "3.1 Aanpak") on a page without blank lines
        if prev is not None and it.page in no_blanks and NUMBERED_HEADING_RE.match(it.text) \
                and not in_list and not LIST_NUMBER_TAB_RE.match(it.text) \
                and not _ends_sentence(it.text) \
                and len(it.text) < 0.8 * page_width.get(it.page, width) \
                and (_ends_sentence(prev.text) or it.page_start or len(cur) == 1
                     and cur[0].page_start and not _ends_sentence(cur[0].text)) \
                and i + 1 < len(items) and items[i + 1].text[:1].isupper():
            if len(cur) == 1 and not _ends_sentence(cur[0].text) and (
                    cur[0].page_start or not blocks):
                # a title line directly above the numbered heading: a heading itself
                blocks.append(Block("heading", cur[0].text, level=1 if not first_heading_done
                                    else 2, page=cur[0].page + 1))
                cur = []
            flush()
            first_heading_done = True
            level = 3 if re.match(r"^\d{1,2}\.\d", it.text) else 2
            blocks.append(Block("heading", it.text, level=level, page=it.page + 1))
            i += 1
            continue
        # headings start where a paragraph may start
        may_start = prev is None or not continues
        if boundary and may_start:
            n = _heading_run(items, i, width)
            if n:
                flush()
                text = " ".join(x.text for x in items[i : i + n])
                text = re.sub(r"\s+", " ", text).strip()
                after = items[i + n] if i + n < len(items) else None
                if it.page_start and (it.page in double or not first_heading_done):
                    level = 1
                elif it.page_start and after is not None and after.blank_before:
                    level = 2
                elif text.isupper():
                    level = 3
                else:
                    level = 3
                first_heading_done = True
                blocks.append(Block("heading", text, level=level, page=it.page + 1))
                i += n
                continue
        if prev is None:
            cur = [it]
        elif boundary and not continues:
            flush()
            cur = [it]
        elif not boundary and it.page in double and _ends_sentence(prev.text) \
                and len(prev.text) < 0.8 * width and not it.text[:1].islower():
            flush()
            cur = [it]
        elif not boundary and not in_list and BULLET_RE.match(it.text) and (
                it.text.lstrip()[:1] in BULLET_CHARS or _ends_sentence(prev.text)):
            flush()
            cur = [it]
        else:
            cur.append(it)
        i += 1
    flush()
    return blocks


def _join_lines(lines: list[_Line], body_words: set[str], hyphenated: set[str],
                removed: Counter) -> str:
    out = lines[0].text
    for ln in lines[1:]:
        nxt = ln.text
        m = re.search(r"([^\W\d_][\w’']*)-$", out)
        if m and not ln.page_start and lines[0] and not out.endswith(" -"):
            joint = decide_hyphen(m.group(1), nxt, body_words, hyphenated)
            removed["afbreking"] += joint == ""
            out = out[:-1] + joint + nxt
        elif m and ln.page_start:
            joint = decide_hyphen(m.group(1), nxt, body_words, hyphenated)
            removed["afbreking"] += joint == ""
            out = out[:-1] + joint + nxt
        else:
            out = out + " " + nxt
    return re.sub(r"[ \t]{2,}", " ", out.replace("\t", " ")).strip()


def _strip_markers(text: str, footnote_nums: set[int], removed: Counter) -> str:
    """Remove footnote markers glued to words or punctuation."""

    def repl(m: re.Match) -> str:
        pre, num = m.group("pre"), m.group("num")
        if not pre[-1].isalpha() and m.start() > 0 and text[m.start() - 1].isdigit():
            return m.group(0)  # 1,6 / 3.5: a number, not a marker
        nums = [int(x) for x in num.split(",")]
        if footnote_nums:
            if not all(n in footnote_nums for n in nums):
                return m.group(0)
        else:
            # no footnote block seen: only markers after sentence punctuation/quotes
            if pre[-1].isalpha() or pre in ",;:":
                return m.group(0)
        if pre[-1].isalpha():
            word_start = m.start()
            while word_start > 0 and (text[word_start - 1].isalpha()):
                word_start -= 1
            word = text[word_start : m.start("num")]
            if word.isupper() or len(word) < 3:
                return m.group(0)  # CO2, mp3, F35
        removed["voetnootteken"] += 1
        return pre

    return MARKER_RE.sub(repl, text)
