"""The data model every stage reads and writes: corpus → document → segment → sentence.

Offsets are character offsets into ``Document.text`` (the document's *normalised* text, i.e.
after cleaning), so ``doc.text[seg.start:seg.end] == seg.text`` always holds. Ids are stable:
a document id is derived from its source path (or given by the reader), a segment id is
``{doc_id}-{index:04d}``; re-reading the same file gives the same ids.

Interchange with notebooks goes through pandas DataFrames (``Corpus.segments_df()``,
``Corpus.documents_df()``) and a project folder on disk (``Corpus.save`` / ``Corpus.load``).
"""

from __future__ import annotations

import contextlib

import json
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

import pandas as pd

from .fouten import VerhalenFout
from .opslag import atomic_files, atomic_write_text, ensure_output_dir

#: Speaker roles used across verhalen (people table, segments, figures).
ROLES = ("sociaal professional", "onderzoeker", "bewoner/cliënt", "beleid", "auteur", "onbekend")

#: Immutable value types a record can share without a deep copy (Segment.to_record).
_PLAIN = frozenset({str, int, float, bool, type(None)})

#: Version of the on-disk project folder layout.
FORMAT_VERSION = 1


def slugify(text: str, max_len: int = 60) -> str:
    """Lower-case ASCII slug used for stable document ids ("Interview Kees.docx" → "interview-kees")."""
    norm = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-zA-Z0-9]+", "-", norm).strip("-").lower()
    return (slug[:max_len].rstrip("-")) or "document"


@dataclass
class Sentence:
    """A sentence inside a segment; offsets into the document text."""

    start: int
    end: int


@dataclass
class Segment:
    """A paragraph (or a story, for one-story-per-row spreadsheets): the unit of coding."""

    id: str
    doc_id: str
    index: int
    text: str
    start: int
    end: int
    section: str | None = None
    speakers: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)

    def sentence_texts(self, doc_text: str | None = None) -> list[str]:
        """The sentences as strings (needs no doc text: offsets are re-based on the segment)."""
        if not self.sentences:
            return [self.text]
        return [self.text[s.start - self.start : s.end - self.start] for s in self.sentences]

    def to_record(self) -> dict[str, Any]:
        # Fast path for plain values (what the readers produce): the same dict as asdict(),
        # which deep-copies recursively and cost 0.09 ms per segment (3.8 s of writing and
        # segments_df on 20,000 segments, benchmarks/schaal.py).
        meta, plain = self.meta, _PLAIN
        if (type(meta) is dict and type(self.speakers) is list and type(self.roles) is list
                and type(self.section) in plain
                and all(type(v) is str for v in self.speakers)
                and all(type(v) is str for v in self.roles)
                and all(type(k) is str and type(v) in plain for k, v in meta.items())):
            rec = {"id": self.id, "doc_id": self.doc_id, "index": self.index, "text": self.text,
                   "start": self.start, "end": self.end, "section": self.section,
                   "speakers": list(self.speakers), "roles": list(self.roles),
                   "sentences": None, "meta": dict(meta)}
        else:
            rec = asdict(self)
        rec["sentences"] = [[s.start, s.end] for s in self.sentences]
        return rec

    @classmethod
    def from_record(cls, rec: dict[str, Any]) -> "Segment":
        rec = dict(rec)
        sents = rec.pop("sentences", None) or []
        known = {f for f in cls.__dataclass_fields__}
        extra = {k: rec.pop(k) for k in list(rec) if k not in known}
        seg = cls(**rec)
        seg.sentences = [Sentence(int(a), int(b)) for a, b in sents]
        seg.meta = {**extra, **(seg.meta or {})}
        seg.speakers = list(seg.speakers or [])
        seg.roles = list(seg.roles or [])
        return seg


@dataclass
class Document:
    """One source document (an interview, a story, a chapter of a bundle)."""

    id: str
    text: str
    source: str = ""
    title: str = ""
    case_id: str | None = None
    date: str | None = None
    links: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    segments: list[Segment] = field(default_factory=list)

    def check_offsets(self) -> None:
        """Raise if a segment's text does not match its offsets (guards every writer)."""
        for seg in self.segments:
            if self.text[seg.start : seg.end] != seg.text:
                raise VerhalenFout(
                    f"Interne fout: segment {seg.id} klopt niet met de tekst van document {self.id} "
                    f"(posities {seg.start}-{seg.end})."
                )

    def to_record(self, with_segments: bool = False) -> dict[str, Any]:
        rec = asdict(self)
        rec.pop("segments")
        if with_segments:
            rec["segments"] = [s.to_record() for s in self.segments]
        return rec


@dataclass
class Corpus:
    """A set of documents plus corpus-level metadata (which pipeline ran, people table, ...)."""

    documents: list[Document] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    people: pd.DataFrame | None = None

    # -- access -------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.documents)

    def __iter__(self) -> Iterator[Document]:
        return iter(self.documents)

    def segments(self) -> Iterator[Segment]:
        for doc in self.documents:
            yield from doc.segments

    def document(self, doc_id: str) -> Document:
        for doc in self.documents:
            if doc.id == doc_id:
                return doc
        raise KeyError(doc_id)

    def add(self, doc: Document) -> Document:
        """Add a document, making its id unique within the corpus (stable: -2, -3, ...)."""
        ids = self._id_set()
        if doc.id in ids:
            base, n = doc.id, 2
            while f"{base}-{n}" in ids:
                n += 1
            doc.id = f"{base}-{n}"
            for seg in doc.segments:
                seg.doc_id = doc.id
                seg.id = f"{doc.id}-{seg.index:04d}"
        self.documents.append(doc)
        ids.add(doc.id)
        self._ids_n = len(self.documents)
        return doc

    def _id_set(self) -> set[str]:
        """The document ids, kept between calls of ``add`` (rebuilding the set for every
        added document made reading 10,000 stories quadratic); rebuilt when ``documents``
        was changed directly."""
        if getattr(self, "_ids_n", -1) != len(self.documents) or not hasattr(self, "_ids"):
            self._ids = {d.id for d in self.documents}
            self._ids_n = len(self.documents)
        return self._ids

    # -- DataFrames ---------------------------------------------------------------------
    def segments_df(self) -> pd.DataFrame:
        """One row per segment: id, doc_id, index, text, start, end, section, speakers, roles,
        sentences, document fields (title, source, case_id, date), ``meta`` (dict) and each meta
        key again as a convenience column (``from_dataframes`` reads the ``meta`` dict)."""
        rows = []
        for doc in self.documents:
            for seg in doc.segments:
                rec = seg.to_record()
                meta = rec["meta"] or {}
                rec.update({"title": doc.title, "source": doc.source, "case_id": doc.case_id,
                            "date": doc.date})
                for k, v in meta.items():
                    rec.setdefault(k, v)
                rows.append(rec)
        cols = ["id", "doc_id", "index", "text", "start", "end", "section", "speakers", "roles",
                "sentences", "title", "source", "case_id", "date", "meta"]
        df = pd.DataFrame(rows)
        if df.empty:
            return pd.DataFrame(columns=cols)
        return df[cols + [c for c in df.columns if c not in cols]]

    def documents_df(self) -> pd.DataFrame:
        rows = []
        for doc in self.documents:
            rec = doc.to_record()
            meta = rec["meta"] or {}
            rec["n_segments"] = len(doc.segments)
            rec["n_words"] = len(doc.text.split())
            for k, v in meta.items():
                rec.setdefault(k, v)
            rows.append(rec)
        return pd.DataFrame(rows)

    @classmethod
    def from_dataframes(cls, documents: pd.DataFrame, segments: pd.DataFrame,
                        meta: dict[str, Any] | None = None) -> "Corpus":
        """Inverse of ``documents_df`` + ``segments_df`` (lossless)."""
        doc_fields = set(Document.__dataclass_fields__) - {"segments"}
        seg_fields = set(Segment.__dataclass_fields__)
        derived_doc = {"n_segments", "n_words"}
        derived_seg = {"title", "source", "case_id", "date"}
        corpus = cls(meta=dict(meta or {}))
        by_doc: dict[str, list[Segment]] = {}
        for rec in segments.to_dict("records"):
            rec = {k: _unnan(v) for k, v in rec.items() if k not in derived_seg}
            extra = {k: rec.pop(k) for k in list(rec) if k not in seg_fields}
            if not isinstance(rec.get("meta"), dict):  # no meta column: gather extra columns
                rec["meta"] = {k: v for k, v in extra.items() if v is not None}
            rec["sentences"] = [list(map(int, s)) for s in (rec.get("sentences") or [])]
            rec["speakers"] = list(rec.get("speakers") or [])
            rec["roles"] = list(rec.get("roles") or [])
            seg = Segment.from_record(rec)
            by_doc.setdefault(seg.doc_id, []).append(seg)
        for rec in documents.to_dict("records"):
            rec = {k: _unnan(v) for k, v in rec.items() if k not in derived_doc}
            extra = {k: rec.pop(k) for k in list(rec) if k not in doc_fields}
            if not isinstance(rec.get("meta"), dict):
                rec["meta"] = {k: v for k, v in extra.items() if v is not None}
            rec["links"] = list(rec.get("links") or [])
            doc = Document(**rec)
            doc.segments = sorted(by_doc.get(doc.id, []), key=lambda s: s.index)
            corpus.documents.append(doc)
        return corpus

    # -- project folder -----------------------------------------------------------------
    def save(self, folder: str | Path, overwrite: bool = False, group=None) -> Path:
        """Write ``documents.jsonl``, ``segments.jsonl``, ``corpus.json`` (and ``mensen.csv``).

        Refuses to write into a folder that already holds a corpus unless ``overwrite``;
        every file is written atomically, so an interrupted run leaves earlier outputs intact.
        ``group``: an open ``opslag.AtomicFiles`` to join (several stages' files as one unit).
        """
        has_people = self.people is not None and not self.people.empty
        names = ["segments.jsonl", "documents.jsonl", "corpus.json"] + (
            ["mensen.csv"] if has_people else [])
        folder = ensure_output_dir(folder, overwrite=overwrite, marker=names)
        for doc in self.documents:
            doc.check_offsets()
        with contextlib.nullcontext(group) if group is not None else atomic_files() as out:
            # all files or none (an interrupted save changes nothing)
            out.write_text(folder / "documents.jsonl", "".join(
                json.dumps(d.to_record(), ensure_ascii=False) + "\n" for d in self.documents))
            out.write_text(folder / "segments.jsonl", "".join(
                json.dumps(s.to_record(), ensure_ascii=False) + "\n" for s in self.segments()))
            meta = {"format_version": FORMAT_VERSION, **self.meta}
            out.write_text(folder / "corpus.json", json.dumps(meta, ensure_ascii=False, indent=2))
            if has_people:
                out.write_text(folder / "mensen.csv", self.people.to_csv(index=False))
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> "Corpus":
        """Read a project folder written by ``save`` (or by ``verhalen lees``)."""
        folder = Path(folder)
        seg_path, doc_path = folder / "segments.jsonl", folder / "documents.jsonl"
        if not seg_path.exists():
            raise VerhalenFout(f"{folder}: geen segments.jsonl gevonden; is dit een map van "
                               "'verhalen lees'?")
        meta = {}
        if (folder / "corpus.json").exists():
            meta = json.loads((folder / "corpus.json").read_text(encoding="utf-8"))
        segs = read_jsonl(seg_path)
        docs = read_jsonl(doc_path) if doc_path.exists() else []
        corpus = cls(meta=meta)
        by_doc: dict[str, list[Segment]] = {}
        for rec in segs:
            seg = Segment.from_record(rec)
            by_doc.setdefault(seg.doc_id, []).append(seg)
        for rec in docs:
            rec = dict(rec)
            rec.pop("segments", None)
            doc = Document(**rec)
            doc.segments = sorted(by_doc.pop(doc.id, []), key=lambda s: s.index)
            corpus.documents.append(doc)
        for doc_id, segs_ in by_doc.items():  # segments without documents.jsonl (e.g. gold files)
            segs_ = sorted(segs_, key=lambda s: s.index)
            corpus.documents.append(Document(id=doc_id, text="", segments=segs_))
        if (folder / "mensen.csv").exists():
            corpus.people = pd.read_csv(folder / "mensen.csv", dtype=str).fillna("")
        return corpus

    @classmethod
    def from_texts(cls, texts: Iterable[str], ids: Iterable[str] | None = None) -> "Corpus":
        """A corpus of one-segment documents (e.g. the gold ``{"id","text"}`` file)."""
        corpus = cls()
        ids = list(ids) if ids is not None else None
        for i, text in enumerate(texts):
            sid = ids[i] if ids is not None else f"tekst-{i + 1:04d}"
            doc = Document(id=sid, text=text)
            doc.segments = [Segment(id=sid, doc_id=sid, index=0, text=text, start=0, end=len(text))]
            corpus.documents.append(doc)
        return corpus


def _unnan(v: Any) -> Any:
    try:
        if v is None or (isinstance(v, float) and v != v):
            return None
    except TypeError:
        pass
    if hasattr(v, "tolist") and not isinstance(v, str):
        return v.tolist()
    return v


def read_jsonl(path: str | Path) -> list[dict[str, Any]]:
    """Read a JSONL file; errors name the file and line."""
    path = Path(path)
    out = []
    try:
        with path.open(encoding="utf-8-sig") as fh:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise VerhalenFout(f"{path}, regel {n}: geen geldige JSON ({exc.msg}).") from exc
                if not isinstance(rec, dict):
                    raise VerhalenFout(f"{path}, regel {n}: elke regel moet een JSON-object "
                                       "zijn ({\"id\": ..., ...}).")
                out.append(rec)
    except FileNotFoundError as exc:
        raise VerhalenFout(f"{path}: bestand bestaat niet.") from exc
    except UnicodeDecodeError as exc:
        raise VerhalenFout(f"{path}: geen UTF-8-tekst (JSONL moet UTF-8 zijn).") from exc
    return out


def load_segments(path: str | Path) -> pd.DataFrame:
    """Segments as a DataFrame from a ``verhalen lees`` folder or a ``{"id","text"}`` JSONL file.

    Always has columns id, doc_id, text, section, speakers, roles, sentences.
    """
    path = Path(path)
    if path.is_dir():
        return Corpus.load(path).segments_df()
    recs = read_jsonl(path)
    if not recs:
        raise VerhalenFout(f"{path}: bevat geen segmenten.")
    for n, rec in enumerate(recs, 1):
        if "id" not in rec or "text" not in rec:
            raise VerhalenFout(f"{path}, regel {n}: elk segment heeft een 'id' en een 'text' nodig.")
    df = pd.DataFrame(recs)
    df["id"] = df["id"].astype(str)
    if "doc_id" not in df:
        df["doc_id"] = df["id"]
    for col in ("section",):
        if col not in df:
            df[col] = None
    for col in ("speakers", "roles", "sentences"):
        if col not in df:
            df[col] = [[] for _ in range(len(df))]
    return df
