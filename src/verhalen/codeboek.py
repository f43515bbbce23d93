"""Codes and codebooks: the in-memory model (:class:`Code`, :class:`Codebook`) and the YAML
file (load, validate with errors naming file, line and field, save, extend). The one home of
the codebook; the indicator grammar it validates lives in :mod:`verhalen.indicatoren`.

File layout::

    naam: impact
    versie: "1"
    beschrijving: ...
    codes:
      - id: basishouding
        label: Basishouding
        definitie: ...
        sporen: {vakmanschap: 1.0}          # weights are normalised to sum 1
        indicatoren: ["luisteren", "zonder oordeel", "vertrouwen*", "klein .. stap*^0.5"]
        voorbeelden: [...]                  # positive example sentences
        tegenvoorbeelden: [...]             # negative example sentences
        ouder: null                         # optional parent code id
        kleur: "#0072B2"

English keys (``id, label, definition, tracks, indicators, examples, negative_examples,
parent, colour``) are accepted too. Indicator syntax: see :mod:`verhalen.indicatoren`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from .fouten import CodeboekFout
from .indicatoren import parse_indicator
from .opslag import atomic_write_text, refuse_overwrite
from .tracks import TRACKS

__all__ = ["Code", "Codebook", "load_codebook", "save_codebook", "codebook_to_yaml",
           "add_code_to_file", "default_codebook_path", "BUILTIN"]

#: Codebooks shipped with the package (name -> file in verhalen/data).
BUILTIN = {"impact": "impact.yaml", "hulpvragen": "hulpvragen.yaml"}


@dataclass
class Code:
    """One code (theme) of a codebook."""

    id: str
    label: str
    definition: str
    tracks: dict[str, float]            # track -> weight, weights sum to 1; {} = "zonder spoor"
    indicators: list[str] = field(default_factory=list)   # lemma patterns / multi-word phrases
    examples: list[str] = field(default_factory=list)     # positive example sentences
    negative_examples: list[str] = field(default_factory=list)
    parent: str | None = None
    colour: str | None = None
    emergent: bool = False             # added from an inductive (BERTopic) theme
    codable: bool = True               # False: a category that groups codes (REFI isCodable)
    guid: str | None = None            # the REFI-QDA GUID of a code from another tool


@dataclass
class Codebook:
    """An ordered set of codes; ``name`` is e.g. ``impact`` or the file it came from."""

    name: str
    codes: list[Code]
    version: str = "1"
    description: str = ""
    source: str | None = None
    #: code sets/groups: [{"naam", "codes": [code ids], "beschrijving"?, "guid"?}]
    sets: list[dict] = field(default_factory=list)

    @property
    def ids(self) -> list[str]:
        return [c.id for c in self.codes]

    def __len__(self) -> int:
        return len(self.codes)

    def __contains__(self, code_id: str) -> bool:
        return any(c.id == code_id for c in self.codes)

    def get(self, code_id: str) -> Code:
        for c in self.codes:
            if c.id == code_id:
                return c
        raise KeyError(code_id)

    def track_weights(self) -> pd.DataFrame:
        """code × track weight matrix (rows in codebook order, columns in ``TRACKS`` order)."""
        return pd.DataFrame(
            [[c.tracks.get(t, 0.0) for t in TRACKS] for c in self.codes],
            index=self.ids, columns=list(TRACKS), dtype=float)

    def colours(self) -> dict[str, str]:
        return {c.id: c.colour or "#888888" for c in self.codes}

    def labels(self) -> dict[str, str]:
        return {c.id: c.label for c in self.codes}

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{
            "code": c.id, "label": c.label, "definitie": c.definition,
            **{t: c.tracks.get(t, 0.0) for t in TRACKS}, "kleur": c.colour, "ouder": c.parent,
            "indicatoren": "; ".join(c.indicators), "emergent": c.emergent,
            "codeerbaar": c.codable,
        } for c in self.codes])

    def without_track(self) -> list[str]:
        """Ids of the codable codes that have no track yet ("zonder spoor")."""
        return [c.id for c in self.codes if c.codable and not any(
            w > 0 for w in (c.tracks or {}).values())]


# YAML key -> Code attribute (Dutch keys are canonical, English accepted).
_KEYS = {
    "id": "id", "label": "label", "definitie": "definition", "definition": "definition",
    "sporen": "tracks", "tracks": "tracks", "indicatoren": "indicators",
    "indicators": "indicators", "voorbeelden": "examples", "examples": "examples",
    "tegenvoorbeelden": "negative_examples", "negative_examples": "negative_examples",
    "ouder": "parent", "parent": "parent", "kleur": "colour", "colour": "colour",
    "color": "colour", "emergent": "emergent", "codeerbaar": "codable", "codable": "codable",
    "guid": "guid",
}
_DUTCH = {"definition": "definitie", "tracks": "sporen", "indicators": "indicatoren",
          "examples": "voorbeelden", "negative_examples": "tegenvoorbeelden", "parent": "ouder",
          "colour": "kleur"}
_REQUIRED = ("id", "label", "definition", "tracks")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
# Colour-blind friendly palette for codes without a colour (fixed order).
PALETTE = ["#0072B2", "#56B4E9", "#332288", "#E69F00", "#CC79A7", "#D55E00", "#F0E442",
           "#009E73", "#117733", "#44AA99", "#999933", "#882255", "#AA4499", "#6699CC"]


def default_codebook_path(name: str = "impact") -> Path:
    return Path(str(resources.files("verhalen") / "data" / BUILTIN[name]))


def _where(path: str, node: yaml.Node | None, field: str | None = None) -> str:
    line = f", regel {node.start_mark.line + 1}" if node is not None else ""
    veld = f", veld '{field}'" if field else ""
    return f"{path}{line}{veld}"


def _mapping_items(node: yaml.MappingNode) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    out = {}
    for k, v in node.value:
        out[str(k.value)] = (k, v)
    return out


def _plain(node: yaml.Node) -> Any:
    """Convert a node to plain Python (safe scalars resolved like SafeLoader does)."""
    if isinstance(node, yaml.ScalarNode):
        loader = yaml.SafeLoader("")
        try:
            return loader.construct_object(node, deep=True)
        finally:
            loader.dispose()
    if isinstance(node, yaml.SequenceNode):
        return [_plain(n) for n in node.value]
    if isinstance(node, yaml.MappingNode):
        return {str(k.value): _plain(v) for k, v in node.value}
    return None


def _str_list(path: str, node: yaml.Node, field: str) -> list[str]:
    if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null"):
        return []
    if not isinstance(node, yaml.SequenceNode):
        raise CodeboekFout(f"{_where(path, node, field)}: verwacht een lijst van teksten.")
    out = []
    for item in node.value:
        if not isinstance(item, yaml.ScalarNode) or item.tag.endswith(":null"):
            raise CodeboekFout(f"{_where(path, item, field)}: elk element moet een tekst zijn.")
        text = str(item.value).strip()
        if text:
            out.append(text)
    return out


def _parse_code(path: str, node: yaml.Node, n: int) -> tuple[Code, yaml.Node]:
    if not isinstance(node, yaml.MappingNode):
        raise CodeboekFout(f"{_where(path, node)}: code nummer {n} moet een mapping "
                           "(sleutel: waarde) zijn.")
    items = _mapping_items(node)
    vals: dict[str, Any] = {}
    nodes: dict[str, yaml.Node] = {}
    for key, (knode, vnode) in items.items():
        attr = _KEYS.get(key)
        if attr is None:
            raise CodeboekFout(f"{_where(path, knode, key)}: onbekend veld. Geldige velden: "
                               "id, label, definitie, sporen, indicatoren, voorbeelden, "
                               "tegenvoorbeelden, ouder, kleur, emergent, codeerbaar, guid.")
        nodes[attr] = vnode
        vals[attr] = vnode
    for req in _REQUIRED:
        if req not in vals:
            name = _DUTCH.get(req, req)
            raise CodeboekFout(f"{_where(path, node, name)}: verplicht veld ontbreekt "
                               f"(code nummer {n}).")
    cid = _plain(nodes["id"])
    if not isinstance(cid, str) or not _ID.match(cid):
        raise CodeboekFout(f"{_where(path, nodes['id'], 'id')}: ongeldige code-id {cid!r} "
                           "(kleine letters, cijfers en _, begint met een letter).")
    label = _plain(nodes["label"])
    if not isinstance(label, str) or not label.strip():
        raise CodeboekFout(f"{_where(path, nodes['label'], 'label')}: label van '{cid}' is leeg.")
    definition = _plain(nodes["definition"])
    if not isinstance(definition, str) or not definition.strip():
        raise CodeboekFout(f"{_where(path, nodes['definition'], 'definitie')}: definitie van "
                           f"'{cid}' is leeg.")
    tnode = nodes["tracks"]
    if (isinstance(tnode, yaml.ScalarNode) and tnode.tag.endswith(":null")) or (
            isinstance(tnode, (yaml.MappingNode, yaml.SequenceNode)) and not tnode.value):
        tracks_raw, tnodes = {}, {}          # "zonder spoor": no track assigned yet
    elif isinstance(tnode, yaml.ScalarNode):
        tracks_raw = {str(tnode.value): 1.0}
        tnodes = {str(tnode.value): tnode}
    elif isinstance(tnode, yaml.SequenceNode):
        tracks_raw = {str(_plain(t)): 1.0 for t in tnode.value}
        tnodes = {str(_plain(t)): t for t in tnode.value}
    elif isinstance(tnode, yaml.MappingNode):
        tracks_raw, tnodes = {}, {}
        for k, v in tnode.value:
            w = _plain(v)
            if isinstance(w, bool) or not isinstance(w, (int, float)) or w < 0:
                raise CodeboekFout(f"{_where(path, v, 'sporen')}: gewicht van spoor "
                                   f"'{k.value}' bij '{cid}' moet een getal ≥ 0 zijn, niet {w!r}.")
            tracks_raw[str(k.value)] = float(w)
            tnodes[str(k.value)] = k
    else:
        raise CodeboekFout(f"{_where(path, tnode, 'sporen')}: sporen van '{cid}' ontbreken.")
    for t, tn in tnodes.items():
        if t not in TRACKS:
            raise CodeboekFout(f"{_where(path, tn, 'sporen')}: onbekend spoor '{t}' bij '{cid}'. "
                               f"Geldige sporen: {', '.join(TRACKS)}.")
    total = sum(tracks_raw.values())
    if tracks_raw and total <= 0:
        raise CodeboekFout(f"{_where(path, tnode, 'sporen')}: de gewichten van '{cid}' tellen "
                           "op tot 0; geef minstens één spoor een positief gewicht.")
    tracks = {t: w / total for t, w in tracks_raw.items() if w > 0}
    # a definition keeps its line breaks (as written in the codebook or in another tool)
    code = Code(id=cid, label=label.strip(), definition=definition.strip(), tracks=tracks)
    for attr in ("indicators", "examples", "negative_examples"):
        if attr in nodes:
            setattr(code, attr, _str_list(path, nodes[attr], _DUTCH[attr]))
    if "indicators" in nodes:
        for item, text in zip([n for n in nodes["indicators"].value], code.indicators):
            try:
                parse_indicator(text)
            except ValueError as exc:
                raise CodeboekFout(f"{_where(path, item, 'indicatoren')}: {exc}") from exc
    if "parent" in nodes:
        p = _plain(nodes["parent"])
        code.parent = str(p) if p not in (None, "") else None
    if "colour" in nodes:
        c = _plain(nodes["colour"])
        if c is not None:
            if not isinstance(c, str) or not _COLOUR.match(c):
                raise CodeboekFout(f"{_where(path, nodes['colour'], 'kleur')}: kleur van '{cid}' "
                                   f"moet de vorm #RRGGBB hebben, niet {c!r}.")
            code.colour = c
    if "emergent" in nodes:
        code.emergent = bool(_plain(nodes["emergent"]))
    if "codable" in nodes:
        code.codable = bool(_plain(nodes["codable"]))
    if "guid" in nodes and _plain(nodes["guid"]) not in (None, ""):
        code.guid = str(_plain(nodes["guid"]))
    return code, nodes["id"]


def _parse(text: str, path: str) -> Codebook:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f", regel {mark.line + 1}" if mark else ""
        raise CodeboekFout(f"{path}{line}: geen geldige YAML ({exc.problem or exc}).") from exc
    except yaml.YAMLError as exc:
        raise CodeboekFout(f"{path}: geen geldige YAML ({exc}).") from exc
    if root is None:
        raise CodeboekFout(f"{path}: het codeboek is leeg.")
    if isinstance(root, yaml.SequenceNode):
        top: dict[str, tuple[yaml.Node, yaml.Node]] = {"codes": (root, root)}
    elif isinstance(root, yaml.MappingNode):
        top = _mapping_items(root)
    else:
        raise CodeboekFout(f"{_where(path, root)}: een codeboek is een mapping met 'codes'.")
    if "codes" not in top:
        raise CodeboekFout(f"{_where(path, root, 'codes')}: verplicht veld ontbreekt.")
    cnode = top["codes"][1]
    if not isinstance(cnode, yaml.SequenceNode) or not cnode.value:
        raise CodeboekFout(f"{_where(path, cnode, 'codes')}: verwacht een niet-lege lijst codes.")
    codes: list[Code] = []
    seen: dict[str, int] = {}
    id_nodes: dict[str, yaml.Node] = {}
    for n, node in enumerate(cnode.value, 1):
        code, idnode = _parse_code(path, node, n)
        if code.id in seen:
            raise CodeboekFout(f"{_where(path, idnode, 'id')}: dubbele code-id '{code.id}' "
                               f"(staat ook op regel {seen[code.id]}).")
        seen[code.id] = idnode.start_mark.line + 1
        id_nodes[code.id] = node
        codes.append(code)
    for code in codes:
        if code.parent is not None and code.parent not in seen:
            pnode = _mapping_items(id_nodes[code.id])
            key = "ouder" if "ouder" in pnode else "parent"
            raise CodeboekFout(f"{_where(path, pnode[key][1], 'ouder')}: onbekende oudercode "
                               f"'{code.parent}' bij '{code.id}'.")
        if code.parent == code.id:
            raise CodeboekFout(f"{path}: code '{code.id}' kan niet haar eigen ouder zijn.")
    used = {c.colour for c in codes if c.colour}
    free = [c for c in PALETTE if c not in used]
    for code in codes:
        if not code.colour:
            code.colour = free.pop(0) if free else "#888888"
    sets = _parse_sets(path, top["sets"][1], seen) if "sets" in top else []
    meta = {k: _plain(v[1]) for k, v in top.items() if k not in ("codes", "sets")}
    name = str(meta.get("naam") or meta.get("name") or Path(path).stem)
    return Codebook(name=name, codes=codes, version=str(meta.get("versie", meta.get("version", "1"))),
                    description=str(meta.get("beschrijving") or meta.get("description") or ""),
                    source=str(path), sets=sets)


def _parse_sets(path: str, node: yaml.Node, known: dict[str, int]) -> list[dict]:
    """Code sets/groups: a list of {naam, codes: [ids], beschrijving?, guid?}."""
    if not isinstance(node, yaml.SequenceNode):
        raise CodeboekFout(f"{_where(path, node, 'sets')}: verwacht een lijst sets.")
    out = []
    for item in node.value:
        data = yaml.safe_load(yaml.serialize(item)) if isinstance(item, yaml.MappingNode) else None
        if not isinstance(data, dict) or not str(data.get("naam") or "").strip():
            raise CodeboekFout(f"{_where(path, item, 'sets')}: een set heeft een 'naam' en "
                               "een lijst 'codes'.")
        codes = [str(c) for c in (data.get("codes") or [])]
        bad = [c for c in codes if c not in known]
        if bad:
            raise CodeboekFout(f"{_where(path, item, 'sets')}: set '{data['naam']}' noemt "
                               f"onbekende code(s): {', '.join(bad)}.")
        entry = {"naam": str(data["naam"]), "codes": codes}
        for key in ("beschrijving", "guid"):
            if data.get(key):
                entry[key] = str(data[key])
        out.append(entry)
    return out


def load_codebook(name_or_path: str | Path | Codebook = "impact") -> Codebook:
    """A built-in codebook by name (``"impact"``) or a YAML file by path."""
    if isinstance(name_or_path, Codebook):
        return name_or_path
    key = str(name_or_path)
    if key in BUILTIN:
        path = default_codebook_path(key)
    else:
        path = Path(key)
        if not path.exists():
            raise CodeboekFout(f"{path}: codeboek bestaat niet (ingebouwd: "
                               f"{', '.join(BUILTIN)}).")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CodeboekFout(f"{path}: geen UTF-8-tekst.") from exc
    except OSError as exc:
        raise CodeboekFout(f"{path}: kan niet gelezen worden ({exc}).") from exc
    return _parse(text, str(path))


def _code_dict(code: Code) -> dict[str, Any]:
    d: dict[str, Any] = {"id": code.id, "label": code.label, "definitie": code.definition,
                         "sporen": {t: round(float(w), 6) for t, w in code.tracks.items()}}
    if code.indicators:
        d["indicatoren"] = list(code.indicators)
    if code.examples:
        d["voorbeelden"] = list(code.examples)
    if code.negative_examples:
        d["tegenvoorbeelden"] = list(code.negative_examples)
    if code.parent:
        d["ouder"] = code.parent
    if code.colour:
        d["kleur"] = code.colour
    if code.emergent:
        d["emergent"] = True
    if not code.codable:
        d["codeerbaar"] = False
    if code.guid:
        d["guid"] = code.guid
    return d


def codebook_to_yaml(codebook: Codebook) -> str:
    data = {"naam": codebook.name, "versie": str(codebook.version)}
    if codebook.description:
        data["beschrijving"] = codebook.description
    data["codes"] = [_code_dict(c) for c in codebook.codes]
    if codebook.sets:
        data["sets"] = [dict(s) for s in codebook.sets]
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def save_codebook(codebook: Codebook, path: str | Path, overwrite: bool = False) -> Path:
    """Write ``codebook`` as YAML (atomic); ``load_codebook(path)`` gives it back unchanged."""
    path = refuse_overwrite(path, overwrite)
    text = codebook_to_yaml(codebook)
    _parse(text, str(path))  # never write a file we could not read back
    return atomic_write_text(path, text)


def _is_packaged(path: Path) -> bool:
    try:
        pkg = Path(str(resources.files("verhalen") / "data")).resolve()
        return path.resolve().parent == pkg
    except OSError:
        return False


def add_code_to_file(path: str | Path, code: Code, overwrite: bool = False,
                     new_path: str | Path | None = None) -> Path:
    """Add ``code`` to the user's codebook YAML at ``path`` (atomically) and return the file
    written.

    The packaged default (``impact``) is never modified: the extended codebook is written to
    ``new_path`` (default: ``<stem>_uitgebreid.yaml`` in the current folder). An existing
    code with the same id is an error unless ``overwrite`` (then it is replaced in place).
    """
    src = default_codebook_path(str(path)) if str(path) in BUILTIN else Path(path)
    cb = load_codebook(src)
    target = src
    if _is_packaged(src):
        target = Path(new_path) if new_path else Path.cwd() / f"{src.stem}_uitgebreid.yaml"
        if target.exists():
            cb = load_codebook(target)   # keep extending the user's copy
    elif new_path:
        target = Path(new_path)
    if code.id in cb:
        if not overwrite:
            raise CodeboekFout(f"{target}: code '{code.id}' bestaat al in het codeboek; "
                               "kies een andere id of geef overschrijven aan.")
        cb.codes = [code if c.id == code.id else c for c in cb.codes]
    else:
        cb.codes.append(code)
    if not code.colour:
        used = {c.colour for c in cb.codes if c.colour}
        code.colour = next((c for c in PALETTE if c not in used), "#888888")
    text = codebook_to_yaml(cb)
    _parse(text, str(target))
    return atomic_write_text(target, text)
