"""Deductive coding: codebooks and coders (scikit-learn style estimators).

``load_codebook`` / ``save_codebook`` / ``add_code_to_file`` (re-exported from
:mod:`verhalen.codeboek`, the codebook's home) read and write codebook YAML;
``RuleCoder`` (indicators on lemmas), ``SemanticCoder`` (embedding prototypes),
``SupervisedCoder`` (learns from human codes) and ``EnsembleCoder`` (the default, via
``default_coder``) all offer ``fit`` / ``predict_proba`` / ``predict`` / ``code``.
"""

from ..codeboek import add_code_to_file, load_codebook, save_codebook
from ..indicatoren import parse_indicator
from .basis import BaseCoder, CoderWaarschuwing
from .ensemble import EnsembleCoder, default_coder
from .gesuperviseerd import SupervisedCoder
from .regels import RuleCoder
from .semantisch import SemanticCoder

CODERS = {"ensemble": EnsembleCoder, "regels": RuleCoder, "semantisch": SemanticCoder,
          "gesuperviseerd": SupervisedCoder}

__all__ = ["BaseCoder", "CoderWaarschuwing", "load_codebook", "save_codebook",
           "add_code_to_file", "RuleCoder", "SemanticCoder", "SupervisedCoder", "EnsembleCoder",
           "default_coder", "parse_indicator", "CODERS"]
