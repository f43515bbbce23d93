"""Consistent pseudonyms for a whole corpus, with the key kept apart.

A :class:`Pseudonimiser` reads a corpus twice: first it finds every identifying span (see
:mod:`.detectie`) and gives each person, place, organisation, date, … a pseudonym
(``Persoon_1``, ``Plaats_2``, ``Organisatie_1``); then it replaces every known form of them in
every text, title, section, speaker list, people table, metadata value, id and path, and
recomputes the character offsets of segments and sentences. One person keeps one pseudonym
across the corpus: "Sanne Brouwer", "Sanne", "Brouwer" and "mevrouw Brouwer" are linked
through the people table's aliases or because they share a first name or surname with exactly
one known full name.

The key (pseudonym → original forms, new id → old id) is the only output that holds an original
name; it is written atomically to a file whose name contains ``sleutel``. When the key file
already exists its pseudonyms are kept, so a re-run gives the same pseudonyms.
"""

from __future__ import annotations

import bisect
import copy
import json
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

import pandas as pd

from ..fouten import VerhalenFout
from ..model import Corpus, Document, Segment, Sentence, slugify
from ..opslag import atomic_write_text
from .detectie import (PARTICLES, Detector, Entity, lexicon_pattern, name_core, resolve,
                       sentence_start)

PREFIX = {"persoon": "Persoon", "plaats": "Plaats", "organisatie": "Organisatie",
          "datum": "Datum", "email": "Email", "telefoon": "Telefoon", "bsn": "BSN",
          "nummer": "Nummer"}
KEY_VERSION = 1
# speaker labels of transcripts that name a role, not a person
GENERIC_SPEAKERS = frozenset({"interviewer", "onderzoeker", "student", "respondent", "vraag",
                              "antwoord", "geïnterviewde", "gespreksleider", "i", "r", "v", "a"})
# document/segment metadata that describe the material, not a person: left as they are
KEEP_META = frozenset({"soort", "soort_tekst", "paginas", "opgeschoond", "rij", "codering",
                       "beurt", "pagina", "casus", "verhaal_id"})


def _norm(text: str) -> str:
    return " ".join(name_core(text).split()).casefold()


class Pseudonimiser:
    """Finds identifying spans and replaces them by stable pseudonyms.

    Parameters
    ----------
    nlp : spaCy pipeline or None
        Its named entities are used when it has an NER component (``nl_core_news_lg``).
    deduce : bool or a ``deduce.Deduce``
        Use deduce's Dutch lookup lists and patterns (default True).
    categories : iterable of str
        Which categories to replace (default all: persoon, plaats, organisatie, datum, email,
        telefoon, bsn, nummer).
    progress : bool
        Show a progress bar over the documents.
    """

    def __init__(self, nlp=None, deduce: bool | object = True,
                 categories: Iterable[str] = tuple(PREFIX), progress: bool = False):
        unknown = set(categories) - set(PREFIX)
        if unknown:
            raise VerhalenFout(f"Onbekende categorie(ën) voor pseudonimisering: "
                               f"{', '.join(sorted(unknown))}; kies uit {', '.join(PREFIX)}.")
        self.nlp = nlp
        self.deduce = deduce
        self.categories = tuple(categories)
        self.progress = progress
        self.detector_: Detector | None = None
        self.forms_: dict[str, str] = {}         # normalised form -> pseudonym
        self.entries_: dict[str, dict] = {}      # pseudonym -> {"categorie", "vormen"}
        self.ids_: dict[str, str] = {}           # new id -> old id
        self._pattern = None
        self._lexicon: dict[str, str] = {}
        self._raw: dict[str, list[Entity]] = {}
        self._words: set[str] = set()
        self._name_parts: dict[str, set[str]] = {}
        self._slugs: list | None = None

    # -- the key ------------------------------------------------------------------------
    def load_key(self, path: str | Path) -> "Pseudonimiser":
        """Take over the pseudonyms of an earlier key file (so a re-run keeps them)."""
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            entries = data["pseudoniemen"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise VerhalenFout(f"{path}: geen leesbaar sleutelbestand van verhalen ({exc}).") \
                from exc
        for pseudo, entry in entries.items():
            self.entries_[pseudo] = {"categorie": entry["categorie"],
                                     "vormen": list(entry.get("vormen", []))}
            for form in entry.get("vormen", []):
                self.forms_.setdefault(_norm(form), pseudo)
                self._index_name(pseudo, form)
        self.ids_.update(data.get("ids", {}))
        self._pattern = self._slugs = None
        return self

    def key(self) -> dict[str, Any]:
        """The key as a dict (pseudonym → category and original forms; new id → old id)."""
        return {
            "let_op": "Deze sleutel koppelt pseudoniemen aan echte namen. Bewaar hem apart van "
                      "de uitvoer, deel hem niet en vernietig hem als het onderzoek klaar is.",
            "versie": KEY_VERSION,
            "gemaakt": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "pseudoniemen": self.entries_,
            "ids": self.ids_,
        }

    def save_key(self, path: str | Path) -> Path:
        path = Path(path)
        if "sleutel" not in path.name:
            raise VerhalenFout(f"{path}: de naam van een sleutelbestand moet 'sleutel' bevatten, "
                               "zodat niemand hem voor gewone uitvoer aanziet.")
        path.parent.mkdir(parents=True, exist_ok=True)
        return atomic_write_text(path, json.dumps(self.key(), ensure_ascii=False, indent=2))

    # -- pseudonyms ---------------------------------------------------------------------
    def _new(self, category: str, form: str) -> str:
        prefix = PREFIX[category]
        n = 1 + sum(1 for p in self.entries_ if p.startswith(prefix + "_"))
        while f"{prefix}_{n}" in self.entries_:
            n += 1
        pseudo = f"{prefix}_{n}"
        self.entries_[pseudo] = {"categorie": category, "vormen": []}
        return pseudo

    def _add_form(self, pseudo: str, form: str) -> None:
        key = _norm(form)
        if not key:
            return
        self.forms_.setdefault(key, pseudo)
        forms = self.entries_[pseudo]["vormen"]
        if form not in forms:
            forms.append(form)
            self._index_name(pseudo, form)
        self._pattern = self._slugs = None

    def _index_name(self, pseudo: str, form: str) -> None:
        """First name, surname and surname without particles of a full person name → person
        (so linking a lone "Sanne" or "Brouwer" is a lookup, not a scan of every name)."""
        if self.entries_[pseudo]["categorie"] != "persoon":
            return
        parts = form.split()
        if len(parts) < 2:
            return
        rest = parts[1:]
        tail = " ".join(p for p in rest if p.casefold() not in PARTICLES)
        for key in {parts[0].casefold(), " ".join(rest).casefold(), tail.casefold()} - {""}:
            self._name_parts.setdefault(key, set()).add(pseudo)

    def _person_link(self, core: str) -> str | None:
        """The one known person whose first name or surname is ``core`` (or None)."""
        hits = self._name_parts.get(core.casefold(), set())
        return next(iter(hits)) if len(hits) == 1 else None

    def pseudonym(self, form: str, category: str) -> str:
        """The pseudonym of ``form`` (made, and linked to a known person, when new)."""
        core = name_core(form) if category == "persoon" else form.strip()
        key = _norm(core)
        if key in self.forms_:
            return self.forms_[key]
        pseudo = None
        if category == "persoon":
            pseudo = self._person_link(core)
            if pseudo is None and len(core.split()) >= 2:
                # a full name whose first name was seen alone before
                first = self.forms_.get(_norm(core.split()[0]))
                if first and self.entries_[first]["categorie"] == "persoon" and \
                        all(len(f.split()) == 1 for f in self.entries_[first]["vormen"]):
                    pseudo = first
        if pseudo is None:
            pseudo = self._new(category, core)
        self._add_form(pseudo, core)
        return pseudo

    def register_person(self, name: str, aliases: Iterable[str] = ()) -> str:
        """A known person (people table, speaker): the name and its aliases share a pseudonym."""
        if name_core(name).casefold() in GENERIC_SPEAKERS:      # "Interviewer" is a role
            return name
        pseudo = self.pseudonym(name, "persoon")
        for alias in aliases:
            alias = name_core(alias)
            if alias and _norm(alias) not in self.forms_:
                self._add_form(pseudo, alias)
        return pseudo

    # -- the lexicon of everything known -----------------------------------------------
    def _lexicon_pattern(self):
        if self._pattern is None:
            self._lexicon = {}
            for pseudo, entry in self.entries_.items():
                if entry["categorie"] not in self.categories:
                    continue
                for form in entry["vormen"]:
                    self._lexicon[form] = entry["categorie"]
            self._pattern = lexicon_pattern(self._lexicon)
        return self._pattern

    def _detector(self) -> Detector:
        if self.detector_ is None:
            self.detector_ = Detector(nlp=self.nlp, deduce=self.deduce)
        return self.detector_

    def find(self, text: str, use_lexicon: bool = True) -> list[Entity]:
        """Identifying spans in ``text`` (of the chosen categories), known forms included."""
        raw = self._raw.get(text)
        if raw is None:               # deduce is the slow part: each text is analysed once
            raw = self._raw[text] = self._detector()(text)
        # a one-word 'name' opening a sentence that the corpus also uses as a lower-case
        # word ("Pas toen ik ..." while "pas" occurs elsewhere) is that word, not a name
        found = [e for e in raw if not (e.category == "persoon" and " " not in e.text
                                        and e.text.lower() in self._words
                                        and sentence_start(text, e.start))
                 and not (e.category == "persoon" and e.text.casefold() in GENERIC_SPEAKERS)]
        pattern = self._lexicon_pattern() if use_lexicon else None
        if pattern is not None:
            for m in pattern.finditer(text):
                form = m.group()
                cat = self._lexicon.get(form) or self._lexicon.get(form[0].lower() + form[1:])
                found.append(Entity(m.start(), m.end(), cat or "persoon", form, "lexicon"))
        return [e for e in resolve(found) if e.category in self.categories]

    def _replacement(self, ent: Entity) -> str:
        return self.pseudonym(ent.text, ent.category)

    def transform(self, text: str, identifiers: bool = False) -> str:
        """``text`` with every identifying span replaced (no offsets kept).

        ``identifiers``: also rewrite known forms written as ids or paths ("interview-anouk",
        case-insensitive) — for metadata and tables, not for prose, where a surname such as
        "Post" must not turn the word "post" into a pseudonym.
        """
        if not isinstance(text, str) or not text.strip():
            return text
        new, _ = self._rewrite(text)
        return self.transform_identifier(new) if identifiers else new

    def _rewrite(self, text: str):
        """``rewrite`` of ``text`` with every identifying span found in it."""
        return rewrite(text, [(e.start, e.end, self._replacement(e)) for e in self.find(text)])

    def transform_identifier(self, value: str) -> str:
        """Ids, file names and paths: known forms as slugs ("interview-anouk" → "interview-
        persoon-4"), case-insensitive, separators ``-``, ``_``, space or none."""
        if not isinstance(value, str) or not value:
            return value
        for form, pseudo in self._slug_forms():
            value = form.sub(pseudo, value)
        return value

    def _slug_forms(self) -> list[tuple[re.Pattern, str]]:
        if self._slugs is not None:
            return self._slugs
        out = []
        for pseudo, entry in self.entries_.items():
            if entry["categorie"] not in self.categories:
                continue
            slug_pseudo = pseudo.lower().replace("_", "-")
            for form in entry["vormen"]:
                tokens = slugify(form).split("-")
                if len("".join(tokens)) < 3 or slugify(form) == "document":
                    continue
                rx = r"[-_ .]*".join(re.escape(t) for t in tokens)
                out.append((len(rx), re.compile(rf"(?<![a-z0-9]){rx}(?![a-z0-9])", re.I),
                            slug_pseudo))
        self._slugs = [(rx, p) for _, rx, p in sorted(out, key=lambda t: -t[0])]
        return self._slugs

    def scrub(self, value: Any) -> Any:
        """Any metadata value (str, list, dict) with identifying text replaced."""
        if isinstance(value, str):
            return self.transform(value, identifiers=True)
        if isinstance(value, list):
            return [self.scrub(v) for v in value]
        if isinstance(value, dict):
            return {k: (v if k in KEEP_META else self.scrub(v)) for k, v in value.items()}
        return value

    # -- a corpus -----------------------------------------------------------------------
    def fit(self, corpus: Corpus) -> "Pseudonimiser":
        """Learn the pseudonyms of a corpus (people table, speakers, every text)."""
        if corpus.people is not None and not corpus.people.empty:
            for rec in corpus.people.to_dict("records"):
                name = str(rec.get("naam") or "").strip()
                if name:
                    aliases = [a.strip() for a in str(rec.get("aliassen") or "").split(";")]
                    self.register_person(name, [a for a in aliases if a])
        # two passes: every lower-case word of the corpus is known before names are searched
        for doc in corpus.documents:
            for text in _prose(doc):
                self._words.update(re.findall(r"\b[a-zà-ÿ][\w-]*", text))
        for seg in corpus.segments():
            for sp in seg.speakers:
                if sp.strip():
                    self.register_person(sp)
        for doc in _progress(corpus.documents, self.progress, "pseudoniemen zoeken"):
            texts = _prose(doc) + [doc.title] + [s.section or "" for s in doc.segments]
            for text in texts:
                for ent in self.find(text, use_lexicon=False):
                    self.pseudonym(ent.text, ent.category)
        return self

    def transform_corpus(self, corpus: Corpus) -> Corpus:
        """A pseudonymised copy of ``corpus`` (call :meth:`fit` first); offsets recomputed."""
        out = Corpus(meta=self.scrub(copy.deepcopy(corpus.meta)))
        out.meta["gepseudonimiseerd"] = True
        doc_ids: dict[str, str] = {}
        for doc in _progress(corpus.documents, self.progress, "pseudonimiseren"):
            new = self._document(doc)
            base, n = new.id, 2
            while new.id in doc_ids.values():
                new.id = f"{base}-{n}"
                n += 1
            doc_ids[doc.id] = new.id
            for seg in new.segments:
                old_seg = seg.id
                seg.doc_id = new.id
                seg.id = new.id + old_seg[len(doc.id):] if old_seg.startswith(doc.id) \
                    else self.transform_identifier(old_seg)
                if seg.id != old_seg:
                    self.ids_[seg.id] = old_seg
            if new.id != doc.id:
                self.ids_[new.id] = doc.id
            new.check_offsets()
            out.documents.append(new)
        seg_ids = [s.id for s in out.segments()]
        if len(seg_ids) != len(set(seg_ids)):
            raise VerhalenFout("Interne fout: na pseudonimisering zijn segment-id's niet meer "
                               "uniek.")
        if corpus.people is not None:
            out.people = self._people(corpus.people)
        return out

    def segment_ids(self) -> dict[str, str]:
        """Old segment/document id → new id."""
        return {old: new for new, old in self.ids_.items()}

    def _document(self, doc: Document) -> Document:
        new = copy.deepcopy(doc)
        new.id = self.transform_identifier(doc.id)
        new.source = self.transform_identifier(doc.source)
        new.title = self.transform(doc.title)
        new.links = [self.transform_identifier(u) for u in doc.links]
        new.meta = self.scrub(doc.meta)
        if doc.text:
            reps = self._clipped(doc.text, doc.segments)
            new.text, pos = rewrite(doc.text, reps)
            for seg in new.segments:
                seg.start, seg.end = pos(seg.start, "start"), pos(seg.end, "end")
                seg.text = new.text[seg.start:seg.end]
                seg.sentences = [Sentence(pos(s.start, "start"), pos(s.end, "end"))
                                 for s in seg.sentences]
        else:                                   # segments without a document text (gold files)
            for seg in new.segments:
                text, pos = self._rewrite(seg.text)
                seg.sentences = [Sentence(seg.start + pos(s.start - seg.start, "start"),
                                          seg.start + pos(s.end - seg.start, "end"))
                                 for s in seg.sentences]
                seg.text, seg.end = text, seg.start + len(text)
        for seg in new.segments:
            seg.section = self.transform(seg.section) if seg.section else seg.section
            seg.speakers = [self.register_person(sp) if "persoon" in self.categories else sp
                            for sp in seg.speakers]
            seg.meta = self.scrub(seg.meta)
        return new

    def _clipped(self, text: str, segments: list[Segment]) -> list[tuple[int, int, str]]:
        """Replacements for ``text``; a span over a segment border is cut at that border."""
        bounds = sorted({b for s in segments for b in (s.start, s.end)})
        reps = []
        for ent in self.find(text):
            cuts = [b for b in bounds if ent.start < b < ent.end]
            if not cuts:
                reps.append((ent.start, ent.end, self._replacement(ent)))
                continue
            for a, b in zip([ent.start] + cuts, cuts + [ent.end]):
                part = text[a:b]
                if part.strip():
                    lead = len(part) - len(part.lstrip())
                    trail = len(part.rstrip())
                    reps.append((a + lead, a + trail,
                                 self.pseudonym(part.strip(), ent.category)))
        return reps

    def _people(self, people: pd.DataFrame) -> pd.DataFrame:
        people = people.copy()
        for col in people.columns:
            if col == "naam":
                people[col] = [self.register_person(v) if isinstance(v, str) and v.strip()
                               else v for v in people[col]]
            elif col == "aliassen":
                people[col] = [";".join(sorted({self.pseudonym(a, "persoon")
                                                for a in str(v).split(";") if a.strip()}))
                               if isinstance(v, str) else v for v in people[col]]
            elif col == "rol":
                continue
            else:                               # organisation, source document id, …
                people[col] = [self.transform(v, identifiers=True) if isinstance(v, str) else v
                               for v in people[col]]
        return people

    def transform_codes(self, long: pd.DataFrame) -> pd.DataFrame:
        """Codes in the long shape: new segment ids and pseudonymised evidence sentences."""
        if long is None or long.empty:
            return long
        ids = self.segment_ids()
        long = long.copy()
        long["segment_id"] = [ids.get(s, self.transform_identifier(s)) for s in long["segment_id"]]
        if "evidence" in long.columns:
            long["evidence"] = [[self.transform(t) for t in ev] if isinstance(ev, list) else ev
                                for ev in long["evidence"]]
        return long


def rewrite(text: str, replacements: list[tuple[int, int, str]]):
    """Apply non-overlapping ``(start, end, new)`` replacements.

    Returns the new text and ``pos(old, side)`` mapping an old offset to the new text; an
    offset inside a replaced span goes to the replacement's start (``side="start"``) or end.
    """
    parts, olds, news, cum = [], [], [], []    # cum: the shift after each replacement
    shift = last = 0
    for s, e, new in sorted(replacements):
        if s < last:                       # overlapping: keep the first
            continue
        parts += [text[last:s], new]
        olds.append((s, e))
        news.append((s + shift, s + shift + len(new)))
        shift += len(new) - (e - s)
        cum.append(shift)
        last = e
    parts.append(text[last:])
    starts = [s for s, _ in olds]

    def pos(p: int, side: str = "start") -> int:
        i = bisect.bisect_right(starts, p) - 1
        if i < 0:
            return p
        s, e = olds[i]
        if p >= e:
            return p + cum[i]
        if p == s:
            return news[i][0]
        return news[i][0] if side == "start" else news[i][1]

    return "".join(parts), pos


def _prose(doc: Document) -> list[str]:
    """The running text of a document: its text, or its segments' texts when it has none."""
    return [doc.text] if doc.text else [s.text for s in doc.segments]


def _progress(items, on: bool, desc: str):
    if not on:
        return items
    from tqdm.auto import tqdm

    return tqdm(items, desc=desc, unit="doc")


def pseudonymise_corpus(corpus: Corpus, key_path: str | Path, nlp=None,
                        **kwargs) -> Corpus:
    """A pseudonymised copy of ``corpus``; the key is written (atomically) to ``key_path``.

    An existing key at ``key_path`` is extended, not replaced: its pseudonyms stay the same.
    """
    return pseudonymise_project(corpus, None, key_path, nlp=nlp, **kwargs)[0]


def pseudonymise_project(corpus: Corpus, long: pd.DataFrame, key_path: str | Path, nlp=None,
                         **kwargs) -> tuple[Corpus, pd.DataFrame | None]:
    """Corpus and its codes (long shape; None for none) pseudonymised together; the key at
    ``key_path``."""
    key_path = Path(key_path)
    kwargs.setdefault("progress", True)
    ps = Pseudonimiser(nlp=nlp, **kwargs)
    if key_path.exists():
        ps.load_key(key_path)
    out = ps.fit(corpus).transform_corpus(corpus)
    codes = ps.transform_codes(long)
    ps.save_key(key_path)
    return out, codes


def pseudonymise_table(table: pd.DataFrame, key_path: str | Path, nlp=None,
                       keep: Iterable[str] = ("casus", "case_id", "deelnemer", "topic"),
                       **kwargs) -> pd.DataFrame:
    """A table that goes into a report next to a pseudonymised corpus (case numbers, a topic
    table made before pseudonymisation): its text cells rewritten with the pseudonyms of the
    key at ``key_path`` (old segment/document ids become the new ones). ``keep``: columns left
    as they are (case ids must still match the corpus)."""
    ps = Pseudonimiser(nlp=nlp, **kwargs).load_key(key_path)
    ids = sorted(ps.segment_ids().items(), key=lambda kv: -len(kv[0]))
    id_rx = re.compile("|".join(rf"(?<![\w-]){re.escape(o)}(?![\w-])" for o, _ in ids)) \
        if ids else None
    new_id = dict(ids)

    def cell(v):
        if not isinstance(v, str):
            return v
        if id_rx is not None:
            v = id_rx.sub(lambda m: new_id[m.group()], v)
        return ps.transform(v, identifiers=True)

    out = table.copy()
    out.attrs = dict(table.attrs)
    keep = set(keep)
    for col in out.columns:
        if col not in keep and (out[col].dtype == object
                                or pd.api.types.is_string_dtype(out[col].dtype)):
            out[col] = pd.Series([cell(v) for v in out[col]], index=out.index,
                                 dtype=out[col].dtype)
    return out
