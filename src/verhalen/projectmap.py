"""The project folder: which file holds what, and the one way files get into it.

Layout (names relative to the folder)::

    segments.jsonl  documents.jsonl  corpus.json  mensen.csv      read (verhalen lees)
    pseudoniemen_sleutel.json                                    the key (the only real names)
    codes.jsonl                                                  machine codes (wide shape)
    codeboek.yaml                                                the codebook used / imported
    themas.jsonl  themas_tabel.csv  themas_codes.csv             themes (BERTopic)
    rapport.html  tabellen/                                      report, CSV/Markdown tables
    project.qdpx                                                 REFI-QDA export
    methode.json                                                 what ran, seconds per stage
    menselijke_codes.jsonl  selecties.csv                        human codes imported (.qdpx)
    menselijk/journaal.jsonl                                     the researcher's decisions

Writing goes through :meth:`ProjectFolder.write`: every file of one step in one
:func:`verhalen.opslag.atomic_files` group (all or nothing), an existing file only with
``overwrite=True``, and a file of human work (:data:`HUMAN_FILES`) never by a machine step.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable, Mapping

from .fouten import OverschrijfFout
from .opslag import atomic_files

__all__ = ["ProjectFolder", "SEGMENTS", "DOCUMENTS", "CORPUS", "PEOPLE", "KEY", "CODES",
           "CODEBOOK", "THEMES", "THEME_TABLE", "THEME_CODES", "REPORT", "TABLES", "QDPX",
           "METHOD", "HUMAN", "SELECTIONS", "JOURNAL", "READ_OUTPUTS", "THEME_OUTPUTS",
           "ANALYSE_OUTPUTS", "HUMAN_FILES", "EXPORT_FORMATS", "CODER_NAMES", "theme_texts"]

SEGMENTS = "segments.jsonl"
DOCUMENTS = "documents.jsonl"
CORPUS = "corpus.json"
PEOPLE = "mensen.csv"
KEY = "pseudoniemen_sleutel.json"
CODES = "codes.jsonl"
CODEBOOK = "codeboek.yaml"
THEMES = "themas.jsonl"
THEME_TABLE = "themas_tabel.csv"
THEME_CODES = "themas_codes.csv"
REPORT = "rapport.html"
TABLES = "tabellen"
QDPX = "project.qdpx"
METHOD = "methode.json"
HUMAN = "menselijke_codes.jsonl"
SELECTIONS = "selecties.csv"
JOURNAL = "menselijk/journaal.jsonl"     # the same path as verhalen.journaal.JOURNAL_FILE

READ_OUTPUTS = (SEGMENTS, DOCUMENTS, CORPUS, PEOPLE)
THEME_OUTPUTS = (THEMES, THEME_TABLE, THEME_CODES)
#: what 'verhalen analyse' writes (besides tabellen/)
ANALYSE_OUTPUTS = READ_OUTPUTS + (CODES, CODEBOOK) + THEME_OUTPUTS + (REPORT, QDPX, METHOD)
#: human work: never written by a machine step, not even with overwrite
HUMAN_FILES = (HUMAN, JOURNAL)
#: what a project is exported to, and the coders a front end may name (kept here, not in the
#: Project module, so the command line can offer them without importing pandas)
EXPORT_FORMATS = ("qdpx", "qdc", "csv", "xlsx")
CODER_NAMES = ("ensemble", "regels", "semantisch", "gesuperviseerd")


class ProjectFolder:
    """The files of one project folder (see the module docstring)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)

    def __truediv__(self, name: str) -> Path:
        return self.path / name

    def __repr__(self) -> str:
        return f"ProjectFolder({str(self.path)!r})"

    def exists(self, name: str) -> bool:
        return (self.path / name).exists()

    def taken(self, names: Iterable[str]) -> list[str]:
        return [n for n in names if (self.path / n).exists()]

    def refuse_taken(self, names: Iterable[str], overwrite: bool, limit: int | None = None) -> None:
        """Refuse a folder that already holds any of ``names`` unless ``overwrite``."""
        if self.path.exists() and not self.path.is_dir():
            raise OverschrijfFout(f"{self.path}: bestaat al en is geen map.")
        taken = self.taken(names)
        if taken and not overwrite:
            shown = taken if limit is None else taken[:limit]
            more = " …" if limit is not None and len(taken) > limit else ""
            raise OverschrijfFout(f"{self.path}: deze map bevat al uitvoer van een eerdere run "
                                  f"({', '.join(shown)}{more}). Kies een andere map of geef "
                                  "--overschrijf mee om de uitvoer te vervangen.")

    def codebook_source(self, explicit: str | Path | None = None) -> str:
        """The codebook a step uses: ``explicit``, else the folder's codeboek.yaml, else impact."""
        if explicit:
            return str(explicit)
        return str(self.path / CODEBOOK) if self.exists(CODEBOOK) else "impact"

    def method(self) -> dict:
        """What ran, as recorded in methode.json ({} when absent or unreadable)."""
        p = self.path / METHOD
        if p.exists():
            try:
                return json.loads(p.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                return {}
        return {}

    def case_numbers(self, corpus_meta: Mapping) -> Path | None:
        """The case table: in the project folder, or in the corpus folder it was read from."""
        from .mixed import find_numbers

        for cand in (self.path, corpus_meta.get("bron")):
            if cand and Path(cand).is_dir():
                hit = find_numbers(Path(cand))
                if hit is not None:
                    return hit
        return None

    def is_human(self, target: str | Path) -> bool:
        target = Path(target)
        try:
            rel = target.resolve().relative_to(self.path.resolve())
        except ValueError:
            return False
        return rel.as_posix() in HUMAN_FILES or rel.parts[:1] == ("menselijk",)

    def write(self, files: Mapping[str, str | bytes], overwrite: bool = False,
              group=None) -> list[Path]:
        """Write ``{name: text|bytes}`` into the folder as one unit (all or nothing); with
        ``group`` (an open :class:`verhalen.opslag.AtomicFiles`) into that group instead."""
        targets = [self.path / n for n in files]
        for t in targets:
            if self.is_human(t):
                raise OverschrijfFout(f"{t}: hierin staat menselijk werk; een automatische stap "
                                      "schrijft dit bestand nooit.")
            if t.exists() and not overwrite:
                raise OverschrijfFout(f"{t}: bestaat al. Kies een andere naam of geef "
                                      "--overschrijf mee.")

        def put(g) -> None:
            for t, data in zip(targets, files.values()):
                if isinstance(data, bytes):
                    g.write_bytes(t, data)
                else:
                    g.write_text(t, data)

        if group is not None:
            put(group)
        else:
            self.path.mkdir(parents=True, exist_ok=True)
            with atomic_files() as g:
                put(g)
        return targets


def theme_texts(model, alignment, tab) -> dict[str, str]:
    """The texts of themas.jsonl (topic per unit), themas_tabel.csv and themas_codes.csv."""
    lines = [json.dumps({"id": r["id"], "segment_id": r["segment_id"], "doc_id": r["doc_id"],
                         "topic": int(r["topic"]), "label": r["label"],
                         "gelijkenis": round(float(r["gelijkenis"]), 4)}, ensure_ascii=False)
             + "\n" for r in model.assignments_.to_dict("records")]
    csv = tab.copy()
    csv["trefwoorden"] = csv["trefwoorden"].map("; ".join)
    csv["citaten"] = csv["citaten"].map(lambda qs: " | ".join(qs))
    csv["citaat_ids"] = csv["citaat_ids"].map("; ".join)
    return {THEMES: "".join(lines), THEME_TABLE: csv.to_csv(index=False),
            THEME_CODES: alignment.to_csv(index=False)}
