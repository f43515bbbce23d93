"""From cleaned blocks (headings and paragraphs) to a Document with segments, sentences,
sections and speakers. Offsets always index ``Document.text``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from ..model import Document, Segment, Sentence
from .pdf_opschonen import Block
from .sprekers import (GENERIC_LABELS, PeopleIndex, attribute_quotes, interview_parties,
                       is_transcript, people_from_list, people_from_text, resolve_label,
                       turn_label)

#: Paragraphs longer than this (characters) are split at sentence boundaries.
MAX_SEGMENT_CHARS = 2500
PEOPLE_LIST_HEADING = re.compile(r"wie spraken we|geïnterviewden|gesprekspartners|"
                                 r"met dank aan|deelnemers aan|sprekers", re.I)
#: "Key: value" lines of a document's front matter ("Casus: JW-ZUID", "Datum: 12 september
#: 2024"). They describe the document rather than tell its story, so they stay in the text
#: (offsets) and in Document.meta["kopregels"] but never become a segment to code.
FRONT_KEY = re.compile(r"^[*_]?\s*(casus|datum|onderwerp|locatie|plaats|afgenomen(?: op)?|"
                       r"interviewdatum|gespreksdatum|duur|bron)\s*:\s*\S", re.I)
#: A byline under the title ("Interview met dr. A. Vermeer, lector …", "Ervaringsverhaal van
#: Noor (19), opgetekend in …").
BYLINE = re.compile(r"^[*_]?\s*(?:(?:dubbel)?interview|gesprek|in gesprek|ervaringsverhaal|"
                    r"reportage|verslag)\s+(?:met|van|voor|door|bij)\b.{0,250}$", re.I | re.S)
#: A link caption in a "Meer informatie" box ("• Publicatie: Oogst proeftuinen …", "• Leestip:
#: …"): it points to other material rather than tells the story, so like front matter it stays
#: in the text but is not a segment (kept in Document.meta["verwijzingen"]).
LINK_CAPTION = re.compile(r"^\s*(?:[•▪◦●\-–*]\s*)?(?:publicatie|artikel|leestip|lees ook|zie ook|"
                          r"infographic|video|podcast|website|rapport|boek|handreiking|"
                          r"factsheet|download|webinar|lezing|oratie)\s*:\s*\S.{0,140}$",
                          re.I | re.S)
#: An italic standfirst/byline right under the title ("*Reportage voor ..., 6 maart 2025.*").
ITALIC_LINE = re.compile(r"^([*_])(?![*_\s]).{0,300}(?<![*_\s])\1$", re.S)


def text_blocks(text: str) -> list[Block]:
    """Plain text / Markdown → blocks: paragraphs at blank lines, Markdown headings, and one
    block per speaker turn when the lines of a paragraph open with speaker labels."""
    blocks: list[Block] = []
    paras = re.split(r"\n[ \t]*\n+", text.replace("\r\n", "\n").replace("\r", "\n"))
    for para in paras:
        lines = [ln.strip() for ln in para.split("\n") if ln.strip()]
        if not lines:
            continue
        k = _front_matter_lines(lines) if not blocks else 0
        if k:
            # "Title\nCasus: …\nDatum: …" at the top of a plain-text file; what follows
            # (e.g. "Interviewer: Naam, organisatie") is read as usual
            if not FRONT_KEY.match(lines[0]):
                blocks.append(Block("heading", lines[0], level=1))
            blocks.extend(Block("meta", ln) for ln in lines[1:k])
            lines = lines[k:]
            if not lines:
                continue
        # Markdown headings (and underlined headings) on their own line
        cur: list[str] = []
        turn_lines = sum(1 for ln in lines if turn_label(ln))

        def flush():
            if cur:
                joined = _join(cur)
                if joined:      # "**\n**": markup only, no text
                    blocks.append(Block("paragraph", joined))
                cur.clear()

        for i, ln in enumerate(lines):
            hm = re.match(r"^(#{1,6})\s+(.+?)\s*#*$", ln)
            if hm:
                flush()
                blocks.append(Block("heading", hm.group(2).strip(" *_"),
                                    level=min(3, len(hm.group(1)))))
                continue
            if re.fullmatch(r"[=\-]{3,}", ln) and cur and len(cur) == 1:
                title = cur.pop()
                blocks.append(Block("heading", title, level=1 if ln[0] == "=" else 2))
                continue
            if turn_lines >= 2 and turn_label(ln) and cur:
                flush()
            if re.match(r"^\s*(?:[-*+•]|\d{1,2}[.)])\s+", ln) and cur and len(lines) > 1 \
                    and turn_lines < 2:
                flush()
            cur.append(ln)
        flush()
    return blocks


def _front_matter_lines(lines: list[str]) -> int:
    """How many lines of a file's first paragraph are front matter: a short title line
    followed by "Key: value" or byline lines (0 when it is not that shape)."""
    if len(lines) < 2 or len(lines[0]) > 200 or re.search(r"[.?!:]$", lines[0]) or \
            (turn_label(lines[0]) and not FRONT_KEY.match(lines[0])):
        return 0
    k = 1
    while k < len(lines) and (FRONT_KEY.match(lines[k]) or BYLINE.match(lines[k])):
        k += 1
    return k if k > 1 else 0


def mark_front_matter(blocks: list[Block]) -> list[Block]:
    """Mark the "Casus: …/Datum: …" lines and an italic byline before the first real
    paragraph as kind ``"meta"`` (any reader's blocks)."""
    out = list(blocks)
    seen_paragraph = False
    for i, b in enumerate(out[:8]):
        if b.kind == "heading" or b.kind == "meta":
            continue
        after_heading = i > 0 and out[i - 1].kind in ("heading", "meta")
        byline = BYLINE.match(b.text.strip()) or ITALIC_LINE.match(b.text.strip())
        if FRONT_KEY.match(b.text) and len(b.text) <= 400 or \
                (not seen_paragraph and after_heading and byline):
            out[i] = Block("meta", b.text, level=b.level, page=b.page)
            continue
        seen_paragraph = True
        break
    return out


def mark_link_captions(blocks: list[Block]) -> list[Block]:
    """Mark short link captions ("• Publicatie: …") as kind ``"verwijzing"``."""
    return [Block("verwijzing", b.text, level=b.level, page=b.page)
            if b.kind == "paragraph" and LINK_CAPTION.match(b.text) else b for b in blocks]


def _join(lines: list[str]) -> str:
    out = " ".join(lines).replace("\t", " ")   # "3.<TAB>item", "•<TAB>item": one space
    out = re.sub(r"\*\*(.+?)\*\*|__(.+?)__", lambda m: m.group(1) or m.group(2), out)
    return re.sub(r"[ \t]{2,}", " ", out).strip()


@dataclass
class BuildResult:
    document: Document
    people: PeopleIndex
    n_words: int = 0


def build_document(doc_id: str, blocks: list[Block], *, source: str = "", title: str = "",
                   people: PeopleIndex | None = None, nlp=None, links: Iterable[str] = (),
                   caption_names: Iterable[str] = (), meta: dict[str, Any] | None = None,
                   bron: str | None = None) -> BuildResult:
    """Assemble Document.text from blocks, cut segments (paragraphs / turns), sentences,
    sections and speakers. ``people`` (shared by the corpus) is extended in place."""
    people = people if people is not None else PeopleIndex()
    bron = bron or doc_id
    blocks = mark_link_captions(mark_front_matter([b for b in blocks if b.text.strip()]))
    parts: list[str] = []
    spans: list[tuple[Block, int, int]] = []
    pos = 0
    for b in blocks:
        if parts:
            parts.append("\n\n")
            pos += 2
        parts.append(b.text)
        spans.append((b, pos, pos + len(b.text)))
        pos += len(b.text)
    text = "".join(parts)
    doc = Document(id=doc_id, text=text, source=source, title=title, links=list(links),
                   meta=dict(meta or {}))
    if not title:
        first_heading = next((b.text for b in blocks if b.kind == "heading"), "")
        doc.title = first_heading[:200]

    # people named in this document
    list_texts: list[str] = []
    in_list = False
    for b in blocks:
        if b.kind == "heading" or (len(b.text) <= 40 and PEOPLE_LIST_HEADING.search(b.text)):
            in_list = bool(PEOPLE_LIST_HEADING.search(b.text))
        elif in_list:
            list_texts.append(b.text)
    if list_texts:
        people_from_list(list_texts, people, bron)
    people_from_text(text, people, bron, extra_names=caption_names)

    paragraphs = [b.text for b in blocks if b.kind == "paragraph"]
    transcript = is_transcript(paragraphs, people)
    doc.meta.setdefault("soort_tekst", "transcript" if transcript else "tekst")

    # the byline ("Interview met …") names the respondent even though it is not a segment
    opening = [b.text for b in blocks if b.kind in ("meta", "paragraph")]
    parties = interview_parties(doc.title, opening, people) if transcript else {}
    segments: list[Segment] = []
    chapter = title2 = sub = None
    speaker: str | None = None
    asking = False     # the current turn is the interviewer's
    last_quoted: str | None = None
    section_people: list[str] = []
    front = [b.text for b in blocks if b.kind == "meta"]
    if front:
        doc.meta.setdefault("kopregels", front)
    captions = [b.text for b in blocks if b.kind == "verwijzing"]
    if captions:
        doc.meta.setdefault("verwijzingen", captions)
    for b, start, end in spans:
        if b.kind in ("meta", "verwijzing"):
            continue
        if b.kind == "heading":
            if b.level <= 1:
                chapter, title2, sub = b.text, None, None
            elif b.level == 2:
                title2, sub = b.text, None
            else:
                sub = b.text
            if b.level <= 2:
                last_quoted = None
            continue
        seg_start = start
        seg_speakers: list[str] = []
        if transcript:
            lab = turn_label(b.text)
            if lab and parties.get("onderzoeker") and lab[0].lower() in GENERIC_LABELS \
                    and b.text[lab[2]:].strip().startswith(parties["onderzoeker"]) \
                    and len(b.text) < 140:
                # the header line "Interviewer: Naam, organisatie" describes the interview
                speaker = None
                front.append(b.text)
                doc.meta["kopregels"] = front
                continue
            elif lab:
                speaker = resolve_label(lab[0], lab[1], people, bron, parties)
                seg_start = start + lab[2]
                # the interviewer's turns (questions) are marked: theme discovery skips them
                asking = GENERIC_LABELS.get(lab[0].lower().rstrip("."), ("", ""))[1] == "onderzoeker" \
                    or (speaker is not None and speaker == parties.get("onderzoeker"))
            if speaker:
                seg_speakers = [speaker]
        else:
            attr = attribute_quotes(b.text, people, last_quoted, section_people)
            seg_speakers = attr.speakers
            last_quoted = attr.last
        for name in seg_speakers:
            if name not in section_people:
                section_people.append(name)
        section = sub or title2 or chapter
        seg_meta: dict[str, Any] = {}
        if chapter and chapter != section:
            seg_meta["hoofdstuk"] = chapter
        if title2 and title2 != section:
            seg_meta["titel"] = title2
        if b.page:
            seg_meta["pagina"] = b.page
        if transcript and asking:
            seg_meta["beurt"] = "interviewer"
        for a, z in _split_long(text, seg_start, end):
            idx = len(segments)
            segments.append(Segment(
                id=f"{doc_id}-{idx:04d}", doc_id=doc_id, index=idx, text=text[a:z], start=a,
                end=z, section=section, speakers=list(seg_speakers),
                roles=[people.role(s) for s in seg_speakers], meta=dict(seg_meta)))
    doc.segments = segments
    add_sentences(doc, nlp)
    doc.check_offsets()
    return BuildResult(doc, people, len(text.split()))


def _split_long(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Trim whitespace; split very long paragraphs at sentence ends near the middle."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end <= start:
        return []
    if end - start <= MAX_SEGMENT_CHARS:
        return [(start, end)]
    out = []
    a = start
    while end - a > MAX_SEGMENT_CHARS:
        window = text[a: a + MAX_SEGMENT_CHARS]
        cut = max(window.rfind(". "), window.rfind("? "), window.rfind("! "))
        if cut < MAX_SEGMENT_CHARS // 3:
            cut = window.rfind(" ")
        if cut <= 0:
            cut = MAX_SEGMENT_CHARS - 1
        out.append((a, a + cut + 1))
        a = a + cut + 1
        while a < end and text[a].isspace():
            a += 1
    out.append((a, end))
    return [(x, y) for x, y in out if y > x]


def add_sentences(doc: Document, nlp=None) -> None:
    """Sentence offsets for every segment, from the NLP pipeline (sentencizer or parser)."""
    if not doc.segments:
        return
    if nlp is None:
        from ..nlp import load_nlp

        nlp = load_nlp()
    texts = [s.text for s in doc.segments]
    disable = [p for p in nlp.pipe_names if p not in ("sentencizer", "senter", "parser",
                                                     "tok2vec", "transformer")]
    for seg, sdoc in zip(doc.segments, nlp.pipe(texts, batch_size=64, disable=disable)):
        sents = []
        for s in sdoc.sents:
            a, z = s.start_char, s.end_char
            while a < z and seg.text[a].isspace():
                a += 1
            while z > a and seg.text[z - 1].isspace():
                z -= 1
            if z > a:
                sents.append(Sentence(seg.start + a, seg.start + z))
        seg.sentences = sents or [Sentence(seg.start, seg.end)]
