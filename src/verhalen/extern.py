"""Imports of third-party packages that misbehave on import.

``deduce`` calls ``logging.basicConfig(level=DEBUG)`` when imported, which floods every
later log line (charset_normalizer, numba, …) onto stdout. Import it through
:func:`import_deduce`, which puts the root logger back as it was.
"""

from __future__ import annotations

import importlib
import logging
from types import ModuleType


def import_deduce() -> ModuleType:
    """``import deduce`` without changing the root logger's level or handlers."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    try:
        return importlib.import_module("deduce")
    finally:
        for h in list(root.handlers):
            if h not in handlers:
                root.removeHandler(h)
        root.setLevel(level)
