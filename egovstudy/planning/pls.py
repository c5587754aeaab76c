"""Minimum sample size for PLS-SEM: inverse square root method and the 10-times rule."""

from __future__ import annotations

import math
from typing import Literal

from egovstudy.errors import ModelSpecError
from egovstudy.planning._result import (
    PlanningResult,
    check_choice,
    check_count,
    check_open_unit,
    fmt_int,
    fmt_num,
    fmt_p,
)

__all__ = ["pls_minimum_sample"]

PLSMethod = Literal["inverse_sqrt", "ten_times"]


def pls_minimum_sample(*, min_path: float | None = None, max_arrows: int | None = None,
                       method: PLSMethod = "inverse_sqrt", alpha: float = 0.05,
                       power: float = 0.80) -> PlanningResult:
    """Minimum sample for PLS-SEM.

    ``method="inverse_sqrt"`` (Kock & Hadaya, 2018): ``n_min > ((z_{1-alpha} +
    z_{power}) / |p_min|)^2`` where ``p_min`` is the smallest absolute path coefficient
    expected to be significant and the test is one-tailed. At alpha = .05 and power
    .80 the constant is 1.645 + 0.842 = 2.486, so ``n_min > (2.486 / |p_min|)^2``.

    ``method="ten_times"`` (Barclay, Higgins & Thompson, 1995; Hair et al., 2011):
    ``n_min = 10 x`` the largest number of arrows pointing at any construct
    (structural paths into a construct, or formative indicators of it). Kock & Hadaya
    show that it often underestimates the sample needed.

    Parameters
    ----------
    min_path : float
        Smallest absolute path coefficient that must be detected (``inverse_sqrt``).
    max_arrows : int
        Largest number of arrowheads pointing at one construct (``ten_times``).
    method : {"inverse_sqrt", "ten_times"}
        Which rule to apply.
    alpha : float
        One-tailed significance level (``inverse_sqrt``).
    power : float
        Target power (``inverse_sqrt``).

    Returns
    -------
    PlanningResult

    References
    ----------
    Kock, N., & Hadaya, P. (2018). Minimum sample size estimation in PLS-SEM: The
    inverse square root and gamma-exponential methods. *Information Systems Journal,
    28*(1), 227-261.

    Examples
    --------
    >>> pls_minimum_sample(min_path=0.2).n
    155
    >>> pls_minimum_sample(max_arrows=5, method="ten_times").n
    50
    """
    check_choice("method", method, ("inverse_sqrt", "ten_times"))
    if method == "ten_times":
        if max_arrows is None:
            raise ModelSpecError("method='ten_times' needs max_arrows: the largest number of "
                                 "arrows pointing at one construct in the path model")
        k = check_count("max_arrows", max_arrows, minimum=1)
        n = 10 * k
        sentences = {
            "en": (f"By the 10-times rule (Barclay et al., 1995; Hair et al., 2011), the minimum "
                   f"sample is ten times the largest number of arrows pointing at a construct "
                   f"({k}), i.e. n = {fmt_int(n)}; Kock and Hadaya (2018) show that this rule "
                   "often underestimates the sample PLS-SEM needs."),
            "id": (f"Menurut aturan 10 kali (Barclay dkk., 1995; Hair dkk., 2011), sampel minimum "
                   f"adalah sepuluh kali jumlah panah terbanyak yang mengarah ke satu konstruk "
                   f"({k}), yaitu n = {fmt_int(n, 'id')}; Kock dan Hadaya (2018) menunjukkan "
                   "bahwa aturan ini sering meremehkan ukuran sampel yang diperlukan PLS-SEM."),
        }
        return PlanningResult(
            method="pls_ten_times", label={"en": "PLS-SEM 10-times rule",
                                           "id": "Aturan 10 kali PLS-SEM"},
            n=n, power=None, inputs={"max_arrows": k}, details={}, sentences=sentences,
            assumptions={"en": ["a rule of thumb; it ignores effect size, alpha and power"],
                         "id": ["aturan praktis; mengabaikan ukuran efek, alfa dan daya uji"]},
            reference="Barclay, Higgins & Thompson (1995); Hair, Ringle & Sarstedt (2011)")
    from scipy.stats import norm

    if min_path is None:
        raise ModelSpecError("method='inverse_sqrt' needs min_path: the smallest absolute path "
                             "coefficient you expect to be significant (e.g. 0.2)")
    if isinstance(min_path, bool) or not isinstance(min_path, int | float) \
            or not 0 < abs(min_path) < 1:
        raise ModelSpecError(f"min_path={min_path!r}: the effect size must be a path "
                             "coefficient with 0 < |min_path| < 1 (e.g. 0.2)")
    a = check_open_unit("alpha", alpha, hint="the one-tailed significance level, e.g. 0.05")
    pw = check_open_unit("power", power, hint="the target power, e.g. 0.80")
    const = float(norm.isf(a) + norm.ppf(pw))
    exact = (const / abs(min_path)) ** 2
    n = math.floor(exact) + 1  # n_min > exact (strict inequality)
    sentences = {
        "en": (f"Following the inverse square root method (Kock & Hadaya, 2018), "
               f"n_min > ({fmt_num(const, 'en', 3)} / |p_min|)\u00b2; with a smallest path "
               f"coefficient of |p_min| = {fmt_num(abs(min_path), 'en', 3)}, a one-tailed "
               f"\u03b1 = {fmt_p(a, 'en')} and a power of {fmt_p(pw, 'en')}, the PLS-SEM model "
               f"needs at least n = {fmt_int(n)} respondents."),
        "id": (f"Mengikuti metode inverse square root (Kock & Hadaya, 2018), "
               f"n_min > ({fmt_num(const, 'id', 3)} / |p_min|)\u00b2; dengan koefisien jalur "
               f"terkecil |p_min| = {fmt_num(abs(min_path), 'id', 3)}, \u03b1 satu arah = "
               f"{fmt_p(a, 'id')} dan daya uji {fmt_p(pw, 'id')}, model PLS-SEM memerlukan "
               f"minimal n = {fmt_int(n, 'id')} responden."),
    }
    return PlanningResult(
        method="pls_inverse_sqrt", label={"en": "PLS-SEM inverse square root method",
                                          "id": "Metode inverse square root PLS-SEM"},
        n=n, power=pw, inputs={"min_path": float(min_path), "alpha": a, "power_target": pw},
        details={"z_sum": const, "n_exact": exact}, sentences=sentences,
        assumptions={"en": ["one-tailed test of the smallest path coefficient",
                            "the standard error of a path is about 1 / sqrt(n)"],
                     "id": ["uji satu arah untuk koefisien jalur terkecil",
                            "galat baku sebuah jalur kira-kira 1 / akar(n)"]},
        reference="Kock & Hadaya (2018), Information Systems Journal 28(1), 227-261")
