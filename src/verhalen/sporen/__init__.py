"""Track mapping (sporen van impact) and the theme maps built on it.

* ``profiel``: ``segment_tracks``, ``track_profile``, ``code_counts``, ``cooccurrence``,
  ``compare_groups``, ``without_track`` (pure functions on ``segments_df`` + long codes + codebook → DataFrames);
* ``citaten``: ``best_quotes``;
* ``bevindingen``: the facts the report's summary states (``corpus_tracks``,
  ``leading_themes``, ``track_quotes``, ``role_differences``, ``speakers_per_role``);
* ``figuren``: ``track_map``, ``track_sunburst``, ``code_heatmap``, ``cooccurrence_network``,
  ``role_sankey``, ``quote_matrix`` (plotly figures; imported on first use).
"""

from __future__ import annotations

from .citaten import best_quotes
from .profiel import (code_counts, compare_groups, cooccurrence, segment_tracks,
                      track_profile, without_track)

_FIGURES = ("track_map", "track_sunburst", "code_heatmap", "cooccurrence_network",
            "role_sankey", "quote_matrix", "empty_figure")

__all__ = ["segment_tracks", "track_profile", "code_counts", "cooccurrence", "compare_groups",
           "without_track",
           "best_quotes", *_FIGURES]


def __getattr__(name):
    if name in _FIGURES:
        from . import figuren
        return getattr(figuren, name)
    raise AttributeError(f"module 'verhalen.sporen' has no attribute {name!r}")
