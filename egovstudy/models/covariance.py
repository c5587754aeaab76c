"""Coefficient covariance matrices: classical, HC0-HC3 and one- or two-way cluster-robust.

Small-sample corrections (stated in every result's ``vcov_note``):

* ``HC1`` multiplies HC0 by ``n / (n - k)`` (Stata's ``robust``); HC2 divides each squared
  residual by ``1 - h_ii``, HC3 by ``(1 - h_ii)^2`` (MacKinnon & White 1985).
* one-way cluster: the Stata correction ``G / (G - 1) * (n - 1) / (n - k)``; t and F
  inference then use ``G - 1`` residual degrees of freedom (as Stata's ``vce(cluster)``).
* two-way cluster (Cameron, Gelbach & Miller 2011): ``V_1 + V_2 - V_12``, each piece with its
  own Stata correction (``G`` the number of clusters of that piece), inference with
  ``min(G_1, G_2) - 1`` degrees of freedom. A non-positive-semidefinite result is repaired by
  zeroing negative eigenvalues (CGM's suggestion) with a :class:`StatisticalWarning`.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from egovstudy.errors import InsufficientDataError, ModelSpecError, StatisticalWarning

__all__ = ["VcovResult", "compute_vcov", "leverage", "parse_vcov"]

VcovKind = Literal["classical", "HC0", "HC1", "HC2", "HC3", "cluster"]
_ALLOWED = ("classical", "HC0", "HC1", "HC2", "HC3")


@dataclass(frozen=True)
class VcovResult:
    """A covariance matrix, its description and the degrees of freedom for inference."""

    matrix: np.ndarray
    kind: str
    note: str
    df_inference: int
    n_clusters: tuple[int, ...] = ()


def parse_vcov(vcov: object) -> tuple[str, list[str]]:
    """Validate a ``vcov`` option; return ``(kind, cluster columns)``.

    Examples
    --------
    >>> parse_vcov("HC3")
    ('HC3', [])
    >>> parse_vcov({"cluster": ["agency", "year"]})
    ('cluster', ['agency', 'year'])
    """
    if isinstance(vcov, str):
        key = vcov if vcov == "classical" else vcov.upper()
        if key in _ALLOWED:
            return key, []
        if vcov.lower() in ("nonrobust", "ols", "iid"):
            return "classical", []
    if isinstance(vcov, dict) and set(vcov) == {"cluster"}:
        cl = vcov["cluster"]
        cols = [cl] if isinstance(cl, str) else list(cl)
        if 1 <= len(cols) <= 2 and all(isinstance(c, str) for c in cols):
            return "cluster", cols
    raise ModelSpecError(
        f"vcov={vcov!r} is not allowed; use one of {list(_ALLOWED)} or "
        "{'cluster': 'agency'} / {'cluster': ['firm', 'year']} (one or two cluster columns)")


def leverage(X: np.ndarray, xtx_inv: np.ndarray, chunk: int = 65536) -> np.ndarray:
    """Diagonal of the hat matrix ``h_ii = x_i' (X'X)^{-1} x_i`` without an n x n matrix.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.column_stack([np.ones(4), [0.0, 1, 2, 3]])
    >>> float(leverage(X, np.linalg.inv(X.T @ X)).sum())
    2.0
    """
    n = X.shape[0]
    h = np.empty(n)
    for start in range(0, n, chunk):
        xb = X[start:start + chunk]
        h[start:start + chunk] = np.einsum("ij,ij->i", xb @ xtx_inv, xb)
    return h


def _cluster_meat(scores: np.ndarray, codes: np.ndarray, n_groups: int) -> np.ndarray:
    k = scores.shape[1]
    sums = np.zeros((n_groups, k))
    np.add.at(sums, codes, scores)
    return sums.T @ sums


def compute_vcov(
    kind: str,
    X: np.ndarray,
    resid: np.ndarray,
    xtx_inv: np.ndarray,
    ssr: float,
    *,
    clusters: Sequence[pd.Series] = (),
) -> VcovResult:
    """Covariance of OLS coefficients of the requested kind (see the module notes)."""
    n, k = X.shape
    df_resid = n - k
    if kind == "classical":
        s2 = ssr / df_resid
        return VcovResult(s2 * xtx_inv, "classical",
                          "classical (homoskedastic) standard errors", df_resid)
    if kind in ("HC0", "HC1", "HC2", "HC3"):
        w = resid ** 2
        if kind in ("HC2", "HC3"):
            h = leverage(X, xtx_inv)
            if np.any(h > 1 - 1e-10):
                raise ModelSpecError(
                    f"{kind} standard errors are undefined: some cases have leverage 1 "
                    "(a dummy that picks out a single case); use HC1 or drop that term")
            w = w / (1 - h) if kind == "HC2" else w / (1 - h) ** 2
        meat = X.T @ (X * w[:, None])
        V = xtx_inv @ meat @ xtx_inv
        note = {
            "HC0": "heteroskedasticity-robust (HC0, White 1980), no small-sample correction",
            "HC1": "heteroskedasticity-robust (HC1 = HC0 x n/(n-k), Stata 'robust')",
            "HC2": "heteroskedasticity-robust (HC2, residuals scaled by 1/(1-h))",
            "HC3": "heteroskedasticity-robust (HC3, residuals scaled by 1/(1-h)^2)",
        }[kind]
        if kind == "HC1":
            V = V * n / df_resid
        return VcovResult(V, kind, note, df_resid)
    if kind != "cluster" or not clusters:
        raise ModelSpecError(f"unknown covariance kind {kind!r}")
    scores = X * resid[:, None]
    codes_list = []
    sizes = []
    for series in clusters:
        codes, uniques = pd.factorize(series, sort=True)
        g = len(uniques)
        if g < 2:
            raise InsufficientDataError(
                f"cluster variable {series.name!r} has {g} cluster among the complete cases; "
                "cluster-robust errors need at least 2 (and ideally 30 or more) clusters")
        codes_list.append(codes)
        sizes.append(g)

    def piece(codes: np.ndarray, g: int) -> np.ndarray:
        c = g / (g - 1) * (n - 1) / df_resid
        return c * (xtx_inv @ _cluster_meat(scores, codes, g) @ xtx_inv)

    names = [str(s.name) for s in clusters]
    if len(clusters) == 1:
        pieces = [piece(codes_list[0], sizes[0])]
    else:
        inter, ug = pd.factorize(pd.Series(list(zip(codes_list[0], codes_list[1]))))
        pieces = [piece(codes_list[0], sizes[0]), piece(codes_list[1], sizes[1]),
                  piece(np.asarray(inter), len(ug))]
    V, note, df_inf = combine_cluster_pieces(pieces, names, sizes)
    return VcovResult(V, "cluster", note, df_inf, tuple(sizes))


def combine_cluster_pieces(pieces: list[np.ndarray], names: list[str], sizes: list[int]
                           ) -> tuple[np.ndarray, str, int]:
    """One- or two-way cluster-robust covariance from its Stata-corrected pieces.

    ``pieces`` is ``[V_1]`` or ``[V_1, V_2, V_12]`` (Cameron, Gelbach & Miller 2011:
    ``V_1 + V_2 - V_12``, with negative eigenvalues set to zero and a warning). Warns
    when a clustering has fewer than 20 clusters. Returns ``(V, note, inference df)``;
    shared by the in-memory and the Dask OLS.
    """
    if len(pieces) == 1:
        V = pieces[0]
        note = (f"cluster-robust by {names[0]} ({sizes[0]} clusters), Stata small-sample "
                "correction G/(G-1)*(n-1)/(n-k); t with G-1 df")
        df_inf = sizes[0] - 1
    else:
        V = pieces[0] + pieces[1] - pieces[2]
        evals, evecs = np.linalg.eigh(V)
        if evals.min() < 0:
            warnings.warn(
                "two-way cluster covariance was not positive semidefinite; negative "
                "eigenvalues were set to zero (Cameron, Gelbach & Miller 2011)",
                StatisticalWarning, stacklevel=4)
            V = (evecs * np.clip(evals, 0, None)) @ evecs.T
        note = (f"two-way cluster-robust by {names[0]} ({sizes[0]}) and {names[1]} "
                f"({sizes[1]}) (Cameron-Gelbach-Miller), each piece with the Stata correction "
                "G/(G-1)*(n-1)/(n-k); t with min(G)-1 df")
        df_inf = min(sizes[:2]) - 1
    for g, name in zip(sizes[:len(names)], names):
        if g < 20:
            warnings.warn(
                f"only {g} clusters in {name!r}: cluster-robust standard errors are "
                "unreliable with few clusters; use the wild cluster bootstrap "
                "egovstudy.models.wild_cluster_bootstrap(formula, data, term=..., "
                f"cluster={name!r})",
                StatisticalWarning, stacklevel=4)
    return V, note, df_inf
