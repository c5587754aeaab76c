"""Result objects of the group comparisons and their en/id verdict sentences.

Numbers are formatted here, APA style, with a decimal point in English and a decimal comma
in Indonesian (statistics are then separated by semicolons: ``t(58) = 1,92; p = ,060``).
This module keeps its own tiny formatter so that ``egovstudy.compare`` (a model step)
does not import ``egovstudy.report`` (an output step), as CONTRIBUTING.md's layering asks.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from egovstudy._text import fmt, fmt_p
from egovstudy.errors import ModelSpecError

Lang = Literal["en", "id"]

__all__ = ["GroupComparison", "GroupTest", "Lang", "check_lang", "fmt", "fmt_p"]

#: broom-style columns every tidy row carries, in this order
TIDY_COLUMNS = ["test", "outcome", "group", "n", "estimate", "statistic", "df", "df2",
                "p_value", "ci_low", "ci_high", "effect", "effect_size", "effect_ci_low",
                "effect_ci_high"]


def check_lang(language: str) -> Lang:
    """Return ``language`` if it is ``"en"`` or ``"id"``; else raise :class:`ModelSpecError`.

    Examples
    --------
    >>> check_lang("id")
    'id'
    """
    if language not in ("en", "id"):
        raise ModelSpecError(f"language={language!r} is not supported; use 'en' or 'id'")
    return language  # type: ignore[return-value]


def _fmt_df(df: float, lang: Lang) -> str:
    return str(round(df)) if abs(df - round(df)) < 1e-9 else fmt(df, 2, lang)


def _frame_text(frame: pd.DataFrame) -> str:
    return frame.to_string(index=False, float_format=lambda v: f"{v:.4g}")


@dataclass(frozen=True)
class GroupTest:
    """One test comparing groups (or paired measures, or a contingency table).

    Attributes
    ----------
    test : str
        Key of the test (``"welch_t"``, ``"student_t"``, ``"paired_t"``, ``"anova"``,
        ``"welch_anova"``, ``"mann_whitney"``, ``"wilcoxon"``, ``"kruskal"``,
        ``"chi_square"``, ``"fisher"``, ``"levene"``, ``"brown_forsythe"``, ``"f_variance"``).
    method : str
        Human-readable name, as R prints it.
    outcome, group : str
        The compared variable and the grouping variable (for paired tests: the two
        measures; for tables: the row and column variables).
    n : int
        Cases used (complete cases of the variables involved).
    estimate : float
        Difference of means (first level minus second, as R), mean difference for paired
        tests, ratio of variances for the F test, conditional-MLE odds ratio for a 2x2
        Fisher test; NaN otherwise.
    statistic, df, df2, p_value : float
        Test statistic (t, F, W/V as R prints them, Kruskal-Wallis H, chi-square), its
        degrees of freedom (``df2`` is the denominator df of F) and p value.
    ci_low, ci_high : float
        Confidence interval of ``estimate``.
    effect, effect_size, effect_ci_low, effect_ci_high : str, float
        Effect size name (``"cohen_d"``, ``"cohen_dz"``, ``"eta_sq"``, ``"r"``,
        ``"eta_sq_h"``, ``"cramer_v"``), value and CI (NaN where no standard CI).
    groups : pandas.DataFrame
        Per level: level, n, mean, sd, median, mean_rank.
    posthoc : pandas.DataFrame or None
        Pairwise comparisons (group1, group2, estimate, statistic, df, p_value, p_adj,
        ci_low, ci_high, method).
    extra : dict
        Other statistics (Hedges' g, omega squared, z, Levene tests, expected counts ...).
    notes : tuple of str
        Warnings that were issued (e.g. small expected counts).
    """

    test: str
    method: str
    outcome: str
    group: str
    n: int
    estimate: float
    statistic: float
    df: float
    df2: float
    p_value: float
    ci_low: float
    ci_high: float
    effect: str
    effect_size: float
    effect_ci_low: float
    effect_ci_high: float
    groups: pd.DataFrame
    posthoc: pd.DataFrame | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    level: float = 0.95
    alpha: float = 0.05

    def __post_init__(self) -> None:
        for name in ("estimate", "statistic", "df", "df2", "p_value", "ci_low", "ci_high",
                     "effect_size", "effect_ci_low", "effect_ci_high"):
            object.__setattr__(self, name, float(getattr(self, name)))
        object.__setattr__(self, "n", int(self.n))

    def tidy(self) -> pd.DataFrame:
        """One row with the broom names (estimate, statistic, df, p_value, ci_low, ci_high).

        Examples
        --------
        >>> import pandas as pd
        >>> from egovstudy.compare import t_test
        >>> d = pd.DataFrame({"y": [1, 2, 3, 4, 3, 5, 6, 7.0], "g": list("aaaabbbb")})
        >>> list(t_test(d, "y", "g").tidy().columns[:6])
        ['test', 'outcome', 'group', 'n', 'estimate', 'statistic']
        """
        row = {c: getattr(self, c) for c in TIDY_COLUMNS}
        row["method"] = self.method
        return pd.DataFrame([row])

    # ---------------------------------------------------------------- sentences
    def _stat_text(self, lang: Lang) -> str:
        sep = "; " if lang == "id" else ", "
        t, s = self.test, self.statistic
        if t in ("welch_t", "student_t", "paired_t"):
            parts = [f"t({_fmt_df(self.df, lang)}) = {fmt(s, 2, lang)}"]
        elif t in ("anova", "welch_anova", "levene", "brown_forsythe", "f_variance"):
            comma = "; " if lang == "id" else ", "
            parts = [f"F({_fmt_df(self.df, lang)}{comma}{_fmt_df(self.df2, lang)}) = "
                     f"{fmt(s, 2, lang)}"]
        elif t in ("mann_whitney", "wilcoxon"):
            rank_sum = fmt(s, 0 if float(s).is_integer() else 1, lang)
            parts = [f"{'U' if t == 'mann_whitney' else 'V'} = {rank_sum}",
                     f"z = {fmt(self.extra['z'], 2, lang)}"]
        elif t == "kruskal":
            parts = [f"H({_fmt_df(self.df, lang)}) = {fmt(s, 2, lang)}"]
        elif t == "chi_square":
            parts = [f"χ²({_fmt_df(self.df, lang)}, N = {self.n}) = {fmt(s, 2, lang)}"]
        else:  # fisher: no statistic of its own
            parts = ["Fisher's exact test" if lang == "en" else "uji eksak Fisher"]
        parts.append(fmt_p(self.p_value, lang))
        if not math.isnan(self.effect_size):
            symbol = {"cohen_d": "d", "cohen_dz": "d_z", "eta_sq": "η²", "r": "r",
                      "eta_sq_h": "η²_H", "cramer_v": "V"}[self.effect]
            bounded = self.effect in ("eta_sq", "r", "eta_sq_h", "cramer_v")
            parts.append(f"{symbol} = {fmt(self.effect_size, 2, lang, leading_zero=not bounded)}")
        return sep.join(parts)

    def sentence(self, language: Lang = "en") -> str:
        """The verdict sentence, from the same numbers, in English or Indonesian.

        Examples
        --------
        >>> import pandas as pd
        >>> from egovstudy.compare import t_test
        >>> d = pd.DataFrame({"y": [1, 2, 3, 4, 3, 5, 6, 7.0], "g": list("aaaabbbb")})
        >>> res = t_test(d, "y", "g", equal_var=True)
        >>> print(res.sentence("id"))  # doctest: +NORMALIZE_WHITESPACE
        Terdapat perbedaan yang signifikan pada y berdasarkan g (t(6) = -2,57; p = ,042;
        d = -1,82).
        """
        lang = check_lang(language)
        sig = self.p_value < self.alpha
        stats = self._stat_text(lang)
        if self.test in ("levene", "brown_forsythe", "f_variance"):
            if lang == "en":
                verdict = "differ significantly" if sig else "do not differ significantly"
                return (f"The variances of {self.outcome} {verdict} between the groups of "
                        f"{self.group} ({stats}).")
            verdict = "berbeda secara signifikan" if sig else "tidak berbeda secara signifikan"
            return f"Varians {self.outcome} {verdict} antarkelompok {self.group} ({stats})."
        if self.test in ("chi_square", "fisher"):
            if lang == "en":
                head = "There is a significant" if sig else "There is no significant"
                return f"{head} association between {self.outcome} and {self.group} ({stats})."
            head = "Terdapat" if sig else "Tidak terdapat"
            return (f"{head} hubungan yang signifikan antara {self.outcome} dan {self.group} "
                    f"({stats}).")
        if self.test in ("paired_t", "wilcoxon"):
            if lang == "en":
                head = "There is a significant" if sig else "There is no significant"
                return f"{head} difference between {self.outcome} and {self.group} ({stats})."
            head = "Terdapat" if sig else "Tidak terdapat"
            return (f"{head} perbedaan yang signifikan antara {self.outcome} dan "
                    f"{self.group} ({stats}).")
        if lang == "en":
            head = "There is a significant" if sig else "There is no significant"
            return (f"{head} difference in {self.outcome} between the groups of {self.group} "
                    f"({stats}).")
        head = "Terdapat" if sig else "Tidak terdapat"
        return (f"{head} perbedaan yang signifikan pada {self.outcome} berdasarkan {self.group} "
                f"({stats}).")

    def summary(self) -> str:
        """Plain-text report: the test, the per-group description, post hoc and notes."""
        lines = [f"{self.method}: {self.outcome} by {self.group} (n = {self.n})",
                 _frame_text(self.tidy().drop(columns=["method"]).T.reset_index()
                             .set_axis(["", "value"], axis=1)),
                 "", _frame_text(self.groups)]
        if self.posthoc is not None:
            lines += ["", "Post hoc comparisons", _frame_text(self.posthoc)]
        lines += [f"note: {n}" for n in self.notes]
        lines += ["", self.sentence("en")]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        body = (f"<p><b>{html.escape(self.method)}</b></p>"
                + self.tidy().to_html(index=False, float_format=lambda v: f"{v:.4g}")
                + self.groups.to_html(index=False, float_format=lambda v: f"{v:.4g}"))
        if self.posthoc is not None:
            body += self.posthoc.to_html(index=False, float_format=lambda v: f"{v:.4g}")
        return body + f"<p>{html.escape(self.sentence('en'))}</p>"


@dataclass(frozen=True)
class GroupComparison:
    """Many tests in one tidy table (:func:`compare_groups`, :func:`nonresponse_check`).

    Attributes
    ----------
    table : pandas.DataFrame
        One row per (group variable, outcome): the :data:`TIDY_COLUMNS`, plus ``k``
        (number of groups), ``normality_p`` (smallest Shapiro-Wilk p over the groups),
        ``variance_p`` (Brown-Forsythe test), ``p_adj`` and ``method``.
    title : str
        What was compared.
    """

    table: pd.DataFrame
    title: str
    alpha: float = 0.05
    options: dict[str, Any] = field(default_factory=dict)
    #: printed names of columns in the sentences, per language (e.g. the "wave" column)
    labels: dict[str, dict[str, str]] = field(default_factory=dict)

    def tidy(self) -> pd.DataFrame:
        """The table (a copy)."""
        return self.table.copy()

    def significant(self) -> pd.DataFrame:
        """Rows whose (adjusted, if asked) p value is below ``alpha``."""
        p = self.table["p_adj"].fillna(self.table["p_value"])
        return self.table[p < self.alpha].reset_index(drop=True)

    def sentences(self, language: Lang = "en") -> list[str]:
        """One verdict sentence per row, in English or Indonesian."""
        lang = check_lang(language)
        out = []
        for row in self.table.itertuples(index=False):
            group = self.labels.get(row.group, {}).get(lang, row.group)
            outcome = self.labels.get(row.outcome, {}).get(lang, row.outcome)
            res = GroupTest(row.test, row.method, outcome, group, int(row.n),
                            row.estimate, row.statistic, row.df, row.df2,
                            row.p_adj if not np.isnan(row.p_adj) else row.p_value,
                            row.ci_low, row.ci_high, row.effect, row.effect_size,
                            row.effect_ci_low, row.effect_ci_high, pd.DataFrame(),
                            extra={"z": getattr(row, "z", np.nan)}, alpha=self.alpha)
            out.append(res.sentence(lang))
        return out

    def sentence(self, language: Lang = "en") -> str:
        """All verdict sentences as one paragraph."""
        return " ".join(self.sentences(language))

    def summary(self) -> str:
        """Plain-text table."""
        cols = ["group", "outcome", "test", "n", "k", "statistic", "df", "df2", "p_value",
                "p_adj", "effect", "effect_size", "normality_p", "variance_p"]
        return f"{self.title}\n{_frame_text(self.table[cols])}"

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        return (f"<p><b>{html.escape(self.title)}</b></p>"
                + self.table.to_html(index=False, float_format=lambda v: f"{v:.4g}"))
