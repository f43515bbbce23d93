"""REFI-QDA import: ``.qdpx`` projects and ``.qdc`` codebooks written by other tools (or by
verhalen) into a Corpus, long codes and a Codebook.

What the other tool had and verhalen has no own place for is kept in ``corpus.meta["refi"]``
(see :data:`REFI_KEYS`), so that :func:`verhalen.uitwisseling.refi_export.export_qdpx` writes
it back: the project's attributes, every user (also those who coded nothing), the GUID, name
and description of each source, the exact selections with their codings (code, coder, GUIDs,
dates, memo), codings of whole sources, notes with what they are attached to, cases,
variables and sets of sources/notes. Code sets (sets with only codes) go to
``Codebook.sets``; ``isCodable``, colours, descriptions as written and the code GUIDs to the
codes. Positions are read in the unit the producer uses (:mod:`.posities`).
"""

from __future__ import annotations

import json
import re
import warnings
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
from lxml import etree

from ..codeboek import Code, Codebook
from ..codes import LONG_COLUMNS
from ..fouten import LeesFout, VerhalenFout
from ..model import Corpus, Document, Segment, slugify
from ..tracks import TRACKS
from .posities import TextPositions, choose_reading, producer_profile
from .refi_xml import (_CODE_ID, _EXTRA_CODEBOOK, _EXTRA_DOCUMENTS, _EXTRA_SEGMENTS, NS_PROJECT,
                       RefiWaarschuwing, _kid, _kids, _local, _parse_description, _parse_tracks,
                       _parse_xml, _text, _unique_id, _where, guid_for)

__all__ = ["import_qdpx", "import_qdc", "detect_kind", "REFI_KEYS", "LONG_EXTRA"]

#: keys of ``corpus.meta["refi"]``
REFI_KEYS = ("project", "posities", "gebruikers", "documenten", "selecties", "notities",
             "cases", "variabelen", "sets", "links")
#: columns of the long codes beyond ``LONG_COLUMNS`` (where each code's selection is)
LONG_EXTRA = ["doc_id", "start", "end", "selectie", "notitie"]


def _g(value: str | None) -> str:
    """A GUID as verhalen keeps it: without braces, lower case."""
    return (value or "").strip().strip("{}").lower()


def detect_kind(path: str | Path) -> str:
    """What a REFI-QDA file is by its content, whatever its name: ``"qdpx"`` (a zip with
    ``project.qde``), ``"qdc"`` (a ``CodeBook`` XML) or ``"qde"`` (a ``Project`` XML).
    Raises ``LeesFout`` (Dutch, naming the file) for anything else."""
    path = Path(path)
    if not path.exists():
        raise LeesFout(path, "bestand bestaat niet.")
    if path.is_dir():
        raise LeesFout(path, "is een map; geef een .qdpx- of .qdc-bestand.")
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if head[:2] == b"PK":
        try:
            with zipfile.ZipFile(path) as zf:
                names = [n.lower() for n in zf.namelist()]
        except zipfile.BadZipFile as exc:
            raise LeesFout(path, "geen geldig .qdpx-bestand (een .qdpx is een zip-archief met "
                                 "project.qde).") from exc
        if "project.qde" in names or any(n.endswith(".qde") and "/" not in n for n in names):
            return "qdpx"
        raise LeesFout(path, "een zip-archief zonder project.qde; dit is geen REFI-QDA-project "
                             "(.qdpx).")
    m = re.search(rb"<(?:[A-Za-z_][\w.-]*:)?(CodeBook|Project)[\s>/]", head)
    if m:
        return "qdc" if m.group(1) == b"CodeBook" else "qde"
    raise LeesFout(path, "geen REFI-QDA-bestand: verwacht een .qdpx (zip met project.qde) of "
                         "een .qdc (XML met <CodeBook>).")


# --------------------------------------------------------------------------------------------
# codebook
# --------------------------------------------------------------------------------------------
def _track_of_group(el: etree._Element) -> str | None:
    """A track group written by verhalen (by its GUID)."""
    g = _g(el.get("guid"))
    for t in TRACKS:
        if g == guid_for("spoor", t):
            return t
    return None


def _codebook_from_codes(codes_el: etree._Element | None, path: Path, name: str,
                         ) -> tuple[Codebook, dict[str, str], dict[str, list[str]]]:
    """Codebook from a ``Codes`` element; returns (codebook, {guid: code id ('' for a
    verhalen track group)}, {code id: [note GUIDs]}).

    A code's tracks come from its ``Sporen:`` line (verhalen's description), from the
    verhalen track group it sits in, or from the reference codebook (``impact``) when it is
    one of its codes; any other code stays "zonder spoor" (no invented weights)."""
    from ..codeboek import PALETTE

    codes: list[Code] = []
    guid_map: dict[str, str] = {}
    notes: dict[str, list[str]] = {}
    taken: set[str] = set()
    impact = None

    def impact_tracks(label: str, cid: str) -> dict[str, float]:
        nonlocal impact
        if impact is None:
            try:
                from ..codeboek import load_codebook

                impact = load_codebook("impact")
            except VerhalenFout:  # pragma: no cover
                impact = Codebook("impact", [])
        for c in impact.codes:
            if c.id == cid or c.label.lower() == label.lower():
                return dict(c.tracks)
        return {}

    def walk(el: etree._Element, parent: str | None, track: str | None) -> None:
        for child in _kids(el, "Code"):
            guid = _g(child.get("guid"))
            label = (child.get("name") or "").strip()
            if not guid or not label:
                raise LeesFout(path, "een Code mist 'guid' of 'name'.", _where(child))
            group = _track_of_group(child)
            codable = (child.get("isCodable") or "true").strip().lower() not in ("false", "0")
            if group and not codable:
                guid_map[guid] = ""          # a track group of verhalen, not a code
                walk(child, parent, group)
                continue
            desc_el = _kid(child, "Description")
            definition, fields = _parse_description(_text(desc_el))
            cid = fields.get("Code-id", "").strip()
            if cid and _CODE_ID.match(cid) and cid not in taken:
                taken.add(cid)
            else:
                cid = _unique_id(label, taken)
            tracks = _parse_tracks(fields.get("Sporen", ""))
            if not tracks and codable:
                tracks = ({track: 1.0} if track else {}) or impact_tracks(label, cid)
            colour = (child.get("color") or "").strip()
            if re.fullmatch(r"#[0-9a-fA-F]{3}", colour):
                colour = "#" + "".join(ch * 2 for ch in colour[1:])
            code = Code(id=cid, label=label, definition=definition or label, tracks=tracks,
                        indicators=[s.strip() for s in fields.get("Indicatoren", "").split(";")
                                    if s.strip()],
                        examples=list(fields.get("Voorbeelden", [])),
                        negative_examples=list(fields.get("Tegenvoorbeelden", [])),
                        parent=parent,
                        colour=colour.upper() if re.fullmatch(r"#[0-9a-fA-F]{6}", colour) else None,
                        emergent=fields.get("Emergent", "").strip().lower() == "ja",
                        codable=codable,
                        guid=None if guid == guid_for("code", cid) else guid)
            guid_map[guid] = cid
            refs = [_g(r.get("targetGUID")) for r in _kids(child, "NoteRef")]
            if refs:
                notes[cid] = refs
            codes.append(code)
            walk(child, cid, track)

    if codes_el is not None:
        walk(codes_el, None, None)
    used = {c.colour for c in codes if c.colour}
    free = [c for c in PALETTE if c not in used]
    for c in codes:
        if not c.colour:
            c.colour = free.pop(0) if free else "#888888"
    return Codebook(name=name, codes=codes, source=str(path)), guid_map, notes


def _warn_without_track(codebook: Codebook, path: Path) -> None:
    """Say once how many codes have no track yet."""
    missing = codebook.without_track()
    if missing:
        labels = [codebook.get(c).label for c in missing]
        warnings.warn(
            f"{path}: {len(missing)} van de {sum(c.codable for c in codebook.codes)} codes "
            f"hebben (nog) geen spoor ({', '.join(labels[:8])}{' …' if len(labels) > 8 else ''})"
            ". Ze staan 'zonder spoor' in het codeboek en tellen niet mee in de sporenkaart "
            "tot u ze een spoor geeft (sporen: in codeboek.yaml).", RefiWaarschuwing,
            stacklevel=3)


def _extra_codebook(data: bytes, parsed: Codebook, path: Path) -> Codebook:
    """The codebook YAML verhalen stored in the zip, when it has exactly the codes of the XML
    (a tool that edited the codebook drops or changes codes: then the XML wins)."""
    from ..codeboek import _parse

    try:
        extra = _parse(data.decode("utf-8"), f"{path}!{_EXTRA_CODEBOOK}")
    except (VerhalenFout, UnicodeDecodeError):
        return parsed
    if sorted(extra.ids) != sorted(parsed.ids):
        return parsed
    by_id = {c.id: c for c in parsed.codes}
    for c in extra.codes:   # labels/colours/definitions edited in the tool win
        p = by_id[c.id]
        c.label, c.colour, c.codable = p.label, p.colour or c.colour, p.codable
    extra.source = str(path)
    extra.sets = parsed.sets or extra.sets
    return extra


def _sets(root: etree._Element, code_ids: dict[str, str], doc_ids: dict[str, str]
          ) -> tuple[list[dict], list[dict]]:
    """(code sets for the codebook, other sets) from ``<Sets>``."""
    code_sets, other = [], []
    el = _kid(root, "Sets")
    for s in (_kids(el, "Set") if el is not None else []):
        codes = [code_ids[g] for g in (_g(m.get("targetGUID") or m.get("guid"))
                                       for m in _kids(s, "MemberCode")) if code_ids.get(g)]
        docs = [doc_ids[g] for g in (_g(m.get("targetGUID")) for m in _kids(s, "MemberSource"))
                if g in doc_ids]
        notes = [_g(m.get("targetGUID")) for m in _kids(s, "MemberNote")]
        entry: dict[str, Any] = {"naam": s.get("name") or "", "guid": _g(s.get("guid"))}
        desc = _text(_kid(s, "Description")).strip()
        if desc:
            entry["beschrijving"] = desc
        if codes and not docs and not notes:
            code_sets.append({**entry, "codes": codes})
        else:
            other.append({**entry, "codes": codes, "documenten": docs, "notities": notes})
    return code_sets, other


# --------------------------------------------------------------------------------------------
# sources
# --------------------------------------------------------------------------------------------
def _open_zip(path: Path) -> zipfile.ZipFile:
    if not path.exists():
        raise LeesFout(path, "bestand bestaat niet.")
    try:
        return zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise LeesFout(path, "geen geldig .qdpx-bestand (een .qdpx is een zip-archief met "
                             "project.qde).") from exc
    except OSError as exc:
        raise LeesFout(path, f"kan niet gelezen worden ({exc}).") from exc


def _paragraph_segments(doc: Document, nlp=None) -> None:
    """Cut ``doc.text`` into paragraph segments (blank lines), long ones at sentence ends."""
    from ..lezen.segmenteren import _split_long, add_sentences

    text = doc.text
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in re.finditer(r"\n[ \t]*\n+", text):
        spans.append((pos, m.start()))
        pos = m.end()
    spans.append((pos, len(text)))
    segs = []
    for a, z in spans:
        for x, y in _split_long(text, a, z):
            idx = len(segs)
            segs.append(Segment(id=f"{doc.id}-{idx:04d}", doc_id=doc.id, index=idx,
                                text=text[x:y], start=x, end=y))
    doc.segments = segs
    _transcript_speakers(doc)
    if segs:
        add_sentences(doc, nlp)


def _transcript_speakers(doc: Document) -> None:
    """In a transcript ("Interviewer: …", "Marieke: …" turns) each turn gets its speaker; the
    label stays in the text, so the selection offsets keep pointing at the same words."""
    from ..lezen.sprekers import GENERIC_LABELS, is_transcript, normalise_role, turn_label

    if not is_transcript([s.text for s in doc.segments]):
        return
    speaker, role = None, "onbekend"
    for seg in doc.segments:
        lab = turn_label(seg.text)
        if lab:
            generic = GENERIC_LABELS.get(lab[0].lower())
            speaker = generic[0] if generic else lab[0]
            role = generic[1] if generic else (normalise_role(lab[1]) if lab[1] else "onbekend")
        if speaker:
            seg.speakers, seg.roles = [speaker], [role]


def _source_text(src: etree._Element, zf: zipfile.ZipFile, path: Path,
                 names: dict[str, str]) -> str | None:
    """Plain text of a TextSource or Note (inline or from the zip); None when it cannot be
    read. A leading BOM is dropped; line breaks stay as in the file."""
    content = _kid(src, "PlainTextContent")
    if content is not None:
        return content.text or ""
    ptp = src.get("plainTextPath")
    if not ptp:
        return None
    ref = ptp.strip()
    for prefix in ("internal://", "relative://", "file://", "absolute://"):
        if ref.lower().startswith(prefix):
            ref = ref[len(prefix):]
            break
    ref = ref.replace("\\", "/").lstrip("/")
    base = ref.rsplit("/", 1)[-1].lower()
    real = names.get(f"sources/{ref}".lower()) or names.get(ref.lower())
    if real is None:   # tools disagree on the folder ("sources/", "Sources/", none)
        real = next((r for lo, r in names.items() if lo.rsplit("/", 1)[-1] == base), None)
    if real is None:
        return None
    data = zf.read(real)
    try:
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            return data.decode("utf-16")
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LeesFout(path, f"de tekst van bron '{src.get('name') or ''}' is geen UTF-8 "
                             f"(positie {exc.start}).", real) from exc


def _typed_value(el: etree._Element) -> Any:
    """A VariableValue's value as Python (IntegerValue → int, FloatValue → float, ...)."""
    raw = _text(el).strip()
    kind = _local(el)
    try:
        if kind == "IntegerValue":
            return int(raw)
        if kind == "FloatValue":
            return float(raw)
        if kind == "BooleanValue":
            return raw.lower() in ("true", "1")
    except ValueError:
        pass
    return raw


def _values(el: etree._Element, var_names: dict[str, str]) -> dict[str, Any]:
    """{variable name: value} of the VariableValue children of a source or case."""
    out: dict[str, Any] = {}
    for vv in _kids(el, "VariableValue"):
        ref = _kid(vv, "VariableRef")
        vname = var_names.get(_g(ref.get("targetGUID")), "") if ref is not None else ""
        val_el = next((c for c in vv if _local(c).endswith("Value")), None)
        if vname and val_el is not None:
            out.setdefault(vname, _typed_value(val_el))
    return out


def _stamp(el: etree._Element, out: dict[str, Any], user_key: str = "gebruiker") -> None:
    """Copy who made an element and when (creatingUser, creationDateTime, ...)."""
    for attr, key in (("creatingUser", user_key), ("creationDateTime", "datum"),
                      ("modifyingUser", "gewijzigd_door"), ("modifiedDateTime", "gewijzigd")):
        v = el.get(attr)
        if v:
            out[key] = _g(v) if attr.endswith("User") else v


def _codings(el: etree._Element, guid_map: dict[str, str], path: Path) -> list[dict[str, Any]]:
    """The Coding children of an element: [{"guid", "code", "gebruiker", ...}]."""
    out = []
    for cd in _kids(el, "Coding"):
        ref = _kid(cd, "CodeRef")
        if ref is None or not ref.get("targetGUID"):
            raise LeesFout(path, "een Coding zonder CodeRef.", _where(cd))
        g = _g(ref.get("targetGUID"))
        if g not in guid_map:
            raise LeesFout(path, f"CodeRef verwijst naar een onbekende code ({g}).",
                           _where(ref))
        if not guid_map[g]:
            continue                              # coded with a verhalen track group
        rec: dict[str, Any] = {"guid": _g(cd.get("guid")), "code": guid_map[g]}
        _stamp(cd, rec)
        if "gebruiker" not in rec and el.get("creatingUser"):
            rec["gebruiker"] = _g(el.get("creatingUser"))
        notes = [_g(r.get("targetGUID")) for r in _kids(cd, "NoteRef")]
        if notes:
            rec["notities"] = notes
        out.append(rec)
    return out


def _machine_scores(el: etree._Element) -> dict[str, tuple[float, list[str]]]:
    """Confidence and evidence per code from a selection written by verhalen."""
    out = {}
    for m in re.finditer(r"^([a-z][a-z0-9_]*) \(.*?\): zekerheid ([0-9]+(?:[.,][0-9]+)?)"
                         r"[^\n]*?(?:; bewijs: (.*))?$", _text(_kid(el, "Description")), re.M):
        ev = [e for e in (m.group(3) or "").split(" | ") if e]
        out[m.group(1)] = (float(m.group(2).replace(",", ".")), ev)
    return out


def segments_hit(doc: Document, a: int, z: int) -> list[Segment]:
    """The segments a selection [a, z) overlaps (the nearest one when it lies between
    paragraphs, in white space)."""
    hit = [s for s in doc.segments if s.start < z and a < s.end]
    if not hit and doc.segments:
        hit = sorted(doc.segments, key=lambda s: min(abs(s.start - a), abs(s.end - z)))[:1]
    return hit


# --------------------------------------------------------------------------------------------
# the project
# --------------------------------------------------------------------------------------------
def import_qdpx(path: str | Path, *, nlp=None) -> tuple[Corpus, pd.DataFrame, Codebook]:
    """Read a REFI-QDA ``.qdpx`` into (Corpus, long codes, Codebook).

    Human codings come back with ``source == "mens"`` (coder = user name); codings by a
    verhalen machine user come back as ``"machine"`` with their confidence. Long codes carry
    extra columns ``doc_id``, ``start``, ``end`` (the selection's exact offsets into
    ``Document.text``, code points), ``selectie`` (its GUID) and ``notitie`` (its memo); a
    selection gives one row per segment it overlaps. Everything else the project had is in
    ``corpus.meta["refi"]`` (module docstring). A project without text sources (a codebook
    only) gives an empty corpus and the codebook. Bad input raises ``LeesFout`` naming the file
    and place; sources that cannot be read are skipped with a :class:`RefiWaarschuwing`.
    """
    path = Path(path)
    with _open_zip(path) as zf:
        names = {n.lower(): n for n in zf.namelist()}
        qde = names.get("project.qde") or next(
            (names[n] for n in names if n.endswith(".qde") and "/" not in n), None)
        if qde is None:
            raise LeesFout(path, "project.qde ontbreekt in het archief; is dit een REFI-QDA "
                                 "project (.qdpx)?")
        root = _parse_xml(zf.read(qde), path, qde)
        return _read_project(root, path, qde, zf, names, nlp)


def _read_project(root, path: Path, qde: str, zf, names, nlp):
    if _local(root) != "Project":
        raise LeesFout(path, f"het hoofdelement is <{_local(root)}>, verwacht <Project>.", qde)
    ns = etree.QName(root).namespace
    if ns not in (None, NS_PROJECT):
        warnings.warn(f"{path}: onverwachte namespace '{ns}' (verwacht {NS_PROJECT}); ik "
                      "lees het project toch.", RefiWaarschuwing, stacklevel=3)
    project_name = root.get("name") or path.stem
    origin = root.get("origin") or ""
    producer, known = producer_profile(origin)
    project: dict[str, Any] = {"naam": project_name, "origin": origin, "producent": producer}
    for attr in ("creatingUserGUID", "creationDateTime", "modifyingUserGUID",
                 "modifiedDateTime", "basePath"):
        if root.get(attr) is not None:
            project[attr] = _g(root.get(attr)) if attr.endswith("GUID") else root.get(attr)
    desc = _text(_kid(root, "Description")).strip()
    if desc:
        project["beschrijving"] = desc
    project_notes = [_g(r.get("targetGUID")) for r in _kids(root, "NoteRef")]

    users: dict[str, tuple[str, bool]] = {}
    user_list: list[dict[str, str]] = []
    el_users = _kid(root, "Users")
    for u in (_kids(el_users, "User") if el_users is not None else []):
        g = _g(u.get("guid"))
        uname = u.get("name") or u.get("id") or "onbekend"
        uid = u.get("id") or ""
        machine = uid.startswith("verhalen:machine") or uname.startswith("verhalen (automatisch")
        if uid.startswith("verhalen:machine:"):     # the coder's own name ("ensemble")
            uname = uid.split(":", 2)[2]
            uname = "" if uname == "standaard" else uname
        users[g] = (uname, machine)
        rec = {"guid": g, "naam": u.get("name") or ""}
        if uid:
            rec["id"] = uid
        user_list.append(rec)

    cb_el = _kid(root, "CodeBook")
    codebook, guid_map, code_notes = _codebook_from_codes(
        _kid(cb_el, "Codes") if cb_el is not None else None, path, project_name)
    if _EXTRA_CODEBOOK in names:  # the exact codebook (order, weights) when it matches
        codebook = _extra_codebook(zf.read(names[_EXTRA_CODEBOOK]), codebook, path)

    # extra verhalen entries: exact segmentation and document metadata
    extra_segs: dict[str, list[Segment]] = {}
    extra_docs: dict[str, dict[str, Any]] = {}
    if _EXTRA_SEGMENTS in names and _EXTRA_DOCUMENTS in names:
        try:
            for ln in zf.read(names[_EXTRA_SEGMENTS]).decode("utf-8").splitlines():
                if ln.strip():
                    s = Segment.from_record(json.loads(ln))
                    extra_segs.setdefault(s.doc_id, []).append(s)
            for ln in zf.read(names[_EXTRA_DOCUMENTS]).decode("utf-8").splitlines():
                if ln.strip():
                    rec = json.loads(ln)
                    extra_docs[_g(rec.pop("guid", None)) or guid_for("document", rec["id"])] = rec
        except (ValueError, KeyError, TypeError) as exc:
            warnings.warn(f"{path}: {_EXTRA_SEGMENTS} is onleesbaar ({exc}); ik deel de "
                          "teksten zelf in alinea's in.", RefiWaarschuwing, stacklevel=3)
            extra_segs, extra_docs = {}, {}

    # variables
    var_names: dict[str, str] = {}
    variables: list[dict[str, Any]] = []
    el_vars = _kid(root, "Variables")
    for v in (_kids(el_vars, "Variable") if el_vars is not None else []):
        var_names[_g(v.get("guid"))] = v.get("name") or ""
        rec = {"guid": _g(v.get("guid")), "naam": v.get("name") or "",
               "type": v.get("typeOfVariable") or "Text"}
        d = _text(_kid(v, "Description")).strip()
        if d:
            rec["beschrijving"] = d
        variables.append(rec)

    corpus = Corpus(meta={"bron": str(path), "formaat": "REFI-QDA (.qdpx)",
                          "project": project_name, "origin": origin})
    skipped: list[str] = []
    taken_ids: set[str] = set()
    doc_info: dict[str, dict[str, Any]] = {}
    sources: list[tuple[etree._Element, Document, TextPositions]] = []
    el_sources = _kid(root, "Sources")
    for src in (list(el_sources) if el_sources is not None else []):
        kind = _local(src)
        sname = src.get("name") or src.get("guid") or "?"
        text_el = src
        if kind == "PDFSource":
            rep = _kid(src, "Representation")
            if rep is None:
                skipped.append(f"{sname} (PDF zonder tekstweergave)")
                continue
            text_el = rep
        elif kind != "TextSource":
            if kind:
                skipped.append(f"{sname} ({kind})")
            continue
        text = _source_text(text_el, zf, path, names)
        if text is None:
            ptp = text_el.get("plainTextPath") or ""
            if ptp and not ptp.lower().startswith("internal://"):
                why = f"tekst staat buiten het archief: {ptp}"
            elif ptp:
                why = f"{ptp} ontbreekt in het archief"
            elif text_el.get("richTextPath"):
                why = "alleen opgemaakte tekst (richTextPath), geen platte tekst"
            else:
                why = "geen platte tekst"
            skipped.append(f"{sname} ({why})")
            continue
        tp = TextPositions(text)
        sguid = _g(src.get("guid"))
        rec = extra_docs.get(sguid)
        if rec is not None and tp.text == tp.raw:
            doc = Document(**{**{k: v for k, v in rec.items() if k != "segments"},
                              "text": tp.text})
            taken_ids.add(doc.id)
            doc.segments = sorted(extra_segs.get(doc.id, []), key=lambda s: s.index)
            try:
                doc.check_offsets()
            except VerhalenFout:
                _paragraph_segments(doc, nlp)
        else:
            desc_id = re.search(r"^Document-id:\s*(\S+)\s*$",
                                _text(_kid(src, "Description")), re.M)
            base = desc_id.group(1) if desc_id else slugify(Path(sname).stem)
            did, n = base, 2
            while did in taken_ids:
                did = f"{base}-{n}"
                n += 1
            taken_ids.add(did)
            doc = Document(id=did, text=tp.text, source=sname, title=sname)
            _paragraph_segments(doc, nlp)
        for vname, val in _values(src, var_names).items():
            if vname == "casus" and not doc.case_id:
                doc.case_id = str(val)
            elif vname == "datum" and not doc.date:
                doc.date = str(val)
            elif vname not in ("casus", "datum"):
                doc.meta.setdefault(vname, val)
        info: dict[str, Any] = {"guid": sguid, "naam": src.get("name") or ""}
        if kind == "PDFSource":
            info["soort"] = "PDFSource"
        d = _text(_kid(src, "Description"))
        if d.strip():
            info["beschrijving"] = d.strip()
        _stamp(src, info)
        whole = _codings(text_el, guid_map, path)
        if whole:
            info["coderingen"] = whole
        notes = [_g(r.get("targetGUID")) for r in _kids(src, "NoteRef")]
        if notes:
            info["notities"] = notes
        doc_info[doc.id] = info
        corpus.documents.append(doc)
        sources.append((text_el, doc, tp))

    # selections: positions in the producer's unit
    raw_sel = []
    for text_el, doc, tp in sources:
        for sel in _kids(text_el, "PlainTextSelection"):
            try:
                a0, z0 = int(sel.get("startPosition")), int(sel.get("endPosition"))
            except (TypeError, ValueError) as exc:
                raise LeesFout(path, "PlainTextSelection zonder geldige startPosition/"
                                     "endPosition.", _where(sel)) from exc
            if a0 > z0:
                a0, z0 = z0, a0
            raw_sel.append((sel, doc, tp, a0, z0))
    reading, notes_pos, scores = choose_reading(
        [(tp, a0, z0, sel.get("name") or "") for sel, doc, tp, a0, z0 in raw_sel],
        known, producer)
    for msg in notes_pos:
        warnings.warn(f"{path}: {msg}", RefiWaarschuwing, stacklevel=3)
    positions = {"eenheid": reading.unit, "crlf": reading.crlf, "producent": producer}
    if scores:
        positions["woordgrens"] = scores

    rows: list[dict[str, Any]] = []
    selections: list[dict[str, Any]] = []
    for sel, doc, tp, a0, z0 in raw_sel:
        got = tp.to_offsets(a0, z0, reading)
        if got is None:
            raise LeesFout(path, f"selectie {a0}-{z0} valt buiten de tekst van "
                                 f"'{doc.title or doc.id}' ({tp.length(reading)} posities).",
                           _where(sel))
        a, z = got
        cds = _codings(sel, guid_map, path)
        srec: dict[str, Any] = {"guid": _g(sel.get("guid")), "doc": doc.id, "start": a,
                                "end": z, "citaat": doc.text[a:z], "coderingen": cds}
        if sel.get("name"):
            srec["naam"] = sel.get("name")
        sdesc = _text(_kid(sel, "Description"))
        scores_m = _machine_scores(sel)
        if sdesc.strip() and not scores_m:
            srec["beschrijving"] = sdesc.strip()
        _stamp(sel, srec)
        snotes = [_g(r.get("targetGUID")) for r in _kids(sel, "NoteRef")]
        if snotes:
            srec["notities"] = snotes
        # kept as an exact selection: the human codings of a selection verhalen did not make
        # itself per segment (those, and machine codes, come back from the segment codes)
        human = [c for c in cds if not users.get(c.get("gebruiker", ""), ("", False))[1]]
        own_segment = srec["guid"] == guid_for("segment", sel.get("name") or "")
        if human and not scores_m and not own_segment:
            selections.append({**srec, "coderingen": human})
        rows += _rows(doc, a, z, srec["guid"], cds, users, scores_m,
                      " ".join(sdesc.split()) if not scores_m else "")
    for text_el, doc, tp in sources:          # codings of a whole source
        for cd in doc_info[doc.id].get("coderingen", []):
            rows += _rows(doc, 0, len(doc.text), "", [cd], users, {}, "")

    # notes, cases, sets
    notes_out: list[dict[str, Any]] = []
    attached: dict[str, list[dict[str, str]]] = {}

    def attach(note_guids, kind, key):
        for g in note_guids or []:
            attached.setdefault(g, []).append({"soort": kind, "id": key})

    attach(project_notes, "project", "")
    for did, info in doc_info.items():
        attach(info.pop("notities", None), "document", did)
    for s in selections:
        attach(s.pop("notities", None), "selectie", s["guid"])
        for c in s["coderingen"]:
            attach(c.pop("notities", None), "codering", c["guid"])
    for cid, refs in code_notes.items():
        attach(refs, "code", cid)
    cases: list[dict[str, Any]] = []
    doc_by_guid = {info["guid"]: did for did, info in doc_info.items()}
    el_cases = _kid(root, "Cases")
    for c in (_kids(el_cases, "Case") if el_cases is not None else []):
        rec: dict[str, Any] = {"guid": _g(c.get("guid")), "naam": c.get("name") or ""}
        d = _text(_kid(c, "Description")).strip()
        if d:
            rec["beschrijving"] = d
        rec["documenten"] = [doc_by_guid[g] for g in (_g(r.get("targetGUID"))
                                                      for r in _kids(c, "SourceRef"))
                             if g in doc_by_guid]
        rec["codes"] = [guid_map[g] for g in (_g(r.get("targetGUID"))
                                              for r in _kids(c, "CodeRef")) if guid_map.get(g)]
        rec["selecties"] = [_g(r.get("targetGUID")) for r in _kids(c, "SelectionRef")]
        vals = _values(c, var_names)
        if vals:
            rec["waarden"] = vals
        attach([_g(r.get("targetGUID")) for r in _kids(c, "NoteRef")], "case", rec["guid"])
        cases.append(rec)
        for did in rec["documenten"]:
            doc = corpus.document(did)
            if not doc.case_id:
                doc.case_id = rec["naam"] or rec["guid"]
    el_notes = _kid(root, "Notes")
    for nt in (_kids(el_notes, "Note") if el_notes is not None else []):
        g = _g(nt.get("guid"))
        body = _source_text(nt, zf, path, names)
        rec = {"guid": g, "naam": nt.get("name") or "",
               "tekst": TextPositions(body).text if body is not None else ""}
        _stamp(nt, rec)
        d = _text(_kid(nt, "Description")).strip()
        if d:
            rec["beschrijving"] = d
        rec["bij"] = attached.get(g, [])
        notes_out.append(rec)
    links = []          # NVivo links a selection to the note that annotates it
    el_links = _kid(root, "Links")
    for ln in (_kids(el_links, "Link") if el_links is not None else []):
        rec = {k: (_g(v) if k in ("guid", "originGUID", "targetGUID") else v)
               for k, v in ln.attrib.items()}
        refs = [_g(r.get("targetGUID")) for r in _kids(ln, "NoteRef")]
        if refs:
            rec["notities"] = refs
        links.append(rec)
    code_sets, other_sets = _sets(root, guid_map, doc_by_guid)
    if code_sets:
        codebook.sets = code_sets

    if skipped:
        warnings.warn(f"{path}: {len(skipped)} bron(nen) overgeslagen die ik niet als platte "
                      f"tekst kan lezen: {'; '.join(skipped[:10])}"
                      f"{' …' if len(skipped) > 10 else ''}.", RefiWaarschuwing, stacklevel=3)
        corpus.meta["overgeslagen"] = skipped
    _warn_without_track(codebook, path)
    corpus.meta["refi"] = {
        "project": project, "posities": positions, "gebruikers": user_list,
        "documenten": doc_info, "selecties": selections, "notities": notes_out,
        "cases": cases, "variabelen": variables, "sets": other_sets, "links": links,
    }
    long = pd.DataFrame(rows, columns=LONG_COLUMNS + LONG_EXTRA)
    if not long.empty:
        long = long.drop_duplicates(subset=["segment_id", "code", "source", "coder",
                                            "selectie"]).reset_index(drop=True)
    return corpus, long, codebook


def _rows(doc: Document, a: int, z: int, sel_guid: str, cds: list[dict[str, Any]],
          users: dict[str, tuple[str, bool]], scores: dict, note: str) -> list[dict[str, Any]]:
    """Long code rows of one selection: one per code × segment it overlaps."""
    out = []
    hit = segments_hit(doc, a, z)
    quote = doc.text[a:z].strip()
    for cd in cds:
        uname, machine = users.get(cd.get("gebruiker", ""), ("", False))
        score, ev = scores.get(cd["code"], (1.0, [])) if machine else (1.0, [])
        for seg in hit:
            out.append({
                "segment_id": seg.id, "code": cd["code"], "score": float(score),
                "evidence": ev if machine else ([quote] if quote else []),
                "source": "machine" if machine else "mens", "coder": uname,
                "doc_id": doc.id, "start": a, "end": z, "selectie": sel_guid, "notitie": note,
            })
    return out


def import_qdc(path: str | Path) -> Codebook:
    """Read a REFI-QDA ``.qdc`` (a ``CodeBook`` XML) — or the codebook of a ``.qdpx`` or a
    ``project.qde`` — into a Codebook (with its code sets). Codes without a track stay
    "zonder spoor" (said once, with the count)."""
    path = Path(path)
    if not path.exists():
        raise LeesFout(path, "bestand bestaat niet.")
    data = path.read_bytes()
    if data[:2] == b"PK":  # a .qdpx: take its codebook
        return import_qdpx(path)[2]
    root = _parse_xml(data, path)
    if _local(root) == "Project":
        cb_el = _kid(root, "CodeBook")
        codes_el = _kid(cb_el, "Codes") if cb_el is not None else None
        sets_root = root
    elif _local(root) == "CodeBook":
        codes_el = _kid(root, "Codes")
        sets_root = root
    else:
        raise LeesFout(path, f"het hoofdelement is <{_local(root)}>, verwacht <CodeBook>.",
                       _where(root))
    if codes_el is None or not _kids(codes_el, "Code"):
        raise LeesFout(path, "het codeboek bevat geen codes (<Codes> met <Code>).",
                       _where(root))
    codebook, guid_map, _ = _codebook_from_codes(codes_el, path, path.stem)
    code_sets, _ = _sets(sets_root, guid_map, {})
    codebook.sets = code_sets
    _warn_without_track(codebook, path)
    return codebook
