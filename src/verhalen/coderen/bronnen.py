"""Sources (bronnen) of coded segments and folds grouped by source.

Segments of one source (a chapter, an interview, a web page) share topic, people and wording.
A model checked on folds that put paragraphs of one source on both sides learns that source,
not the codes; so every inner evaluation of the coders is grouped by source.

``infer_groups`` finds the source of each segment: an explicit column (``group``, ``bron``,
``source``, ``doc_id``), else the id without its trailing number (``A-001`` → ``A``,
``bundel-wijkaanpak-0003`` → ``bundel-wijkaanpak``), else consecutive blocks in file order
(files list segments in reading order, so neighbours mostly share a source).
"""

from __future__ import annotations

import re
from typing import Any, Sequence

import numpy as np
import pandas as pd

__all__ = ["infer_groups", "group_folds", "GROUP_COLUMNS"]

#: columns of a segments DataFrame that name the source of a segment (first found wins)
GROUP_COLUMNS = ("group", "bron", "source", "doc_id")
_TAIL = re.compile(r"[-_. :/]*\d+$")


def infer_groups(X: Any, ids: Sequence[str] | None = None, n_blocks: int = 5) -> tuple[np.ndarray, str]:
    """(source label per segment, how it was found: ``kolom <naam>``, ``id-voorvoegsel`` or
    ``blokken``)."""
    if isinstance(X, pd.DataFrame):
        for col in GROUP_COLUMNS:
            if col in X.columns and X[col].notna().all():
                return X[col].astype(str).to_numpy(), f"kolom {col}"
        if ids is None and "id" in X.columns:
            ids = X["id"].astype(str).tolist()
    n = len(X) if ids is None else len(ids)
    if ids is not None and n:
        pre = [_TAIL.sub("", str(i)) or str(i) for i in ids]
        k = len(set(pre))
        if 2 <= k <= max(2, n // 3):        # a prefix per segment says nothing
            return np.array(pre), "id-voorvoegsel"
    k = max(1, min(n_blocks, n // 10))
    return (np.arange(n) * k // max(n, 1)).astype(str), "blokken"


def group_folds(groups: Sequence[Any], k: int = 5, random_state: int = 0) -> np.ndarray:
    """Fold number per segment with every source inside one fold. One source: ``k`` random
    folds (then there is nothing to group by). More sources than ``k``: sources are merged
    into ``k`` folds of about equal size (largest first onto the smallest fold)."""
    g = np.asarray([str(x) for x in groups])
    n = len(g)
    uniq, inv, counts = np.unique(g, return_inverse=True, return_counts=True)
    rng = np.random.default_rng(random_state)
    if len(uniq) < 2:
        kk = max(2, min(k, n))
        folds = np.arange(n) % kk
        rng.shuffle(folds)
        return folds
    if len(uniq) <= k:
        return inv.astype(int)
    sizes = np.zeros(k)
    of = np.zeros(len(uniq), dtype=int)
    for u in np.argsort(-counts, kind="stable"):
        f = int(np.argmin(sizes))
        of[u] = f
        sizes[f] += counts[u]
    return of[inv]
