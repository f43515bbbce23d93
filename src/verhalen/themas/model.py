"""BERTopic configured for small Dutch corpora: the topic model as a pluggable part.

``ThemaModel`` wraps BERTopic with the project's offline embedder (precomputed embeddings are
passed in), lemmatised Dutch uni- and bigrams without stop words in the vectorizer, UMAP and
HDBSCAN settings scaled to the number of units, a fixed ``random_state`` (same input → same
topics), outlier reduction and labels from keywords plus representative quotes. Units are
paragraphs (segments) or sentences (``eenheid="zin"``). Every part (embedder, NLP pipeline,
UMAP, clusterer, vectorizer) can be replaced through ``__init__``.
"""

from __future__ import annotations

import math
import re
import warnings
from typing import Any

import numpy as np
import pandas as pd

from ..fouten import VerhalenFout

#: Fewest units the model accepts; below this clustering gives nonsense.
MIN_UNITS = 30
OUTLIER = -1


class ThemaFout(VerhalenFout):
    """Theme discovery cannot run on this input (too few units, empty texts)."""


def units_from_segments(segments: pd.DataFrame, eenheid: str = "alinea",
                        interviewer_turns: bool = False) -> pd.DataFrame:
    """The units to model: one per segment (``alinea``) or one per sentence (``zin``).

    Columns: ``id`` (segment id, or ``<segment id>-z<nn>`` for sentences), ``segment_id``,
    ``doc_id``, ``text`` and, when present, ``section`` and ``case_id``. The interviewer's
    turns in transcripts (segment ``meta["beurt"] == "interviewer"``) are left out unless
    ``interviewer_turns``: questions would otherwise cluster into "themes" of their own.
    """
    if eenheid not in ("alinea", "zin"):
        raise ThemaFout(f"Onbekende eenheid '{eenheid}': kies 'alinea' of 'zin'.")
    if isinstance(segments, (list, tuple)):
        segments = pd.DataFrame({"id": [f"tekst-{i + 1:04d}" for i in range(len(segments))],
                                 "text": list(segments)})
    if "text" not in segments or "id" not in segments:
        raise ThemaFout("De segmenten hebben de kolommen 'id' en 'text' nodig.")
    rows = []
    for rec in segments.to_dict("records"):
        meta = rec.get("meta")
        if not interviewer_turns and isinstance(meta, dict) and meta.get("beurt") == "interviewer":
            continue
        base = {"segment_id": str(rec["id"]), "doc_id": str(rec.get("doc_id") or rec["id"]),
                "section": rec.get("section"), "case_id": rec.get("case_id")}
        text = str(rec.get("text") or "")
        if eenheid == "alinea":
            rows.append({"id": str(rec["id"]), **base, "text": text})
            continue
        start0 = int(rec.get("start") or 0)
        sents = rec.get("sentences")
        spans = []
        if isinstance(sents, (list, tuple)) and len(sents):
            spans = [(int(a) - start0, int(b) - start0) for a, b in sents]
        if not spans or any(a < 0 or b > len(text) for a, b in spans):
            spans = [m.span() for m in re.finditer(r"[^.!?]+[.!?]*", text)]
        n = 0
        for a, b in spans:
            sent = text[a:b].strip()
            if len(sent.split()) < 3:
                continue
            n += 1
            rows.append({"id": f"{rec['id']}-z{n:02d}", **base, "text": sent})
    return pd.DataFrame(rows, columns=["id", "segment_id", "doc_id", "section", "case_id", "text"])


def lemma_documents(texts: list[str], nlp=None, cache: Any = None) -> list[str]:
    """Each text as lower-case lemmas without Dutch stop words, numbers or very short tokens:
    what the CountVectorizer (uni- and bigrams) sees.

    ``nlp``: the spaCy pipeline (default ``load_nlp()``, loaded only when a text has to be
    analysed). ``cache``: where the spaCy analysis of each text is kept between runs, as in
    ``coderen.basis.prepare`` — ``None`` for ``verhalen.cache.NLPCache()`` in the cache root,
    an ``NLPCache``, or ``False`` to always run spaCy. The lemmas are the same either way: the
    cache holds every token with a letter or digit (its lemma, lower form and offset), and a
    token without one is never kept here."""
    from ..cache import LazyNLP, cached_analyses
    from ..nlp import stop_words

    texts = list(texts)
    nlp = nlp if nlp is not None else LazyNLP()
    stops = stop_words()

    def keep(token: str, lem: str, low: str) -> bool:
        # spaCy's is_alpha is str.isalpha of the token text, lower_ its str.lower()
        return (token.isalpha() and len(token) >= 3 and low not in stops and lem not in stops
                and len(lem) >= 3)

    def from_spacy(batch: list[str]) -> list[str]:
        out = []
        for doc in nlp.pipe(batch, batch_size=64):
            lems = [((t.lemma_ or t.text).lower(), t) for t in doc]
            out.append(" ".join(lem for lem, t in lems if keep(t.text, lem, t.lower_)))
        return out

    if cache is False:
        return from_spacy(texts)
    analyses = cached_analyses(texts, nlp, cache)
    out: list[str | None] = []
    redo = []
    for n, (text, (_, lems, lows, idxs)) in enumerate(zip(texts, analyses)):
        toks = []
        for lem, low, i in zip(lems, lows, idxs):
            token = text[i : i + len(low)]
            if token.lower() != low:      # lower-casing changed the length: ask spaCy itself
                redo.append(n)
                break
            if keep(token, lem, low):
                toks.append(lem)
        else:
            out.append(" ".join(toks))
            continue
        out.append(None)
    if redo:
        for n, doc in zip(redo, from_spacy([texts[n] for n in redo])):
            out[n] = doc
    return out  # type: ignore[return-value]


def scaled_settings(n: int) -> dict[str, int]:
    """UMAP/HDBSCAN settings for ``n`` units (small corpora need small neighbourhoods)."""
    n_neighbors = int(min(15, max(5, round(n / 8))))
    min_cluster_size = int(min(25, max(4, round(n / 25))))
    min_samples = int(max(2, min_cluster_size // 2))
    n_components = int(min(5, max(2, n // 10)))
    # "leaf" at every size: "eom" picks a parent cluster or its children by comparing their
    # stabilities, and on small corpora those are close, so the seed (or the last digits of the
    # embeddings) flips whether two themes merge — on our 48-unit test corpus a theme merged
    # with another for half of ten seeds under "eom" and for none under "leaf". "leaf" can split
    # a theme in two; that is visible and stable, a silent merge is neither.
    selection = "leaf"
    return {"n_neighbors": n_neighbors, "min_cluster_size": min_cluster_size,
            "min_samples": min_samples, "n_components": n_components, "selection": selection}


class ThemaModel:
    """Inductive themes with BERTopic on Dutch paragraphs or sentences.

    Parameters mirror the pluggable parts: ``embedder`` (default ``get_embedder()``), ``nlp``
    (default ``load_nlp()``), ``umap_model``, ``cluster_model``, ``vectorizer_model`` (defaults
    scaled to the corpus), ``random_state`` (fixed seed), ``reduce_outliers`` (assign outlier
    units to the nearest topic by embedding), ``n_keywords`` and ``n_quotes`` for the labels,
    ``interviewer_turns`` (also model the interviewer's questions in transcripts; default no),
    ``nlp_cache`` (the spaCy analysis per text between runs, see :func:`lemma_documents`;
    ``False`` turns it off).

    After ``fit``: ``assignments_`` (one row per unit: id, segment_id, doc_id, text, topic,
    label), ``topics_`` (one row per topic: topic, label, n, keywords, quotes),
    ``embeddings_``, ``centroids_`` (topic → unit vector), ``bertopic_`` (the BERTopic object).
    """

    def __init__(self, embedder=None, nlp=None, eenheid: str = "alinea", random_state: int = 42,
                 min_units: int = MIN_UNITS, umap_model=None, cluster_model=None,
                 vectorizer_model=None, reduce_outliers: bool = True, n_keywords: int = 10,
                 n_quotes: int = 3, min_cluster_size: int | None = None,
                 n_neighbors: int | None = None, interviewer_turns: bool = False,
                 nlp_cache: Any = None):
        self.embedder = embedder
        self.nlp = nlp
        self.eenheid = eenheid
        self.random_state = random_state
        self.min_units = min_units
        self.umap_model = umap_model
        self.cluster_model = cluster_model
        self.vectorizer_model = vectorizer_model
        self.reduce_outliers = reduce_outliers
        self.n_keywords = n_keywords
        self.n_quotes = n_quotes
        self.min_cluster_size = min_cluster_size
        self.n_neighbors = n_neighbors
        self.interviewer_turns = interviewer_turns
        self.nlp_cache = nlp_cache

    # -- parts ------------------------------------------------------------------------------
    def _parts(self, n: int):
        from hdbscan import HDBSCAN
        from sklearn.feature_extraction.text import CountVectorizer

        from .laden import make_umap

        s = scaled_settings(n)
        if self.min_cluster_size:
            s["min_cluster_size"] = int(self.min_cluster_size)
            s["min_samples"] = max(2, s["min_cluster_size"] // 2)
        if self.n_neighbors:
            s["n_neighbors"] = int(self.n_neighbors)
        self.settings_ = s
        umap_model = self.umap_model or make_umap(s["n_neighbors"], s["n_components"],
                                                  self.random_state)
        cluster_model = self.cluster_model or HDBSCAN(
            min_cluster_size=s["min_cluster_size"], min_samples=s["min_samples"],
            metric="euclidean", cluster_selection_method=s["selection"], prediction_data=True)
        vectorizer = self.vectorizer_model or CountVectorizer(
            ngram_range=(1, 2), token_pattern=r"(?u)\b[^\W\d_]{3,}\b", min_df=1)
        return umap_model, cluster_model, vectorizer

    # -- fitting ----------------------------------------------------------------------------
    def fit(self, segments, embeddings: np.ndarray | None = None) -> "ThemaModel":
        """Fit on a segments DataFrame (``id``, ``text``, optional ``doc_id``, ``section``,
        ``sentences``) or a list of texts. ``embeddings`` (one row per unit) skips encoding."""
        from .laden import import_bertopic

        BERTopic = import_bertopic()
        units = units_from_segments(segments, self.eenheid, self.interviewer_turns)
        units = units[units["text"].str.strip().astype(bool)].reset_index(drop=True)
        n = len(units)
        if n < self.min_units:
            soort = "alinea's" if self.eenheid == "alinea" else "zinnen"
            raise ThemaFout(
                f"Te weinig tekst voor thema-ontdekking: {n} {soort}, minstens {self.min_units} "
                "nodig. Met zo weinig eenheden vindt een topicmodel geen betrouwbare thema's; "
                "voeg verhalen toe of kies --eenheid zin.")
        if embeddings is None:
            from ..embed import get_embedder
            emb = self.embedder or get_embedder()
            embeddings = emb.encode(units["text"].tolist())
        embeddings = np.asarray(embeddings, dtype=np.float32)
        if len(embeddings) != n:
            raise ThemaFout(f"Aantal embeddings ({len(embeddings)}) past niet bij het aantal "
                            f"eenheden ({n}).")
        docs = lemma_documents(units["text"].tolist(), self.nlp, cache=self.nlp_cache)
        docs = [d if d else "leeg" for d in docs]
        umap_model, cluster_model, vectorizer = self._parts(n)
        from bertopic.vectorizers import ClassTfidfTransformer

        model = BERTopic(embedding_model=None, umap_model=umap_model, hdbscan_model=cluster_model,
                         vectorizer_model=vectorizer,
                         ctfidf_model=ClassTfidfTransformer(reduce_frequent_words=True),
                         top_n_words=self.n_keywords, calculate_probabilities=False,
                         verbose=False)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            topics, _ = model.fit_transform(docs, embeddings=embeddings)
            topics = list(topics)
            self.n_outliers_before_ = int(sum(t == OUTLIER for t in topics))
            self.clusterer_ = "hdbscan"
            if len(set(topics) - {OUTLIER}) < 2:
                topics = self._kmeans_fallback(model, embeddings)
                self.clusterer_ = "kmeans (HDBSCAN vond minder dan 2 clusters)"
                model.update_topics(docs, topics=topics, vectorizer_model=vectorizer,
                                    ctfidf_model=ClassTfidfTransformer(reduce_frequent_words=True),
                                    top_n_words=self.n_keywords)
            elif self.reduce_outliers and OUTLIER in topics:
                topics = list(model.reduce_outliers(docs, topics, strategy="embeddings",
                                                    embeddings=embeddings))
                model.update_topics(docs, topics=topics, vectorizer_model=vectorizer,
                                    ctfidf_model=ClassTfidfTransformer(reduce_frequent_words=True),
                                    top_n_words=self.n_keywords)
        self.bertopic_ = model
        self.embeddings_ = embeddings
        self.units_ = units
        self._describe(units, np.asarray(topics), embeddings)
        return self

    def _kmeans_fallback(self, model, embeddings: np.ndarray) -> list[int]:
        from sklearn.cluster import KMeans
        from sklearn.metrics import silhouette_score

        reduced = model.umap_model.embedding_ if hasattr(model.umap_model, "embedding_") \
            else embeddings
        best, best_k = None, 2
        for k in range(2, max(3, min(10, len(embeddings) // 8) + 1)):
            lab = KMeans(n_clusters=k, n_init=10, random_state=self.random_state).fit_predict(reduced)
            s = silhouette_score(reduced, lab)
            if best is None or s > best:
                best, best_k = s, k
        lab = KMeans(n_clusters=best_k, n_init=10, random_state=self.random_state).fit_predict(reduced)
        # order topics by size (largest = 0) like BERTopic does
        sizes = pd.Series(lab).value_counts()
        order = {old: new for new, old in enumerate(sorted(sizes.index, key=lambda t: (-sizes[t], t)))}
        return [order[t] for t in lab]

    def _describe(self, units: pd.DataFrame, topics: np.ndarray, emb: np.ndarray) -> None:
        model = self.bertopic_
        rows, centroids, labels = [], {}, {}
        for t in sorted(set(topics.tolist())):
            idx = np.where(topics == t)[0]
            c = emb[idx].mean(axis=0)
            c = c / (np.linalg.norm(c) or 1.0)
            centroids[int(t)] = c
            words = [w for w, _ in (model.get_topic(int(t)) or []) if w][: self.n_keywords]
            if t == OUTLIER:
                label = "Overig (geen thema)"
            else:
                label = " · ".join(_dedupe_keywords(words)[:3]) or f"thema {t}"
                label = f"{t}: {label}"
            labels[int(t)] = label
            sims = emb[idx] @ c
            best = idx[np.argsort(-sims, kind="stable")][: self.n_quotes]
            rows.append({"topic": int(t), "label": label, "n": int(len(idx)),
                         "aandeel": round(len(idx) / len(topics), 4),
                         "trefwoorden": words,
                         "citaten": [units.at[i, "text"] for i in best],
                         "citaat_ids": [units.at[i, "id"] for i in best],
                         "documenten": int(units.loc[idx, "doc_id"].nunique())})
        self.topics_ = pd.DataFrame(rows)
        self.centroids_ = centroids
        a = units.copy()
        a["topic"] = topics.astype(int)
        a["label"] = a["topic"].map(labels)
        a["gelijkenis"] = [float(emb[i] @ centroids[int(t)]) for i, t in enumerate(topics)]
        self.assignments_ = a

    # -- convenience --------------------------------------------------------------------------
    def topic_labels(self) -> dict[int, str]:
        return dict(zip(self.topics_["topic"], self.topics_["label"]))

    def summary(self) -> str:
        """A short Dutch description of what was fitted."""
        s = self.settings_
        n_top = int((self.topics_["topic"] != OUTLIER).sum())
        return (f"{len(self.units_)} eenheden ({self.eenheid}), {n_top} thema's; UMAP "
                f"n_neighbors={s['n_neighbors']}, n_components={s['n_components']}, HDBSCAN "
                f"min_cluster_size={s['min_cluster_size']} ({s['selection']}), clustering: {self.clusterer_}, "
                f"uitschieters vóór reductie: {self.n_outliers_before_}, "
                f"random_state={self.random_state}.")


def _dedupe_keywords(words: list[str]) -> list[str]:
    """Drop unigrams already contained in a higher-ranked bigram (and vice versa) for labels."""
    out: list[str] = []
    for w in words:
        parts = set(w.split())
        if any(parts & set(o.split()) for o in out):
            continue
        out.append(w)
    return out


def fit_topics(segments, eenheid: str = "alinea", embedder=None, nlp=None,
               random_state: int = 42, **kwargs: Any) -> ThemaModel:
    """Shortcut: ``ThemaModel(...).fit(segments)``."""
    return ThemaModel(embedder=embedder, nlp=nlp, eenheid=eenheid, random_state=random_state,
                      **kwargs).fit(segments)
