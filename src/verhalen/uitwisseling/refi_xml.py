"""REFI-QDA building blocks shared by import and export: namespaces, GUIDs, XML helpers,
the machine-readable code description and the schema check."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import pandas as pd
from lxml import etree

from ..codeboek import Code, Codebook
from ..codes import LONG_COLUMNS, empty_long, wide_to_long
from ..fouten import LeesFout, VerhalenFout
from ..model import slugify
from ..tracks import TRACKS


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



def _fmt_num(x: float) -> str:
    out = f"{x:.4f}".rstrip("0").rstrip(".")
    return out.replace(".", ",")


def code_description(code: Code) -> str:
    """The definition followed by machine-readable lines a re-import parses back."""
    return "\n".join([code.definition.strip(), "", *code_meta_lines(code)])


def code_meta_lines(code: Code, *, with_id: bool = True) -> list[str]:
    """The machine-readable lines after a code's description (tracks, indicators, examples,
    counter-examples, emergent, code id) that a re-import parses back."""
    lines = []
    if code.tracks:
        lines.append("Sporen: " + "; ".join(f"{t} {_fmt_num(code.tracks[t])}" for t in TRACKS
                                            if code.tracks.get(t, 0) > 0))
    if code.indicators:
        lines.append("Indicatoren: " + "; ".join(code.indicators))
    if code.examples:
        lines += ["Voorbeelden:"] + [f"- {e}" for e in code.examples]
    if code.negative_examples:
        lines += ["Tegenvoorbeelden:"] + [f"- {e}" for e in code.negative_examples]
    if code.emergent:
        lines.append("Emergent: ja")
    if with_id:
        lines.append(f"Code-id: {code.id}")
    return lines



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
    """Split a code description into (definition, fields written by :func:`code_description`);
    the definition keeps its line breaks."""
    lines = desc.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    first = None
    for i, ln in enumerate(lines):
        key = ln.split(":", 1)[0].strip()
        if key in _META_KEYS and ":" in ln:
            first = i
            break
    if first is None:                 # a description as another tool wrote it: kept as is
        return "\n".join(lines).strip(), {}
    definition = "\n".join(lines[:first]).strip()
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

