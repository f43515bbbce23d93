"""REFI-QDA exchange: ``.qdpx`` projects and ``.qdc`` codebooks (ATLAS.ti, MAXQDA, NVivo,
QualCoder and others read and write these). This module gathers the public names; the work is
done in :mod:`.refi_import`, :mod:`.refi_export`, :mod:`.posities` and :mod:`.refi_xml`.

A ``.qdpx`` is a zip with ``project.qde`` (XML in the namespace ``urn:QDA-XML:project:1.0``)
and a ``sources/`` folder with the documents' plain text. What :func:`export_qdpx` writes:

* ``Users``: the users of an imported project (all of them, also those who coded nothing),
  then one user per verhalen coder. Human codes (``source == "mens"``) get a human user (the
  coder's name, or "onderzoeker"); machine codes get a machine user whose name starts with
  ``verhalen (automatisch`` and whose ``id`` starts with ``verhalen:machine``, so another tool
  (and :func:`import_qdpx`) can tell machine codes from human ones.
* ``CodeBook``: verhalen's own top-level codes nested under the three tracks (sporen) as
  non-codable group codes; codes from another tool keep their own tree, GUID, ``isCodable``,
  colour and description as written. A verhalen code's ``Description`` holds the definition
  followed by machine-readable lines (``Sporen:``, ``Indicatoren:``, ``Voorbeelden:``,
  ``Tegenvoorbeelden:``, ``Code-id:``) so a re-import restores the codebook; a foreign code
  gets only the lines for what the researcher added.
* ``Variables`` / ``Cases``: those of an imported project; otherwise the document's case id
  (``casus``), date (``datum``) and scalar document metadata, one ``Case`` per case id.
* ``Sources``: one ``TextSource`` per document, ``plainTextPath="internal://<guid>.txt"``
  pointing at ``sources/<guid>.txt`` (UTF-8, exactly ``Document.text``). Positions are
  **UTF-16 code units** (:mod:`.refi_export` says why). The exact selections of an imported
  project come back with their GUIDs, codings and coders; segment codes no exact selection
  covers get one ``PlainTextSelection`` per segment with one ``Coding`` per code, its
  ``Description`` giving the segment id and per code its confidence ("zekerheid") and
  evidence.
* ``Notes`` (memos) with their ``NoteRef`` where they hung, and ``Sets`` (code sets from
  ``Codebook.sets``, document/note sets of an imported project).
* ``verhalen/segmenten.jsonl``, ``verhalen/documenten.jsonl`` and ``verhalen/codeboek.yaml``
  inside the zip: the exact segmentation, document metadata and codebook, so a verhalen →
  verhalen round trip is lossless. Other tools ignore these entries.

GUIDs are uuid5 values derived from the ids (or the original GUIDs), and zip entries carry a
fixed timestamp, so the same input always gives the same bytes.

:func:`import_qdpx` reads projects written by other tools: sources with ``internal://`` (or
``relative://``/plain) ``plainTextPath``, inline ``PlainTextContent``, PDF sources with a text
``Representation``; sources it cannot read (rich text only, pictures, audio, video) are
skipped with a Dutch warning. Documents keep the source's plain text (``\\r\\n`` normalised to
``\\n``); positions are read in the producer's unit (:mod:`.posities`); segments are the
paragraphs of that text, and each selection's codes go to every paragraph it overlaps, with
the selection's exact offsets kept in the long codes (columns ``doc_id``, ``start``, ``end``,
``selectie``) and everything else in ``corpus.meta["refi"]``. A project without text sources
gives an empty corpus and its codebook.
"""

from __future__ import annotations

from .refi_export import EXPORT_ORIGIN, codebook_xml, export_qdc, export_qdpx, project_xml
from .refi_import import REFI_KEYS, detect_kind, import_qdc, import_qdpx, segments_hit
from .refi_xml import (HUMAN_DEFAULT, MACHINE_USER, NS_CODEBOOK, NS_PROJECT, ORIGIN,
                       RefiWaarschuwing, _as_codebook, _as_long, code_description, guid_for,
                       schema_errors)

__all__ = [
    "NS_PROJECT", "NS_CODEBOOK", "MACHINE_USER", "RefiWaarschuwing", "export_qdpx",
    "import_qdpx", "export_qdc", "import_qdc", "project_xml", "codebook_xml", "guid_for",
    "schema_errors", "detect_kind", "EXPORT_ORIGIN", "REFI_KEYS", "segments_hit",
    "code_description", "HUMAN_DEFAULT", "ORIGIN", "_as_codebook", "_as_long",
]
