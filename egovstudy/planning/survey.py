"""Precision-based sample sizes for surveys: Slovin, Cochran, Krejcie-Morgan.

These formulas size a sample so that a *proportion* is estimated within a margin of
error; they are not power analyses and say nothing about the power of the tests a
thesis later runs (use :func:`egovstudy.planning.regression_sample_size` for that).
"""

from __future__ import annotations

import bisect
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
)

__all__ = ["KREJCIE_MORGAN_TABLE", "cochran", "krejcie_morgan", "margin_of_error", "slovin"]

Rounding = Literal["ceil", "nearest"]

#: Krejcie & Morgan (1970), "Determining sample size for research activities",
#: Educational and Psychological Measurement 30, 607-610, Table 1: population N -> sample
#: S for a proportion with P = .50, d = .05 and chi-square(1) = 3.841 (95% confidence).
#: Every entry equals the article's formula rounded to the nearest whole number
#: (checked in tests/test_planning.py).
KREJCIE_MORGAN_TABLE: dict[int, int] = {
    10: 10, 15: 14, 20: 19, 25: 24, 30: 28, 35: 32, 40: 36, 45: 40, 50: 44, 55: 48,
    60: 52, 65: 56, 70: 59, 75: 63, 80: 66, 85: 70, 90: 73, 95: 76, 100: 80, 110: 86,
    120: 92, 130: 97, 140: 103, 150: 108, 160: 113, 170: 118, 180: 123, 190: 127,
    200: 132, 210: 136, 220: 140, 230: 144, 240: 148, 250: 152, 260: 155, 270: 159,
    280: 162, 290: 165, 300: 169, 320: 175, 340: 181, 360: 186, 380: 191, 400: 196,
    420: 201, 440: 205, 460: 210, 480: 214, 500: 217, 550: 226, 600: 234, 650: 242,
    700: 248, 750: 254, 800: 260, 850: 265, 900: 269, 950: 274, 1000: 278, 1100: 285,
    1200: 291, 1300: 297, 1400: 302, 1500: 306, 1600: 310, 1700: 313, 1800: 317,
    1900: 320, 2000: 322, 2200: 327, 2400: 331, 2600: 335, 2800: 338, 3000: 341,
    3500: 346, 4000: 351, 4500: 354, 5000: 357, 6000: 361, 7000: 364, 8000: 367,
    9000: 368, 10000: 370, 15000: 375, 20000: 377, 30000: 379, 40000: 380, 50000: 381,
    75000: 382, 1000000: 384,
}

_SRS_EN = "simple random sampling from a list of the whole population (sampling frame)"
_SRS_ID = "pengambilan sampel acak sederhana dari daftar seluruh populasi (kerangka sampel)"
_PROP_EN = ("the target is a proportion; p = {p} gives the largest sample (maximum "
            "variability) when nothing is known about it")
_PROP_ID = ("yang ditaksir adalah proporsi; p = {p} memberi sampel terbesar (keragaman "
            "maksimum) bila proporsinya belum diketahui")
_NOT_POWER_EN = ("it is a precision formula, not a power analysis: it does not guarantee power "
                 "for the hypothesis tests; the n is the number of completed responses, so "
                 "inflate it for expected non-response")
_NOT_POWER_ID = ("ini rumus presisi, bukan analisis daya uji: tidak menjamin daya uji untuk "
                 "pengujian hipotesis; n adalah jumlah jawaban lengkap, jadi naikkan untuk "
                 "mengantisipasi responden yang tidak menjawab")


def _round(x: float, rounding: str) -> int:
    check_choice("rounding", rounding, ("ceil", "nearest"))
    if rounding == "nearest":
        return math.floor(x + 0.5)
    return math.ceil(x - 1e-9)


def _check_margin(margin: float) -> float:
    return check_open_unit("margin", margin, low=0.0, high=0.5,
                           hint="the margin of error as a proportion, e.g. 0.05 for 5%")


def _z(confidence: float) -> float:
    from scipy.stats import norm

    return float(norm.isf((1 - confidence) / 2))


def slovin(population: int, *, margin: float = 0.05, rounding: Rounding = "ceil"
           ) -> PlanningResult:
    """Slovin's (Yamane's) formula ``n = N / (1 + N e^2)``.

    Assumptions (stated in the result and its sentence): simple random sampling from a
    complete sampling frame; the quantity estimated is a proportion with ``p = 0.5``
    (maximum variability); a confidence level of about 95% (the formula is Cochran's
    with ``z = 2``, i.e. 95.45%); the finite-population correction ``n0 / (1 + n0/N)``.
    It is *not* a power analysis; it is often misused as one.

    Parameters
    ----------
    population : int
        Population size ``N`` (e.g. civil servants in the agencies studied).
    margin : float
        Margin of error ``e`` in (0, 0.5), as a proportion (0.05 = 5%).
    rounding : {"ceil", "nearest"}
        Round the result up (default, conservative) or to the nearest whole number.

    Returns
    -------
    PlanningResult

    References
    ----------
    Yamane, T. (1967). *Statistics: An introductory analysis* (2nd ed.). Harper & Row.

    Examples
    --------
    >>> res = slovin(1200, margin=0.05)
    >>> res.n
    300
    >>> "simple random sampling" in res.sentence("en")
    True
    """
    N = check_count("population", population, minimum=1)
    e = _check_margin(margin)
    exact = N / (1 + N * e ** 2)
    n = min(_round(exact, rounding), N)
    inputs = {"population": N, "margin": e, "rounding": rounding}
    assumptions = {
        "en": [_SRS_EN, _PROP_EN.format(p="0.5"),
               "about 95% confidence (the formula is Cochran's with z = 2, i.e. 95.45%)",
               _NOT_POWER_EN],
        "id": [_SRS_ID, _PROP_ID.format(p="0,5"),
               "tingkat kepercayaan sekitar 95% (rumus Cochran dengan z = 2, yaitu 95,45%)",
               _NOT_POWER_ID],
    }
    sentences = {
        "en": (f"The sample size was determined with Slovin's formula, n = N / (1 + Ne\u00b2): "
               f"with a population of N = {fmt_int(N)} and a margin of error of "
               f"e = {fmt_num(100 * e, 'en', 1)}%, at least n = {fmt_int(n)} respondents are "
               "required. The formula assumes simple random sampling, a proportion of "
               "p = 0.5 (maximum variability) and about 95% confidence (z = 2); it is a "
               "precision formula, not a power analysis."),
        "id": (f"Ukuran sampel ditentukan dengan rumus Slovin, n = N / (1 + Ne\u00b2): dengan "
               f"populasi N = {fmt_int(N, 'id')} dan batas kesalahan "
               f"e = {fmt_num(100 * e, 'id', 1)}%, diperlukan minimal n = {fmt_int(n, 'id')} "
               "responden. Rumus ini mengasumsikan pengambilan sampel acak sederhana, "
               "proporsi p = 0,5 (keragaman maksimum) dan tingkat kepercayaan sekitar 95% "
               "(z = 2); rumus ini adalah rumus presisi, bukan analisis daya uji."),
    }
    return PlanningResult(
        method="slovin", label={"en": "Slovin's formula", "id": "Rumus Slovin"}, n=n,
        power=None, inputs=inputs, details={"n_exact": exact}, sentences=sentences,
        assumptions=assumptions,
        reference="Yamane (1967); n = N / (1 + N e^2)")


def cochran(*, margin: float = 0.05, confidence: float = 0.95, p: float = 0.5,
            population: int | None = None, rounding: Rounding = "ceil") -> PlanningResult:
    """Cochran's sample size for a proportion, with the finite-population correction.

    ``n0 = z^2 p (1 - p) / e^2``; when the population size ``N`` is given,
    ``n = n0 / (1 + (n0 - 1) / N)`` (Cochran, 1977, eqs. 4.1-4.2). With
    ``confidence=0.95`` and ``p=0.5`` and nearest rounding this reproduces the
    Krejcie & Morgan (1970) table, which uses the same formula.

    Parameters
    ----------
    margin : float
        Margin of error ``e`` in (0, 0.5).
    confidence : float
        Confidence level in (0, 1).
    p : float
        Anticipated proportion in (0, 1); 0.5 is the conservative choice.
    population : int, optional
        Population size ``N`` for the finite-population correction.
    rounding : {"ceil", "nearest"}
        Round up (default) or to the nearest whole number.

    Returns
    -------
    PlanningResult

    References
    ----------
    Cochran, W. G. (1977). *Sampling techniques* (3rd ed.). Wiley, pp. 75-76.

    Examples
    --------
    >>> cochran().n                      # infinite population, 95%, e = 5%
    385
    >>> cochran(population=1000, rounding="nearest").n
    278
    """
    e = _check_margin(margin)
    conf = check_open_unit("confidence", confidence, hint="e.g. 0.95 for 95%")
    pp = check_open_unit("p", p, hint="the anticipated proportion; 0.5 if unknown")
    N = None if population is None else check_count("population", population, minimum=1)
    z = _z(conf)
    n0 = z ** 2 * pp * (1 - pp) / e ** 2
    exact = n0 if N is None else n0 / (1 + (n0 - 1) / N)
    n = _round(exact, rounding)
    if N is not None:
        n = min(n, N)
    pop_en = "an infinite population" if N is None else f"a population of N = {fmt_int(N)}"
    pop_id = ("populasi tak hingga" if N is None
              else f"populasi N = {fmt_int(N, 'id')}")
    fpc_en = "" if N is None else ", with the finite-population correction n0 / (1 + (n0 - 1) / N)"
    fpc_id = "" if N is None else ", dengan koreksi populasi terbatas n0 / (1 + (n0 - 1) / N)"
    sentences = {
        "en": (f"Following Cochran (1977), n0 = z\u00b2p(1 - p)/e\u00b2 with "
               f"{fmt_num(100 * conf, 'en', 0)}% confidence (z = {fmt_num(z, 'en', 2)}), "
               f"p = {fmt_num(pp, 'en', 2)} and a margin of error of "
               f"{fmt_num(100 * e, 'en', 1)}%{fpc_en}; for {pop_en} at least "
               f"n = {fmt_int(n)} respondents are required, assuming simple random sampling."),
        "id": (f"Mengikuti Cochran (1977), n0 = z\u00b2p(1 - p)/e\u00b2 dengan tingkat "
               f"kepercayaan {fmt_num(100 * conf, 'id', 0)}% (z = {fmt_num(z, 'id', 2)}), "
               f"p = {fmt_num(pp, 'id', 2)} dan batas kesalahan {fmt_num(100 * e, 'id', 1)}%"
               f"{fpc_id}; untuk {pop_id} diperlukan minimal n = {fmt_int(n, 'id')} responden, "
               "dengan asumsi pengambilan sampel acak sederhana."),
    }
    assumptions = {"en": [_SRS_EN, _PROP_EN.format(p=fmt_num(pp, "en", 2)), _NOT_POWER_EN],
                   "id": [_SRS_ID, _PROP_ID.format(p=fmt_num(pp, "id", 2)), _NOT_POWER_ID]}
    return PlanningResult(
        method="cochran", label={"en": "Cochran's formula", "id": "Rumus Cochran"}, n=n,
        power=None,
        inputs={"margin": e, "confidence": conf, "p": pp, "population": N,
                "rounding": rounding},
        details={"z": z, "n0": n0, "n_exact": exact}, sentences=sentences,
        assumptions=assumptions,
        reference="Cochran (1977), Sampling techniques, 3rd ed., pp. 75-76")


def krejcie_morgan(population: int, *, source: Literal["table", "formula"] = "table",
                   margin: float = 0.05, p: float = 0.5, chi2: float = 3.841
                   ) -> PlanningResult:
    """Krejcie & Morgan (1970): their published table or their formula.

    Formula: ``s = chi2 N P(1 - P) / (d^2 (N - 1) + chi2 P(1 - P))`` with
    ``chi2 = 3.841`` (95% confidence), ``P = 0.5`` and ``d = 0.05``; the article's
    Table 1 lists it rounded to the nearest whole number. With ``source="table"`` a
    population that is not a table row is looked up at the next *larger* tabulated
    population (the conservative reading); populations above 1,000,000 get 384.

    Parameters
    ----------
    population : int
        Population size ``N``.
    source : {"table", "formula"}
        Look the value up in the published table (default) or compute the formula.
    margin, p, chi2 : float
        Formula inputs (the table exists only for the defaults).

    Returns
    -------
    PlanningResult

    References
    ----------
    Krejcie, R. V., & Morgan, D. W. (1970). Determining sample size for research
    activities. *Educational and Psychological Measurement, 30*, 607-610.

    Examples
    --------
    >>> krejcie_morgan(1000).n
    278
    >>> krejcie_morgan(1150).n          # not a row: next larger row (N = 1200)
    291
    >>> krejcie_morgan(1150, source="formula").n
    288
    """
    N = check_count("population", population, minimum=1)
    check_choice("source", source, ("table", "formula"))
    d = _check_margin(margin)
    pp = check_open_unit("p", p, hint="the anticipated proportion; 0.5 if unknown")
    if not isinstance(chi2, int | float) or chi2 <= 0:
        raise ModelSpecError(f"chi2={chi2!r}: pass the positive chi-square(1) critical value, "
                             "e.g. 3.841 for 95% confidence")
    exact = chi2 * N * pp * (1 - pp) / (d ** 2 * (N - 1) + chi2 * pp * (1 - pp))
    formula_n = min(_round(exact, "nearest"), N)
    details: dict[str, float | int | None] = {"n_exact": exact, "n_formula": formula_n,
                                              "table_population": None}
    if source == "table":
        if (d, pp, chi2) != (0.05, 0.5, 3.841):
            raise ModelSpecError("source='table' exists only for margin=0.05, p=0.5, "
                                 "chi2=3.841; use source='formula' for other values")
        keys = sorted(KREJCIE_MORGAN_TABLE)
        pos = bisect.bisect_left(keys, N)
        row = keys[min(pos, len(keys) - 1)]
        n = min(KREJCIE_MORGAN_TABLE[row], N)
        details["table_population"] = row
        how_en = (f"Krejcie and Morgan's (1970) table gives n = {fmt_int(n)} for a population "
                  f"of N = {fmt_int(N)}")
        how_id = (f"Tabel Krejcie dan Morgan (1970) memberikan n = {fmt_int(n, 'id')} untuk "
                  f"populasi N = {fmt_int(N, 'id')}")
        if row != N:
            how_en += f" (read at the next larger tabulated population, {fmt_int(row)})"
            how_id += f" (dibaca pada baris populasi berikutnya yang lebih besar, " \
                      f"{fmt_int(row, 'id')})"
    else:
        n = formula_n
        how_en = (f"Krejcie and Morgan's (1970) formula, s = \u03c7\u00b2NP(1 - P) / "
                  f"(d\u00b2(N - 1) + \u03c7\u00b2P(1 - P)), gives n = {fmt_int(n)} for a "
                  f"population of N = {fmt_int(N)}")
        how_id = (f"Rumus Krejcie dan Morgan (1970), s = \u03c7\u00b2NP(1 - P) / "
                  f"(d\u00b2(N - 1) + \u03c7\u00b2P(1 - P)), memberikan n = {fmt_int(n, 'id')} "
                  f"untuk populasi N = {fmt_int(N, 'id')}")
    sentences = {
        "en": (f"{how_en}, assuming simple random sampling, P = {fmt_num(pp, 'en', 2)}, "
               f"a degree of accuracy d = {fmt_num(d, 'en', 2)} and 95% confidence "
               f"(\u03c7\u00b2 = {fmt_num(chi2, 'en', 3)} with 1 df)."),
        "id": (f"{how_id}, dengan asumsi pengambilan sampel acak sederhana, "
               f"P = {fmt_num(pp, 'id', 2)}, tingkat ketelitian d = {fmt_num(d, 'id', 2)} dan "
               f"tingkat kepercayaan 95% (\u03c7\u00b2 = {fmt_num(chi2, 'id', 3)} dengan 1 db)."),
    }
    assumptions = {"en": [_SRS_EN, _PROP_EN.format(p=fmt_num(pp, "en", 2)),
                          "95% confidence (chi-square = 3.841 with 1 df)", _NOT_POWER_EN],
                   "id": [_SRS_ID, _PROP_ID.format(p=fmt_num(pp, "id", 2)),
                          "tingkat kepercayaan 95% (chi-kuadrat = 3,841 dengan 1 db)",
                          _NOT_POWER_ID]}
    return PlanningResult(
        method="krejcie_morgan",
        label={"en": "Krejcie-Morgan " + ("table" if source == "table" else "formula"),
               "id": ("Tabel" if source == "table" else "Rumus") + " Krejcie-Morgan"},
        n=n, power=None,
        inputs={"population": N, "source": source, "margin": d, "p": pp, "chi2": chi2},
        details=details, sentences=sentences, assumptions=assumptions,
        reference="Krejcie & Morgan (1970), Educ. Psychol. Meas. 30, 607-610, Table 1")


def margin_of_error(n: int, *, population: int | None = None, confidence: float = 0.95,
                    p: float = 0.5) -> PlanningResult:
    """Margin of error achieved by a sample of ``n`` (inverse of :func:`cochran`).

    ``e = z sqrt(p (1 - p) / n)``, multiplied by ``sqrt((N - n) / (N - 1))`` when the
    population size is known.

    Parameters
    ----------
    n : int
        Completed responses.
    population : int, optional
        Population size; ``n`` may not exceed it.
    confidence, p : float
        Confidence level and anticipated proportion, both in (0, 1).

    Returns
    -------
    PlanningResult
        ``details["margin"]`` holds the margin of error as a proportion.

    Examples
    --------
    >>> res = margin_of_error(300, population=1200)
    >>> round(res.details["margin"], 4)
    0.049
    """
    nn = check_count("n", n, minimum=2)
    conf = check_open_unit("confidence", confidence, hint="e.g. 0.95 for 95%")
    pp = check_open_unit("p", p, hint="the anticipated proportion; 0.5 if unknown")
    N = None if population is None else check_count("population", population, minimum=2)
    if N is not None and nn > N:
        raise ModelSpecError(f"n={nn} is larger than population={N}: a sample cannot exceed "
                             "its population; check both numbers")
    z = _z(conf)
    e = z * math.sqrt(pp * (1 - pp) / nn)
    if N is not None:
        e *= math.sqrt((N - nn) / (N - 1))
    pop_en = "" if N is None else f" from a population of {fmt_int(N)}"
    pop_id = "" if N is None else f" dari populasi {fmt_int(N, 'id')}"
    sentences = {
        "en": (f"With n = {fmt_int(nn)} completed responses{pop_en}, a proportion is estimated "
               f"within \u00b1{fmt_num(100 * e, 'en', 1)} percentage points at "
               f"{fmt_num(100 * conf, 'en', 0)}% confidence (p = {fmt_num(pp, 'en', 2)}, "
               "simple random sampling)."),
        "id": (f"Dengan n = {fmt_int(nn, 'id')} jawaban lengkap{pop_id}, sebuah proporsi "
               f"ditaksir dengan batas kesalahan \u00b1{fmt_num(100 * e, 'id', 1)} poin "
               f"persentase pada tingkat kepercayaan {fmt_num(100 * conf, 'id', 0)}% "
               f"(p = {fmt_num(pp, 'id', 2)}, pengambilan sampel acak sederhana)."),
    }
    return PlanningResult(
        method="margin_of_error", label={"en": "Margin of error", "id": "Batas kesalahan"},
        n=nn, power=None,
        inputs={"n": nn, "population": N, "confidence": conf, "p": pp},
        details={"z": z, "margin": e}, sentences=sentences,
        assumptions={"en": [_SRS_EN], "id": [_SRS_ID]},
        reference="Cochran (1977), Sampling techniques, 3rd ed., eq. 3.13 with the fpc")
