"""``Project``: the project folder as an object, the one pipeline under every front end.

The command line (``verhalen lees/codeer/themas/rapport/analyse/exporteer/importeer``), the
notebooks and the workbench all call these methods::

    from verhalen import Project

    p = Project.create("mijn_project")            # a new folder (refuses earlier output)
    corpus = p.read("corpora/demo")               # → segments.jsonl, documents.jsonl, …
    codes = p.code(codebook="impact")             # → codes.jsonl; a wide DataFrame
    themes = p.themes()                           # → themas.*; the topic table
    profile = p.tracks(by="doc_id")               # track shares per document (DataFrame)
    p.report()                                    # → rapport.html
    p.export("project.qdpx")                      # REFI-QDA for ATLAS.ti, MAXQDA, NVivo …

    p = Project.open("mijn_project")               # later: continue where you were
    p.decide("doc-0003", "accepteer", code="basishouding", coder="Sanne")   # the journal
    p.human_codes()                               # journal + imported human codes
    p.code()                                      # learns from them; they stay as they are

Every method reads and writes the folder through :class:`verhalen.projectmap.ProjectFolder`
(atomic, nothing earlier replaced without ``overwrite=True``, human work never), returns
DataFrames (or paths) for notebooks, and reports what it does to ``progress`` (see
:mod:`verhalen.voortgang`: tqdm on the command line, ``NotebookProgress`` in Jupyter, a
callback for the workbench). Human codes enter only here: the imported human-codes files
(:func:`verhalen.menselijk.load_human_codes`) and the journal of decisions
(:mod:`verhalen.journaal`).
"""

from __future__ import annotations

import json
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import pandas as pd

from . import projectmap as pm
from .fouten import LeesFout, OverschrijfFout, VerhalenFout
from .voortgang import Progress, as_progress

__all__ = ["Project", "NietsGelezen", "CODER_NAMES", "make_coder"]

CODER_NAMES = pm.CODER_NAMES


class NietsGelezen(VerhalenFout):
    """Not a single file could be read; ``errors`` lists why per file."""

    def __init__(self, message: str, errors: list[dict]):
        super().__init__(message)
        self.errors = errors


def make_coder(name: str, codebook, embedder=None, nlp=None):
    """A coder by its CLI name (``ensemble``, ``regels``, ``semantisch``, ``gesuperviseerd``)."""
    from .coderen import EnsembleCoder, RuleCoder, SemanticCoder, SupervisedCoder

    if name == "regels":
        return RuleCoder(codebook, nlp=nlp)
    if name == "semantisch":
        return SemanticCoder(codebook, embedder=embedder, nlp=nlp)
    if name == "gesuperviseerd":
        return SupervisedCoder(codebook, embedder=embedder, nlp=nlp)
    if name not in CODER_NAMES:
        raise VerhalenFout(f"onbekende coder '{name}'; kies uit {', '.join(CODER_NAMES)}.")
    return EnsembleCoder(codebook, embedder=embedder, nlp=nlp)


def _pseudonymiser(what: str):
    try:
        from .privacy import pseudonymise_corpus, pseudonymise_project, pseudonymise_table
    except ImportError as exc:
        raise VerhalenFout(f"{what} is niet beschikbaar: de module verhalen.privacy ontbreekt in "
                           f"deze installatie ({exc}).") from exc
    return pseudonymise_corpus, pseudonymise_project, pseudonymise_table


class Project:
    """A project folder (see the module docstring). ``progress``: a :mod:`verhalen.voortgang`
    object, ``True``/``None`` (console), ``False`` (silent) or a callable (events as dicts).
    ``nlp`` / ``embedder``: shared by the steps (loaded on first use when not given)."""

    def __init__(self, folder: str | Path, *, progress: Any = None, nlp=None, embedder=None,
                 embedder_name: str | None = None):
        self.files = pm.ProjectFolder(folder)
        self.progress: Progress = as_progress(progress)
        self._nlp = nlp
        self._embedder = embedder
        self._embedder_name = embedder_name
        self.coder_ = None          # the coder fitted by learn(), used by code()

    # ----------------------------------------------------------------------- create / open
    @classmethod
    def create(cls, folder: str | Path, *, overwrite: bool = False, **kwargs) -> "Project":
        """A new project in ``folder`` (created); a folder holding earlier output is refused
        unless ``overwrite`` (then a later step may replace it; human work never)."""
        files = pm.ProjectFolder(folder)
        files.refuse_taken(pm.ANALYSE_OUTPUTS + (pm.TABLES, pm.KEY), overwrite, limit=5)
        files.path.mkdir(parents=True, exist_ok=True)
        return cls(folder, **kwargs)

    @classmethod
    def open(cls, folder: str | Path, **kwargs) -> "Project":
        """An existing project folder (of ``create``, ``verhalen lees``/``analyse``/
        ``importeer``)."""
        path = Path(folder)
        if not path.is_dir():
            raise VerhalenFout(f"{path}: geen map; geef de projectmap van 'verhalen lees'.")
        return cls(path, **kwargs)

    @property
    def folder(self) -> Path:
        return self.files.path

    def __repr__(self) -> str:
        return f"Project({str(self.folder)!r})"

    # ----------------------------------------------------------------------- shared parts
    @property
    def nlp(self):
        """The spaCy pipeline the steps share: a ``verhalen.cache.LazyNLP`` (``load_nlp()`` on
        first use) unless one was given, so a re-run whose analysis is all in the caches does
        not load spaCy."""
        if self._nlp is None:
            from .cache import LazyNLP
            self._nlp = LazyNLP()
        return self._nlp

    @property
    def embedder(self):
        if self._embedder is None:
            from .embed import get_embedder
            self._embedder = get_embedder(self._embedder_name, progress=self.progress.bars)
        return self._embedder

    def codebook(self, codebook: Any = None):
        """The codebook: a Codebook, a name or path, else the folder's codeboek.yaml, else
        impact."""
        from .codeboek import Codebook, load_codebook

        if isinstance(codebook, Codebook):
            return codebook
        return load_codebook(self.files.codebook_source(codebook))

    def corpus(self):
        """The corpus of the folder (segments.jsonl, documents.jsonl, …)."""
        from .model import Corpus

        return Corpus.load(self.folder)

    def segments(self) -> pd.DataFrame:
        return self.corpus().segments_df()

    def _noted(self, fn, *args, **kwargs):
        """Call ``fn``; its UserWarnings become 'Let op' messages (each once)."""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = fn(*args, **kwargs)
        seen = set()
        for w in caught:
            if issubclass(w.category, UserWarning) and str(w.message) not in seen:
                seen.add(str(w.message))
                self.progress.warn(str(w.message))
        return result

    # ----------------------------------------------------------------------- read
    def _read_corpus(self, path, *, text_column=None, people=None, nlp=None, cache=None,
                     progress: bool | None = None):
        from .lezen import read_corpus

        kw = {} if progress is None else {"progress": progress}
        corpus = read_corpus(path, text_column=text_column, people=people, nlp=nlp,
                             cache=cache, **kw)
        if corpus.meta.get("gelezen", 0) == 0 or not corpus.documents:
            raise NietsGelezen(f"Geen enkel bestand kon worden gelezen uit {path}.",
                               corpus.meta.get("errors", []))
        return corpus

    def read(self, path: str | Path, *, text_column: str | None = None, people=None,
             nlp_model: str | None = None, pseudonymise: bool = False,
             overwrite: bool = False):
        """Read a file or folder of stories into the project (``verhalen lees``): writes
        segments.jsonl, documents.jsonl, corpus.json (and mensen.csv); returns the Corpus
        (``corpus.segments_df()`` for the table). Files that cannot be read are reported as
        errors and listed in ``corpus.meta["errors"]``; the rest is read. With ``pseudonymise``
        names are replaced before anything is written (key in pseudoniemen_sleutel.json)."""
        from .cache import LazyNLP

        out = self.files
        taken = out.taken(pm.READ_OUTPUTS + (pm.KEY,))
        if out.path.exists() and not overwrite and taken:
            raise OverschrijfFout(f"{out.path}: deze map bevat al uitvoer van een eerdere run "
                                  f"({', '.join(taken)}). Kies een andere map of geef "
                                  "--overschrijf mee om de uitvoer te vervangen.")
        if out.path.exists() and not out.path.is_dir():
            raise OverschrijfFout(f"{out.path}: bestaat al en is geen map.")
        # spaCy is loaded only when a file is not in the reading cache; when pseudonymising
        # the originals are not kept in that cache at all
        nlp = self._nlp if self._nlp is not None else LazyNLP(nlp_model)
        corpus = self._read_corpus(path, text_column=text_column, people=people, nlp=nlp,
                                   cache=False if pseudonymise else None)
        if pseudonymise:
            corpus = self.pseudonymise(corpus, nlp=nlp)
        corpus.save(out.path, overwrite=overwrite)
        self.read_nlp_ = nlp          # what read it (for a summary of the pipeline)
        self.report_errors(corpus.meta.get("errors", []))
        return corpus

    def report_errors(self, errors: list[dict]) -> None:
        if not errors:
            return
        self.progress.error(f"Niet gelezen ({len(errors)}):")
        for e in errors:
            self.progress.error(f"  - {e.get('message') or e.get('path')}")

    # ----------------------------------------------------------------------- pseudonymise
    @property
    def key_path(self) -> Path:
        return self.files / pm.KEY

    def pseudonymise(self, corpus=None, *, key: str | Path | None = None, nlp=None,
                     overwrite: bool = False):
        """Replace names, places, organisations, dates and numbers by pseudonyms. With a
        ``corpus`` (e.g. just read): returns the pseudonymised copy (nothing else written but
        the key). Without: the project's own corpus is pseudonymised and saved in its place,
        which needs ``overwrite=True``. The key (the only file with the real names) goes to
        ``key`` or pseudoniemen_sleutel.json; an existing key is extended."""
        pseudonymise_corpus, _, _ = _pseudonymiser("pseudonimiseren")
        key = Path(key) if key else self.key_path
        key.parent.mkdir(parents=True, exist_ok=True)
        if corpus is not None:
            return pseudonymise_corpus(corpus, key_path=key, nlp=nlp)
        later = self.files.taken((pm.CODES,) + pm.THEME_OUTPUTS + pm.HUMAN_FILES
                                 + (pm.REPORT, pm.QDPX))
        if later:       # their segment ids and quotes would no longer match the texts
            raise VerhalenFout(f"{self.folder}: bevat al {', '.join(later)}; pseudonimiseer bij "
                               "het inlezen (read(..., pseudonymise=True), 'verhalen lees "
                               "--pseudonimiseer') of exporteer gepseudonimiseerd "
                               "(export(..., pseudonymise=True)).")
        if not overwrite:
            raise OverschrijfFout(f"{self.folder}: pseudonimiseren vervangt segments.jsonl en "
                                  "documents.jsonl; geef overwrite=True (--overschrijf) mee.")
        new = pseudonymise_corpus(self.corpus(), key_path=key, nlp=nlp)
        new.save(self.folder, overwrite=True)
        return new

    # ----------------------------------------------------------------------- human codes
    def decide(self, segment_id: str, action: str, code: str | None = None,
               memo: str | None = None, coder: str = "") -> dict:
        """Record one decision of a researcher in the journal (menselijk/journaal.jsonl):
        ``action`` one of accepteer, verwerp, voeg_toe, verwijder, memo, klaar. Returns the
        stored record. Nothing else in the project changes."""
        from .journaal import Journal

        if code is not None:
            from .menselijk import validate_codes
            validate_codes([("beslissing", str(segment_id), [code])], self.codebook(),
                           str(self.files / pm.JOURNAL))
        return Journal.for_project(self.folder).append(coder=coder, segment_id=str(segment_id),
                                                       action=action, code=code, memo=memo)

    def human_codes(self, coder: str | None = None, *, codebook: Any = None,
                    segments: pd.DataFrame | None = None) -> pd.DataFrame:
        """The researcher's codes, wide shape (``id``, ``codes``, ``coder``, ``source="mens"``):
        the imported human-codes file (menselijke_codes.jsonl, from ``importeer``) with the
        journal's decisions on top (the journal wins for a segment it decided; with several
        coders, one row per coder and segment). ``coder`` selects one coder."""
        from .menselijk import load_human_codes

        from .menselijk import combine_human_codes

        cb = self.codebook(codebook)
        imported = journal = None
        hpath = self.files / pm.HUMAN
        if hpath.exists():
            segs = segments if segments is not None else (
                self.segments() if self.files.exists(pm.SEGMENTS) else None)
            imported = self._noted(load_human_codes, hpath, segs, cb)
        if (self.files / pm.JOURNAL).exists():
            journal = self._journal_decided()
        return combine_human_codes(imported, journal, coder=coder)

    def _journal_decided(self, coder: str | None = None) -> pd.DataFrame:
        """The journal's derived view, only the rows that decide codes."""
        from .journaal import Journal
        from .menselijk import deciding_rows

        return deciding_rows(Journal.for_project(self.folder).current(coder))

    def _human_for_coding(self, menselijk, segments, codebook):
        """The human codes a coding run uses: a file (``menselijk`` a path), the project's own
        (``True``: journal + imported file), or none (``None``/``False``). One row per segment
        (several coders: the union of their codes)."""
        from .menselijk import load_human_codes

        if menselijk is None or menselijk is False:
            return None, None
        if menselijk is True:
            hw = self.human_codes(codebook=codebook, segments=segments)
            if hw.empty:
                return None, None
            known = set(segments["id"].astype(str))
            hw = hw[hw["id"].isin(known)]
            hw = (hw.groupby("id", sort=False)["codes"]
                  .agg(lambda cs: list(dict.fromkeys(c for cc in cs for c in cc)))
                  .reset_index())
            return hw, f"de projectmap {self.folder}"
        human = self._noted(load_human_codes, menselijk, segments, codebook)
        return human, str(menselijk)

    # ----------------------------------------------------------------------- code / learn
    def _segments_of(self, segments) -> pd.DataFrame:
        from .model import load_segments

        if segments is None:
            return load_segments(self.folder)
        if isinstance(segments, pd.DataFrame):
            return segments
        return load_segments(segments)

    def learn(self, codebook: Any = None, *, coder: str | Any = "ensemble",
              leer_van: str | Path | None = None, menselijk: Any = True,
              segments: Any = None, _human=None, _keep: bool = True):
        """Fit a coder on the researcher's codes (``menselijk``: True = the project's journal
        and imported codes, or a file) and on ``leer_van`` (lines ``{"id","text","codes"}``).
        Returns the fitted coder (kept as ``coder_``; ``code()`` uses it). Without any human
        code the coder stays the codebook-only one (not fitted)."""
        from .codes import read_training_codes

        cb = self.codebook(codebook)
        segs = self._segments_of(segments)
        human = _human
        if _human is None:
            human, where = self._human_for_coding(menselijk, segs, cb)
            if human is not None:
                self.progress.info(f"Menselijke codes: {len(human)} segmenten uit {where} "
                                   "(blijven ongewijzigd in de uitvoer).")
        name = coder if isinstance(coder, str) else type(coder).__name__
        X_train, Y_train = [], []
        if leer_van:
            Xl, Yl = read_training_codes(leer_van, cb)
            X_train.append(Xl)
            Y_train.extend(Yl)
            self.progress.info(f"Leren van {len(Xl)} gecodeerde segmenten uit {leer_van}.")
        if human is not None and len(human):
            texts = segs.set_index("id")["text"]
            X_train.append(pd.DataFrame({"id": human["id"],
                                         "text": [texts[i] for i in human["id"]]}))
            Y_train.extend(list(c) for c in human["codes"])
        est = coder
        if isinstance(coder, str):
            embedder = None if coder == "regels" else self.embedder
            est = make_coder(coder, cb, embedder=embedder, nlp=self.nlp)
        if hasattr(est, "progress"):
            est.progress = self.progress.bars
        if X_train:
            Xt = pd.concat(X_train, ignore_index=True)
            est.fit(Xt, Y_train)
            self.progress.info(f"Coder '{name}' getraind op {len(Xt)} segmenten.")
        elif name == "gesuperviseerd":
            raise VerhalenFout("de coder 'gesuperviseerd' heeft menselijke codes nodig: geef "
                               "--leer-van of --menselijk mee, of kies --coder ensemble.")
        else:
            self.progress.info(f"Coder '{name}' zonder menselijke codes (alleen het codeboek).")
        if _keep:
            self.coder_ = est
        return est

    def _code(self, segs, cb, *, menselijk, leer_van, coder) -> pd.DataFrame:
        human, where = self._human_for_coding(menselijk, segs, cb)
        if human is not None:
            self.progress.info(f"Menselijke codes: {len(human)} segmenten uit {where} "
                               "(blijven ongewijzigd in de uitvoer).")
        est = self.coder_ if coder is None else None     # the coder learn() fitted, if any
        if est is None:
            est = self.learn(cb, coder=coder or "ensemble", leer_van=leer_van, segments=segs,
                             _human=human if human is not None else pd.DataFrame(),
                             _keep=False)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            wide = est.code(segs)
        for w in caught:
            if "segment" in str(w.message):
                self.progress.warn(str(w.message))
        wide["source"] = "machine"
        from .coderen.correctie import learning_report
        self.learning_ = learning_report(est)     # per code: learned correction or codebook
        if getattr(est, "adaptation_", None):     # human codes of this bundle adapted it
            self.learning_["aanpassing_aan_bundel"] = est.adaptation_
            self.progress.info(
                f"De coder past zich aan op deze bundel: {est.adaptation_['segmenten_met_menselijke_codes']} "
                "van zijn segmenten hebben menselijke codes.")
        if human is not None and len(human):
            from .menselijk import merge_codes
            wide = merge_codes(wide, human)
        return wide

    def code(self, codebook: Any = None, *, leer_van: str | Path | None = None,
             menselijk: Any = True, coder: str | Any | None = None, segments: Any = None,
             out: str | Path | None = None, overwrite: bool = False,
             save: bool = True) -> pd.DataFrame:
        """Code every segment (``verhalen codeer``): the coder (``coder``: a name, a fitted
        estimator, or None for the one ``learn()`` fitted, else the ensemble) learns from the
        researcher's codes (``menselijk``: True = the project's journal + imported codes, a
        path, or False) and ``leer_van``; those segments keep the human codes (source
        ``mens``). Writes codes.jsonl (or ``out``) unless ``save=False``; returns the wide
        codes (``verhalen.codes.wide_to_long`` for the long shape)."""
        target = Path(out) if out else self.files / pm.CODES
        if save:        # fail before the slow part
            self._refuse_codes_target(target, overwrite, menselijk, leer_van, codebook)
        cb = self.codebook(codebook)
        segs = self._segments_of(segments)
        where = segments if isinstance(segments, (str, Path)) else (
            "de tabel" if isinstance(segments, pd.DataFrame) else self.folder)
        self.progress.info(f"Codeboek '{cb.name}': {len(cb)} codes. Segmenten: {len(segs)} "
                           f"uit {where}.")
        wide = self._code(segs, cb, menselijk=menselijk, leer_van=leer_van, coder=coder)
        if save:
            self.save_codes(wide, out=target, overwrite=overwrite, menselijk=menselijk,
                            leer_van=leer_van, codebook=codebook)
        return wide

    def _refuse_codes_target(self, target: Path, overwrite: bool, menselijk, leer_van,
                             codebook) -> None:
        from .opslag import human_codes_kind, refuse_human_codes, refuse_overwrite

        refuse_overwrite(target, overwrite)
        if overwrite:       # human codes are never replaced by a machine run
            is_file = isinstance(menselijk, (str, Path))
            if is_file:
                kept = human_codes_kind(menselijk)[1]
            elif menselijk is True:
                kept = set(self.human_codes(codebook=codebook)["id"])
            else:
                kept = set()
            refuse_human_codes(target, sources=[menselijk if is_file else None, leer_van],
                               kept_ids=kept)
        if self.files.is_human(target):
            raise OverschrijfFout(f"{target}: hierin staat menselijk werk; een automatische "
                                  "stap schrijft dit bestand nooit.")

    def save_codes(self, wide: pd.DataFrame, *, out: str | Path | None = None,
                   overwrite: bool = False, menselijk: Any = True, leer_van=None,
                   codebook: Any = None) -> Path:
        """Write machine codes (wide shape, e.g. of ``code(save=False)``) to codes.jsonl (or
        ``out``), atomically; an existing file only with ``overwrite``, a file holding human
        codes never (unless this run carries them over)."""
        from .codes import write_codes_jsonl

        target = Path(out) if out else self.files / pm.CODES
        self._refuse_codes_target(target, overwrite, menselijk, leer_van, codebook)
        return write_codes_jsonl(wide, target, overwrite=overwrite)

    # ----------------------------------------------------------------------- codes of a project
    def codes(self, codebook: Any = None, *, codes: str | Path | None = None,
              menselijk: Any = True, segments: pd.DataFrame | None = None) -> pd.DataFrame:
        """All codes of the project, long shape: machine codes (codes.jsonl or ``codes``) and
        human codes (source ``mens``; ``menselijk``: True = the imported menselijke_codes.jsonl
        and the journal, a path, or False). ``codes`` may also be wide codes in memory (a
        DataFrame, e.g. of ``code(save=False)``)."""
        long, _ = self._codes_long(self.codebook(codebook), codes, menselijk, segments)
        return long

    def _codes_long(self, cb, codes, menselijk, segs):
        from .codes import empty_long, read_codes, wide_to_long
        from .menselijk import load_human_codes

        parts = []
        memory = isinstance(codes, pd.DataFrame)
        cpath = None if memory else (Path(codes) if codes else self.files / pm.CODES)
        if cpath is not None and codes and not cpath.exists():
            raise VerhalenFout(f"{cpath}: bestand met codes bestaat niet.")
        if memory or cpath.exists():
            wide = codes.copy() if memory else read_codes(cpath)
            if "source" not in wide.columns:
                wide["source"] = "machine"
            wide["source"] = wide["source"].where(wide["source"].isin(["mens", "machine"]),
                                                  "machine")
            if "coder" not in wide.columns:   # codes.jsonl does not say which coder ran
                wide["coder"] = ""
            parts.append(wide_to_long(wide))
        hpath = None
        if isinstance(menselijk, (str, Path)):
            hpath = Path(menselijk)
            if not hpath.exists():
                raise VerhalenFout(f"{hpath}: bestand met menselijke codes bestaat niet.")
        elif menselijk is True and (self.files / pm.HUMAN).exists():
            hpath = self.files / pm.HUMAN
        if hpath is not None:
            hw = load_human_codes(hpath, segments_df=segs, codebook=cb)
            if "coder" not in hw.columns:
                hw["coder"] = ""
            hl = wide_to_long(hw, source="mens")
            if "coders" in hw.columns and len(hl):   # {code: "Sanne"} as importeer writes
                who = {str(r["id"]): r["coders"] for r in hw.to_dict("records")
                       if isinstance(r.get("coders"), dict)}
                hl["coder"] = [who.get(sid, {}).get(code) or c for sid, code, c
                               in zip(hl["segment_id"], hl["code"], hl["coder"])]
            parts.append(hl)
        if menselijk is True and (self.files / pm.JOURNAL).exists():
            from .journaal import Journal

            decided = set(self._journal_decided()["id"].astype(str))
            if decided:     # the journal is the later word for the segments it decided
                if hpath is not None:
                    parts[-1] = parts[-1][~parts[-1]["segment_id"].isin(decided)]
                jl = Journal.for_project(self.folder).human_long()
                jl = jl[jl["segment_id"].astype(str).isin(decided)].copy()
                jl["evidence"] = [e if isinstance(e, list) else [] for e in jl["evidence"]]
                parts.append(jl[list(empty_long().columns)])
        if not parts:
            return empty_long(), None
        long = pd.concat(parts, ignore_index=True)
        long = long.drop_duplicates(subset=["segment_id", "code", "source"], keep="last")
        return long.reset_index(drop=True), (cpath if cpath is not None and cpath.exists()
                                             else hpath)

    # ----------------------------------------------------------------------- themes
    def themes(self, *, eenheid: str = "alinea", seed: int = 42, codes: str | Path | None = None,
               codebook: Any = None, auto_code: bool = True, interviewer_turns: bool = False,
               segments: Any = None, out: str | Path | None = None,
               overwrite: bool = False) -> pd.DataFrame:
        """Discover themes the codebook misses (``verhalen themas``, BERTopic): writes
        themas.jsonl, themas_tabel.csv and themas_codes.csv together (into ``out``, default
        the project folder) and returns the topic table (emergent topics marked). The topics
        are aligned with the codes (codes.jsonl or ``codes``; without one the segments are
        coded with the default coder unless ``auto_code=False``)."""
        from .themas import ThemaModel, align_topics, machine_codes, topic_table

        from .opslag import refuse_overwrite

        dest = pm.ProjectFolder(out) if out else self.files
        for name in pm.THEME_OUTPUTS:
            refuse_overwrite(dest / name, overwrite)
        src = Path(segments) if isinstance(segments, (str, Path)) else self.folder
        segs = self._segments_of(segments)
        codes_path = Path(codes) if codes else (src / pm.CODES if src.is_dir() else None)
        found = codes_path if codes_path is not None and codes_path.exists() else None
        if codes and found is None:
            raise VerhalenFout(f"{codes}: bestand met codes bestaat niet.")
        cb_src = codebook or (str(src / pm.CODEBOOK) if src.is_dir()
                              and (src / pm.CODEBOOK).exists() else "impact")
        cb = self.codebook(cb_src)
        note = str(found) if found else ""
        used = found
        if used is None and auto_code:
            used = machine_codes(segs, cb, self.embedder)
            note = "automatisch gecodeerd met de standaardcoder" if used is not None else ""
        model = ThemaModel(embedder=self.embedder, eenheid=eenheid, random_state=seed,
                           interviewer_turns=interviewer_turns).fit(segs)
        alignment = align_topics(model, cb, used, self.embedder)
        tab = topic_table(model, alignment)
        dest.write(pm.theme_texts(model, alignment, tab), overwrite=overwrite)
        self.theme_model_ = model
        self.progress.info(f"Thema's ontdekt in {src}: {model.summary()}")
        self.progress.info(f"Codes gebruikt voor de uitlijning: "
                           f"{note or 'geen (alleen gelijkenis)'}; codeboek: {cb.name}")
        self._topic_lines(tab)
        return tab

    def _topic_lines(self, tab: pd.DataFrame) -> None:
        """The topics, emergent ones with keywords and two quotes, as info lines."""
        say = self.progress.info
        for r in tab.to_dict("records"):
            mark = "  [EMERGENT]" if r.get("emergent") else ""
            say(f"  {r['label']} — {r['n']} eenheden{mark}")
        em = tab[tab["emergent"]]
        if em.empty:
            say("Geen emergente thema's: elk thema wordt door een code gedekt.")
        else:
            say(f"Emergente thema's (niet gedekt door het codeboek): {len(em)}")
            for r in em.to_dict("records"):
                say(f"  * {r['label']} (trefwoorden: {', '.join(r['trefwoorden'][:6])})")
                for q in r["citaten"][:2]:
                    q = " ".join(q.split())
                    say(f"      “{q[:160]}{'…' if len(q) > 160 else ''}”")
            say("Voeg er een toe aan je eigen codeboek met "
                "verhalen.themas.add_theme_to_codebook(...).")

    # ----------------------------------------------------------------------- tracks
    def tracks(self, by: str = "doc_id", *, codebook: Any = None, codes: Any = None,
               figure: bool = False):
        """Track shares (vakmanschap, betekenisgeving, doelmatigheid) per group (``by``:
        doc_id, case_id, roles, speakers, section, segment …) from the project's codes (machine
        and human); a DataFrame, or with ``figure=True`` the ternary track map (plotly)."""
        from .sporen.profiel import track_profile

        cb = self.codebook(codebook)
        segs = self.segments()
        long = self.codes(cb, codes=codes, segments=segs)
        if figure:
            from .sporen.figuren import track_map
            return track_map(segs, long, cb, by=by)
        return track_profile(segs, long, cb, by=by)

    def figures(self, *, codebook: Any = None, codes: Any = None) -> dict:
        """The report's figures as plotly Figures, keyed by ``verhalen.rapport.FIGURE_IDS``
        (track map, sunburst, heatmap, network, Sankey, quote matrix …), for a notebook."""
        from .rapport import report_figures

        cb = self.codebook(codebook)
        segs = self.segments()
        return report_figures(segs, self.codes(cb, codes=codes, segments=segs), cb)

    # ----------------------------------------------------------------------- report
    def report(self, out: str | Path | None = None, *, codes: str | Path | None = None,
               menselijk: Any = True, codebook: Any = None, themes: str | Path | None = None,
               numbers: str | Path | None = None, reference: str | Path | None = None,
               tables: str | Path | None = None, pseudonymise: bool = False,
               overwrite: bool = False) -> Path:
        """The offline HTML report (``verhalen rapport``): to ``out`` (default rapport.html in
        the folder); themes from themas_tabel.csv, the case numbers found next to the corpus,
        ``tables`` a folder for the CSV/Markdown tables. Returns the path written."""
        from .opslag import refuse_overwrite
        from .rapport import write_report
        from .sporen.tabellen import report_tables, write_tables

        out = Path(out) if out else self.files / pm.REPORT
        refuse_overwrite(out, overwrite)          # before the slow part
        key = out.with_name(f"{out.stem}_pseudoniemen_sleutel.json")
        cb = self.codebook(codebook)
        corpus = self.corpus()
        long, _ = self._codes_long(cb, codes, menselijk, corpus.segments_df())
        if long.empty:
            self.progress.info(f"Let op: geen codes gevonden in {self.folder}; draai eerst "
                               "'verhalen codeer'. Het rapport toont alleen het corpus.")
        theme_path = Path(themes) if themes else self.files / pm.THEME_TABLE
        if themes and not theme_path.exists():
            raise VerhalenFout(f"{theme_path}: themastabel bestaat niet.")
        num = Path(numbers) if numbers else self.files.case_numbers(corpus.meta)
        if numbers and not num.exists():
            raise VerhalenFout(f"{num}: bestand of map met cijfers bestaat niet.")
        themes_tab = theme_path if theme_path.exists() else None
        numbers_path = num
        if pseudonymise:
            _, pseudonymise_project, pseudonymise_table = _pseudonymiser("--pseudonimiseer")
            corpus, long = pseudonymise_project(corpus, long, key, nlp=None)
            if themes_tab is not None:      # made from the texts before pseudonymisation
                themes_tab = pseudonymise_table(pd.read_csv(themes_tab), key)
            if num is not None:
                from .mixed import read_numbers
                num = pseudonymise_table(read_numbers(num), key)
        method = self.files.method()
        if pseudonymise:
            method["pseudonimisering"] = f"ja; sleutel apart in {key.name}"
            if "bron" in method:          # the source path may name someone, too
                method["bron"] = corpus.meta.get("bron", "")
        path = self._noted(write_report, corpus, long, cb, out, overwrite=overwrite,
                           themes=themes_tab, numbers=num, method=method, reference=reference)
        n_seg = sum(len(d.segments) for d in corpus.documents)
        self.progress.info(
            f"Rapport: {len(corpus.documents)} documenten, {n_seg} segmenten, {len(long)} codes "
            f"(codeboek '{cb.name}'); thema's: {'ja' if theme_path.exists() else 'nee'}; "
            f"cijfers: {numbers_path if numbers_path else 'geen'}.")
        if tables:
            written = write_tables(report_tables(corpus.segments_df(), long, cb),
                                   Path(tables), overwrite=overwrite)
            self.progress.info(f"Tabellen: {len(written)} bestanden in {Path(tables)}")
        if pseudonymise:
            self.progress.info(f"  gepseudonimiseerd; sleutel: {key} (bewaar deze apart en deel "
                               "hem niet)")
        return Path(path)

    # ----------------------------------------------------------------------- export / import
    EXPORT_FORMATS = pm.EXPORT_FORMATS

    def export(self, out: str | Path, *, fmt: str | None = None, codes: str | Path | None = None,
               menselijk: Any = True, codebook: Any = None, pseudonymise: bool = False,
               overwrite: bool = False) -> list[Path]:
        """Export (``verhalen exporteer``): REFI-QDA project (.qdpx) or codebook (.qdc), or
        tables (.csv/.xlsx), by ``fmt`` or the extension of ``out``; with ``pseudonymise`` the
        texts carry pseudonyms (key next to ``out``). Returns the files written."""
        from .opslag import refuse_overwrite
        from .uitwisseling import export as tables
        from .uitwisseling.refi_qda import RefiWaarschuwing, export_qdc, export_qdpx

        out = Path(out)
        if fmt is None:
            ext = out.suffix.lower().lstrip(".")
            if ext not in self.EXPORT_FORMATS:
                raise VerhalenFout(f"{out}: kan het formaat niet afleiden uit de extensie "
                                   f"'.{ext}'; geef --formaat {'|'.join(self.EXPORT_FORMATS)}.")
            fmt = ext
        cb = self.codebook(codebook)
        if fmt == "qdc":
            refuse_overwrite(out, overwrite)
            if pseudonymise:
                self.progress.warn("een .qdc bevat alleen het codeboek; --pseudonimiseer heeft "
                                   "hier geen effect.")
            export_qdc(cb, out, overwrite=overwrite)
            self.progress.info(f"Codeboek '{cb.name}' ({len(cb)} codes) als REFI-QDA-codeboek.")
            return [out]
        if not self.folder.is_dir():
            raise VerhalenFout(f"{self.folder}: geen map; geef de projectmap van 'verhalen lees'.")
        targets = [out] + ([tables.quotes_path_for(out)] if fmt == "csv" else [])
        key = out.with_name(f"{out.stem}_pseudoniemen_sleutel.json")
        if pseudonymise:
            targets.append(key)
        for t in targets:
            refuse_overwrite(t, overwrite)
        corpus = self.corpus()
        long, codes_src = self._codes_long(cb, codes, menselijk, corpus.segments_df())
        if long.empty:
            self.progress.warn(f"geen codes gevonden in {self.folder} (codes.jsonl); ik "
                               "exporteer de teksten zonder codes.")
        if pseudonymise:
            _, pseudonymise_project, _ = _pseudonymiser("--pseudonimiseer")
            corpus, long = pseudonymise_project(corpus, long, key, nlp=None)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", RefiWaarschuwing)
            if fmt == "qdpx":
                written = [export_qdpx(corpus, long, cb, out, overwrite=overwrite)]
            else:
                written = tables.export_tables(corpus, long, cb, out, overwrite=overwrite,
                                               fmt=fmt)
        for w in caught:
            self.progress.warn(str(w.message))
        n_seg = sum(len(d.segments) for d in corpus.documents)
        n_coded = long["segment_id"].nunique() if not long.empty else 0
        n_h = int((long["source"] == "mens").sum()) if not long.empty else 0
        self.progress.info(
            f"Geëxporteerd ({fmt}): {len(corpus.documents)} document(en), {n_seg} segmenten, "
            f"{n_coded} gecodeerd; {len(long)} codes ({n_h} menselijk, {len(long) - n_h} "
            f"automatisch) met codeboek '{cb.name}'.")
        if codes_src:
            self.progress.info(f"  codes uit: {codes_src}")
        if pseudonymise:
            self.progress.info(f"  gepseudonimiseerd; sleutel: {key} (bewaar deze apart en deel "
                               "hem niet)")
        return [Path(p) for p in written]

    def import_(self, path: str | Path, *, target: str | Path | None = None,
                overwrite: bool = False) -> list[Path]:
        """Import (``verhalen importeer``) a REFI-QDA project (.qdpx: texts, codebook, human
        codes with coders, exact selections, a verhalen export's machine codes) into the
        folder, or a codebook (.qdc, or a project without texts: to codeboek.yaml, or
        ``target``). The file is recognised by its content, not its name. An earlier
        human-codes file is kept as ``menselijke_codes.vorigeN.jsonl`` before it is replaced.
        Returns the files written; what was kept is reported through the progress."""
        from .uitwisseling.importeren import import_to_folder

        result = import_to_folder(Path(path), Path(target) if target else self.folder,
                                  overwrite=overwrite)
        for w in result.warnings:
            self.progress.warn(w)
        for line in result.lines:
            self.progress.info(line)
        return list(result.written)

    def analyse(self, path: str | Path, *, codebook: Any = "impact",
                leer_van: str | Path | None = None, menselijk: Any = None,
                people=None, text_column: str | None = None, themes: bool = True,
                numbers: str | Path | None = None, pseudonymise: bool = False,
                overwrite: bool = False) -> dict[str, Any]:
        """read → (pseudonymise) → code → themes → tracks and report → REFI-QDA, everything
        computed first and written at the end as one unit (``verhalen analyse``): an
        interrupted run leaves the folder exactly as it was; human codes are read, never
        written. Returns ``{"corpus", "codes" (wide), "codes_long", "themes" (table or None),
        "method", "seconds"}``."""
        from .codeboek import codebook_to_yaml
        from .cache import pipeline_info_of
        from .codes import codes_jsonl_text, wide_to_long
        from .opslag import atomic_files
        from .rapport import build_report
        from .sporen.tabellen import report_tables, write_tables

        t_start = time.time()
        src, out = Path(path), self.files
        if not src.exists():
            raise VerhalenFout(f"{src}: bestaat niet.")
        out.refuse_taken(pm.ANALYSE_OUTPUTS + (pm.TABLES, pm.KEY), overwrite, limit=5)
        cb = self.codebook(codebook)     # a bad codebook fails before the slow part
        timings: dict[str, float] = {}
        step = self.progress.step
        say = self.progress.info

        warm_up = None
        if themes:      # a first run compiles UMAP in a second process meanwhile
            from .themas.laden import start_numba_warm_up
            warm_up = start_numba_warm_up()

        step(1, 6, f"Lezen: {src}")
        t = time.time()
        nlp = self.nlp
        corpus = self._read_corpus(src, text_column=text_column, people=people, nlp=nlp,
                                   cache=False if pseudonymise else None,
                                   progress=self.progress.bars)
        key = out / pm.KEY
        if pseudonymise:      # before anything else sees the texts
            out.path.mkdir(parents=True, exist_ok=True)
            corpus = self.pseudonymise(corpus, nlp=nlp)
            say(f"      gepseudonimiseerd; sleutel: {key}")
        segs = corpus.segments_df()
        say(f"      {len(corpus.documents)} documenten, {len(segs)} segmenten, "
            f"{int(segs['text'].str.split().str.len().sum())} woorden")
        timings["lezen"] = time.time() - t

        step(2, 6, f"Coderen met codeboek '{cb.name}' ({len(cb)} codes)")
        t = time.time()
        embedder = self.embedder
        wide = self._code(segs, cb, menselijk=menselijk, leer_van=leer_van, coder="ensemble")
        long = wide_to_long(wide)
        timings["coderen"] = time.time() - t

        themes_tab = theme_texts = None
        step(3, 6, "Thema's ontdekken (BERTopic)" if themes
             else "Thema's ontdekken: overgeslagen (--zonder-themas)")
        t = time.time()
        if themes:
            from .themas import ThemaFout, ThemaModel, align_topics, topic_table
            if warm_up is not None:
                say("      eerste run met deze versies: numba compileert UMAP eenmalig "
                    "(bewaard in de cache)")
                warm_up.wait()
            try:
                model = ThemaModel(embedder=embedder, nlp=nlp).fit(segs)
            except ThemaFout as exc:     # too little text: the rest of the analysis holds
                say(f"      Let op: geen thema-ontdekking: {exc}")
            else:
                alignment = align_topics(model, cb, wide, embedder)
                themes_tab = topic_table(model, alignment)
                theme_texts = pm.theme_texts(model, alignment, themes_tab)
                self.theme_model_ = model
                say(f"      {model.summary()}")
                self._topic_lines(themes_tab)
        timings["themas"] = time.time() - t

        step(4, 6, "Sporen en rapport")
        t = time.time()
        num = Path(numbers) if numbers else None
        if num is None and src.is_dir():
            from .mixed import find_numbers
            num = find_numbers(src)
        if num is not None and not num.exists():
            raise VerhalenFout(f"{num}: bestand of map met cijfers bestaat niet.")
        if pseudonymise and num is not None:    # names in the case table, too
            from .mixed import read_numbers
            _, _, pseudonymise_table = _pseudonymiser("--pseudonimiseer")
            num = pseudonymise_table(read_numbers(num), key, nlp=nlp)
        from .omgeving import lock_status, versions_line

        method = {"nlp": pipeline_info_of(nlp).describe(),
                  "embedder": getattr(embedder, "name", "?"),
                  "coder": "ensemble (regels + semantisch"
                           + (" + geleerde correctie op het codeboek, uit menselijke codes)"
                              if leer_van or menselijk else ", zonder menselijke codes)"),
                  "bron": str(corpus.meta.get("bron", src)) if pseudonymise else str(src),
                  "versies": versions_line(), "lock": lock_status()}
        if leer_van:
            method["getraind_op"] = str(leer_van)
        if (getattr(self, "learning_", None) or {}).get("geleerd"):
            method["leren"] = self.learning_
        if pseudonymise:
            method["pseudonimisering"] = f"ja; sleutel apart in {key.name}"
        report = self._noted(build_report, corpus, long, cb, themes=themes_tab, numbers=num,
                             method=method)
        tables = report_tables(segs, long, cb)
        timings["rapport"] = time.time() - t

        step(5, 6, "REFI-QDA-project (project.qdpx)")
        t = time.time()
        from .uitwisseling.refi_qda import export_qdpx
        with tempfile.TemporaryDirectory(prefix="verhalen-qdpx-") as tmp:
            qdpx = export_qdpx(corpus, long, cb, Path(tmp) / pm.QDPX)
            qdpx_bytes = Path(qdpx).read_bytes()
        timings["qdpx"] = time.time() - t

        step(6, 6, f"Wegschrijven naar {out.path}")
        method["tijden_s"] = {k: round(v, 1) for k, v in timings.items()}
        files: dict[str, str | bytes] = {pm.CODES: codes_jsonl_text(wide),
                                         pm.CODEBOOK: codebook_to_yaml(cb)}
        files.update(theme_texts or {})
        files.update({pm.REPORT: report, pm.QDPX: qdpx_bytes,
                      pm.METHOD: json.dumps(method, ensure_ascii=False, indent=2)})
        with atomic_files() as group:      # everything or nothing: Ctrl-C keeps the earlier MAP
            corpus.save(out.path, overwrite=overwrite, group=group)
            out.write(files, overwrite=True, group=group)
            write_tables(tables, out / pm.TABLES, overwrite=True, group=group)
        self.report_errors(corpus.meta.get("errors", []))
        return {"corpus": corpus, "codes": wide, "codes_long": long, "themes": themes_tab,
                "method": method, "seconds": time.time() - t_start, "timings": timings}
