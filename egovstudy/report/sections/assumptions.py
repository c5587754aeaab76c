"""One conclusion and the remedy taken per classical assumption, from the test rows."""

from __future__ import annotations

from typing import Any

__all__ = ["influential_rows", "split_tests"]


def split_tests(tidy: Any) -> dict[str, tuple[list[str], list[str]]]:
    """Group assumption-test rows by assumption: ``name -> (tests, tests that flag it)``.

    Reads the English verdicts of ``assumption_tests(...).tidy()``.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"test": ["Shapiro-Wilk", "Jarque-Bera", "White"],
    ...                   "verdict": ["not normal", "normal", "homoskedastic"]})
    >>> split_tests(t)["normality"]
    (['Shapiro-Wilk', 'Jarque-Bera'], ['Shapiro-Wilk'])
    >>> split_tests(t)["heteroskedasticity"]
    (['White'], [])
    """
    groups: dict[str, tuple[list[str], list[str]]] = {
        "normality": ([], []), "heteroskedasticity": ([], []), "autocorrelation": ([], [])}
    flags = {"not normal": "normality", "normal": "normality",
             "heteroskedastic": "heteroskedasticity", "homoskedastic": "heteroskedasticity",
             "autocorrelation": "autocorrelation", "no autocorrelation": "autocorrelation",
             "positive autocorrelation": "autocorrelation",
             "negative autocorrelation": "autocorrelation"}
    bad = {"not normal", "heteroskedastic", "autocorrelation", "positive autocorrelation",
           "negative autocorrelation"}
    for test, verdict in zip(tidy["test"], tidy["verdict"]):
        v = str(verdict).strip()
        if v in flags:
            tests, flagged = groups[flags[v]]
            tests.append(str(test))
            if v in bad:
                flagged.append(str(test))
    return groups


def influential_rows(influence: Any, n: int) -> list[Any]:
    """Row labels (the fit's data index) of the cases with Cook's distance above 4/n.

    Examples
    --------
    >>> import pandas as pd
    >>> influential_rows(pd.DataFrame({"row": [0, 1, 2], "cooks_d": [.01, 2.0, .3]}), 10)
    [1]
    """
    cut = 4.0 / n
    return [r for r, d in zip(influence["row"], influence["cooks_d"]) if d > cut]
