"""Dutch NLP: one loader that prefers the trained spaCy pipelines and falls back to a blank
Dutch pipeline with a sentencizer and the lookup lemmatizer from ``spacy-lookups-data``.

The fallback is what runs on machines without internet (``nl_core_news_lg`` is not on PyPI);
every caller can ask ``pipeline_info(nlp)`` which one ran, and ``verhalen info`` prints it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Iterable

#: Trained pipelines in order of preference.
PREFERRED_MODELS = ("nl_core_news_lg", "nl_core_news_md", "nl_core_news_sm")
FALLBACK_NAME = "blank:nl+sentencizer+lookup-lemmatizer"


@dataclass(frozen=True)
class PipelineInfo:
    name: str          # e.g. "nl_core_news_lg" or FALLBACK_NAME
    version: str
    trained: bool      # True when a trained pipeline (with parser/NER) runs
    has_ner: bool
    lemmatizer: str    # "rule" / "lookup" / "none"

    def describe(self) -> str:
        kind = "getraind model" if self.trained else "terugvaloptie (geen nl_core_news_lg gevonden)"
        return f"{self.name} {self.version} — {kind}; lemmatizer: {self.lemmatizer}"


@functools.lru_cache(maxsize=4)
def load_nlp(model: str | None = None):
    """Load a Dutch spaCy pipeline.

    ``model=None`` tries ``PREFERRED_MODELS`` then the fallback; ``model="blank"`` forces the
    fallback; any other name or path is loaded as given (and its failure is an error).
    Cached per process: loading ``nl_core_news_lg`` takes seconds.
    """
    import spacy

    if model and model != "blank":
        try:
            return _tune(spacy.load(model))
        except OSError as exc:
            from .fouten import VerhalenFout
            raise VerhalenFout(f"spaCy-model '{model}' kon niet geladen worden: {exc}") from exc
    if model is None:
        for name in PREFERRED_MODELS:
            try:
                return _tune(spacy.load(name, exclude=["textcat"]))
            except OSError:
                continue
    return _blank_pipeline()


def _tune(nlp):
    nlp.max_length = max(nlp.max_length, 5_000_000)
    return nlp


def _blank_pipeline():
    import spacy

    nlp = spacy.blank("nl")
    nlp.add_pipe("sentencizer")
    lemmatizer = "none"
    try:
        nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        nlp.initialize()  # loads the lookup table from spacy-lookups-data
        lemmatizer = "lookup"
    except Exception:  # noqa: BLE001 - lookups missing: lemmas fall back to lower-case forms
        if "lemmatizer" in nlp.pipe_names:
            nlp.remove_pipe("lemmatizer")
    nlp.meta["name"] = FALLBACK_NAME
    nlp.meta["verhalen_lemmatizer"] = lemmatizer
    return _tune(nlp)


def pipeline_info(nlp) -> PipelineInfo:
    import spacy

    name = nlp.meta.get("name", "?")
    if name == FALLBACK_NAME:
        return PipelineInfo(FALLBACK_NAME, spacy.__version__, False, False,
                            nlp.meta.get("verhalen_lemmatizer", "none"))
    full = f"{nlp.meta.get('lang', 'nl')}_{name}"
    lem = "none"
    if "lemmatizer" in nlp.pipe_names:
        lem = nlp.get_pipe("lemmatizer").mode
    return PipelineInfo(full, nlp.meta.get("version", "?"), True, "ner" in nlp.pipe_names, lem)


@functools.lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """Dutch stop words (spaCy's list) plus interview filler words."""
    return frozenset(_spacy_dutch_stop_words() | {"gewoon", "eigenlijk", "natuurlijk", "echt",
                                                  "heel", "zeggen", "zegt", "vertelt", "ja",
                                                  "nou", "hè", "even"})


def _spacy_dutch_stop_words() -> frozenset[str]:
    """spaCy's Dutch list (``spacy.lang.nl.stop_words.STOP_WORDS``). While spaCy is not
    imported, that data file (it holds the list and nothing else) is run on its own: importing
    it through ``spacy`` imports the whole package, with thinc and torch (~1.5 s), which a
    re-run with warm caches otherwise never needs."""
    import sys

    if "spacy" not in sys.modules:
        import importlib.util
        from pathlib import Path

        spec = importlib.util.find_spec("spacy")
        for folder in (spec.submodule_search_locations or []) if spec else []:
            path = Path(folder) / "lang" / "nl" / "stop_words.py"
            if path.is_file():
                names: dict = {}
                exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), names)  # noqa: S102
                found = names.get("STOP_WORDS")
                if isinstance(found, (set, frozenset)) and found:
                    return frozenset(found)
    from spacy.lang.nl.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


_WORD = re.compile(r"\w", re.UNICODE)


def lemma_of(token) -> str:
    """Lower-case lemma, falling back to the lower-cased form when no lemma is known."""
    lem = token.lemma_ or token.text
    return lem.lower()


def lemmatize(texts: Iterable[str], nlp=None, drop_stop: bool = False, batch_size: int = 64,
              n_process: int = 1) -> list[list[str]]:
    """Lemmas per text (word tokens only), optionally without Dutch stop words."""
    nlp = nlp or load_nlp()
    stops = stop_words() if drop_stop else frozenset()
    out = []
    for doc in nlp.pipe(texts, batch_size=batch_size, n_process=n_process):
        out.append([lemma_of(t) for t in doc
                    if _WORD.search(t.text) and not (drop_stop and t.lower_ in stops)])
    return out
