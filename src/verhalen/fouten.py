"""The project's own errors: every message is Dutch and names the file (and place) at fault."""

from __future__ import annotations


class VerhalenFout(Exception):
    """Base class for every error verhalen raises on purpose (bad input, refused overwrite)."""


class LeesFout(VerhalenFout):
    """A source file cannot be read (empty, corrupt, wrong type, unreadable encoding)."""

    def __init__(self, path, reden: str, plaats: str | None = None):
        self.path = str(path)
        self.reden = reden
        self.plaats = plaats
        waar = f" ({plaats})" if plaats else ""
        super().__init__(f"{self.path}{waar}: {reden}")


class CodeboekFout(VerhalenFout):
    """A codebook file is malformed; names file, line and field."""


class OverschrijfFout(VerhalenFout):
    """Refused to overwrite a user's earlier output or human codes."""
