"""In-memory model of a codebook. Loading and validating YAML lives in ``coderen.codeboek``."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .tracks import TRACKS


@dataclass
class Code:
    """One code (theme) of a codebook."""

    id: str
    label: str
    definition: str
    tracks: dict[str, float]            # track -> weight, weights sum to 1; {} = "zonder spoor"
    indicators: list[str] = field(default_factory=list)   # lemma patterns / multi-word phrases
    examples: list[str] = field(default_factory=list)     # positive example sentences
    negative_examples: list[str] = field(default_factory=list)
    parent: str | None = None
    colour: str | None = None
    emergent: bool = False             # added from an inductive (BERTopic) theme
    codable: bool = True               # False: a category that groups codes (REFI isCodable)
    guid: str | None = None            # the REFI-QDA GUID of a code from another tool


@dataclass
class Codebook:
    """An ordered set of codes; ``name`` is e.g. ``impact`` or the file it came from."""

    name: str
    codes: list[Code]
    version: str = "1"
    description: str = ""
    source: str | None = None
    #: code sets/groups: [{"naam", "codes": [code ids], "beschrijving"?, "guid"?}]
    sets: list[dict] = field(default_factory=list)

    @property
    def ids(self) -> list[str]:
        return [c.id for c in self.codes]

    def __len__(self) -> int:
        return len(self.codes)

    def __contains__(self, code_id: str) -> bool:
        return any(c.id == code_id for c in self.codes)

    def get(self, code_id: str) -> Code:
        for c in self.codes:
            if c.id == code_id:
                return c
        raise KeyError(code_id)

    def track_weights(self) -> pd.DataFrame:
        """code × track weight matrix (rows in codebook order, columns in ``TRACKS`` order)."""
        return pd.DataFrame(
            [[c.tracks.get(t, 0.0) for t in TRACKS] for c in self.codes],
            index=self.ids, columns=list(TRACKS), dtype=float)

    def colours(self) -> dict[str, str]:
        return {c.id: c.colour or "#888888" for c in self.codes}

    def labels(self) -> dict[str, str]:
        return {c.id: c.label for c in self.codes}

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{
            "code": c.id, "label": c.label, "definitie": c.definition,
            **{t: c.tracks.get(t, 0.0) for t in TRACKS}, "kleur": c.colour, "ouder": c.parent,
            "indicatoren": "; ".join(c.indicators), "emergent": c.emergent,
            "codeerbaar": c.codable,
        } for c in self.codes])

    def without_track(self) -> list[str]:
        """Ids of the codable codes that have no track yet ("zonder spoor")."""
        return [c.id for c in self.codes if c.codable and not any(
            w > 0 for w in (c.tracks or {}).values())]
