"""Inductive themes: BERTopic on Dutch segments, aligned with the codebook (emergent themes)."""

from .model import MIN_UNITS, ThemaFout, ThemaModel, fit_topics, units_from_segments
from .uitlijning import (add_theme_to_codebook, align_topics, code_prototypes, emergent_themes,
                         machine_codes,
                         theme_to_code, topic_table, topic_tracks)

__all__ = ["ThemaModel", "ThemaFout", "MIN_UNITS", "fit_topics", "units_from_segments",
           "align_topics", "topic_table", "emergent_themes", "theme_to_code",
           "add_theme_to_codebook", "code_prototypes", "topic_tracks", "machine_codes"]
