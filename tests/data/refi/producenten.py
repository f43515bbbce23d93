"""REFI-QDA projects in the conventions of the tools that write them (our own texts).

Each function returns the bytes of a ``.qdpx`` that carries what real exports of that tool
carry — the texts are fictional Dutch sentences written for verhalen, nothing is copied from
the tools' files — plus, in :func:`volledig`, what the standard allows that none of the
studied files had (memos with NoteRefs, cases, variables of every type, mixed sets, a coding
of a whole source). ``SELECTIES[name]`` lists the quotes every selection must give back.

========================  ==================================================================
fixture                   what it imitates
========================  ==================================================================
``nvivo_windows``         NVivo for Windows 12.6: UTF-8 text with BOM and ``\\r\\n``, many
                          emoji; positions in UTF-16 code units with ``\\r\\n`` counting 2;
                          two users; codes without colour, description with line breaks
``nvivo_mac``             NVivo for Mac 12.7.0: the same, ``\\n`` line ends, no BOM
``atlas_codeboek``        ATLAS.ti for Windows 23: a codebook only (no sources): a deep tree,
                          non-codable categories, colours, code groups (``Sets`` with
                          ``MemberCode``), the "ATLAS.ti" system user who coded nothing
``atlas_project``         ATLAS.ti with texts: ``\\r\\n`` counted as one position
``maxqda``                MAXQDA 24: document sets (``MemberSource``), variables per source,
                          ``\\r\\n`` counting 2, capitals in GUIDs
``qualcoder``             QualCoder 3.6: the selected text as the selection's ``name`` (Qt's
                          U+2029 for a line break), UTF-16 positions, memos on selections,
                          three users of whom one coded nothing
``volledig``              an unknown producer: emoji (the unit must be detected), notes with
                          NoteRefs on project/source/selection/coding/code, cases with codes,
                          variable values and selection refs, all variable types, a set of
                          sources and notes, a coding of a whole source, a Link from a
                          selection to its annotation (as NVivo writes annotations)
========================  ==================================================================
"""

from __future__ import annotations

import io
import uuid
import zipfile
from xml.sax.saxutils import escape, quoteattr

_NS = uuid.UUID("0c4e7a52-3b1f-4f7e-9a55-2f0d6c1b7e11")


def G(key: str, upper: bool = False) -> str:
    g = str(uuid.uuid5(_NS, key))
    return g.upper() if upper else g


def utf16_pos(text: str, i: int, crlf_counts: int = 2, unit: str = "utf16") -> int:
    """Position of code-point offset ``i`` (in the text with ``\\n``) as a producer writes it,
    for a file text where every ``\\n`` is written as ``\\r\\n`` when crlf_counts is given."""
    part = text[:i]
    n = len(part)
    if unit == "utf16":
        n += sum(1 for ch in part if ord(ch) > 0xFFFF)
    if crlf_counts == 2:
        n += part.count("\n")
    return n


# --------------------------------------------------------------------------------------------
# texts (written for verhalen)
# --------------------------------------------------------------------------------------------
BUURT = [
    "Gesprek in de buurtkamer 🏠 over de eerste weken.",
    "Iedereen mag binnenlopen 😊 en niemand hoeft iets te bewijzen. Senna zet koffie ☕ en "
    "vraagt hoe het gaat.",
    "Door de schulden 💸 durfde Ruud eerst niet te komen. Nu helpt hij zelf bij de "
    "formulieren 📄 van anderen.",
    "De buurvrouw 👵 belt elke ochtend aan 🔔; dat kleine ritueel houdt de straat bij elkaar.",
    "We tellen bezoekers 📊 per week, maar het verhaal achter de cijfers vertellen we apart.",
]
ZORG = [
    "Verslag van het huisbezoek 🚪 bij de familie in de flat.",
    "Moeder vertelde dat haar zoon 👦 weer naar school gaat 🎒. Zonder de coach 🙌 was dat niet "
    "gelukt, zei ze.",
    "De wijkverpleegkundige 👩‍⚕️ en de schuldhulp 🧾 zaten samen aan tafel: één plan, één "
    "gesprek.",
]


def _text(paras: list[str]) -> str:
    return "\n\n".join(paras)


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name, date_time=(2025, 6, 18, 4, 21, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return buf.getvalue()


def _find(text: str, phrase: str) -> tuple[int, int]:
    i = text.index(phrase)
    return i, i + len(phrase)


def _selection(key: str, text: str, phrase: str, codes: list[tuple[str, str]], *,
               crlf: int, unit: str = "utf16", name: str | None = None, desc: str = "",
               upper: bool = False, note_refs=(), coding_notes=()) -> str:
    a, z = _find(text, phrase)
    pa, pz = utf16_pos(text, a, crlf, unit), utf16_pos(text, z, crlf, unit)
    attrs = f'guid="{G("sel:" + key, upper)}" startPosition="{pa}" endPosition="{pz}"'
    if name is not None:
        attrs += f" name={quoteattr(name)}"
    user = codes[0][1]
    attrs += f' creatingUser="{G("user:" + user, upper)}" creationDateTime="2025-03-01T10:00:00Z"'
    body = f"<Description>{escape(desc)}</Description>" if desc else ""
    for code, u in codes:
        cn = "".join(f'<NoteRef targetGUID="{G("note:" + n)}"/>' for n in coding_notes)
        body += (f'<Coding guid="{G(f"coding:{key}:{code}:{u}", upper)}" '
                 f'creatingUser="{G("user:" + u, upper)}"><CodeRef targetGUID='
                 f'"{G("code:" + code, upper)}"/>{cn}</Coding>')
    body += "".join(f'<NoteRef targetGUID="{G("note:" + n)}"/>' for n in note_refs)
    return f"<PlainTextSelection {attrs}>{body}</PlainTextSelection>"


def _project(origin: str, users: list[str], codes: str, sources: str = "", extra: str = "",
             upper: bool = False, before_sources: str = "") -> bytes:
    us = "".join(f'<User guid="{G("user:" + u, upper)}" name={quoteattr(u)}/>' for u in users)
    src = f"<Sources>{sources}</Sources>" if sources else ""
    xml = (f'<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="urn:QDA-XML:project:1.0" '
           f'name="Buurtkamer" origin={quoteattr(origin)} '
           f'creatingUserGUID="{G("user:" + users[0], upper)}" '
           f'creationDateTime="2025-02-21T15:09:07Z">\n<Users>{us}</Users>\n'
           f"<CodeBook><Codes>{codes}</Codes></CodeBook>\n{before_sources}{src}\n{extra}"
           "</Project>\n")
    return xml.encode("utf-8")


def _code(key: str, name: str, children: str = "", *, desc: str = "", colour: str | None = None,
          codable: bool = True, upper: bool = False, notes=()) -> str:
    attrs = f'guid="{G("code:" + key, upper)}" name={quoteattr(name)} ' \
            f'isCodable="{"true" if codable else "false"}"'
    if colour:
        attrs += f' color="{colour}"'
    d = f"<Description>{escape(desc)}</Description>" if desc else ""
    n = "".join(f'<NoteRef targetGUID="{G("note:" + x)}"/>' for x in notes)
    return f"<Code {attrs}>{d}{n}{children}</Code>"


SELECTIES: dict[str, list[str]] = {}

# --------------------------------------------------------------------------------------------
# NVivo
# --------------------------------------------------------------------------------------------
_NVIVO_CODES = (
    _code("houding", "1. Houding", _code("welkom", "Welkom") + _code("zelf", "Zelf doen"),
          desc="Hoe mensen binnenkomen\nen wat ze daar vinden.\nTwee kanten.")
    + _code("netwerk", "2. Netwerk", _code("ritueel", "Ritueel"))
    + _code("tellen", "3. Tellen")
)
_NVIVO_SELS = [
    ("n1", "Iedereen mag binnenlopen 😊 en niemand hoeft iets te bewijzen.", "welkom", "Gergo"),
    ("n2", "Senna zet koffie ☕ en vraagt hoe het gaat.", "welkom", "floriansipos"),
    ("n3", "Nu helpt hij zelf bij de formulieren 📄 van anderen.", "zelf", "Gergo"),
    ("n4", "belt elke ochtend aan 🔔", "ritueel", "Gergo"),
    ("n5", "dat kleine ritueel houdt de straat bij elkaar", "netwerk", "floriansipos"),
    ("n6", "We tellen bezoekers 📊 per week", "tellen", "Gergo"),
    ("n7", "Zonder de coach 🙌 was dat niet gelukt", "zelf", "floriansipos"),
    ("n8", "De wijkverpleegkundige 👩‍⚕️ en de schuldhulp 🧾 zaten samen aan tafel", "netwerk",
     "Gergo"),
]


def _nvivo(mac: bool) -> bytes:
    crlf = 1 if mac else 2        # positions: \r\n counts 2 in the Windows file; Mac has \n
    texts = {"buurt": _text(BUURT), "zorg": _text(ZORG)}
    sources, entries = "", {}
    for key, text in texts.items():
        sels = "".join(_selection(k, text, ph, [(c, u)], crlf=crlf if not mac else 1)
                       for k, ph, c, u in _NVIVO_SELS if ph in text)
        g = G("src:" + key)
        sources += (f'<TextSource guid="{g}" name="{key}_interview" richTextPath='
                    f'"internal://{g}.docx" plainTextPath="internal://{g}.txt" '
                    f'creatingUser="{G("user:Gergo")}" creationDateTime="2025-02-21T15:10:00Z">'
                    f"{sels}</TextSource>")
        raw = text if mac else "\ufeff" + text.replace("\n", "\r\n")
        entries[f"Sources/{g}.txt"] = raw.encode("utf-8")
        entries[f"Sources/{g}.docx"] = b"PK\x03\x04 (opgemaakte tekst, niet gelezen)"
    origin = "NVivo for Mac 12.7.0" if mac else "NVivo for Windows 12.6"
    qde = _project(origin, ["Gergo", "floriansipos"], _NVIVO_CODES, sources)
    SELECTIES["nvivo_mac" if mac else "nvivo_windows"] = [s[1] for s in _NVIVO_SELS]
    return _zip({"project.qde": qde, **entries})


def nvivo_windows() -> bytes:
    return _nvivo(mac=False)


def nvivo_mac() -> bytes:
    return _nvivo(mac=True)


# --------------------------------------------------------------------------------------------
# ATLAS.ti
# --------------------------------------------------------------------------------------------
def _atlas_codes() -> str:
    deep = _code("wortel", "Aanpak", _code("laag1", "In de wijk", _code(
        "laag2", "Huisbezoek", _code("laag3", "Eerste bezoek", _code(
            "laag4", "Drempel", desc="De drempel om open te doen.\r\nOf niet.",
            colour="#F0A0A0", upper=True), colour="#E08080", upper=True),
        colour="#D06060", codable=False, upper=True), colour="#C04040", codable=False,
        upper=True), colour="#B02020", codable=False, desc="Alles over de aanpak.", upper=True)
    return deep + _code("sfeer", "Sfeer", _code("warm", "Warm welkom", colour="#4477AA",
                                                upper=True),
                        colour="#3366AA", codable=False, upper=True) + \
        _code("losse", "Losse code", colour="#999933", upper=True)


_ATLAS_SETS = (f'<Sets><Set guid="{G("set:groep1", True)}" name="Codegroep: eerste contact">'
               f'<Description>Codes voor de eerste keer.</Description>'
               f'<MemberCode targetGUID="{G("code:laag4", True)}"/>'
               f'<MemberCode targetGUID="{G("code:warm", True)}"/></Set>'
               f'<Set guid="{G("set:groep2", True)}" name="Codegroep: overig">'
               f'<MemberCode targetGUID="{G("code:losse", True)}"/></Set></Sets>')


def atlas_codeboek() -> bytes:
    qde = _project("ATLAS.ti for Windows 23.2.3.27778", ["Enric", "ATLAS.ti"], _atlas_codes(),
                   extra=_ATLAS_SETS, upper=True)
    return _zip({"project.qde": qde})


def atlas_project() -> bytes:
    text = _text(BUURT)
    sels = [("a1", "Iedereen mag binnenlopen 😊", "warm"),
            ("a2", "Door de schulden 💸 durfde Ruud eerst niet te komen.", "laag4"),
            ("a3", "het verhaal achter de cijfers", "losse")]
    g = G("src:atlas", True)
    body = "".join(_selection(k, text, ph, [(c, "Enric")], crlf=1, upper=True)
                   for k, ph, c in sels)
    sources = (f'<TextSource guid="{g}" name="Buurtkamer.docx" plainTextPath='
               f'"internal://{g}.txt">{body}</TextSource>')
    qde = _project("ATLAS.ti for Windows 23.2.3.27778", ["Enric", "ATLAS.ti"], _atlas_codes(),
                   sources, extra=_ATLAS_SETS, upper=True)
    SELECTIES["atlas_project"] = [s[1] for s in sels]
    return _zip({"project.qde": qde,
                 f"sources/{g}.txt": text.replace("\n", "\r\n").encode("utf-8")})


# --------------------------------------------------------------------------------------------
# MAXQDA
# --------------------------------------------------------------------------------------------
def maxqda() -> bytes:
    texts = {"m1": ("Interview buurtkamer", _text(BUURT[:3])),
             "m2": ("Interview zorg", _text(ZORG)), "m3": ("Notitie", _text(BUURT[3:]))}
    codes = _code("thema", "THEMA - Ontmoeting", _code(
        "plek", "Plek om binnen te lopen", colour="#ef8256", upper=True,
        desc="Pas toe als de tekst een vrije plek beschrijft."), colour="#ef8256", upper=True,
        desc="Bovencategorie.\nGebruik alleen de codes eronder.") + \
        _code("samen", "THEMA - Samenwerking", colour="#7fb2e5", upper=True)
    variables = (f'<Variables><Variable guid="{G("var:wijk", True)}" name="Wijk" '
                 f'typeOfVariable="Text"/><Variable guid="{G("var:n", True)}" name="Aantal" '
                 f'typeOfVariable="Integer"/></Variables>')
    sources, entries = "", {}
    plan = {"m1": [("x1", "Iedereen mag binnenlopen 😊 en niemand hoeft iets te bewijzen.",
                    "plek")],
            "m2": [("x2", "zaten samen aan tafel: één plan, één gesprek", "samen")],
            "m3": []}
    for key, (name, text) in texts.items():
        g = G("src:" + key, True)
        body = "".join(_selection(k, text, ph, [(c, "johnb")], crlf=2, upper=True)
                       for k, ph, c in plan[key])
        body += (f'<VariableValue><VariableRef targetGUID="{G("var:wijk", True)}"/>'
                 f'<TextValue>Zuid</TextValue></VariableValue>'
                 f'<VariableValue><VariableRef targetGUID="{G("var:n", True)}"/>'
                 f'<IntegerValue>{len(text) % 7}</IntegerValue></VariableValue>')
        sources += (f'<TextSource guid="{g}" name="{name}" plainTextPath="internal://{g}.txt" '
                    f'creatingUser="{G("user:johnb", True)}" modifyingUser='
                    f'"{G("user:johnb", True)}" creationDateTime="2024-10-18T23:23:46Z" '
                    f'modifiedDateTime="2024-10-18T23:23:46Z">{body}</TextSource>')
        entries[f"sources/{g}.txt"] = text.replace("\n", "\r\n").encode("utf-8")
    sets = (f'<Sets><Set guid="{G("set:2024", True)}" name="ICLS 2024">'
            f'<MemberSource targetGUID="{G("src:m1", True)}"/>'
            f'<MemberSource targetGUID="{G("src:m3", True)}"/></Set>'
            f'<Set guid="{G("set:2025", True)}" name="ICLS 2025">'
            f'<MemberSource targetGUID="{G("src:m2", True)}"/></Set></Sets>')
    qde = _project("MAXQDA 24 (Release 24.7.0)", ["johnb"], codes, sources, extra=sets,
                   upper=True, before_sources=variables)
    SELECTIES["maxqda"] = [s[1] for p in plan.values() for s in p]
    return _zip({"project.qde": qde, **entries})


# --------------------------------------------------------------------------------------------
# QualCoder
# --------------------------------------------------------------------------------------------
def qualcoder() -> bytes:
    text = _text(BUURT)
    g = G("src:qc")
    sels = [("q1", "niemand hoeft iets te bewijzen. Senna zet koffie ☕", [("welkom", "Aylin")],
             "Kern van de aanpak."),
            ("q2", "Nu helpt hij zelf bij de formulieren 📄 van anderen.\n\nDe buurvrouw 👵",
             [("zelf", "Aylin"), ("ritueel", "Bram")], ""),
            ("q3", "We tellen bezoekers 📊", [("tellen", "Bram")], "")]
    body = "".join(_selection(k, text, ph, cds, crlf=1, name=ph.replace("\n", "\u2029"),
                              desc=d) for k, ph, cds, d in sels)
    codes = _code("cat", "Categorie", _code("welkom", "Welkom") + _code("zelf", "Zelf doen"),
                  codable=False, colour="#AAAAAA") + _code("ritueel", "Ritueel",
                                                          colour="#00FF00") + \
        _code("tellen", "Tellen", desc="Cijfers.\n\nEn wat ze betekenen.")
    sources = (f'<TextSource guid="{g}" name="buurtkamer.txt" plainTextPath='
               f'"internal://{g}.txt" creatingUser="{G("user:Aylin")}">{body}</TextSource>')
    qde = _project("QualCoder 3.6", ["Aylin", "Bram", "Chris"], codes, sources)
    # QualCoder has no creating user: its creatingUserGUID names no user
    qde = qde.replace(f'creatingUserGUID="{G("user:Aylin")}"'.encode(),
                      f'creatingUserGUID="{G("qualcoder:nobody")}"'.encode())
    SELECTIES["qualcoder"] = [s[1] for s in sels]
    return _zip({"project.qde": qde, f"sources/{g}.txt": ("\ufeff" + text).encode("utf-8")})


# --------------------------------------------------------------------------------------------
# what the standard allows that none of them had
# --------------------------------------------------------------------------------------------
def volledig() -> bytes:
    t1, t2 = _text(BUURT), _text(ZORG)
    g1, g2 = G("src:v1"), G("src:v2")
    s1 = _selection("v1", t1, "Door de schulden 💸 durfde Ruud eerst niet te komen.",
                    [("drempel", "Dana")], crlf=1, note_refs=["selmemo"],
                    coding_notes=["codingmemo"], desc="Memo bij de selectie:\nregel twee.")
    s2 = _selection("v2", t1, "De buurvrouw 👵 belt elke ochtend aan 🔔", [("buren", "Eli")],
                    crlf=1)
    s3 = _selection("v3", t2, "Zonder de coach 🙌 was dat niet gelukt", [("drempel", "Dana"),
                                                                        ("buren", "Eli")],
                    crlf=1)
    codes = _code("groep", "Groep", _code("drempel", "Drempel", notes=["codememo"],
                                          desc="Wat mensen tegenhoudt.", colour="#123456")
                  + _code("buren", "Buren"), codable=False) + _code("leeg", "Nooit gebruikt")
    variables = ("<Variables>" + "".join(
        f'<Variable guid="{G("var:" + n)}" name="{n}" typeOfVariable="{t}">'
        f"<Description>Variabele {n}.</Description></Variable>"
        for n, t in (("leeftijd", "Integer"), ("score", "Float"), ("actief", "Boolean"),
                     ("start", "Date"), ("moment", "DateTime"), ("wijk", "Text")))
        + "</Variables>")

    def vv(n, tag, val):
        return (f'<VariableValue><VariableRef targetGUID="{G("var:" + n)}"/>'
                f"<{tag}>{val}</{tag}></VariableValue>")

    cases = (f'<Cases><Case guid="{G("case:fam")}" name="Familie K."><Description>Het gezin in '
             f'de flat.</Description><CodeRef targetGUID="{G("code:drempel")}"/>'
             + vv("leeftijd", "IntegerValue", 41) + vv("actief", "BooleanValue", "true")
             + vv("start", "DateValue", "2025-01-06")
             + vv("moment", "DateTimeValue", "2025-01-06T09:30:00Z")
             + f'<SourceRef targetGUID="{g2}"/><SelectionRef targetGUID="{G("sel:v3")}"/></Case>'
             f'<Case guid="{G("case:buurt")}" name="Buurtkamer">'
             + vv("score", "FloatValue", "7.5") + f'<SourceRef targetGUID="{g1}"/></Case></Cases>')
    sources = (f'<TextSource guid="{g1}" name="Buurtkamer" plainTextPath="internal://{g1}.txt">'
               f"<Description>Opname van 3 maart.</Description>{s1}{s2}"
               f'<NoteRef targetGUID="{G("note:srcmemo")}"/>'
               + vv("wijk", "TextValue", "Noord") + vv("leeftijd", "IntegerValue", 0)
               + "</TextSource>"
               f'<TextSource guid="{g2}" name="Huisbezoek"><PlainTextContent>{escape(t2)}'
               f"</PlainTextContent>{s3}"
               f'<Coding guid="{G("coding:heel")}" creatingUser="{G("user:Dana")}">'
               f'<CodeRef targetGUID="{G("code:buren")}"/></Coding>'
               + vv("wijk", "TextValue", "Zuid") + "</TextSource>")
    notes = "<Notes>" + "".join(
        f'<Note guid="{G("note:" + k)}" name="{k}" creatingUser="{G("user:Dana")}" '
        f'creationDateTime="2025-03-02T08:00:00Z"><PlainTextContent>{escape(body)}'
        "</PlainTextContent></Note>"
        for k, body in (("projectmemo", "Wat we leerden:\n- luisteren\n- tijd nemen"),
                        ("srcmemo", "Opname was rumoerig."), ("selmemo", "Ruud 💬 zei dit later "
                                                                         "nog eens."),
                        ("codingmemo", "Twijfel over de code."), ("codememo", "Definitie "
                                                                                "aanscherpen."),
                        ("los", "Een memo aan niets."))) + "</Notes>"
    sets = (f'<Sets><Set guid="{G("set:mix")}" name="Eerste ronde"><Description>Bronnen en '
            f'memo\'s van ronde 1.</Description><MemberSource targetGUID="{g1}"/>'
            f'<MemberNote targetGUID="{G("note:srcmemo")}"/></Set>'
            f'<Set guid="{G("set:codes")}" name="Kerncodes"><MemberCode targetGUID='
            f'"{G("code:drempel")}"/><MemberCode targetGUID="{G("code:buren")}"/></Set></Sets>')
    links = (f'<Links><Link guid="{G("link:1")}" name="Annotatie" direction="OneWay" '
             f'originGUID="{G("sel:v1")}" targetGUID="{G("note:selmemo")}"/></Links>')
    extra = notes + links + sets + "<Description>Project om alles te bewaren.</Description>" + \
        f'<NoteRef targetGUID="{G("note:projectmemo")}"/>'
    qde = _project("Testgereedschap 1.0", ["Dana", "Eli", "Fleur"], codes, sources,
                   extra=extra, before_sources=variables + cases)
    SELECTIES["volledig"] = ["Door de schulden 💸 durfde Ruud eerst niet te komen.",
                             "De buurvrouw 👵 belt elke ochtend aan 🔔",
                             "Zonder de coach 🙌 was dat niet gelukt"]
    return _zip({"project.qde": qde, f"sources/{g1}.txt": t1.encode("utf-8")})


FIXTURES = {"nvivo_windows": nvivo_windows, "nvivo_mac": nvivo_mac,
            "atlas_codeboek": atlas_codeboek, "atlas_project": atlas_project, "maxqda": maxqda,
            "qualcoder": qualcoder, "volledig": volledig}
