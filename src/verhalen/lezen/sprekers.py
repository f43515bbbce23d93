"""Speakers: person names, the people table (naam, rol, organisatie, aliassen, bron) and the
attribution of quoted speech and interview turns to speakers.

Without a trained NER model, person names are found with the first-name list of ``deduce``
(a person is a known first name followed by a capitalised surname) and with everything the
document or the user's ``mensen.csv`` says about people: "Wie spraken we?"-style lists, intro
sentences ("We interviewden drie sociaal professionals: A, B en C"), appositions ("X,
universitair docent bij Y", "X is schoolpedagoog bij Y"), photo captions. Roles come from
function words near a name (jongerenwerker → sociaal professional, lector → onderzoeker ...).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import pandas as pd

from ..fouten import LeesFout
from ..model import ROLES

PARTICLES = ("van der", "van den", "van de", "van het", "van 't", "in 't", "op de", "de la", "van",
             "de", "der", "den", "ter", "ten", "te", "von", "la", "le", "du", "da", "del")
_PARTICLE_RE = r"(?:(?:[Vv]an (?:der|den|de|het)|[Vv]an|[Dd]e|[Dd]er|[Dd]en|[Tt]er|[Tt]en|[Vv]on)\s+)"
_CAP = r"[A-ZÀ-Ý][a-zà-ÿ’'´]+(?:-[A-ZÀ-Ý][a-zà-ÿ’']+)?"

#: function words → role (longest first when matching)
ROLE_WORDS: dict[str, str] = {}
for _role, _words in {
    "sociaal professional": [
        "sociaal professional", "sociaal professionals", "sociaal werker", "sociaal werkers",
        "maatschappelijk werker", "maatschappelijk werkers", "jongerenwerker", "jongerenwerkers",
        "schoolpedagoog", "pedagoog", "buurtwerker", "opbouwwerker", "welzijnswerker",
        "wijkcoach", "re-integratiecoach", "coach", "consulent", "regiocoördinator",
        "coördinator", "casemanager", "begeleider", "hulpverlener", "wijkverpleegkundige",
        "dramatherapeut", "therapeut", "ouderenwerker", "sociaal makelaar", "buurtcoach",
        "professional", "professionals", "jobcoach", "trajectbegeleider", "straatwerker",
        "schoolmaatschappelijk werker", "wijkteammedewerker", "generalist", "teamleider"],
    "onderzoeker": [
        "onderzoeker", "onderzoekers", "lector", "hoogleraar", "universitair docent", "docent",
        "promovendus", "wetenschapper", "postdoc", "socioloog", "interviewer", "onderzoekster",
        "associate lector", "universitair hoofddocent"],
    "bewoner/cliënt": [
        "bewoner", "bewoners", "cliënt", "client", "cliënten", "deelnemer", "deelnemers",
        "inwoner", "inwoners", "jongere", "mantelzorger", "buurtbewoner", "ervaringsdeskundige",
        "huurder", "moeder", "vader", "respondent", "ouder", "bezoeker", "vrijwilliger"],
    "beleid": [
        "beleidsmedewerker", "beleidsadviseur", "beleidsmaker", "beleidsmakers", "wethouder",
        "ambtenaar", "accounthouder", "programmamanager", "beleidsambtenaar", "gemeenteraadslid",
        "directeur", "bestuurder", "manager", "adviseur"],
}.items():
    for _w in _words:
        ROLE_WORDS[_w] = _role
_ROLE_RE = re.compile(r"\b(" + "|".join(sorted(map(re.escape, ROLE_WORDS), key=len, reverse=True))
                      + r")\b", re.I)

GENERIC_LABELS = {
    "interviewer": ("Interviewer", "onderzoeker"), "i": ("Interviewer", "onderzoeker"),
    "v": ("Interviewer", "onderzoeker"), "vraag": ("Interviewer", "onderzoeker"),
    "int": ("Interviewer", "onderzoeker"), "onderzoeker": ("Onderzoeker", "onderzoeker"),
    "r": ("Respondent", "onbekend"), "respondent": ("Respondent", "onbekend"),
    "a": ("Respondent", "onbekend"), "antwoord": ("Respondent", "onbekend"),
    "geïnterviewde": ("Respondent", "onbekend"), "b": ("Respondent", "onbekend"),
}
NOT_NAMES = {
    "de", "het", "een", "dat", "die", "dit", "deze", "zo", "ook", "maar", "en", "of", "want",
    "als", "zij", "ze", "hij", "we", "wij", "ik", "je", "u", "hun", "haar", "zijn", "hoe", "wat",
    "waar", "wie", "toen", "dan", "nu", "er", "in", "op", "bij", "voor", "met", "volgens",
    "bijvoorbeeld", "oftewel", "kortom", "dus", "daarom", "tot", "zie", "noot", "let", "tip",
    "conclusie", "vraag", "antwoord", "stichting", "gemeente", "universiteit", "hogeschool",
    "programma", "project", "doel", "doelen", "resultaat", "januari", "februari", "maart",
    "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december",
    "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag", "tijd",
    "datum", "plaats", "titel", "thema", "samenvatting", "inleiding", "opmerking", "nb",
}
SPEECH_VERBS = (r"zegt|zeggen|zei|vertelt|vertelde|stelt|stelde|aldus|legt|lichtte|licht|"
                r"benadrukt|betoogt|vervolgt|concludeert|antwoordt|merkt|reageert|voegt|"
                r"typeert|beaamt|vindt|erkent|verklaart|zucht|lacht|roept|vraagt|schrijft|"
                r"beschrijft|citeert|illustreert|besluit|waarschuwt|verzucht|geeft")


@functools.lru_cache(maxsize=1)
def first_name_set() -> frozenset[str]:
    """Dutch (and common international) first names from deduce's lookup lists."""
    try:
        from ..extern import import_deduce

        deduce = import_deduce()
        path = (Path(deduce.__file__).parent / "data" / "lookup" / "src" / "names"
                / "lst_first_name" / "items.txt")
        names = {ln.strip() for ln in path.read_text(encoding="utf-8").splitlines()}
    except Exception:  # noqa: BLE001 - deduce is optional here: fewer names recognised
        names = set()
    return frozenset(n for n in names if n and n[0].isupper() and len(n) > 1
                     and n.lower() not in NOT_NAMES)


def role_from_text(text: str) -> str:
    """The role named by a function description ("jongerenwerker bij X" → sociaal professional)."""
    m = _ROLE_RE.search(text or "")
    return ROLE_WORDS[m.group(1).lower()] if m else "onbekend"


def normalise_role(value: str) -> str:
    v = (value or "").strip().lower()
    for role in ROLES:
        if v == role.lower():
            return role
    aliases = {"professional": "sociaal professional", "sociaal werker": "sociaal professional",
               "bewoner": "bewoner/cliënt", "cliënt": "bewoner/cliënt", "client": "bewoner/cliënt",
               "bewoner/client": "bewoner/cliënt", "inwoner": "bewoner/cliënt",
               "onderzoek": "onderzoeker", "beleidsmaker": "beleid", "": "onbekend"}
    if v in aliases:
        return aliases[v]
    r = role_from_text(v)
    return r


# ---------------------------------------------------------------------------------------------
@dataclass
class Person:
    naam: str
    rol: str = "onbekend"
    organisatie: str = ""
    aliassen: list[str] = field(default_factory=list)
    bron: str = ""
    functie: str = ""

    @property
    def surname(self) -> str:
        parts = self.naam.split()
        if len(parts) < 2:
            return self.naam
        rest = " ".join(parts[1:])
        return rest


class PeopleIndex:
    """People known in a corpus or document; resolves surnames and aliases to full names."""

    def __init__(self, people: Iterable[Person] = ()):
        self.people: dict[str, Person] = {}
        for p in people:
            self.add(p)

    def copy(self) -> "PeopleIndex":
        idx = PeopleIndex()
        for p in self.people.values():
            idx.people[p.naam] = Person(p.naam, p.rol, p.organisatie, list(p.aliassen), p.bron,
                                        p.functie)
        return idx

    def add(self, person: Person) -> Person:
        name = re.sub(r"\s+", " ", person.naam).strip()
        person.naam = name
        known = self.people.get(name)
        if known is None:
            # a bare surname already known under a full name (or vice versa)
            hit = self.resolve(name)
            if hit and hit != name and len(name.split()) < len(hit.split()):
                known = self.people[hit]
        if known is None:
            current = self._lookup_current()
            self.people[name] = person
            if current:
                self._index(person)
            return person
        if known.rol == "onbekend" and person.rol != "onbekend":
            known.rol = person.rol
        known.organisatie = known.organisatie or person.organisatie
        known.functie = known.functie or person.functie
        for a in person.aliassen:
            if a not in known.aliassen:
                known.aliassen.append(a)
                if self._lookup_current():
                    self._index_key(a.lower(), known.naam)
        return known

    # lookup tables for resolve(): kept up to date by add(), rebuilt when ``people`` was
    # changed directly, so resolving stays O(1) and reading a large corpus is not quadratic
    def _lookup_current(self) -> bool:
        return getattr(self, "_ix_n", -1) == len(self.people)

    def _lookup(self) -> tuple[dict, dict]:
        if not self._lookup_current():
            self._ix_exact: dict[str, tuple[int, str]] = {}
            self._ix_parts: dict[str, list[str]] = {}
            self._ix_pos: dict[str, int] = {}
            self._ix_n = 0
            for p in list(self.people.values()):
                self._index(p)
        return self._ix_exact, self._ix_parts

    def _index_key(self, key: str, name: str) -> None:
        pos = self._ix_pos[name]
        cur = self._ix_exact.get(key)
        if cur is None or pos < cur[0]:     # the earliest person with that name/alias wins
            self._ix_exact[key] = (pos, name)

    def _index(self, p: Person) -> None:
        self._ix_pos.setdefault(p.naam, len(self._ix_pos))
        for key in [p.naam.lower()] + [a.lower() for a in p.aliassen]:
            self._index_key(key, p.naam)
        parts = p.naam.split()
        if len(parts) > 1:
            for key in {p.surname.lower(), parts[-1].lower(), parts[0].lower()}:
                names = self._ix_parts.setdefault(key, [])
                if p.naam not in names:
                    names.append(p.naam)
        self._ix_n = len(self._ix_pos)

    def resolve(self, mention: str) -> str | None:
        """Full name for a mention (full name, alias, surname, "Van Aerle" ~ "van Aerle")."""
        m = re.sub(r"\s+", " ", mention).strip()
        if not m:
            return None
        if m in self.people:
            return m
        low = m.lower()
        exact, parts = self._lookup()
        hit = exact.get(low)
        if hit is not None:
            return hit[1]
        hits = parts.get(low, [])
        return hits[0] if len(hits) == 1 else None

    def by_function(self, word: str, candidates: Iterable[str] = ()) -> str | None:
        word = word.lower()
        cands = [c for c in candidates if c in self.people] or list(self.people)
        hits = [c for c in cands if word in (self.people[c].functie or "").lower()]
        return hits[-1] if hits else None

    def role(self, name: str) -> str:
        p = self.people.get(name)
        return p.rol if p else "onbekend"

    def to_frame(self) -> pd.DataFrame:
        rows = [{"naam": p.naam, "rol": p.rol, "organisatie": p.organisatie,
                 "aliassen": ";".join(p.aliassen), "bron": p.bron}
                for p in self.people.values()]
        return pd.DataFrame(rows, columns=["naam", "rol", "organisatie", "aliassen", "bron"])


def read_people(source, bron: str | None = None) -> PeopleIndex:
    """A people table from a CSV path or a DataFrame (columns naam, rol, organisatie, aliassen)."""
    if source is None:
        return PeopleIndex()
    if isinstance(source, PeopleIndex):
        return source
    if isinstance(source, pd.DataFrame):
        df, where = source, bron or "mensen-tabel"
    else:
        path = Path(source)
        where = bron or path.name
        from .codering import read_text_file
        import io

        text, _ = read_text_file(path)
        try:
            df = pd.read_csv(io.StringIO(text), dtype=str, sep=None, engine="python")
        except Exception as exc:  # noqa: BLE001
            raise LeesFout(path, f"de mensentabel is geen leesbare CSV ({exc}).") from exc
    df = df.fillna("")
    cols = {c.lower().strip(): c for c in df.columns}
    if "naam" not in cols and "name" not in cols:
        raise LeesFout(where, "de mensentabel mist de kolom 'naam' (verwacht: naam, rol, "
                       "organisatie, aliassen).")
    ncol = cols.get("naam") or cols.get("name")
    idx = PeopleIndex()
    for n, row in enumerate(df.to_dict("records"), start=2):
        naam = str(row[ncol]).strip()
        if not naam:
            continue
        rol_raw = str(row.get(cols.get("rol", ""), "") or row.get(cols.get("role", ""), "")).strip()
        rol = normalise_role(rol_raw)
        if rol_raw and rol == "onbekend" and rol_raw.lower() != "onbekend":
            raise LeesFout(where, f"onbekende rol '{rol_raw}' (toegestaan: {', '.join(ROLES)}).",
                           plaats=f"rij {n}")
        aliassen = [a.strip() for a in str(row.get(cols.get("aliassen", ""), "")).split(";")
                    if a.strip()]
        org = str(row.get(cols.get("organisatie", ""), "")).strip()
        idx.add(Person(naam, rol, org, aliassen, where, functie=rol_raw))
    return idx


# ---------------------------------------------------------------------------------------------
# names in running text
def find_person_names(text: str, first_names: frozenset[str] | None = None) -> list[str]:
    """Full person names in text: a known first name followed by a capitalised surname
    (with particles: "Geert van der Laan", "Anne Goossensen")."""
    first_names = first_name_set() if first_names is None else first_names
    out = []
    # a lookahead so that "Ook Marloes Luijken" still yields "Marloes Luijken" (overlapping)
    for m in re.finditer(rf"\b(?=({_CAP})\s+({_PARTICLE_RE}?{_CAP}))", text):
        first, last = m.group(1), m.group(2)
        if first in first_names and last.split()[-1].lower() not in NOT_NAMES \
                and last.split()[-1] not in first_names and last.split()[-1] != "Centraal":
            out.append(f"{first} {last}")
        elif first in first_names and last.split()[-1] in first_names:
            # "Vincent Vermeulen" where the surname is also a first name: accept when the
            # surname is later used alone
            if re.search(rf"(?<![A-Za-zÀ-ÿ] ){re.escape(last)}\b", text[m.end(2):]):
                out.append(f"{first} {last}")
    return list(dict.fromkeys(out))


def people_from_text(text: str, index: PeopleIndex, bron: str,
                     first_names: frozenset[str] | None = None,
                     extra_names: Iterable[str] = ()) -> None:
    """Add the people a document names (with role, function, organisation) to ``index``."""
    names = list(dict.fromkeys(list(extra_names) + find_person_names(text, first_names)))
    for name in names:
        person = Person(name, bron=bron)
        best_role, best_fn, org = "onbekend", "", ""
        for m in re.finditer(re.escape(name), text):
            after = text[m.end(): m.end() + 140]
            before = text[max(0, m.start() - 160): m.start()]
            fn, o = _apposition(after)
            if fn and best_fn == "":
                best_fn, org = fn, o or org
            elif o and not org:
                org = o
            if best_role == "onbekend":
                r = role_from_text(fn) if fn else "onbekend"
                if r == "onbekend":
                    r = _role_before(before)
                best_role = r
        person.rol, person.functie, person.organisatie = best_role, best_fn, org
        index.add(person)


def _apposition(after: str) -> tuple[str, str]:
    """Function and organisation right after a name: ", lector X bij Y," / " is schoolpedagoog
    bij Y." / " van Versa Welzijn"."""
    m = re.match(r"^\s*(?:,|\(|–|—|-|:)\s*([^,.;()“”]{3,80}?)\s*(?:[,.;)]|$| en )", after)
    m2 = re.match(r"^\s+is\s+(?:als\s+)?([^,.;“”]{3,100}?)(?:[,.;]|$)", after)
    part = (m2.group(1) if m2 else (m.group(1) if m else "")).strip()
    if part and not _ROLE_RE.search(part):
        part = ""
    fn = part
    org = ""
    om = re.search(r"\b(?:bij|van|aan)\s+((?:de |het )?[A-Z][^,.;()“”]{1,60})", fn)
    if om:
        org = om.group(1).strip()
        fn = fn[: om.start()].strip()
    else:
        om = re.match(r"^\s+van\s+((?:[A-Z][\w’'-]*\s?){1,5})", after)
        if om:
            org = om.group(1).strip()
    return fn, org


def _role_before(before: str) -> str:
    """A role noun governing a list of names: "drie sociaal professionals: A, B en" /
    "onderzoeker " / "een met maatschappelijk werkers A en"."""
    seg = re.split(r"[.;!?]\s", before)[-1]
    hits = list(_ROLE_RE.finditer(seg))
    if not hits:
        return "onbekend"
    h = hits[-1]
    between = seg[h.end():]
    # only names, commas, "en", a colon and particles between the role word and the name
    if re.fullmatch(rf"(?:\s*[:,]?\s*(?:en\s+)?(?:{_CAP}\s*|{_PARTICLE_RE})*)*", between):
        return ROLE_WORDS[h.group(1).lower()]
    return "onbekend"


def people_from_list(blocks_text: Iterable[str], index: PeopleIndex, bron: str) -> None:
    """Parse a "Wie spraken we?" list: "Naam – functie, organisatie" per line or paragraph."""
    for line in blocks_text:
        for part in re.split(r"\n|•", line):
            m = re.match(rf"^\s*((?:{_CAP}\s+)(?:{_PARTICLE_RE})?{_CAP}(?:\s+{_CAP})?)\s*[–—:,(-]\s*(.+)$",
                         part.strip())
            if not m:
                continue
            name, rest = m.group(1), m.group(2).rstrip(")")
            pieces = [p.strip() for p in re.split(r",| bij | van ", rest, maxsplit=1)]
            fn = pieces[0]
            org = pieces[1] if len(pieces) > 1 else ""
            index.add(Person(name, role_from_text(rest), org, [], bron, functie=fn))


# ---------------------------------------------------------------------------------------------
# interview turns
TURN_RE = re.compile(
    r"^\s*(?:\*\*)?(?P<label>[A-ZÀ-Ý][\w’'.-]*(?: (?:[a-z]{1,3} ){0,2}[A-ZÀ-Ý][\w’'.-]*){0,3})"
    r"(?:\s*\((?P<rol>[^)]{1,60})\))?(?:\*\*)?\s*:(?:\*\*)?\s+(?=\S)")


#: "Label: value" lines of a transcript's header, not speaker turns.
HEADER_LABELS = {"casus", "datum", "onderwerp", "plaats", "locatie", "duur", "tijd", "tijdstip",
                 "thema", "project", "organisatie", "functie", "bron", "opname", "titel",
                 "aanwezig", "aanwezigen", "deelnemers", "setting", "context", "noot", "let op",
                 "transcriptie", "transcript", "datum interview", "gemeente", "wijk"}


def turn_label(text: str) -> tuple[str, str | None, int] | None:
    """``(label, role text, end offset)`` when ``text`` starts with "Naam:" / "Naam (rol):"."""
    m = TURN_RE.match(text)
    if not m:
        return None
    label = m.group("label").strip()
    if label.lower() in HEADER_LABELS:
        return None
    nxt = text[m.end(): m.end() + 1]
    if nxt in "“‘\"'" and label.lower() not in GENERIC_LABELS:
        return None  # "Klaassen: “…”" is a quote in prose, not a transcript turn
    return label, m.group("rol"), m.end()


def is_transcript(paragraphs: list[str], people: PeopleIndex | None = None) -> bool:
    """A transcript has several paragraphs opening with a recurring speaker label."""
    labels = [lab[0].lower() for p in paragraphs if (lab := turn_label(p))]
    if len(labels) < 3:
        return False
    counts = {lab: labels.count(lab) for lab in set(labels)}
    recurring = sum(c for lab, c in counts.items() if c >= 2 or lab in GENERIC_LABELS)
    return recurring >= 3 and recurring >= 0.25 * len(paragraphs)


def interview_parties(title: str, paragraphs: list[str], people: PeopleIndex
                      ) -> dict[str, str]:
    """Who "Interviewer"/"I" and "Respondent"/"R" are, when the document says so: a title or
    opening line "Interview met [dr.] Naam, …" (the respondent) and a header line
    "Interviewer: Naam, organisatie" (the interviewer). Returns {"onderzoeker": name,
    "respondent": name} for the parties found."""
    out: dict[str, str] = {}
    for text in [title] + paragraphs[:2]:
        m = re.match(r"^\s*(?:Interview|Gesprek|In gesprek|Dubbelinterview)\s+met\s+"
                     r"(?:(?:dr|drs|prof|mr|ir|ing)\.\s+)*(.{3,80})", text or "")
        if m:
            names = find_person_names(m.group(1))
            cand = names[0] if names else None
            hit = people.resolve(cand) if cand else None
            if hit is None:
                first = re.match(rf"({_CAP}(?:\s+{_PARTICLE_RE}?{_CAP}){{0,3}})", m.group(1))
                hit = people.resolve(first.group(1)) if first else None
            if hit or cand:
                out["respondent"] = hit or cand
                break
    for text in paragraphs[:6]:
        lab = turn_label(text)
        if lab and GENERIC_LABELS.get(lab[0].lower().rstrip("."), ("", ""))[1] == "onderzoeker":
            rest = text[lab[2]:].strip()
            names = find_person_names(rest)
            if names and rest.startswith(names[0]) and len(rest) < 120 and "?" not in rest:
                out["onderzoeker"] = people.resolve(names[0]) or names[0]
                break
    return out


def resolve_label(label: str, rol_text: str | None, people: PeopleIndex, bron: str,
                  parties: dict[str, str] | None = None) -> str:
    low = label.lower().rstrip(".")
    if low in GENERIC_LABELS and not rol_text:
        name, role = GENERIC_LABELS[low]
        party = (parties or {}).get("onderzoeker" if role == "onderzoeker" else "respondent")
        if party:
            if people.resolve(party) is None:
                people.add(Person(party, role, bron=bron, functie=low))
            return people.resolve(party) or party
        hit = people.resolve(name)
        if hit:
            return hit
        people.add(Person(name, role, bron=bron, functie=low))
        return name
    hit = people.resolve(label)
    if hit:
        if rol_text:
            people.add(Person(hit, role_from_text(rol_text), bron=bron, functie=rol_text))
        return hit
    role = role_from_text(rol_text) if rol_text else "onbekend"
    people.add(Person(label, role, bron=bron, functie=rol_text or ""))
    return label


# ---------------------------------------------------------------------------------------------
# quoted speech
QUOTE_RE = re.compile(r"“[^”]{2,}?(?:”|$)|„[^”“]{2,}?[”“]|\"[^\"\n]{2,}?\"|‘[^’]{12,}?’(?=[\s,.;:!?)]|$)")
_NAME_MENTION = re.compile(rf"(?:{_CAP}\s+)?{_PARTICLE_RE}?{_CAP}|{_PARTICLE_RE.replace('[Vv]', 'V').replace('[Dd]', 'D')}{_CAP}")


@dataclass
class Attribution:
    speakers: list[str]
    last: str | None


def _mentions(window: str, people: PeopleIndex) -> list[str]:
    """Person names mentioned in ``window`` resolved to full names where possible."""
    out = []
    for m in re.finditer(rf"\b(?:[Vv]an (?:der|den|de|het) |[Vv]an |[Dd]e |[Tt]er )?{_CAP}"
                         rf"(?:\s+(?:{_PARTICLE_RE})?{_CAP})?", window):
        s = m.group(0)
        cands = [s] + ([s.split(" ", 1)[1]] if " " in s else [])
        for cand in cands:
            hit = people.resolve(cand)
            if hit:
                out.append((m.start(), hit))
                break
        else:
            first = s.split()[0]
            if re.match(r"^[Vv]an|^[Dd]e|^[Tt]er", first) and s[0].isupper() and len(s.split()) > 1:
                out.append((m.start(), s))  # "Van Aerle": a surname with a capitalised particle
    return [n for _, n in sorted(out)]


def attribute_quotes(text: str, people: PeopleIndex, last: str | None = None,
                     section_people: Iterable[str] = ()) -> Attribution:
    """Speakers of the quotations in a paragraph (in order), and the last speaker (for the next
    paragraph's "Hij vervolgt: “…”")."""
    speakers: list[str] = []
    quotes = list(QUOTE_RE.finditer(text))
    section_people = list(section_people)
    para_last = last
    for qi, q in enumerate(quotes):
        who = None
        sent_start = max(text.rfind(". ", 0, q.start()), text.rfind("? ", 0, q.start()),
                         text.rfind("! ", 0, q.start()),
                         quotes[qi - 1].end() if qi else -1)
        before = text[sent_start + 1: q.start()]
        after = text[q.end(): q.end() + 120]
        earlier = _mentions(text[: q.start()], people)
        pron_last = earlier[-1] if earlier else para_last
        # 1. "Naam: “…”", "aldus Klaassen: “…”", "Bakker legt uit: “…”"
        if before.rstrip().endswith(":"):
            names = _mentions(before, people)
            if names:
                who = names[0]
            else:
                fm = re.search(r"\b(?:de|het)\s+(\w+)\b", before)
                if fm:
                    who = people.by_function(fm.group(1), section_people)
                if who is None and re.search(r"\b(hij|zij|ze)\b", before, re.I) and pron_last:
                    who = pron_last
        # 2. "“…”, zegt Van Aerle" / "“…”, vertelt de schoolpedagoog" / "“…”, betoogt ze"
        if who is None:
            m = re.match(rf"^[,.]?\s*(?:{SPEECH_VERBS})\b([^.“”]{{0,80}})", after)
            if m:
                window = m.group(1)
                names = _mentions(window, people)
                if names:
                    who = names[0]
                else:
                    fm = re.match(r"^\s+(?:de|het)\s+(\w+)", window)
                    if fm:
                        who = people.by_function(fm.group(1), section_people)
                    if who is None and re.match(r"^\s+(?:ze|zij|hij)\b", window) and pron_last:
                        who = pron_last
        # 3. "“…” Aan het woord is Tessa Bakker"
        if who is None:
            m = re.match(r"^\s*Aan het woord (?:is|zijn)\s+([^.]{2,80})", after)
            if m:
                names = _mentions(m.group(1), people)
                who = names[0] if names else None
        # 4. "… aldus Klaassen" after the quote
        if who is None:
            m = re.match(r"^[,.]?\s*aldus\s+([^.“”]{2,60})", after)
            if m:
                names = _mentions(m.group(1), people)
                who = names[0] if names else None
        # 5. a continued quotation in the same paragraph: “…”, zegt X. “…”
        if who is None and qi and speakers and not _mentions(
                text[quotes[qi - 1].end(): q.start()], people):
            who = speakers[-1] if q.group(0)[:1] == quotes[qi - 1].group(0)[:1] else None
        if who:
            speakers.append(who)
            para_last = who
    return Attribution(list(dict.fromkeys(speakers)), para_last)
