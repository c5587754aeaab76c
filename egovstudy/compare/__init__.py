"""Group comparisons ("uji beda"): t tests, ANOVA, rank tests, chi-square, effect sizes.

- :mod:`~egovstudy.compare.group_tests`: one test at a time (``t_test``,
  ``paired_t_test``, ``levene_test``, ``var_test``, ``anova_oneway`` with Tukey / Games-Howell /
  Bonferroni post hoc tests, ``mann_whitney``, ``wilcoxon_signed_rank``,
  ``kruskal_wallis`` with Dunn's tests, ``chi_square``, ``fisher_exact``);
- :mod:`~egovstudy.compare.profile`: ``compare_groups`` (every demographic by every
  construct) and ``nonresponse_check`` (early vs late respondents);
- :mod:`~egovstudy.compare._result`: the result objects ``GroupTest`` and
  ``GroupComparison`` with ``.tidy()``, ``.summary()`` and ``.sentence("en" | "id")``.

Examples
--------
>>> import pandas as pd
>>> from egovstudy.compare import t_test
>>> d = pd.DataFrame({"y": [1, 2, 3, 4, 3, 5, 6, 7.0], "g": list("aaaabbbb")})
>>> print(t_test(d, "y", "g").sentence("en"))  # doctest: +NORMALIZE_WHITESPACE
There is a significant difference in y between the groups of g
(t(5.58) = -2.57, p = .045, d = -1.82).
"""

from __future__ import annotations

from egovstudy.compare._result import GroupComparison, GroupTest
from egovstudy.compare.group_tests import (
    anova_oneway,
    chi_square,
    dunn_test,
    fisher_exact,
    games_howell,
    kruskal_wallis,
    levene_test,
    mann_whitney,
    paired_t_test,
    pairwise_t_tests,
    t_test,
    tukey_hsd,
    var_test,
    wilcoxon_signed_rank,
)
from egovstudy.compare.profile import compare_groups, nonresponse_check

__all__ = ["GroupComparison", "GroupTest", "anova_oneway", "chi_square", "compare_groups",
           "dunn_test", "fisher_exact", "games_howell", "kruskal_wallis", "levene_test",
           "mann_whitney", "nonresponse_check", "paired_t_test", "pairwise_t_tests",
           "t_test", "tukey_hsd", "var_test", "wilcoxon_signed_rank"]
