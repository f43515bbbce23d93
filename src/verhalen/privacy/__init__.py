"""Pseudonymisation of Dutch stories: detection (:mod:`.detectie`), consistent pseudonyms with a
separate key (:mod:`.pseudoniemen`) and measurement on a labelled set (:mod:`.evaluatie`)."""

from .detectie import CATEGORIES, Detector, Entity, load_deduce
from .pseudoniemen import (Pseudonimiser, pseudonymise_corpus, pseudonymise_project,
                           pseudonymise_table, rewrite)

__all__ = ["CATEGORIES", "Detector", "Entity", "Pseudonimiser", "load_deduce",
           "pseudonymise_corpus", "pseudonymise_project", "pseudonymise_table", "rewrite"]
