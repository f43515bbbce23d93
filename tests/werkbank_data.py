"""A small project folder for the workbench tests and benchmark (texts written for these tests).

``make_project(folder, n_docs, per_doc)`` writes segments.jsonl, documents.jsonl and codes.jsonl
(machine proposals with scores and evidence, codebook ``impact``). Segment 1 of document 0
holds a malicious text (``<script>`` and an ``<img onerror>``) that must show as text.
"""

from __future__ import annotations

import json
from pathlib import Path

MALICIOUS = ('Zij zei: <script>window.__gehackt = 1; document.title = "gehackt"</script> '
             '<img src=x onerror="window.__gehackt = 2"> en dat was alles.')

SENTENCES = [
    ("De buurtwerker nam de tijd om eerst te luisteren, zonder oordeel.", "basishouding"),
    ("Samen met de bewoners zetten we kleine stappen, week na week.", "kleine_stappen"),
    ("Door het buurthuis kennen de buren elkaar weer en helpen ze elkaar.", "relationeel_weefsel"),
    ("We voorkomen zo dat schulden oplopen en er een uithuiszetting dreigt.", "preventie"),
    ("De gemeente wil cijfers zien, maar de subsidie is maar voor een jaar.", "financiering_en_beleid"),
    ("Mevrouw vertelde dat ze zich eindelijk gehoord voelde.", "eigen_stem"),
    ("Het was een regenachtige dinsdag in het najaar.", None),
    ("We hebben de kosten naast de baten gelegd en dat viel gunstig uit.", "kosten_en_baten"),
]
ROLES = ["sociaal professional", "bewoner/cliënt", "onderzoeker"]


def _segment_text(d: int, i: int) -> tuple[str, list[tuple[int, int]], list[str]]:
    picks = [SENTENCES[(d * 3 + i + k) % len(SENTENCES)] for k in range(3)]
    parts, spans, codes = [], [], []
    pos = 0
    for sent, code in picks:
        parts.append(sent)
        spans.append((pos, pos + len(sent)))
        pos += len(sent) + 1
        if code and code not in codes:
            codes.append(code)
    return " ".join(parts), spans, codes


def make_project(folder: str | Path, n_docs: int = 3, per_doc: int = 4) -> Path:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    segs, docs, codes = [], [], []
    for d in range(n_docs):
        doc_id = f"interview-{d:02d}"
        texts = []
        offset = 0
        for i in range(per_doc):
            if d == 0 and i == 1:
                text, spans, cs = MALICIOUS, [(0, len(MALICIOUS))], ["eigen_stem"]
            else:
                text, spans, cs = _segment_text(d, i)
            start = offset
            segs.append({
                "id": f"{doc_id}-{i:04d}", "doc_id": doc_id, "index": i, "text": text,
                "start": start, "end": start + len(text), "section": f"Deel {i // 2 + 1}",
                "speakers": [f"Spreker {i % 3}"], "roles": [ROLES[i % 3]],
                "sentences": [[start + a, start + b] for a, b in spans], "meta": {},
            })
            texts.append(text)
            offset += len(text) + 2
            score = {c: round(0.55 + 0.4 * ((d + i + k) % 5) / 4, 3) for k, c in enumerate(cs)}
            ev = {c: [f"«{text[a:b]}» [indicator]" for a, b in spans
                      if c == "eigen_stem" or text[a:b] in [s for s, cc in SENTENCES if cc == c]]
                  for c in cs}
            codes.append({"id": f"{doc_id}-{i:04d}", "codes": cs, "scores": score,
                          "evidence": ev, "source": "machine"})
        docs.append({"id": doc_id, "text": "\n\n".join(texts), "title": f"Interview {d + 1}",
                     "source": f"{doc_id}.txt", "case_id": f"CASUS-{d % 2}", "meta": {}})
    for name, recs in (("segments.jsonl", segs), ("documents.jsonl", docs),
                       ("codes.jsonl", codes)):
        with open(folder / name, "w", encoding="utf-8") as fh:
            for r in recs:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    return folder
