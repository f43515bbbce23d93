"""The workbench: read, review and code a project in the browser or in JupyterLab.

``verhalen bekijk MAP`` (:mod:`verhalen.werkbank.server`) serves the web app
(:mod:`verhalen.werkbank.app`); :class:`verhalen.werkbank.widget.Werkbankwidget` shows the same
reader in a notebook. Both write every decision to the project's journal
(:mod:`verhalen.journaal`).
"""

from __future__ import annotations

from .project import DEFAULT_CODER, Werkbank, WerkbankFout

__all__ = ["Werkbank", "WerkbankFout", "DEFAULT_CODER"]
