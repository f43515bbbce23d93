"""REFI-QDA exchange: ``.qdpx`` projects and ``.qdc`` codebooks (ATLAS.ti, MAXQDA, NVivo,
QualCoder and others read and write these).

A ``.qdpx`` is a zip with ``project.qde`` (XML in the namespace ``urn:QDA-XML:project:1.0``)
and a ``sources/`` folder with the documents' plain text. What :func:`export_qdpx` writes:

* ``Users``: one user per coder. Human codes (``source == "mens"``) get a human user (the
  coder's name, or "onderzoeker"); machine codes get a machine user whose name starts with
  ``verhalen (automatisch`` and whose ``id`` starts with ``verhalen:machine``, so another tool
  (and :func:`import_qdpx`) can tell machine codes from human ones.
* ``CodeBook``: the three tracks (sporen) as non-codable group codes, each code nested under
  its leading track (or under its parent code); colour ``#RRGGBB``; the ``Description`` holds
  the definition followed by machine-readable lines (``Sporen:``, ``Indicatoren:``,
  ``Voorbeelden:``, ``Tegenvoorbeelden:``, ``Code-id:``) so a re-import restores the codebook.
* ``Variables`` / ``Cases``: the document's case id (``casus``), date (``datum``) and scalar
  document metadata; one ``Case`` per case id referring to its documents.
* ``Sources``: one ``TextSource`` per document, ``plainTextPath="internal://<guid>.txt"``
  pointing at ``sources/<guid>.txt`` (UTF-8, exactly ``Document.text``), one
  ``PlainTextSelection`` per coded segment (``startPosition``/``endPosition`` = character
  offsets into that text, Unicode code points, end exclusive) with one ``Coding`` per code
  (``creatingUser`` = the coder's user); the selection's ``Description`` gives the segment id
  and per code its confidence ("zekerheid") and evidence.
* ``verhalen/segmenten.jsonl`` and ``verhalen/documenten.jsonl`` inside the zip: the exact
  segmentation and document metadata, so a verhalen → verhalen round trip is lossless. Other
  tools ignore these entries.

GUIDs are uuid5 values derived from the ids, and zip entries carry a fixed timestamp, so the
same input always gives the same bytes.

:func:`import_qdpx` reads projects written by other tools: sources with ``internal://`` (or
``relative://``/plain) ``plainTextPath``, inline ``PlainTextContent``, PDF sources with a text
``Representation``; sources it cannot read (rich text only, pictures, audio, video) are
skipped with a Dutch warning. Documents keep the source's plain text (``\\r\\n`` normalised to
``\\n``, offsets mapped accordingly); segments are the paragraphs of that text, and each
selection's codes go to every paragraph it overlaps, with the selection's exact offsets kept
in the long codes (columns ``doc_id``, ``start``, ``end``, ``selectie``).
"""

from __future__ import annotations

import io
import json
import re
import uuid
import warnings
import zipfile
from pathlib import Path
from typing import Any, Iterable, Mapping

import pandas as pd
from lxml import etree

from ..codeboek import Code, Codebook
from ..codes import LONG_COLUMNS, empty_long, wide_to_long
from ..fouten import LeesFout, VerhalenFout
from ..model import Corpus, Document, Segment, Sentence, slugify
from ..opslag import atomic_write_bytes, refuse_overwrite
from ..tracks import TRACK_COLOURS, TRACK_LABELS, TRACKS

__all__ = [
    "NS_PROJECT", "NS_CODEBOOK", "MACHINE_USER", "RefiWaarschuwing", "export_qdpx",
    "import_qdpx", "export_qdc", "import_qdc", "project_xml", "codebook_xml", "guid_for",
    "schema_errors",
]

NS_PROJECT = "urn:QDA-XML:project:1.0"
NS_CODEBOOK = "urn:QDA-XML:codebook:1.0"
#: Name of the machine user (machine codes are created by it, or by "verhalen (automatisch, X)").
MACHINE_USER = "verhalen (automatisch)"
HUMAN_DEFAULT = "onderzoeker"
ORIGIN = "verhalen"
_GUID_NS = uuid.UUID("6f1c2a4e-6b1d-5c1e-9a0e-7665726861c6")
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_EXTRA_SEGMENTS = "verhalen/segmenten.jsonl"
_EXTRA_DOCUMENTS = "verhalen/documenten.jsonl"
_EXTRA_CODEBOOK = "verhalen/codeboek.yaml"
_META_KEYS = ("Sporen", "Indicatoren", "Voorbeelden", "Tegenvoorbeelden", "Code-id",
              "Emergent")
_CODE_ID = re.compile(r"^[a-z][a-z0-9_]*$")


class RefiWaarschuwing(UserWarning):
    """Something in a REFI-QDA file was skipped or guessed (the message says what and where)."""


#: characters XML 1.0 cannot hold (control characters, lone surrogates, U+FFFE/U+FFFF)
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _sx(value: Any) -> str:
    """A string safe for XML text and attributes (illegal characters dropped)."""
    return _XML_ILLEGAL.sub("", str(value))


def guid_for(kind: str, key: str) -> str:
    """Stable GUID for an object of ``kind`` ("code", "document", "segment", ...) and id."""
    return str(uuid.uuid5(_GUID_NS, f"{kind}:{key}"))


# ============================================================================================
# export
# ============================================================================================
def _as_codebook(codebook: Any) -> Codebook | None:
    if codebook is None or isinstance(codebook, Codebook):
        return codebook
    from ..codeboek import load_codebook

    return load_codebook(codebook)


def _as_long(codes: Any) -> pd.DataFrame:
    """Long codes from a long frame, a wide frame or a codes file path."""
    if codes is None:
        return empty_long()
    if isinstance(codes, (str, Path)):
        from ..codes import read_codes

        codes = read_codes(codes)
    if not isinstance(codes, pd.DataFrame):
        codes = pd.DataFrame(list(codes))
    if "segment_id" in codes.columns and "code" in codes.columns:
        out = codes.copy()
        for col in LONG_COLUMNS:
            if col not in out.columns:
                out[col] = {"score": 1.0, "evidence": None, "source": "machine",
                            "coder": ""}.get(col)
        return out
    if "id" in codes.columns and "codes" in codes.columns:
        return wide_to_long(codes)
    raise VerhalenFout("codes: verwacht lange codes (segment_id, code, ...) of brede codes "
                       "(id, codes, scores, evidence).")


def _dominant_track(code: Code) -> str | None:
    if not code.tracks:
        return None
    best = max(code.tracks.values())
    return next(t for t in TRACKS if code.tracks.get(t, 0.0) == best) if best > 0 else None


def _fmt_num(x: float) -> str:
    out = f"{x:.4f}".rstrip("0").rstrip(".")
    return out.replace(".", ",")


def code_description(code: Code) -> str:
    """The definition followed by machine-readable lines a re-import parses back."""
    lines = [code.definition.strip(), ""]
    if code.tracks:
        lines.append("Sporen: " + "; ".join(f"{t} {_fmt_num(code.tracks[t])}" for t in TRACKS
                                            if code.tracks.get(t, 0) > 0))
    if code.indicators:
        lines.append("Indicatoren: " + "; ".join(code.indicators))
    if code.examples:
        lines.append("Voorbeelden:")
        lines += [f"- {e}" for e in code.examples]
    if code.negative_examples:
        lines.append("Tegenvoorbeelden:")
        lines += [f"- {e}" for e in code.negative_examples]
    if code.emergent:
        lines.append("Emergent: ja")
    lines.append(f"Code-id: {code.id}")
    return "\n".join(lines)


def _codes_elements(parent: etree._Element, codebook: Codebook, ns: str,
                    with_tracks: bool = True) -> None:
    """Fill a ``Codes`` element: track groups (optional) with nested codes."""
    by_id = {c.id: c for c in codebook.codes}
    children: dict[str | None, list[Code]] = {}
    for c in codebook.codes:
        p = c.parent if c.parent in by_id and c.parent != c.id else None
        children.setdefault(p, []).append(c)

    def add_code(container: etree._Element, code: Code, seen: set[str]) -> None:
        if code.id in seen:
            return
        seen.add(code.id)
        el = etree.SubElement(container, f"{{{ns}}}Code", guid=guid_for("code", code.id),
                              name=_sx(code.label or code.id), isCodable="true")
        el.set("color", (code.colour or "#888888").upper())
        desc = etree.SubElement(el, f"{{{ns}}}Description")
        desc.text = _sx(code_description(code))
        for child in children.get(code.id, []):
            add_code(el, child, seen)

    seen: set[str] = set()
    roots = children.get(None, [])
    if with_tracks:
        groups: dict[str | None, list[Code]] = {}
        for c in roots:
            groups.setdefault(_dominant_track(c), []).append(c)
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
        for c in groups.get(None, []):
            add_code(parent, c, seen)
    else:
        for c in roots:
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


def project_xml(corpus: Corpus, codes_long: Any, codebook: Any, *, name: str | None = None,
                users: Mapping[str, str] | None = None) -> tuple[bytes, dict[str, str]]:
    """Build ``project.qde``; returns (XML bytes, {zip path: text} of the source files)."""
    codebook = _as_codebook(codebook)
    long = _as_long(codes_long)
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
                  description=codebook.description if codebook is not None else "")

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

    # users
    user_rows: dict[str, tuple[str, str]] = {}
    row_user: list[str] = []
    for rec in long.to_dict("records"):
        src = "mens" if str(rec.get("source") or "") == "mens" else "machine"
        key, uname, uid = _user_for(src, rec.get("coder") or "", users)
        user_rows.setdefault(key, (uname, uid))
        row_user.append(key)
    machine_key, machine_name, machine_uid = _user_for("machine", "", None)
    if not user_rows:
        user_rows[machine_key] = (machine_name, machine_uid)
    creator = next((k for k in user_rows if k.startswith("machine:")), next(iter(user_rows)))

    root = etree.Element(q("Project"), nsmap={None: ns}, name=_sx(name or cb.name or "verhalen"),
                         origin=ORIGIN)
    root.set("creatingUserGUID", guid_for("user", creator))
    el_users = etree.SubElement(root, q("Users"))
    for key, (uname, uid) in user_rows.items():
        etree.SubElement(el_users, q("User"), guid=guid_for("user", key), name=_sx(uname),
                         id=_sx(uid))

    if cb.codes:   # the schema wants at least one Code in a CodeBook
        el_cb = etree.SubElement(root, q("CodeBook"))
        _codes_elements(etree.SubElement(el_cb, q("Codes")), cb, ns)

    variables = _doc_variables(corpus)
    if variables:
        el_vars = etree.SubElement(root, q("Variables"))
        for vname, vals in variables.items():
            v = etree.SubElement(el_vars, q("Variable"), guid=guid_for("variable", vname),
                                 name=_sx(vname), typeOfVariable=_variable_type(list(vals.values())))
            etree.SubElement(v, q("Description")).text = {
                "casus": "Casus-id van het document (verhalen).",
                "datum": "Datum van het document (verhalen)."}.get(vname, "Documentkenmerk "
                                                                      "(verhalen).")
    cases: dict[str, list[str]] = {}
    for doc in corpus.documents:
        if doc.case_id not in (None, ""):
            cases.setdefault(str(doc.case_id), []).append(doc.id)
    if cases:
        el_cases = etree.SubElement(root, q("Cases"))
        for cid, doc_ids in cases.items():
            c = etree.SubElement(el_cases, q("Case"), guid=guid_for("case", cid), name=_sx(cid))
            for d in doc_ids:
                etree.SubElement(c, q("SourceRef"), targetGUID=guid_for("document", d))

    # codings per segment, in long-row order
    by_seg: dict[str, list[tuple[dict[str, Any], str]]] = {}
    for rec, ukey in zip(long.to_dict("records"), row_user):
        by_seg.setdefault(str(rec["segment_id"]), []).append((rec, ukey))
    labels = cb.labels()
    files: dict[str, str] = {}
    docs = corpus.documents
    el_sources = etree.SubElement(root, q("Sources")) if docs else None
    for doc in _progress(docs, "REFI-QDA-export"):
        text, spans = _doc_text_and_spans(doc)
        dguid = guid_for("document", doc.id)
        files[f"sources/{dguid}.txt"] = text
        src = etree.SubElement(el_sources, q("TextSource"), guid=dguid,
                               name=_sx(doc.title or doc.id), plainTextPath=f"internal://{dguid}.txt")
        desc = [f"Document-id: {doc.id}"]
        if doc.source:
            desc.append(f"Bron: {doc.source}")
        if doc.case_id:
            desc.append(f"Casus: {doc.case_id}")
        etree.SubElement(src, q("Description")).text = _sx("\n".join(desc))
        for seg in doc.segments:
            rows = by_seg.get(seg.id)
            if not rows:
                continue
            a, z = spans[seg.id]
            sel = etree.SubElement(src, q("PlainTextSelection"), guid=guid_for("segment", seg.id),
                                   name=_sx(seg.id), startPosition=str(a), endPosition=str(z))
            lines = [f"Segment: {seg.id}"]
            done: set[tuple[str, str]] = set()
            codings = []
            for rec, ukey in rows:
                code = str(rec["code"])
                if (code, ukey) in done:
                    continue
                done.add((code, ukey))
                uname = user_rows[ukey][0]
                if ukey.startswith("mens:"):
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
                                      guid=guid_for("coding", f"{seg.id}|{code}|{ukey}"),
                                      creatingUser=guid_for("user", ukey))
                etree.SubElement(cd, q("CodeRef"), targetGUID=guid_for("code", code))
        for vname, vals in variables.items():
            if doc.id not in vals:
                continue
            vv = etree.SubElement(src, q("VariableValue"))
            etree.SubElement(vv, q("VariableRef"), targetGUID=guid_for("variable", vname))
            vtype = _variable_type(list(vals.values()))
            val = vals[doc.id]
            tag = {"Boolean": "BooleanValue", "Integer": "IntegerValue",
                   "Float": "FloatValue"}.get(vtype, "TextValue")
            etree.SubElement(vv, q(tag)).text = _sx(str(val).lower() if vtype == "Boolean"
                                                    else str(val))
    if cb.description:
        etree.SubElement(root, q("Description")).text = _sx(cb.description)
    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return xml, files


def _progress(items: list, desc: str):
    try:
        from tqdm.auto import tqdm
    except ImportError:  # pragma: no cover
        return items
    return tqdm(items, desc=desc, disable=len(items) < 200, leave=False)


def _zip_bytes(entries: Iterable[tuple[str, bytes]]) -> bytes:
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
    doc_lines = "".join(json.dumps({k: v for k, v in d.to_record().items() if k != "text"},
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
    """The ``.qdc`` XML (``CodeBook`` in ``urn:QDA-XML:codebook:1.0``)."""
    codebook = _as_codebook(codebook)
    ns = NS_CODEBOOK
    if codebook is None or not codebook.codes:
        raise VerhalenFout("het codeboek bevat geen codes; een .qdc heeft minstens één code nodig.")
    root = etree.Element(f"{{{ns}}}CodeBook", nsmap={None: ns}, origin=ORIGIN)
    _codes_elements(etree.SubElement(root, f"{{{ns}}}Codes"), codebook, ns)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def export_qdc(codebook: Any, path: str | Path, overwrite: bool = False) -> Path:
    """Write the codebook alone as a REFI-QDA ``.qdc`` (atomic, refuses overwrite)."""
    path = refuse_overwrite(Path(path), overwrite)
    return atomic_write_bytes(path, codebook_xml(codebook))


def schema_errors(xml: bytes | etree._Element, kind: str = "project") -> list[str]:
    """Check XML against the published REFI-QDA schema (``Project.xsd`` or ``Codebook.xsd``,
    vendored in ``verhalen/uitwisseling/schema``); returns the errors (empty = valid)."""
    from importlib import resources

    name = {"project": "Project.xsd", "codebook": "Codebook.xsd"}[kind]
    xsd_path = Path(str(resources.files("verhalen.uitwisseling") / "schema" / name))
    if not xsd_path.exists():
        raise VerhalenFout(f"{xsd_path}: het REFI-QDA-schema ontbreekt in deze installatie.")
    schema = etree.XMLSchema(etree.parse(str(xsd_path)))
    doc = etree.fromstring(xml) if isinstance(xml, bytes) else xml
    if schema.validate(doc):
        return []
    return [f"regel {e.line}: {e.message}" for e in schema.error_log]


# ============================================================================================
# import
# ============================================================================================
def _local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _kids(el: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in el if _local(c) == name]


def _kid(el: etree._Element, name: str) -> etree._Element | None:
    for c in el:
        if _local(c) == name:
            return c
    return None


def _text(el: etree._Element | None) -> str:
    return (el.text or "") if el is not None else ""


def _where(el: etree._Element) -> str:
    return f"regel {el.sourceline}" if getattr(el, "sourceline", None) else ""


def _parse_xml(data: bytes, path: Path, member: str | None = None) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    where = f"{member}" if member else None
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line = f"regel {exc.lineno}" if getattr(exc, "lineno", None) else None
        plaats = ", ".join(p for p in (where, line) if p) or None
        raise LeesFout(path, f"geen geldige XML ({exc.msg}).", plaats) from exc


def _parse_description(desc: str) -> tuple[str, dict[str, Any]]:
    """Split a code description into (definition, fields written by :func:`code_description`)."""
    lines = desc.replace("\r\n", "\n").split("\n")
    first = None
    for i, ln in enumerate(lines):
        key = ln.split(":", 1)[0].strip()
        if key in _META_KEYS and ":" in ln:
            first = i
            break
    if first is None:
        return " ".join(desc.split()), {}
    definition = " ".join(" ".join(lines[:first]).split())
    fields: dict[str, Any] = {}
    cur = None
    for ln in lines[first:]:
        key, _, rest = ln.partition(":")
        key = key.strip()
        if key in _META_KEYS and _:
            cur = key
            rest = rest.strip()
            if key in ("Voorbeelden", "Tegenvoorbeelden"):
                fields[key] = [rest] if rest else []
            else:
                fields[key] = rest
        elif cur in ("Voorbeelden", "Tegenvoorbeelden") and ln.strip().startswith("- "):
            fields[cur].append(ln.strip()[2:].strip())
    return definition, fields


def _parse_tracks(text: str) -> dict[str, float]:
    """"vakmanschap 0,7; betekenisgeving 0,3" (or "vakmanschap=0.7, ...", or bare names)."""
    out: dict[str, float] = {}
    pattern = r"(%s)\s*[=:]?\s*([0-9]+(?:[.,][0-9]+)?)?" % "|".join(TRACKS)
    for name, num in re.findall(pattern, (text or "").lower()):
        out[name] = float((num or "1").replace(",", "."))
    total = sum(out.values())
    return {t: w / total for t, w in out.items() if w > 0} if total > 0 else {}


def _track_of_group(el: etree._Element) -> str | None:
    """A track group written by verhalen (or a code named after a track)."""
    g = (el.get("guid") or "").strip("{}").lower()
    for t in TRACKS:
        if g == guid_for("spoor", t):
            return t
    nm = (el.get("name") or "").strip().lower()
    for prefix in ("", "spoor: ", "spoor "):
        for t in TRACKS:
            if nm == prefix + t:
                return t
    return None


def _unique_id(base: str, taken: set[str]) -> str:
    base = slugify(base).replace("-", "_")
    if not base or not base[0].isalpha():
        base = f"code_{base}" if base else "code"
    cid, n = base, 2
    while cid in taken:
        cid = f"{base}_{n}"
        n += 1
    taken.add(cid)
    return cid


def _codebook_from_codes(codes_el: etree._Element | None, path: Path, name: str,
                         ) -> tuple[Codebook, dict[str, str]]:
    """Codebook from a ``Codes`` element; returns (codebook, {guid: code id})."""
    from ..codeboek import PALETTE

    codes: list[Code] = []
    guid_map: dict[str, str] = {}
    taken: set[str] = set()
    guessed: list[str] = []
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
            guid = (child.get("guid") or "").strip("{}").lower()
            label = (child.get("name") or "").strip()
            if not guid or not label:
                raise LeesFout(path, "een Code mist 'guid' of 'name'.", _where(child))
            group = _track_of_group(child)
            codable = (child.get("isCodable") or "true").strip().lower() not in ("false", "0")
            if group and not codable:
                guid_map[guid] = ""          # a track group, not a code
                walk(child, parent, group)
                continue
            definition, fields = _parse_description(_text(_kid(child, "Description")))
            cid = fields.get("Code-id", "").strip()
            if cid and _CODE_ID.match(cid) and cid not in taken:
                taken.add(cid)
            else:
                cid = _unique_id(label, taken)
            tracks = _parse_tracks(fields.get("Sporen", ""))
            if not tracks:
                tracks = ({track: 1.0} if track else {}) or impact_tracks(label, cid)
            if not tracks and parent:
                tracks = dict(next(c.tracks for c in codes if c.id == parent))
            if not tracks:
                tracks = {t: 1 / len(TRACKS) for t in TRACKS}
                guessed.append(label)
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
                        emergent=fields.get("Emergent", "").strip().lower() == "ja")
            guid_map[guid] = cid
            codes.append(code)
            walk(child, cid, track)

    if codes_el is not None:
        walk(codes_el, None, None)
    used = {c.colour for c in codes if c.colour}
    free = [c for c in PALETTE if c not in used]
    for c in codes:
        if not c.colour:
            c.colour = free.pop(0) if free else "#888888"
    if guessed:
        warnings.warn(f"{path}: {len(guessed)} code(s) zonder spoor ({', '.join(guessed[:10])}"
                      f"{' …' if len(guessed) > 10 else ''}); ze krijgen voorlopig gelijke "
                      "gewichten over de drie sporen. Pas de sporen aan in het codeboek.",
                      RefiWaarschuwing, stacklevel=3)
    return Codebook(name=name, codes=codes, source=str(path)), guid_map


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
        c.label, c.colour = p.label, p.colour or c.colour
    extra.source = str(path)
    return extra


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


class _OffsetMap:
    """Old offset → new offset after dropping the characters at ``removed`` (sorted)."""

    def __init__(self, removed: list[int], n_old: int):
        self.removed = removed
        self.n_old = n_old

    def __call__(self, i: int) -> int:
        import bisect

        return i - bisect.bisect_left(self.removed, i)


def _normalise_newlines(text: str) -> tuple[str, _OffsetMap]:
    """Text with ``\r\n``/``\r`` → ``\n`` and a leading BOM dropped, plus the offset map."""
    removed = [0] if text.startswith("\ufeff") else []
    removed += [m.start() for m in re.finditer("\r\n", text)]
    norm = text[1:] if text.startswith("\ufeff") else text
    norm = norm.replace("\r\n", "\n").replace("\r", "\n")
    return norm, _OffsetMap(removed, len(text))


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
    """Plain text of a TextSource (inline or from the zip); None when it cannot be read."""
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


def import_qdpx(path: str | Path, *, nlp=None) -> tuple[Corpus, pd.DataFrame, Codebook]:
    """Read a REFI-QDA ``.qdpx`` into (Corpus, long codes, Codebook).

    Human codings come back with ``source == "mens"`` (coder = user name); codings by a
    verhalen machine user come back as ``"machine"`` with their confidence. Long codes carry
    extra columns ``doc_id``, ``start``, ``end`` (the selection's exact offsets into the
    document text), ``selectie`` (its GUID) and ``notitie`` (the selection's memo written in
    the other tool). Project notes go to ``corpus.meta["notities"]``; in transcripts each
    turn ("Naam: …") gets its speaker. Bad input raises ``LeesFout`` naming the file
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
        if _local(root) != "Project":
            raise LeesFout(path, f"het hoofdelement is <{_local(root)}>, verwacht <Project>.",
                           qde)
        ns = etree.QName(root).namespace
        if ns not in (None, NS_PROJECT):
            warnings.warn(f"{path}: onverwachte namespace '{ns}' (verwacht {NS_PROJECT}); ik "
                          "lees het project toch.", RefiWaarschuwing, stacklevel=2)
        project_name = root.get("name") or path.stem

        users: dict[str, tuple[str, bool]] = {}
        el_users = _kid(root, "Users")
        for u in (_kids(el_users, "User") if el_users is not None else []):
            g = (u.get("guid") or "").strip("{}").lower()
            uname = u.get("name") or u.get("id") or "onbekend"
            uid = u.get("id") or ""
            machine = uid.startswith("verhalen:machine") or uname.startswith("verhalen (automatisch")
            users[g] = (uname, machine)

        cb_el = _kid(root, "CodeBook")
        codebook, guid_map = _codebook_from_codes(
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
                        extra_docs[guid_for("document", rec["id"])] = rec
            except (ValueError, KeyError, TypeError) as exc:
                warnings.warn(f"{path}: {_EXTRA_SEGMENTS} is onleesbaar ({exc}); ik deel de "
                              "teksten zelf in alinea's in.", RefiWaarschuwing, stacklevel=2)
                extra_segs, extra_docs = {}, {}

        # variables and cases
        var_names: dict[str, str] = {}
        el_vars = _kid(root, "Variables")
        for v in (_kids(el_vars, "Variable") if el_vars is not None else []):
            var_names[(v.get("guid") or "").strip("{}").lower()] = v.get("name") or ""
        case_of: dict[str, str] = {}
        el_cases = _kid(root, "Cases")
        for c in (_kids(el_cases, "Case") if el_cases is not None else []):
            for ref in _kids(c, "SourceRef"):
                case_of[(ref.get("targetGUID") or "").strip("{}").lower()] = (
                    c.get("name") or c.get("guid") or "")

        corpus = Corpus(meta={"bron": str(path), "formaat": "REFI-QDA (.qdpx)",
                              "project": project_name, "origin": root.get("origin") or ""})
        rows: list[dict[str, Any]] = []
        skipped: list[str] = []
        taken_ids: set[str] = set()
        el_sources = _kid(root, "Sources")
        sources = list(el_sources) if el_sources is not None else []
        for src in sources:
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
            sguid = (src.get("guid") or "").strip("{}").lower()
            rec = extra_docs.get(sguid)
            norm, pos_map = _normalise_newlines(text)
            if rec is not None and norm == text:
                doc = Document(**{**{k: v for k, v in rec.items() if k != "segments"},
                                  "text": text})
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
                doc = Document(id=did, text=norm, source=sname, title=sname)
                _paragraph_segments(doc, nlp)
            if sguid in case_of and not doc.case_id:
                doc.case_id = case_of[sguid]
            for vv in _kids(src, "VariableValue"):
                ref = _kid(vv, "VariableRef")
                vname = var_names.get((ref.get("targetGUID") or "").strip("{}").lower(), "") \
                    if ref is not None else ""
                val_el = next((c for c in vv if _local(c).endswith("Value")), None)
                if vname and val_el is not None and vname not in ("casus", "datum"):
                    doc.meta.setdefault(vname, _typed_value(val_el))
                elif vname == "casus" and not doc.case_id:
                    doc.case_id = _text(val_el)
                elif vname == "datum" and not doc.date:
                    doc.date = _text(val_el)
            corpus.documents.append(doc)
            rows += _selections(text_el, doc, pos_map, users, guid_map, path)
        el_notes = _kid(root, "Notes")
        notes = []
        for nt in (_kids(el_notes, "Note") if el_notes is not None else []):
            body = _text(_kid(nt, "PlainTextContent")).strip()
            if body:
                notes.append({"naam": nt.get("name") or "", "tekst": body})
        if notes:
            corpus.meta["notities"] = notes
        if skipped:
            warnings.warn(f"{path}: {len(skipped)} bron(nen) overgeslagen die ik niet als platte "
                          f"tekst kan lezen: {'; '.join(skipped[:10])}"
                          f"{' …' if len(skipped) > 10 else ''}.", RefiWaarschuwing, stacklevel=2)
            corpus.meta["overgeslagen"] = skipped
    cols = LONG_COLUMNS + ["doc_id", "start", "end", "selectie", "notitie"]
    long = pd.DataFrame(rows, columns=cols)
    if not long.empty:
        long = long.drop_duplicates(subset=["segment_id", "code", "source", "coder",
                                            "selectie"]).reset_index(drop=True)
    return corpus, long, codebook


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


def _selections(src: etree._Element, doc: Document, pos_map: _OffsetMap,
                users: dict[str, tuple[str, bool]], guid_map: dict[str, str],
                path: Path) -> list[dict[str, Any]]:
    """Long code rows for the selections (and whole-source codings) of one source."""
    rows: list[dict[str, Any]] = []
    n_text = pos_map.n_old

    def codings(el: etree._Element) -> list[tuple[str, str, bool]]:
        out = []
        for cd in _kids(el, "Coding"):
            ref = _kid(cd, "CodeRef")
            if ref is None or not ref.get("targetGUID"):
                raise LeesFout(path, "een Coding zonder CodeRef.", _where(cd))
            g = ref.get("targetGUID").strip("{}").lower()
            if g not in guid_map:
                raise LeesFout(path, f"CodeRef verwijst naar een onbekende code ({g}).",
                               _where(ref))
            if not guid_map[g]:
                continue                              # coded with a track group: no code
            ug = (cd.get("creatingUser") or el.get("creatingUser") or "").strip("{}").lower()
            uname, machine = users.get(ug, ("", False))
            out.append((guid_map[g], uname, machine))
        return out

    def scores_of(el: etree._Element) -> dict[str, tuple[float, list[str]]]:
        """Confidence and evidence per code from a selection written by verhalen."""
        out = {}
        for m in re.finditer(r"^([a-z][a-z0-9_]*) \(.*?\): zekerheid ([0-9]+(?:[.,][0-9]+)?)"
                             r"[^\n]*?(?:; bewijs: (.*))?$", _text(_kid(el, "Description")), re.M):
            ev = [e for e in (m.group(3) or "").split(" | ") if e]
            out[m.group(1)] = (float(m.group(2).replace(",", ".")), ev)
        return out

    items: list[tuple[etree._Element, int, int]] = []
    if _kids(src, "Coding"):
        items.append((src, 0, n_text))
    for sel in _kids(src, "PlainTextSelection"):
        try:
            a0, z0 = int(sel.get("startPosition")), int(sel.get("endPosition"))
        except (TypeError, ValueError) as exc:
            raise LeesFout(path, "PlainTextSelection zonder geldige startPosition/endPosition.",
                           _where(sel)) from exc
        if a0 > z0:
            a0, z0 = z0, a0
        if a0 < 0 or z0 > n_text:
            raise LeesFout(path, f"selectie {a0}-{z0} valt buiten de tekst van "
                                 f"'{doc.title or doc.id}' ({n_text} tekens).", _where(sel))
        items.append((sel, a0, z0))
    for el, a0, z0 in items:
        cds = codings(el)
        if not cds:
            continue
        a, z = pos_map(a0), pos_map(z0)
        scores = scores_of(el)
        hit = [s for s in doc.segments if s.start < z and a < s.end]
        if not hit:  # selection between paragraphs (whitespace): nearest segment
            hit = sorted(doc.segments, key=lambda s: min(abs(s.start - a), abs(s.end - z)))[:1]
        quote = doc.text[a:z].strip()
        note = "" if scores else " ".join(_text(_kid(el, "Description")).split()) \
            if el is not src else ""
        for cid, uname, machine in cds:
            score, ev = scores.get(cid, (1.0, [])) if machine else (1.0, [])
            for seg in hit:
                rows.append({
                    "segment_id": seg.id, "code": cid, "score": float(score),
                    "evidence": ev or ([quote] if quote else []),
                    "source": "machine" if machine else "mens",
                    "coder": uname, "doc_id": doc.id, "start": a, "end": z,
                    "selectie": (el.get("guid") or "").strip("{}").lower(),
                    "notitie": note,
                })
    return rows


def import_qdc(path: str | Path) -> Codebook:
    """Read a REFI-QDA ``.qdc`` (a ``CodeBook`` XML) — or the codebook of a ``.qdpx`` — into a
    Codebook. Codes without a track get equal weights (with a warning)."""
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
    elif _local(root) == "CodeBook":
        codes_el = _kid(root, "Codes")
    else:
        raise LeesFout(path, f"het hoofdelement is <{_local(root)}>, verwacht <CodeBook>.",
                       _where(root))
    if codes_el is None or not _kids(codes_el, "Code"):
        raise LeesFout(path, "het codeboek bevat geen codes (<Codes> met <Code>).",
                       _where(root))
    codebook, _ = _codebook_from_codes(codes_el, path, path.stem)
    return codebook
