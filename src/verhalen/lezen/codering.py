"""Decoding bytes of text files: UTF-8 (with or without BOM), UTF-16 with BOM, cp1252/latin-1.

Never silently mangles: bytes that decode to nothing sensible (binary data, an undetermined
encoding) and text whose letters were lost in an earlier failed decode (many U+FFFD inside
words, see ``vervangingstekens.check_mangled``) raise ``LeesFout`` with a Dutch message. Lone
replacement glyphs of PDF exports are not a reason to refuse a file.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from ..fouten import LeesFout
from .vervangingstekens import check_mangled

#: Share of control characters (other than tab/newline/CR/FF) above which text counts as binary.
MAX_CONTROL_SHARE = 0.01


def decode_bytes(data: bytes, path: str | Path = "<tekst>") -> tuple[str, str]:
    """Decode ``data``; returns ``(text, encoding)``. Raises ``LeesFout`` for binary data or an
    encoding that cannot be determined."""
    if not data or not data.strip():
        raise LeesFout(path, "het bestand is leeg.")
    if data.startswith(codecs.BOM_UTF8):
        return _checked(_strict(data[3:], "utf-8", path), path), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _checked(_strict(data, "utf-16", path), path), "utf-16"
    if b"\x00" in data[:4096]:
        raise LeesFout(path, "dit lijkt een binair bestand, geen tekst (het bevat nul-bytes). "
                       "Controleer of het bestand de juiste extensie heeft.")
    try:
        return _checked(data.decode("utf-8"), path), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    # Not UTF-8: ask charset-normalizer, but only accept single-byte Western encodings we can
    # verify (cp1252 / latin-1); anything else is reported, not guessed.
    guess = None
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        guess = best.encoding if best is not None else None
    except Exception:  # noqa: BLE001 - detector is an aid, not a requirement
        guess = None
    candidates = ["cp1252", "latin-1"]
    if guess and guess.replace("_", "-").lower() in {"cp1252", "windows-1252", "latin-1",
                                                    "iso-8859-1", "iso8859-1", "iso-8859-15"}:
        candidates.insert(0, guess)
    for enc in candidates:
        try:
            text = data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        if _looks_like_text(text):
            return _checked(text, path), enc
    line = data[: utf8_error.start].count(b"\n") + 1
    raise LeesFout(path, "de tekencodering kan niet worden vastgesteld (geen UTF-8, geen "
                   "cp1252/latin-1). Sla het bestand op als UTF-8 en probeer opnieuw.",
                   plaats=f"regel {line}")


def _strict(data: bytes, enc: str, path) -> str:
    try:
        return data.decode(enc)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise LeesFout(path, f"ongeldige {enc}-tekst ondanks de BOM-markering.",
                       plaats=f"regel {line}") from exc


#: control characters (Unicode category Cc: U+0000–U+001F, U+007F–U+009F) except tab,
#: newline, carriage return and form feed; a regex instead of unicodedata per character
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


def _looks_like_text(text: str) -> bool:
    if not text:
        return False
    bad = len(_CONTROL.findall(text))
    return bad / len(text) <= MAX_CONTROL_SHARE


def _checked(text: str, path) -> str:
    """Reject text that is binary or carries replacement characters from a failed decode."""
    if not text.strip():
        raise LeesFout(path, "het bestand bevat geen tekst (alleen witruimte).")
    if not _looks_like_text(text):
        raise LeesFout(path, "dit lijkt een binair bestand, geen tekst (veel stuurtekens). "
                       "Controleer of het bestand de juiste extensie heeft.")
    # Glyphs standing alone (icon fonts, bullets of a PDF export) are dropped later by the
    # reader; only a text with many letters lost inside words is refused here.
    check_mangled(text, path)
    return text


def read_text_file(path: str | Path) -> tuple[str, str]:
    """Read and decode a text file; returns ``(text, encoding)``."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LeesFout(path, f"het bestand kan niet worden geopend ({exc.strerror}).") from exc
    return decode_bytes(data, path)
