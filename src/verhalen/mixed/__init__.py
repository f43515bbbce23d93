"""Mixed methods ("tellen én vertellen"): numbers per case joined to the stories.

Public API: ``read_numbers(path)``, ``read_scores(path)``, ``joint_display(...)``,
``joint_figure(display)``, ``report_section(...) -> str`` (see :mod:`verhalen.mixed.joint` for
the signature the report uses), ``paired_change``, ``social_return``, ``theme_outcome``.
"""

from .cijfers import CijferFout, check_case_ids, find_numbers, read_numbers, read_scores
from .joint import joint_display, joint_figure, report_section
from .statistiek import (MIN_CASES, SocialReturn, Verandering, change_per_case, paired_change,
                         social_return, theme_outcome)

__all__ = ["read_numbers", "read_scores", "find_numbers", "check_case_ids", "CijferFout",
           "joint_display", "joint_figure", "report_section", "paired_change", "change_per_case",
           "social_return", "theme_outcome", "SocialReturn", "Verandering", "MIN_CASES"]
