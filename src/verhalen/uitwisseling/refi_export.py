"""REFI-QDA export: a coded corpus as ``.qdpx`` and a codebook as ``.qdc``.

Positions are written in **UTF-16 code units** on the exported text (``\\n`` line breaks, UTF-8
without BOM): that is what NVivo (measured) and QualCoder (Qt cursor positions) read; ATLAS.ti
and MAXQDA are Windows/.NET-era programs whose unit could not be verified on public files. For
a text without characters outside the Basic Multilingual Plane (emoji, some CJK) every
reading gives the same positions. The ``origin`` attribute says it
(``verhalen 0.1.0 (posities: UTF-16)``), so verhalen reads its own files back exactly.

What a project imported from another tool had (``corpus.meta["refi"]``, see
:mod:`.refi_import`) is written back: users, the source GUIDs and names, exact selections with
their codings and coders (kept when the segment still carries that human code), notes and
where they hang, cases, variables, sets, and the codebook with GUIDs, ``isCodable``, colours
and descriptions as written. Segment codes that no exact selection covers (machine codes, codes
the researcher added in verhalen) become one selection per segment.
"""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path
from typing import Any, Iterable, Mapping

import numpy as np
from lxml import etree

from ..versie import __version__
from ..codeboek import Code, Codebook
from ..fouten import VerhalenFout
from ..model import Corpus, Document
from ..opslag import atomic_write_bytes, refuse_overwrite
from ..tracks import TRACK_COLOURS, TRACK_LABELS, TRACKS
from .refi_import import segments_hit
from .refi_xml import (code_meta_lines, _EXTRA_CODEBOOK, _EXTRA_DOCUMENTS, _EXTRA_SEGMENTS, _ZIP_DATE,
                       HUMAN_DEFAULT, MACHINE_USER, NS_CODEBOOK, NS_PROJECT, ORIGIN,
                       RefiWaarschuwing, _as_codebook, _as_long, _fmt_num, _sx, _unique_id,
                       code_description, guid_for)

__all__ = ["export_qdpx", "export_qdc", "project_xml", "codebook_xml", "EXPORT_ORIGIN"]

#: the ``origin`` verhalen writes (producer_profile reads "UTF-16" from it)
EXPORT_ORIGIN = f"{ORIGIN} {__version__} (posities: UTF-16)"


def _dominant_track(code: Code) -> str | None:
    if not code.tracks:
        return None
    best = max(code.tracks.values())
    return next(t for t in TRACKS if code.tracks.get(t, 0.0) == best) if best > 0 else None


def _foreign_description(code: Code) -> str:
    """The description of a code from another tool: as written, plus only the lines verhalen
    needs to restore what the researcher added (tracks, indicators, examples)."""
    lines = [] if code.definition == code.label else [code.definition]
    meta = code_meta_lines(code, with_id=False)
    if code.id != _unique_id(code.label, set()):
        meta.append(f"Code-id: {code.id}")
    if meta and lines:
        lines.append("")
    return "\n".join(lines + meta)


def code_guid(code: Code) -> str:
    return code.guid or guid_for("code", code.id)


def _codes_elements(parent: etree._Element, codebook: Codebook, ns: str,
                    with_tracks: bool = True,
                    note_refs: Mapping[str, list[str]] | None = None) -> None:
    """Fill a ``Codes`` element. verhalen's own top-level codes go under a non-codable group
    per leading track; codes from another tool (with a GUID) keep their own tree."""
    by_id = {c.id: c for c in codebook.codes}
    children: dict[str | None, list[Code]] = {}
    for c in codebook.codes:
        p = c.parent if c.parent in by_id and c.parent != c.id else None
        children.setdefault(p, []).append(c)

    def add_code(container: etree._Element, code: Code, seen: set[str]) -> None:
        if code.id in seen:
            return
        seen.add(code.id)
        el = etree.SubElement(container, f"{{{ns}}}Code", guid=code_guid(code),
                              name=_sx(code.label or code.id),
                              isCodable="true" if code.codable else "false")
        el.set("color", (code.colour or "#888888").upper())
        text = _foreign_description(code) if code.guid else code_description(code)
        if text:
            etree.SubElement(el, f"{{{ns}}}Description").text = _sx(text)
        for g in (note_refs or {}).get(code.id, []):
            etree.SubElement(el, f"{{{ns}}}NoteRef", targetGUID=g)
        for child in children.get(code.id, []):
            add_code(el, child, seen)

    seen: set[str] = set()
    roots = children.get(None, [])
    groups: dict[str, list[Code]] = {}
    rest: list[Code] = []
    for c in roots:
        t = _dominant_track(c) if with_tracks and not c.guid else None
        (groups.setdefault(t, []) if t else rest).append(c)
    for t in TRACKS:
        if t not in groups:
            continue
        grp = etree.SubElement(parent, f"{{{ns}}}Code", guid=guid_for("spoor", t),
                               name=TRACK_LABELS[t], isCodable="false",
                               color=TRACK_COLOURS[t].upper())
        d = etree.SubElement(grp, f"{{{ns}}}Description")
        d.text = (f"Spoor van impact: {TRACK_LABELS[t]}. Groep met de codes die vooral bij "
                  "dit spoor horen (de gewichten staan bij elke code onder 'Sporen').\n\n"
                  f"Spoor-id: {t}")
        for c in groups[t]:
            add_code(grp, c, seen)
    for c in rest:
        add_code(parent, c, seen)
    for c in codebook.codes:  # cycles in parent links: still export every code
        add_code(parent, c, seen)


def _doc_text_and_spans(doc: Document) -> tuple[str, dict[str, tuple[int, int]]]:
    """The document text and each segment's offsets; rebuilt from the segments when the
    document has no (matching) text, e.g. a corpus loaded from segments only."""
    if doc.text and all(doc.text[s.start:s.end] == s.text for s in doc.segments):
        return doc.text, {s.id: (s.start, s.end) for s in doc.segments}
    parts, spans, pos = [], {}, 0
    for s in doc.segments:
        if parts:
            parts.append("\n\n")
            pos += 2
        parts.append(s.text)
        spans[s.id] = (pos, pos + len(s.text))
        pos += len(s.text)
    return "".join(parts), spans


def _utf16(text: str) -> np.ndarray:
    """UTF-16 position before each character of ``text`` (and the end)."""
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    cum = np.zeros(len(text) + 1, dtype=np.int64)
    np.cumsum(1 + (codes > 0xFFFF), out=cum[1:])
    return cum


def _scalar(v: Any) -> bool:
    return isinstance(v, (str, int, float, bool)) and not (isinstance(v, str) and not v.strip())


def _variable_type(values: list[Any]) -> str:
    if all(isinstance(v, bool) for v in values):
        return "Boolean"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return "Integer"
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return "Float"
    return "Text"


def _doc_variables(corpus: Corpus) -> dict[str, dict[str, Any]]:
    """variable name → {doc_id: value} for case id, date and scalar document metadata."""
    out: dict[str, dict[str, Any]] = {}
    for doc in corpus.documents:
        vals = {"casus": doc.case_id, "datum": doc.date}
        for k, v in (doc.meta or {}).items():
            if k not in vals and _scalar(v):
                vals[k] = v
        for k, v in vals.items():
            if v is not None and _scalar(v):
                out.setdefault(str(k), {})[doc.id] = v
    return out


_VALUE_TAG = {"Boolean": "BooleanValue", "Integer": "IntegerValue", "Float": "FloatValue",
              "Date": "DateValue", "DateTime": "DateTimeValue"}


def _variable_value(parent: etree._Element, q, var_guid: str, vtype: str, val: Any) -> None:
    if not _typed_ok(vtype, val):       # e.g. a date rewritten by pseudonymisation
        return
    vv = etree.SubElement(parent, q("VariableValue"))
    etree.SubElement(vv, q("VariableRef"), targetGUID=var_guid)
    etree.SubElement(vv, q(_VALUE_TAG.get(vtype, "TextValue"))).text = _sx(
        str(val).lower() if vtype == "Boolean" else str(val))


def _user_for(source: str, coder: str, users: Mapping[str, str] | None) -> tuple[str, str, str]:
    """(key, display name, id attribute) of the user who made a code."""
    coder = "" if coder is None or (isinstance(coder, float) and coder != coder) else \
        str(coder).strip()
    if source == "mens":
        name = (users or {}).get(coder) or coder or HUMAN_DEFAULT
        return f"mens:{coder}", name, f"verhalen:mens:{coder or HUMAN_DEFAULT}"
    name = (users or {}).get(coder) or (f"verhalen (automatisch, {coder})" if coder
                                        else MACHINE_USER)
    return f"machine:{coder}", name, f"verhalen:machine:{coder or 'standaard'}"


def _stamp(el: etree._Element, rec: Mapping[str, Any], known_users: set[str]) -> None:
    for key, attr in (("gebruiker", "creatingUser"), ("datum", "creationDateTime"),
                      ("gewijzigd_door", "modifyingUser"), ("gewijzigd", "modifiedDateTime")):
        v = rec.get(key)
        if v and (not attr.endswith("User") or v in known_users):
            el.set(attr, v)


_GUID = re.compile(r"^\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                   r"[0-9a-fA-F]{12}\}?$")
_TZ = r"(Z|[+-]\d{2}:\d{2})?"
_DATETIME = re.compile(r"^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?" + _TZ + "$")
_DATE = re.compile(r"^-?\d{4,}-\d{2}-\d{2}" + _TZ + "$")
_GUID_KEYS = {"guid", "gebruiker", "gewijzigd_door", "creatingUserGUID", "modifyingUserGUID",
              "originGUID", "targetGUID"}
_DATE_KEYS = {"datum", "gewijzigd", "creationDateTime", "modifiedDateTime"}


def _valid_refi(value: Any, key: str = "") -> Any:
    """``corpus.meta["refi"]`` with every GUID and date the schema accepts: a GUID that was
    rewritten (e.g. by pseudonymisation, which scrubs metadata) becomes a stable new GUID (the
    same everywhere it is referred to), a date that is no date is left out."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k in _DATE_KEYS and isinstance(v, str) and not _DATETIME.match(v):
                continue
            if k == "bij" and isinstance(v, list):
                out[k] = [dict(b, id=_valid_refi(b.get("id", ""), "guid"))
                          if b.get("soort") in ("selectie", "codering") else b for b in v]
            elif k in _GUID_KEYS and isinstance(v, str):
                out[k] = _valid_refi(v, "guid")
            elif k in ("selecties", "notities") and isinstance(v, list) and all(
                    isinstance(x, str) for x in v):
                out[k] = [_valid_refi(x, "guid") for x in v]
            else:
                out[k] = _valid_refi(v, k)
        return out
    if isinstance(value, list):
        return [_valid_refi(v, key) for v in value]
    if key == "guid" and isinstance(value, str) and value and not _GUID.match(value):
        return guid_for("refi", value)
    return value


def _typed_ok(vtype: str, val: Any) -> bool:
    text = str(val).strip()
    try:
        if vtype == "Integer":
            int(text)
        elif vtype == "Float":
            float(text)
        elif vtype == "Boolean":
            return text.lower() in ("true", "false", "1", "0")
        elif vtype == "Date":
            return bool(_DATE.match(text))
        elif vtype == "DateTime":
            return bool(_DATETIME.match(text))
    except ValueError:
        return False
    return True


def _place_selection(doc_text: str, sel: Mapping[str, Any]) -> tuple[int, int] | None:
    """Offsets of a kept selection in the text being exported: as stored when the text there
    is still the quote; otherwise the nearest place of the quote (a pseudonymised or re-read
    text); None when the quote is gone."""
    a, z, quote = int(sel["start"]), int(sel["end"]), sel.get("citaat")
    if quote is None or doc_text[a:z] == quote:
        return (a, z) if z <= len(doc_text) else None
    if not quote:
        return None
    hits, i = [], doc_text.find(quote)
    while i >= 0 and len(hits) < 50:
        hits.append(i)
        i = doc_text.find(quote, i + 1)
    if not hits:
        return None
    b = min(hits, key=lambda h: abs(h - a))
    return b, b + len(quote)


def project_xml(corpus: Corpus, codes_long: Any, codebook: Any, *, name: str | None = None,
                users: Mapping[str, str] | None = None) -> tuple[bytes, dict[str, str]]:
    """Build ``project.qde``; returns (XML bytes, {zip path: text} of the source files)."""
    codebook = _as_codebook(codebook)
    long = _as_long(codes_long)
    refi = _valid_refi(dict((corpus.meta or {}).get("refi") or {}))
    ns = NS_PROJECT
    q = lambda tag: f"{{{ns}}}{tag}"  # noqa: E731

    # codes used but missing from the codebook: add them plainly (with a warning)
    known = list(codebook.codes) if codebook is not None else []
    known_ids = {c.id for c in known}
    extra = [c for c in dict.fromkeys(map(str, long["code"])) if c not in known_ids]
    if extra and codebook is not None:
        warnings.warn(f"codes zonder plaats in codeboek '{codebook.name}': {', '.join(extra)}; "
                      "ze worden zonder definitie en sporen geëxporteerd.", RefiWaarschuwing,
                      stacklevel=3)
    cb = Codebook(name=codebook.name if codebook is not None else "codes",
                  codes=known + [Code(id=c, label=c, definition=c, tracks={}) for c in extra],
                  version=codebook.version if codebook is not None else "1",
                  description=codebook.description if codebook is not None else "",
                  sets=list(codebook.sets) if codebook is not None else [])
    code_by_id = {c.id: c for c in cb.codes}

    # segments of the corpus
    seg_doc: dict[str, Document] = {}
    for doc in corpus.documents:
        for s in doc.segments:
            seg_doc[s.id] = doc
    unknown = sorted(set(map(str, long["segment_id"])) - set(seg_doc))
    if unknown:
        warnings.warn(f"{len(unknown)} gecodeerde segment-id('s) staan niet in het corpus en "
                      f"worden overgeslagen: {', '.join(unknown[:10])}"
                      f"{' …' if len(unknown) > 10 else ''}.", RefiWaarschuwing, stacklevel=3)
        long = long[long["segment_id"].astype(str).isin(seg_doc)]

    # users: those of the original project first (also who coded nothing), then verhalen's
    user_rows: dict[str, tuple[str, str, str]] = {}       # key → (guid, name, id)
    by_name: dict[str, str] = {}
    for u in refi.get("gebruikers", []):
        key = f"refi:{u['guid']}"
        user_rows[key] = (u["guid"], u.get("naam", ""), u.get("id", ""))
        if u.get("naam"):
            by_name.setdefault(u["naam"], key)
    known_users = {g for g, _, _ in user_rows.values()}
    refi_key = {g: k for k, (g, _, _) in user_rows.items()}

    def user_key(src: str, coder: Any) -> list[str]:
        coder = "" if coder is None or (isinstance(coder, float) and coder != coder) else \
            str(coder).strip()
        if src == "mens" and coder:
            parts = [p.strip() for p in coder.split(",")]
            if coder in by_name:
                return [by_name[coder]]
            if all(p in by_name for p in parts):
                return [by_name[p] for p in parts]
        key, uname, uid = _user_for(src, coder, users)
        g = guid_for("user", key)
        if g in refi_key:                      # a verhalen user the project already has
            return [refi_key[g]]
        user_rows.setdefault(key, (g, uname, uid))
        return [key]

    row_users: list[list[str]] = []
    for rec in long.to_dict("records"):
        src = "mens" if str(rec.get("source") or "") == "mens" else "machine"
        row_users.append(user_key(src, rec.get("coder") or ""))
    if not user_rows:
        user_key("machine", "")
    project = refi.get("project") or {}
    creator = project.get("creatingUserGUID")    # kept as it was (QualCoder's is no user)
    if not creator:
        ck = next((k for k in user_rows if k.startswith("machine:")), next(iter(user_rows)))
        creator = user_rows[ck][0]

    root = etree.Element(q("Project"), nsmap={None: ns},
                         name=_sx(project.get("naam") or name or cb.name or "verhalen"),
                         origin=EXPORT_ORIGIN)
    root.set("creatingUserGUID", creator)
    for attr in ("creationDateTime", "modifiedDateTime", "basePath"):
        if project.get(attr) is not None:
            root.set(attr, project[attr])
    if project.get("modifyingUserGUID") in known_users:
        root.set("modifyingUserGUID", project["modifyingUserGUID"])
    el_users = etree.SubElement(root, q("Users"))
    for guid, uname, uid in user_rows.values():
        u = etree.SubElement(el_users, q("User"), guid=guid)
        if uname:
            u.set("name", _sx(uname))
        if uid:
            u.set("id", _sx(uid))

    # where notes hang
    hang: dict[tuple[str, str], list[str]] = {}
    for nt in refi.get("notities", []):
        for b in nt.get("bij", []):
            hang.setdefault((b["soort"], b.get("id", "")), []).append(nt["guid"])

    if cb.codes:   # the schema wants at least one Code in a CodeBook
        el_cb = etree.SubElement(root, q("CodeBook"))
        _codes_elements(etree.SubElement(el_cb, q("Codes")), cb, ns, note_refs={
            k[1]: v for k, v in hang.items() if k[0] == "code"})

    docs_info: dict[str, dict[str, Any]] = refi.get("documenten") or {}
    doc_guid = {d.id: (docs_info.get(d.id) or {}).get("guid") or guid_for("document", d.id)
                for d in corpus.documents}

    # variables and cases
    if refi:
        var_defs = [(v["guid"], v["naam"], v.get("type", "Text"), v.get("beschrijving"))
                    for v in refi.get("variabelen", [])]
    else:
        dv = _doc_variables(corpus)
        var_defs = [(guid_for("variable", k), k, _variable_type(list(vals.values())),
                     {"casus": "Casus-id van het document (verhalen).",
                      "datum": "Datum van het document (verhalen)."}.get(k, "Documentkenmerk "
                                                                         "(verhalen)."))
                    for k, vals in dv.items()]
    if var_defs:
        el_vars = etree.SubElement(root, q("Variables"))
        for vg, vname, vtype, vdesc in var_defs:
            v = etree.SubElement(el_vars, q("Variable"), guid=vg, name=_sx(vname),
                                 typeOfVariable=vtype)
            if vdesc:
                etree.SubElement(v, q("Description")).text = _sx(vdesc)
    var_by_name = {vname: (vg, vtype) for vg, vname, vtype, _ in var_defs}

    sel_guids_written: set[str] = set()
    if refi:
        case_list = refi.get("cases", [])
    else:
        grouped: dict[str, list[str]] = {}
        for doc in corpus.documents:
            if doc.case_id not in (None, ""):
                grouped.setdefault(str(doc.case_id), []).append(doc.id)
        case_list = [{"guid": guid_for("case", c), "naam": c, "documenten": d}
                     for c, d in grouped.items()]

    # codings per segment, in long-row order
    by_seg: dict[str, list[tuple[dict[str, Any], list[str]]]] = {}
    for rec, ukeys in zip(long.to_dict("records"), row_users):
        by_seg.setdefault(str(rec["segment_id"]), []).append((rec, ukeys))
    human_on = {(str(r["segment_id"]), str(r["code"])) for r in long.to_dict("records")
                if str(r.get("source") or "") == "mens"}
    sels_of: dict[str, list[dict[str, Any]]] = {}
    for s in refi.get("selecties", []):
        sels_of.setdefault(s["doc"], []).append(s)
    labels = cb.labels()
    files: dict[str, str] = {}
    moved = lost = dropped = 0
    docs = corpus.documents
    el_sources = etree.SubElement(root, q("Sources")) if docs else None
    for doc in _progress(docs, "REFI-QDA-export"):
        text, spans = _doc_text_and_spans(doc)
        u16 = _utf16(text)
        dguid = doc_guid[doc.id]
        info = docs_info.get(doc.id) or {}
        files[f"sources/{dguid}.txt"] = text
        src = etree.SubElement(el_sources, q("TextSource"), guid=dguid,
                               name=_sx(info.get("naam") or doc.title or doc.id),
                               plainTextPath=f"internal://{dguid}.txt")
        _stamp(src, info, known_users)
        if info:
            desc = info.get("beschrijving", "")
        else:
            lines = [f"Document-id: {doc.id}"]
            if doc.source:
                lines.append(f"Bron: {doc.source}")
            if doc.case_id:
                lines.append(f"Casus: {doc.case_id}")
            desc = "\n".join(lines)
        if desc:
            etree.SubElement(src, q("Description")).text = _sx(desc)
        covered: set[tuple[str, str]] = set()
        # exact selections kept from the original project
        for s in sels_of.get(doc.id, []):
            place = _place_selection(text, s)
            if place is None:
                lost += 1
                continue
            moved += place != (s["start"], s["end"])
            a, z = place
            hit = segments_hit(doc, a, z)
            kept = [c for c in s["coderingen"] if c["code"] in code_by_id
                    and any((seg.id, c["code"]) in human_on for seg in hit)]
            dropped += len(s["coderingen"]) - len(kept)
            if not kept:
                continue
            covered |= {(seg.id, c["code"]) for seg in hit for c in kept}
            sel = etree.SubElement(src, q("PlainTextSelection"), guid=s["guid"],
                                   startPosition=str(int(u16[a])), endPosition=str(int(u16[z])))
            if s.get("naam"):
                sel.set("name", _sx(s["naam"]))
            _stamp(sel, s, known_users)
            sel_guids_written.add(s["guid"])
            if s.get("beschrijving"):
                etree.SubElement(sel, q("Description")).text = _sx(s["beschrijving"])
            for c in kept:
                cd = etree.SubElement(sel, q("Coding"), guid=c["guid"] or guid_for(
                    "coding", f"{s['guid']}|{c['code']}"))
                _stamp(cd, c, known_users)
                etree.SubElement(cd, q("CodeRef"), targetGUID=code_guid(code_by_id[c["code"]]))
                for g in hang.get(("codering", c["guid"]), []):
                    etree.SubElement(cd, q("NoteRef"), targetGUID=g)
            for g in hang.get(("selectie", s["guid"]), []):
                etree.SubElement(sel, q("NoteRef"), targetGUID=g)
        whole = [c for c in info.get("coderingen", []) if c["code"] in code_by_id
                 and any((seg.id, c["code"]) in human_on for seg in doc.segments)]
        for c in whole:
            covered |= {(seg.id, c["code"]) for seg in doc.segments}
        # segment codes no exact selection covers: one selection per segment
        for seg in doc.segments:
            rows = [(r, k) for r, k in by_seg.get(seg.id, [])
                    if not (str(r.get("source") or "") == "mens"
                            and (seg.id, str(r["code"])) in covered)]
            if not rows:
                continue
            a, z = spans[seg.id]
            sel = etree.SubElement(src, q("PlainTextSelection"), guid=guid_for("segment", seg.id),
                                   name=_sx(seg.id), startPosition=str(int(u16[a])),
                                   endPosition=str(int(u16[z])))
            lines = [f"Segment: {seg.id}"]
            done: set[tuple[str, str]] = set()
            codings = []
            for rec, ukeys in rows:
                code = str(rec["code"])
                for ukey in ukeys:
                    if (code, ukey) in done:
                        continue
                    done.add((code, ukey))
                    uname = user_rows[ukey][1]
                    if not (ukey.startswith("machine:")
                            or user_rows[ukey][2].startswith("verhalen:machine")):
                        lines.append(f"{code} ({labels.get(code, code)}): mens ({uname})")
                    else:
                        score = rec.get("score")
                        score = 1.0 if score is None or score != score else float(score)
                        ev = rec.get("evidence")
                        ev = ([" ".join(str(e).split()).replace(" | ", " / ") for e in ev]
                              if isinstance(ev, (list, tuple)) else [])
                        ev_txt = "; bewijs: " + " | ".join(ev) if ev else ""
                        lines.append(f"{code} ({labels.get(code, code)}): zekerheid "
                                     f"{score:.4f}, {uname}{ev_txt}")
                    codings.append((code, ukey))
            etree.SubElement(sel, q("Description")).text = _sx("\n".join(lines))
            for code, ukey in codings:
                cd = etree.SubElement(sel, q("Coding"),
                                      guid=guid_for("coding", f"{seg.id}|{code}|"
                                                              f"{user_rows[ukey][0]}"),
                                      creatingUser=user_rows[ukey][0])
                etree.SubElement(cd, q("CodeRef"), targetGUID=code_guid(code_by_id[code]))
        for c in whole:
            cd = etree.SubElement(src, q("Coding"), guid=c["guid"])
            _stamp(cd, c, known_users)
            etree.SubElement(cd, q("CodeRef"), targetGUID=code_guid(code_by_id[c["code"]]))
        for g in hang.get(("document", doc.id), []):
            etree.SubElement(src, q("NoteRef"), targetGUID=g)
        for vname, (vg, vtype) in var_by_name.items():
            val = {"casus": doc.case_id, "datum": doc.date}.get(vname) \
                if vname in ("casus", "datum") else (doc.meta or {}).get(vname)
            if val is not None and _scalar(val):
                _variable_value(src, q, vg, vtype, val)
    if moved or lost or dropped:
        parts = []
        if moved:
            parts.append(f"{moved} selectie(s) op hun citaat teruggevonden in een gewijzigde "
                         "tekst")
        if lost:
            parts.append(f"{lost} selectie(s) waarvan het citaat niet meer in de tekst staat "
                         "(die codes gaan mee per segment)")
        if dropped:
            parts.append(f"{dropped} codering(en) van selecties weggelaten omdat het segment "
                         "die menselijke code niet meer heeft")
        warnings.warn("exacte selecties: " + "; ".join(parts) + ".", RefiWaarschuwing,
                      stacklevel=3)

    # cases (after the sources: a SelectionRef must name a selection that was written)
    if case_list:
        cases_el = etree.Element(q("Cases"))
        for c in case_list:
            ce = etree.SubElement(cases_el, q("Case"), guid=c["guid"])
            if c.get("naam"):
                ce.set("name", _sx(c["naam"]))
            if c.get("beschrijving"):
                etree.SubElement(ce, q("Description")).text = _sx(c["beschrijving"])
            for cid in c.get("codes", []):
                if cid in code_by_id:
                    etree.SubElement(ce, q("CodeRef"), targetGUID=code_guid(code_by_id[cid]))
            for vname, val in (c.get("waarden") or {}).items():
                if vname in var_by_name:
                    _variable_value(ce, q, *var_by_name[vname], val)
            for d in c.get("documenten", []):
                if d in doc_guid:
                    etree.SubElement(ce, q("SourceRef"), targetGUID=doc_guid[d])
            for sg in c.get("selecties", []):
                if sg in sel_guids_written:
                    etree.SubElement(ce, q("SelectionRef"), targetGUID=sg)
        if el_sources is not None:    # Cases come before Sources in the schema's sequence
            el_sources.addprevious(cases_el)
        else:
            root.append(cases_el)

    notes = refi.get("notities", [])
    if notes:
        el_notes = etree.SubElement(root, q("Notes"))
        for nt in notes:
            ne = etree.SubElement(el_notes, q("Note"), guid=nt["guid"])
            if nt.get("naam"):
                ne.set("name", _sx(nt["naam"]))
            _stamp(ne, nt, known_users)
            if nt.get("beschrijving"):
                etree.SubElement(ne, q("Description")).text = _sx(nt["beschrijving"])
            etree.SubElement(ne, q("PlainTextContent")).text = _sx(nt.get("tekst", ""))
    written = (set(doc_guid.values()) | sel_guids_written | {n["guid"] for n in notes}
               | {code_guid(c) for c in cb.codes} | {c["guid"] for c in case_list})
    links = [ln for ln in refi.get("links", [])
             if all(ln.get(k) in written for k in ("originGUID", "targetGUID") if ln.get(k))]
    if links:
        el_links = etree.SubElement(root, q("Links"))
        for ln in links:
            le = etree.SubElement(el_links, q("Link"), {
                k: _sx(v) for k, v in ln.items() if k != "notities" and isinstance(v, str)})
            for g in ln.get("notities", []):
                etree.SubElement(le, q("NoteRef"), targetGUID=g)
    sets = [dict(s, codes=s.get("codes", []), documenten=[], notities=[]) for s in cb.sets] + \
        list(refi.get("sets", []))
    if sets:
        el_sets = etree.SubElement(root, q("Sets"))
        for s in sets:
            se = etree.SubElement(el_sets, q("Set"), guid=s.get("guid") or guid_for(
                "set", s["naam"]), name=_sx(s["naam"]))
            if s.get("beschrijving"):
                etree.SubElement(se, q("Description")).text = _sx(s["beschrijving"])
            for cid in s.get("codes", []):
                if cid in code_by_id:
                    etree.SubElement(se, q("MemberCode"), targetGUID=code_guid(code_by_id[cid]))
            for d in s.get("documenten", []):
                if d in doc_guid:
                    etree.SubElement(se, q("MemberSource"), targetGUID=doc_guid[d])
            for g in s.get("notities", []):
                etree.SubElement(se, q("MemberNote"), targetGUID=g)
    pdesc = project.get("beschrijving") or cb.description
    if pdesc:
        etree.SubElement(root, q("Description")).text = _sx(pdesc)
    for g in hang.get(("project", ""), []):
        etree.SubElement(root, q("NoteRef"), targetGUID=g)
    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return xml, files


def _progress(items: list, desc: str):
    try:
        from tqdm.auto import tqdm
    except ImportError:  # pragma: no cover
        return items
    return tqdm(items, desc=desc, disable=len(items) < 200, leave=False)


def _zip_bytes(entries: Iterable[tuple[str, bytes]]) -> bytes:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    return buf.getvalue()


def export_qdpx(corpus: Corpus, codes_long: Any, codebook: Any, path: str | Path,
                overwrite: bool = False, *, users: Mapping[str, str] | None = None,
                name: str | None = None) -> Path:
    """Write a coded project as a REFI-QDA ``.qdpx`` (see the module docstring).

    ``codes_long``: long codes (``segment_id, code, score, evidence, source, coder``), a wide
    frame or a codes file; ``codebook``: a Codebook, a name (``"impact"``) or a YAML path;
    ``users``: optional coder → user name shown in the QDA tool. Atomic; an existing file is
    only replaced with ``overwrite=True``. The same input gives byte-identical output.
    """
    path = refuse_overwrite(Path(path), overwrite)
    xml, files = project_xml(corpus, codes_long, codebook, name=name, users=users)
    seg_lines = "".join(json.dumps(s.to_record(), ensure_ascii=False) + "\n"
                        for s in corpus.segments())
    guids = (corpus.meta or {}).get("refi", {}).get("documenten", {})
    doc_lines = "".join(json.dumps(
        {**{k: v for k, v in d.to_record().items() if k != "text"},
         **({"guid": guids[d.id]["guid"]} if guids.get(d.id, {}).get("guid") else {})},
        ensure_ascii=False) + "\n" for d in corpus.documents)
    entries = [("project.qde", xml)]
    entries += [(p, t.encode("utf-8", errors="replace")) for p, t in files.items()]
    entries += [(_EXTRA_SEGMENTS, seg_lines.encode("utf-8")),
                (_EXTRA_DOCUMENTS, doc_lines.encode("utf-8"))]
    cb = _as_codebook(codebook)
    if cb is not None and cb.codes:
        from ..codeboek import codebook_to_yaml

        entries.append((_EXTRA_CODEBOOK, codebook_to_yaml(cb).encode("utf-8")))
    return atomic_write_bytes(path, _zip_bytes(entries))


def codebook_xml(codebook: Any) -> bytes:
    """The ``.qdc`` XML (``CodeBook`` in ``urn:QDA-XML:codebook:1.0``), with its code sets."""
    codebook = _as_codebook(codebook)
    ns = NS_CODEBOOK
    if codebook is None or not codebook.codes:
        raise VerhalenFout("het codeboek bevat geen codes; een .qdc heeft minstens één code nodig.")
    root = etree.Element(f"{{{ns}}}CodeBook", nsmap={None: ns}, origin=EXPORT_ORIGIN)
    _codes_elements(etree.SubElement(root, f"{{{ns}}}Codes"), codebook, ns)
    if codebook.sets:
        by_id = {c.id: c for c in codebook.codes}
        el_sets = etree.SubElement(root, f"{{{ns}}}Sets")
        for s in codebook.sets:
            se = etree.SubElement(el_sets, f"{{{ns}}}Set", guid=s.get("guid") or guid_for(
                "set", s["naam"]), name=_sx(s["naam"]))
            if s.get("beschrijving"):
                etree.SubElement(se, f"{{{ns}}}Description").text = _sx(s["beschrijving"])
            for cid in s.get("codes", []):
                if cid in by_id:
                    etree.SubElement(se, f"{{{ns}}}MemberCode", guid=code_guid(by_id[cid]))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def export_qdc(codebook: Any, path: str | Path, overwrite: bool = False) -> Path:
    """Write the codebook alone as a REFI-QDA ``.qdc`` (atomic, refuses overwrite)."""
    path = refuse_overwrite(Path(path), overwrite)
    return atomic_write_bytes(path, codebook_xml(codebook))
