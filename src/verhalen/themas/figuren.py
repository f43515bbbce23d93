"""Figures for inductive themes (plotly, Dutch labels): topic map, topics × tracks heatmap,
topics per document or section. Each returns a ``plotly.graph_objects.Figure``."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..tracks import TRACK_LABELS, TRACKS
from .model import OUTLIER, ThemaModel


def topic_map(model: ThemaModel, emergent: set[int] | None = None, random_state: int = 42):
    """2-D map of the units (UMAP on the embeddings, fixed seed), coloured by topic; emergent
    topics drawn as diamonds; hover shows the topic and the start of the text."""
    import plotly.graph_objects as go
    from umap import UMAP

    emergent = emergent or set()
    n = len(model.embeddings_)
    xy = UMAP(n_neighbors=min(15, max(2, n // 4)), n_components=2, min_dist=0.1,
              metric="cosine", random_state=random_state, n_jobs=1).fit_transform(model.embeddings_)
    a = model.assignments_
    fig = go.Figure()
    for t, label in model.topic_labels().items():
        idx = np.where(a["topic"].values == t)[0]
        name = label + ("  (emergent)" if t in emergent else "")
        fig.add_trace(go.Scatter(
            x=xy[idx, 0], y=xy[idx, 1], mode="markers", name=name,
            marker=dict(size=9, symbol="diamond" if t in emergent else "circle",
                        color="#bbbbbb" if t == OUTLIER else None, line=dict(width=0.5)),
            text=[f"{label}<br>{a.at[i, 'id']}: {a.at[i, 'text'][:120]}…" for i in idx],
            hovertemplate="%{text}<extra></extra>"))
    fig.update_layout(title="Themakaart: ontdekte thema's (elk punt is een "
                      + ("alinea" if model.eenheid == "alinea" else "zin") + ")",
                      xaxis=dict(title="", showticklabels=False),
                      yaxis=dict(title="", showticklabels=False), legend_title="Thema")
    return fig


def topics_tracks_heatmap(tracks: pd.DataFrame, labels: dict[int, str] | None = None):
    """Heatmap topics × tracks (rows of ``uitlijning.topic_tracks``)."""
    import plotly.graph_objects as go

    labels = labels or {}
    y = [labels.get(t, f"thema {t}") for t in tracks.index]
    z = tracks[list(TRACKS)].values
    fig = go.Figure(go.Heatmap(
        z=z, x=[TRACK_LABELS[t] for t in TRACKS], y=y, colorscale="Blues", zmin=0, zmax=1,
        text=np.vectorize(lambda v: f"{100 * v:.0f}%")(z), texttemplate="%{text}",
        colorbar=dict(title="aandeel")))
    fig.update_layout(title="Ontdekte thema's per spoor", xaxis_title="Spoor",
                      yaxis_title="Thema", yaxis=dict(autorange="reversed"))
    return fig


def topics_per_document(model: ThemaModel, by: str = "doc_id"):
    """Stacked bars: number of units per topic in each document (``by="doc_id"``) or section
    (``by="section"``)."""
    import plotly.graph_objects as go

    a = model.assignments_.copy()
    a[by] = a[by].fillna("(geen)").astype(str)
    tab = pd.crosstab(a[by], a["label"])
    fig = go.Figure([go.Bar(name=col, x=tab.index, y=tab[col]) for col in tab.columns])
    what = "document" if by == "doc_id" else ("sectie" if by == "section" else by)
    fig.update_layout(barmode="stack", title=f"Ontdekte thema's per {what}",
                      xaxis_title=what.capitalize(), yaxis_title="Aantal eenheden",
                      legend_title="Thema")
    return fig
