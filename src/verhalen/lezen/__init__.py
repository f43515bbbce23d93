"""Reading real material: files and folders → a Corpus of documents, segments and sentences.

``read_corpus(path, *, text_column=None, people=None, nlp=None) -> Corpus`` reads a file
(.txt, .md, .docx, .pdf, .csv, .xlsx) or a folder of mixed files (recursive), cleans text
extracted from PDF bundles, cuts paragraphs / speaker turns into segments with sentence
offsets and attributes quotations to speakers with roles (``Corpus.people``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ..fouten import LeesFout
from ..model import Corpus, slugify
from .bestanden import RawDoc, list_documents, read_file, read_metadata
from .segmenteren import build_document
from .sprekers import PeopleIndex, Person, normalise_role, read_people
from .vervangingstekens import file_warning, summary_lines

__all__ = ["read_corpus", "read_people", "PeopleIndex", "summary_lines"]


def read_corpus(path, *, text_column: str | None = None, people=None, nlp=None,
                progress: bool = True, cache: Any = None) -> Corpus:
    """Read a file or a folder into a Corpus (see module docstring).

    In a folder run a file that cannot be read is recorded in ``corpus.meta["errors"]`` as
    ``{"path", "message"}`` and the other files are read; a single bad file raises ``LeesFout``.
    Files that were read but had lone replacement glyphs dropped (PDF icon fonts, bullets)
    are listed in ``corpus.meta["waarschuwingen"]`` (``vervangingstekens.file_warning``).
    ``people``: a path to a CSV, a DataFrame or a PeopleIndex (naam, rol, organisatie,
    aliassen); in a folder, ``mensen.csv`` is read as well.
    ``cache``: what was read from an unchanged file is reused (``verhalen.cache.ReadCache``;
    ``None`` = the default cache root, ``False`` = always read); ``nlp=None`` loads the
    pipeline only when a file has to be read.
    """
    from ..cache import LazyNLP, ReadCache, pipeline_info_of

    path = Path(path)
    if not path.exists():
        raise LeesFout(path, "bestand of map bestaat niet.")
    nlp = nlp if nlp is not None else LazyNLP()
    index = read_people(people) if people is not None else PeopleIndex()
    errors: list[dict[str, str]] = []
    warnings: list[dict] = []
    corpus = Corpus(meta={"bron": str(path), "nlp": pipeline_info_of(nlp).describe()})
    store = None if cache is False else (cache if cache is not None else ReadCache())
    n_read = 0
    if path.is_dir():
        if (path / "mensen.csv").exists():
            for p in read_people(path / "mensen.csv").people.values():
                index.add(p)
        metadata, problems = read_metadata(path)
        errors.extend(problems)
        files = list_documents(path)
        iterator = files
        if progress and len(files) > 1:
            from tqdm.auto import tqdm

            iterator = tqdm(files, desc="Lezen", unit="bestand", leave=False)
        for f in iterator:
            rel = f.relative_to(path).as_posix()
            doc_id = slugify(str(Path(rel).with_suffix("")))
            meta = metadata.get(rel) or metadata.get(f.name) or {}
            try:
                docs = _read_one(f, doc_id, text_column, meta, index, nlp, store)
            except LeesFout as exc:
                errors.append({"path": str(f), "message": str(exc)})
                continue
            for doc in docs:
                corpus.add(doc)
            n_read += 1
            warning = file_warning(f, docs)
            if warning:
                warnings.append(warning)
        if not files:
            errors.append({"path": str(path), "message": str(LeesFout(
                path, "de map bevat geen documenten (.txt, .md, .docx, .pdf, .csv, .xlsx)."))})
    else:
        docs = _read_one(path, slugify(path.stem), text_column, None, index, nlp, store)
        for doc in docs:
            corpus.add(doc)
        n_read = 1
        warning = file_warning(path, docs)
        if warning:
            warnings.append(warning)
    if store is not None and cache is None:
        store.close()
    corpus.people = index.to_frame()
    corpus.meta.update({"errors": errors, "gelezen": n_read, "waarschuwingen": warnings})
    return corpus


def _apply_metadata(raw: RawDoc, meta: dict[str, Any], per_row: bool = False) -> None:
    if not meta:
        return
    if meta.get("titel"):
        if per_row:  # a spreadsheet: each row keeps its own title, the file's title is meta
            raw.meta.setdefault("bestand_titel", meta["titel"])
        else:
            raw.title = meta["titel"]
    if meta.get("casus") and not raw.case_id:
        raw.case_id = meta["casus"]
    if meta.get("datum") and not raw.date:
        raw.date = meta["datum"]
    for k, v in meta.items():
        if k not in ("titel", "casus", "datum"):
            raw.meta.setdefault(k, v)


def _read_one(f: Path, doc_id: str, text_column: str | None, meta: dict[str, Any] | None,
              index: PeopleIndex, nlp, store) -> list:
    """The documents of one file (``meta``: its row of metadata.csv, None for a single file),
    from the reading cache when the file, the options, the people known so far, the pipeline
    and the reader's code are unchanged; otherwise read (and stored)."""
    from ..cache import nlp_identity, people_state, restore_people

    key = None
    if store is not None and not store.broken:
        ident = nlp_identity(nlp)
        if ident is not None:
            try:
                data = f.read_bytes()
            except OSError:
                data = None
            if data is not None:
                key = store.key(f, data, doc_id, text_column, meta, people_state(index), ident)
                got = store.get(key)
                if got is not None:
                    docs, state = got
                    restore_people(index, state)
                    return docs
    raws = read_file(f, doc_id, text_column)
    docs = []
    for raw in raws:
        if meta is not None:
            _apply_metadata(raw, meta, per_row=len(raws) > 1)
        docs.append(_build(raw, index, nlp))
    if raws and not any(d.segments for d in docs):
        # only a title, headings or "Casus: …" lines: nothing to code
        raise LeesFout(f, "bevat geen tekst om te coderen (alleen een titel, koppen of "
                          "kopregels zoals 'Casus: …').")
    if key is not None:
        store.put(key, docs, people_state(index))
    return docs


def _build(raw: RawDoc, index: PeopleIndex, nlp):
    if raw.speaker:
        index.add(Person(raw.speaker, normalise_role(raw.speaker_role or ""), bron=raw.doc_id,
                         functie=raw.speaker_role or ""))
    res = build_document(raw.doc_id, raw.blocks, source=raw.source, title=raw.title,
                         people=index, nlp=nlp, links=raw.links,
                         caption_names=raw.caption_names, meta=raw.meta, bron=raw.doc_id)
    doc = res.document
    doc.case_id, doc.date = raw.case_id, raw.date
    if raw.speaker:  # one story per row told by a named person: the whole row is theirs
        name = index.resolve(raw.speaker) or raw.speaker
        for seg in doc.segments:
            if name not in seg.speakers:
                seg.speakers = [name] + seg.speakers
                seg.roles = [index.role(name)] + seg.roles
    return doc


def people_frame(corpus: Corpus) -> pd.DataFrame:
    return corpus.people if corpus.people is not None else PeopleIndex().to_frame()
