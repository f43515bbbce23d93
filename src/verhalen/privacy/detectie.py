"""Finding what identifies a person in Dutch text: names, places, organisations, dates, contact
details and citizen service numbers (BSN).

Each detector is a small callable ``text -> list[Entity]``; :class:`Detector` runs them all and
resolves overlaps (longest span wins, then the more reliable source). The default set:

* ``deduce`` (a maintained de-identification library for Dutch text, with large lookup lists of
  Dutch first names, surnames, places and institutions), its tags mapped onto our categories;
* patterns of our own for what deduce does not cover in social-domain stories: names after a
  form of address ("mevrouw Bakker", "buurvrouw Gerda") or a speech verb ("zegt Van Dijk"),
  a speaker before a quote ("Kees: “…”"), organisations named by their kind ("Stichting De
  Schakel", "gemeente Apeldoorn"), e-mail addresses, phone numbers and BSNs (11-check);
* the spaCy named entities when the pipeline has a parser-trained NER (``nl_core_news_lg``);
* a lexicon of names already known in the corpus (speakers, the people table, names found
  elsewhere), so a name found once is found everywhere.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

CATEGORIES = ("persoon", "plaats", "organisatie", "datum", "email", "telefoon", "bsn", "nummer")

# deduce tag -> our category (ages and URLs are left alone: URLs are kept as document links)
_DEDUCE_TAGS = {
    "persoon": "persoon", "patient": "persoon", "locatie": "plaats", "instelling": "organisatie",
    "ziekenhuis": "organisatie", "datum": "datum", "telefoonnummer": "telefoon",
    "emailadres": "email", "bsn": "bsn", "id": "nummer",
}
# how reliable a source is when two spans of equal length compete
_PRIORITY = {"patroon": 4, "lexicon": 3, "deduce": 2, "spacy": 1}

# Words that address or describe a person; they stay in the text ("mevrouw Persoon_3").
TITLES = (
    "mevrouw", "mevr", "mw", "meneer", "mijnheer", "dhr", "heer", "juffrouw", "dokter", "dr",
    "drs", "mr", "ir", "prof", "buurman", "buurvrouw", "opa", "oma", "tante", "oom", "familie",
    "fam", "zuster", "broeder", "pastor", "dominee", "wethouder", "burgemeester", "collega",
    "buurjongen", "buurmeisje", "broer", "zus", "zoon", "dochter", "vader", "moeder", "neef",
    "nicht", "kleinzoon", "kleindochter", "vriend", "vriendin", "schoonzoon", "schoondochter",
    "volgens", "aldus",
)
_TITLE_RE = re.compile(r"^(?:(?:%s)\.?\s+)+" % "|".join(TITLES), re.IGNORECASE)
PARTICLES = ("van", "de", "der", "den", "het", "ter", "ten", "te", "in", "op", "el", "al",
             "'t", "van't", "d'", "le", "la", "du", "da", "dos", "bin", "ben")
_UP = r"[A-ZÀ-ÖØ-Þ]"
_WORD = rf"{_UP}[\w'’-]*\w"
_PART = r"(?:%s)" % "|".join(re.escape(p) for p in PARTICLES)
# A person name: capitalised words with lower-case particles between them ("Anouk van der Berg")
_NAME = rf"{_WORD}(?:\s+(?:{_PART}\s+)*{_WORD}){{0,3}}"
# ... or a surname that starts with a capitalised particle ("Van Dijk", "De Wit", "El Amrani")
_SURNAME = rf"(?:Van|De|Den|Der|Ten|Ter|Te|El|Al|Op|In|Le|La)(?:\s+{_PART})*\s+{_WORD}"
_ANY_NAME = rf"(?:{_SURNAME}|{_NAME})"

_ADDRESS_RE = re.compile(rf"\b(?i:{'|'.join(TITLES)})\.?\s+({_ANY_NAME})")
# initials before a surname ("J. de Boer", "A.M. Jansen")
_INITIALS_RE = re.compile(rf"\b((?:[A-Z]\.\s?){{1,3}}(?:{_PART}\s+)*{_WORD})")
_SPEECH_VERBS = ("zegt", "zei", "aldus", "vertelt", "vertelde", "vindt", "vond", "schrijft",
                 "schreef", "volgens", "antwoordt", "antwoordde", "lacht", "zucht", "vraagt",
                 "vroeg", "legt", "beaamt", "herinnert")
_SPEECH_RE = re.compile(rf"\b(?:{'|'.join(_SPEECH_VERBS)})\s+({_ANY_NAME})")
_SPEAKER_RE = re.compile(rf"(?m)(?:^|(?<=[.!?]\s))({_ANY_NAME})\s*:\s*[“\"‘'„]")
_ORG_HEADS = (
    "Stichting", "Vereniging", "Woonstichting", "Woningcorporatie", "Woningstichting",
    "Zorggroep", "Zorgcentrum", "Jeugdzorg", "Gemeente", "gemeente", "Hogeschool", "Universiteit",
    "Wijkteam", "Buurtteam", "Sociaal Team", "Welzijn", "Coöperatie", "Stichting Welzijn",
    "Ziekenhuis", "Kerk", "Moskee", "Basisschool", "Zorgboerderij", "Centrum",
)
_ORG_RE = re.compile(rf"\b(?:{'|'.join(sorted(_ORG_HEADS, key=len, reverse=True))})"
                     rf"(?:\s+{_PART})*\s+{_WORD}(?:\s+{_WORD}){{0,3}}")
_MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
           "september", "oktober", "november", "december", "jan", "feb", "mrt", "apr", "jun",
           "jul", "aug", "sep", "sept", "okt", "nov", "dec")
_DAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
_MONTH = rf"(?i:{'|'.join(_MONTHS)})\.?"
# a date that pins a moment: a day with a month, or a month with a year; a month alone is not
_DATE_RE = re.compile(
    rf"\b(?:(?i:{'|'.join(_DAYS)})\s+)?(?:\d{{1,2}}\s+{_MONTH}(?:\s+(?:19|20)\d{{2}})?"
    rf"|{_MONTH}\s+(?:19|20)\d{{2}})(?![\w-])"
    r"|\b\d{1,2}[-/.]\d{1,2}[-/.](?:19|20)?\d{2}\b|\b(?:19|20)\d{2}-\d{2}-\d{2}\b")
# streets and neighbourhoods named as one word ("Kalanderstraat", "Schilderswijk")
_STREET_RE = re.compile(
    rf"\b{_UP}[a-zà-ÿ]+(?:straat|laan|weg|plein|gracht|kade|singel|dijk|steeg|dreef|hof|"
    r"markt|wijk|buurt|kwartier|park)\b(?:[ \t]+\d+[a-z]?\b)?")     # a number on the same line
# an organisation named by a compound of its kind ("Vluchtelingenwerk", "Humanitashuis")
_ORG_WORD_RE = re.compile(
    rf"\b{_UP}[a-zà-ÿ]{{3,}}(?:werk|zorg|hulp|groep|team|centrum|huis|instituut|fonds|bank|"
    r"dienst|raad|bureau|college|academie)\b")
_EMAIL_RE = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_PHONE_RE = re.compile(
    r"(?<![\w+])(?:(?:\+31|0031)[\s-]?(?:\(0\)[\s-]?)?\d(?:[\s-]?\d){8}"
    r"|0\d{1,3}[\s-]?\d(?:[\s-]?\d){5,7})(?!\d)")
_BSN_RE = re.compile(r"(?<![\d.,-])(\d{9}|\d{4}\.\d{2}\.\d{3}|\d{3}[ .]\d{3}[ .]\d{3})(?![\d-]|[.,]\d)")
_SENTENCE_BREAK_RE = re.compile(r"(?<!\b[A-Z])[.!?;:]\s+|\n|[“”\"(),]")


@dataclass(frozen=True)
class Entity:
    """A span of the text that identifies someone: ``text[start:end]`` in ``category``."""

    start: int
    end: int
    category: str
    text: str
    source: str = ""

    def __len__(self) -> int:
        return self.end - self.start


def valid_bsn(digits: str) -> bool:
    """The Dutch 11-check ("elfproef") for a 9-digit BSN."""
    d = [int(c) for c in re.sub(r"\D", "", digits)]
    if len(d) != 9 or not any(d):
        return False
    return (sum((9 - i) * x for i, x in enumerate(d[:8])) - d[8]) % 11 == 0


def name_core(text: str) -> str:
    """The name without a form of address or a possessive: "mevrouw Bakker's" -> "Bakker"."""
    text = _TITLE_RE.sub("", text.strip())
    return re.sub(r"(?:'s|’s|'|’)$", "", text).strip()


def _span(text: str, start: int, end: int, category: str, source: str) -> Entity | None:
    """An entity trimmed of surrounding spaces and punctuation, or None when nothing is left."""
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not (text[end - 1].isalnum()):
        end -= 1
    if end - start < 2:
        return None
    return Entity(start, end, category, text[start:end], source)


def _person_parts(text: str, ent: Entity) -> list[Entity]:
    """Split a person span at sentence breaks and strip its form of address.

    deduce sometimes glues two names over a sentence end ("Van Aerle. Geertje"); the title
    stays in the text ("Buurman Henk" -> only "Henk" is replaced).
    """
    out = []
    pos = ent.start
    pieces = []
    for m in _SENTENCE_BREAK_RE.finditer(ent.text):
        pieces.append((pos, ent.start + m.start()))
        pos = ent.start + m.end()
    pieces.append((pos, ent.end))
    for a, b in pieces:
        part = text[a:b]
        m = _TITLE_RE.match(part)
        if m:
            a += m.end()
        part = text[a:b]
        m = re.search(r"(?:'s|’s)$", part)
        if m:
            b = a + m.start()
        e = _span(text, a, b, "persoon", ent.source)
        if e is not None and e.text[0].isupper():
            out.append(e)
    return out


@functools.lru_cache(maxsize=1)
def load_deduce(cache_dir: str | None = None):
    """A ready ``deduce.Deduce`` (its lookup tables cached on disk after the first build).

    The first build of deduce's lookup structures takes minutes (150 s here); deduce keeps the
    pickle in its own package folder, or, when that is read-only, we keep it in the verhalen
    cache folder (``VERHALEN_CACHE`` or ``~/.cache/verhalen``).
    """
    import os

    from ..embed import default_cache_dir
    from ..extern import import_deduce

    deduce = import_deduce()
    if cache_dir:
        cache = Path(cache_dir)
    else:                       # deduce's own folder (shared by every run) when writable
        cache = Path(deduce.__file__).parent / "data" / "lookup"
        if not os.access(cache, os.W_OK):
            cache = default_cache_dir() / "deduce"
    cache.mkdir(parents=True, exist_ok=True)
    return deduce.Deduce(cache_path=cache)


def deduce_detector(model=None) -> Callable[[str], list[Entity]]:
    """Detector from deduce; ``model``: a ``deduce.Deduce`` (default: :func:`load_deduce`)."""

    def detect(text: str) -> list[Entity]:
        m = model if model is not None else load_deduce()
        out: list[Entity] = []
        for a in m.deidentify(text).annotations:
            cat = _DEDUCE_TAGS.get(a.tag.split("-")[0].lower())
            if cat is None:
                continue
            ent = Entity(a.start_char, a.end_char, cat, a.text, "deduce")
            if cat == "persoon":
                out.extend(_person_parts(text, ent))
            elif cat == "bsn" and not valid_bsn(a.text):
                continue
            else:
                e = _span(text, ent.start, ent.end, cat, "deduce")
                if e is not None:
                    out.append(e)
        return out

    return detect


def pattern_detector(text: str) -> list[Entity]:
    """Our own patterns: addressed and quoted persons, organisations, contact details, BSN."""
    out: list[Entity] = []
    for rx in (_ADDRESS_RE, _SPEECH_RE, _SPEAKER_RE, _INITIALS_RE):
        for m in rx.finditer(text):
            out.extend(_person_parts(text, Entity(m.start(1), m.end(1), "persoon", m.group(1),
                                                  "patroon")))
    for m in _ORG_RE.finditer(text):
        e = _span(text, m.start(), m.end(), "organisatie", "patroon")
        if e is not None:
            out.append(e)
    for m in _DATE_RE.finditer(text):
        out.append(Entity(m.start(), m.end(), "datum", m.group(), "patroon"))
    for rx, cat in ((_STREET_RE, "plaats"), (_ORG_WORD_RE, "organisatie")):
        for m in rx.finditer(text):     # capitalised mid-sentence only: a name, not a noun
            if not sentence_start(text, m.start()):
                out.append(Entity(m.start(), m.end(), cat, m.group(), "patroon"))
    for m in _EMAIL_RE.finditer(text):
        out.append(Entity(m.start(), m.end(), "email", m.group(), "patroon"))
    for m in _PHONE_RE.finditer(text):
        if len(re.sub(r"\D", "", m.group())) >= 10:
            out.append(Entity(m.start(), m.end(), "telefoon", m.group(), "patroon"))
    for m in _BSN_RE.finditer(text):
        if valid_bsn(m.group(1)):
            out.append(Entity(m.start(1), m.end(1), "bsn", m.group(1), "patroon"))
    return [e for e in out if not _is_common_word(e)]


def sentence_start(text: str, pos: int) -> bool:
    before = text[max(0, pos - 4):pos]
    return pos == 0 or not before.strip() or bool(re.search(r"[.!?:“”\"‘(\n]\s*$", before))


@functools.lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from ..nlp import stop_words

    return stop_words()


def _is_common_word(ent: Entity) -> bool:
    """A one-word 'name' that is a Dutch function word ("Wil", "Maar") is not a name."""
    return ent.category == "persoon" and " " not in ent.text and ent.text.lower() in _stop_words()


_NER_LABELS = {"PER": "persoon", "PERSON": "persoon", "GPE": "plaats", "LOC": "plaats",
               "ORG": "organisatie", "DATE": "datum"}


def spacy_detector(nlp) -> Callable[[str], list[Entity]] | None:
    """Detector from the pipeline's named entities, or None when it has no NER component."""
    if nlp is None or "ner" not in getattr(nlp, "pipe_names", ()):
        return None

    def detect(text: str) -> list[Entity]:
        out = []
        for ent in nlp(text).ents:
            cat = _NER_LABELS.get(ent.label_)
            if cat is None:
                continue
            e = Entity(ent.start_char, ent.end_char, cat, ent.text, "spacy")
            out.extend(_person_parts(text, e) if cat == "persoon" else
                       [x for x in [_span(text, e.start, e.end, cat, "spacy")] if x])
        return out

    return detect


def lexicon_pattern(forms: Iterable[str]) -> re.Pattern | None:
    """One regex for known surface forms (longest first, whole words, case as written).

    A surname with a particle also matches with a capitalised particle ("van Dijk" /
    "Van Dijk"), and every form also matches with a possessive 's (which stays in the text).
    """
    alts = set()
    for f in forms:
        f = f.strip()
        if len(f) < 2:
            continue
        alts.add(re.escape(f))
        if f[0].islower():
            alts.add(re.escape(f[0].upper() + f[1:]))
    if not alts:
        return None
    body = "|".join(sorted(alts, key=len, reverse=True))
    return re.compile(rf"(?<![\w@.-])(?:{body})(?![\w@-]|\.\w)")


def _trim_persons(entities: list[Entity]) -> list[Entity]:
    """A person span that runs on into "van/bij <organisation or place>" ends before it."""
    others = [e for e in entities if e.category in ("organisatie", "plaats")]
    out = []
    for e in entities:
        if e.category == "persoon":
            for o in others:
                if e.start < o.start < e.end:
                    m = re.search(r"\s+(?:van|bij|uit|in)(?:\s+de|\s+het)?\s*$",
                                  e.text[:o.start - e.start])
                    if m:
                        e = Entity(e.start, e.start + m.start(), e.category,
                                   e.text[:m.start()], e.source)
        out.append(e)
    return out


def resolve(entities: Iterable[Entity]) -> list[Entity]:
    """Non-overlapping entities in text order: the longest span wins, then the surest source."""
    entities = _trim_persons(list(entities))
    ranked = sorted(entities, key=lambda e: (-len(e), -_PRIORITY.get(e.source, 0), e.start))
    taken: list[Entity] = []
    for e in ranked:
        if all(e.end <= t.start or e.start >= t.end for t in taken):
            taken.append(e)
    return sorted(taken, key=lambda e: e.start)


class Detector:
    """All detectors together. ``deduce=False`` leaves deduce out (faster, lower recall)."""

    def __init__(self, nlp=None, deduce: bool | object = True):
        self.detectors: list[Callable[[str], list[Entity]]] = [pattern_detector]
        if deduce is True:
            self.detectors.append(deduce_detector())
        elif deduce:
            self.detectors.append(deduce_detector(deduce))
        ner = spacy_detector(nlp)
        if ner is not None:
            self.detectors.append(ner)

    def __call__(self, text: str) -> list[Entity]:
        """Non-overlapping entities in ``text`` from every detector."""
        if not text.strip():
            return []
        found: list[Entity] = []
        for det in self.detectors:
            found.extend(det(text))
        return resolve(found)
