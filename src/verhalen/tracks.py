"""The three tracks (sporen) of impact, with their fixed colours for every figure."""

from __future__ import annotations

#: Order matters: it is the order of the ternary plot's axes and of every table.
TRACKS: tuple[str, str, str] = ("vakmanschap", "betekenisgeving", "doelmatigheid")

TRACK_LABELS = {
    "vakmanschap": "Vakmanschap",
    "betekenisgeving": "Betekenisgeving",
    "doelmatigheid": "Doelmatigheid",
}

#: One fixed colour per track (colour-blind safe Okabe–Ito hues).
TRACK_COLOURS = {
    "vakmanschap": "#0072B2",
    "betekenisgeving": "#E69F00",
    "doelmatigheid": "#009E73",
}
