"""The data-generating process of the bundled default study.

A survey of civil servants (ASN) in regional government agencies (OPD): every
respondent works in one of ``n_agencies`` agencies spread over five regions, so
answers are clustered. Latent constructs follow a documented structural model,
items are ordinal indicators of them, and the export carries the mess a real
Google Forms export has.

Structural model (latent, standardised; agency random intercepts on every
endogenous construct)::

    digitalisation = .30 hr_quality + .00 hr_quantity + .20 budget
                     + .25 internet + .15 computers + u_dig(agency) + e
    performance    = .45 digitalisation + .20 hr_quality + u_perf(agency) + e
    service_quality= .30 digitalisation + .35 performance + u_psq(agency) + e

HR quantity has no effect at all; budget, internet and computers act on
performance only through the digitalisation process; HR quality acts both
directly and through it. Every construct has unit variance.

Measurement: each first-order construct has 3-5 items with standardised
loadings 0.70-0.85 cut into five ordered categories; ``bud4`` is a planted weak
item (loading 0.15); ``hrq4`` and ``perf5`` are reverse-worded. The five
process dimensions load 0.85 on the second-order ``digitalisation``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from egovstudy.datasets.instrument import (
    AGENCIES,
    ATTENTION_CHECK,
    CONSTRUCTS,
    DEMOGRAPHICS,
    DIMENSIONS,
    ITEMS,
    REGIONS,
)
from egovstudy.errors import InsufficientDataError

__all__ = ["AGREE5_ID", "TRUE_PATHS", "SimulatedStudy", "simulate_egov_survey"]

AGREE5_ID = ["Sangat Tidak Setuju", "Tidak Setuju", "Netral", "Setuju", "Sangat Setuju"]

EXOGENOUS = ["hr_quality", "hr_quantity", "budget", "internet", "computers"]

# structural coefficients on the latent, standardised scale
TRUE_PATHS: dict[str, dict[str, float]] = {
    "digitalisation": {"hr_quality": 0.30, "hr_quantity": 0.00, "budget": 0.20,
                       "internet": 0.25, "computers": 0.15},
    "performance": {"digitalisation": 0.45, "hr_quality": 0.20, "hr_quantity": 0.00,
                    "budget": 0.00, "internet": 0.00, "computers": 0.00},
    "service_quality": {"digitalisation": 0.30, "performance": 0.35},
}

# share of each exogenous construct's variance that sits at agency level
_AGENCY_SHARE = {"hr_quality": 0.15, "hr_quantity": 0.20, "budget": 0.45, "internet": 0.50,
                 "computers": 0.35}
_EXO_CORR = 0.30  # correlation among exogenous constructs (both levels)
_RANDOM_INTERCEPT_VAR = {"digitalisation": 0.06, "performance": 0.05, "service_quality": 0.05}
_DIMENSION_LOADING = 0.85
_WEAK = {"bud4": 0.15}
_LOADINGS = (0.70, 0.85)
# thresholds of the underlying normal response -> five categories (mildly agree-skewed)
_THRESHOLDS = np.array([-1.9, -1.0, -0.1, 1.0])
_HEADER_TS = "Timestamp"
_HEADER_START = "Waktu mulai mengisi"
_HEADER_ID = "NIP"
_HEADER_AGENCY = "Nama OPD / Instansi"
_HEADER_REGION = "Kabupaten/Kota"
_HEADER_MBPS = "Kecepatan internet terukur di kantor (Mbps, lihat speedtest)"
_TS_FORMAT = "%d/%m/%Y %H:%M:%S"


@dataclass(frozen=True)
class SimulatedStudy:
    """One draw of the default study.

    Attributes
    ----------
    export : DataFrame
        The Google Forms export, exactly as written to CSV (text labels,
        Indonesian headers, planted problems).
    latent : DataFrame
        True latent construct scores per genuine respondent (in generation
        order), with ``nip``, ``agency`` and ``region`` to join on.
    truth : dict
        The documented truth: paths, loadings, planted problems (by NIP and
        export row number, 1-based data rows).
    """

    export: pd.DataFrame
    latent: pd.DataFrame
    truth: dict[str, Any] = field(default_factory=dict)


def _exogenous(rng: np.random.Generator, agency_idx: np.ndarray, n_agencies: int) -> np.ndarray:
    k = len(EXOGENOUS)
    corr = np.full((k, k), _EXO_CORR)
    np.fill_diagonal(corr, 1.0)
    chol = np.linalg.cholesky(corr)
    share = np.array([_AGENCY_SHARE[c] for c in EXOGENOUS])
    agency_part = (rng.standard_normal((n_agencies, k)) @ chol.T) * np.sqrt(share)
    person_part = (rng.standard_normal((agency_idx.size, k)) @ chol.T) * np.sqrt(1 - share)
    result: np.ndarray = agency_part[agency_idx] + person_part
    return result


def _endogenous(
    rng: np.random.Generator,
    name: str,
    predictors: dict[str, np.ndarray],
    cov: pd.DataFrame,
    agency_idx: np.ndarray,
    n_agencies: int,
) -> np.ndarray:
    """Draw a unit-variance endogenous construct given the population covariance."""
    names = list(TRUE_PATHS[name])
    beta = np.array([TRUE_PATHS[name][p] for p in names])
    sub = cov.loc[names, names].to_numpy()
    explained = float(beta @ sub @ beta)
    u_var = _RANDOM_INTERCEPT_VAR[name]
    e_var = 1.0 - explained - u_var
    if e_var <= 0:  # pragma: no cover - guarded by the fixed design
        raise ValueError(f"structural model for {name} explains more than all variance")
    linear = np.column_stack([predictors[p] for p in names]) @ beta
    u = rng.normal(0.0, np.sqrt(u_var), n_agencies)[agency_idx]
    e = rng.normal(0.0, np.sqrt(e_var), agency_idx.size)
    out: np.ndarray = linear + u + e
    return out


def population_covariance() -> pd.DataFrame:
    """Return the population covariance of all latent constructs (unit variances)."""
    k = len(EXOGENOUS)
    corr = np.full((k, k), _EXO_CORR)
    np.fill_diagonal(corr, 1.0)
    cov = pd.DataFrame(corr, index=EXOGENOUS, columns=EXOGENOUS)
    for name in ("digitalisation", "performance", "service_quality"):
        names = list(TRUE_PATHS[name])
        beta = pd.Series(TRUE_PATHS[name])
        cross = cov.loc[:, names].to_numpy() @ beta.to_numpy()
        cov.loc[name, :] = cross
        cov.loc[:, name] = np.append(cross, 1.0)
        cov.loc[name, name] = 1.0
    return cov


def _cut(values: np.ndarray, shift: np.ndarray) -> np.ndarray:
    """Cut standard-normal responses into categories 1..5 (thresholds shifted per item)."""
    return (values[:, :, None] > (_THRESHOLDS[None, None, :] + shift[None, :, None])).sum(
        axis=2
    ) + 1


def _loadings(rng: np.random.Generator) -> dict[str, float]:
    out = {}
    for name, *_ in ITEMS:
        out[name] = _WEAK.get(name, round(float(rng.uniform(*_LOADINGS)), 2))
    return out


def _latent_scores(
    rng: np.random.Generator, agency_idx: np.ndarray, n_agencies: int
) -> pd.DataFrame:
    exo = _exogenous(rng, agency_idx, n_agencies)
    scores: dict[str, np.ndarray] = {c: exo[:, i] for i, c in enumerate(EXOGENOUS)}
    cov = population_covariance()
    for name in ("digitalisation", "performance", "service_quality"):
        scores[name] = _endogenous(rng, name, scores, cov, agency_idx, n_agencies)
    for dim in DIMENSIONS:
        noise = rng.standard_normal(agency_idx.size) * np.sqrt(1 - _DIMENSION_LOADING**2)
        scores[dim] = _DIMENSION_LOADING * scores["digitalisation"] + noise
    return pd.DataFrame(scores)


def _item_responses(
    rng: np.random.Generator, latent: pd.DataFrame, loadings: dict[str, float]
) -> pd.DataFrame:
    names = [i[0] for i in ITEMS]
    lam = np.array([loadings[n] for n in names])
    eta = np.column_stack([latent[i[1]].to_numpy() for i in ITEMS])
    star = eta * lam + rng.standard_normal(eta.shape) * np.sqrt(1 - lam**2)
    shift = rng.uniform(-0.25, 0.25, len(names))
    codes = _cut(star, shift)
    reverse = np.array([i[4] for i in ITEMS])
    codes[:, reverse] = 6 - codes[:, reverse]  # what the respondent ticks on a reverse item
    return pd.DataFrame(codes, columns=names)


def _nip(rng: np.random.Generator, age: int, tenure: int, female: bool, year: int) -> str:
    birth = datetime(year - age, 1, 1) + timedelta(days=int(rng.integers(0, 365)))
    appointed = year - tenure
    serial = int(rng.integers(1, 999))
    month = int(rng.integers(1, 13))
    return f"{birth:%Y%m%d}{appointed:04d}{month:02d}{2 if female else 1}{serial:03d}"


def simulate_egov_survey(
    n_agencies: int = 30,
    n_per_agency: int = 20,
    seed: int = 2026,
    *,
    messy: bool = True,
) -> SimulatedStudy:
    """Simulate the default e-government survey of civil servants.

    Parameters
    ----------
    n_agencies : int, default 30
        Number of agencies (OPD), spread evenly over five regions; at most 30
        distinct names exist (six agency types x five regions), larger values
        reuse them with a numeric suffix.
    n_per_agency : int, default 20
        Mean respondents per agency; actual sizes vary by +/- 5 (at least 5).
    seed : int, default 2026
        Seed of the random generator: the same seed gives the same export.
    messy : bool, default True
        Plant the problems of a real export (duplicate submission, blank
        answers, a straight-liner, a speeder, a failed attention check, an
        out-of-range speed, agency names typed inconsistently). ``False``
        gives a clean export, used to compute population values.

    Returns
    -------
    SimulatedStudy

    Examples
    --------
    >>> study = simulate_egov_survey(n_agencies=10, n_per_agency=8, seed=1)
    >>> study.export.shape[0] == len(study.latent) + 1  # one duplicate submission
    True
    >>> study.export.iloc[0, 0]  # Google Forms timestamp
    '...'
    """
    if n_agencies < 5:
        raise InsufficientDataError(
            f"n_agencies={n_agencies}: must be at least 5 (one agency per region)")
    if n_per_agency < 5:
        raise InsufficientDataError(f"n_per_agency={n_per_agency}: must be at least 5")
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    loadings = _loadings(rng)

    sizes = np.maximum(5, n_per_agency + rng.integers(-5, 6, n_agencies))
    agency_idx = np.repeat(np.arange(n_agencies), sizes)
    n = agency_idx.size
    region_of = np.arange(n_agencies) % len(REGIONS)
    type_of = (np.arange(n_agencies) // len(REGIONS)) % len(AGENCIES)
    cycle = np.arange(n_agencies) // (len(REGIONS) * len(AGENCIES))
    canonical = []
    abbreviated = []
    for j in range(n_agencies):
        full, short = AGENCIES[type_of[j]]
        place = REGIONS[region_of[j]].replace("Kabupaten ", "").replace("Kota ", "Kota ")
        suffix = f" {cycle[j] + 1}" if cycle[j] else ""
        canonical.append(f"{full} {REGIONS[region_of[j]]}{suffix}")
        abbreviated.append(f"{short} {place}{suffix}")

    latent = _latent_scores(rng, agency_idx, n_agencies)
    latent.insert(0, "agency", [canonical[j] for j in agency_idx])
    latent.insert(1, "region", [REGIONS[region_of[j]] for j in agency_idx])
    codes = _item_responses(rng, latent, loadings)

    # measured office internet speed: an agency-level quantity read by each respondent
    agency_net = latent.groupby(agency_idx)["internet"].mean().to_numpy()
    agency_mbps = np.exp(3.2 + 0.8 * (agency_net - agency_net.mean()))
    mbps = np.round(agency_mbps[agency_idx] * np.exp(rng.normal(0, 0.2, n)), 1).astype(object)

    female = rng.random(n) < 0.45
    age = rng.integers(24, 58, n)
    tenure = np.minimum(age - 22, rng.integers(1, 33, n))
    education = rng.choice(["SMA/SMK", "D3", "S1/D4", "S2", "S3"], n,
                           p=[0.10, 0.12, 0.55, 0.21, 0.02])
    rank = np.where(education == "SMA/SMK", "II", rng.choice(["III", "IV"], n, p=[0.75, 0.25]))
    position = rng.choice(["Pelaksana", "Fungsional", "Struktural"], n, p=[0.45, 0.40, 0.15])
    year = 2026
    nips: list[str] = []
    seen: set[str] = set()
    for i in range(n):
        nip = _nip(rng, int(age[i]), int(tenure[i]), bool(female[i]), year)
        while nip in seen:  # NIPs are unique per civil servant
            nip = _nip(rng, int(age[i]), int(tenure[i]), bool(female[i]), year)
        seen.add(nip)
        nips.append(nip)
    latent.insert(0, "nip", nips)

    start0 = datetime(2026, 9, 1, 7, 30)
    offsets = rng.uniform(0, 29 * 24 * 3600, n)
    duration = np.exp(rng.normal(np.log(12 * 60), 0.35, n))  # seconds, median 12 minutes
    submitted = [start0 + timedelta(seconds=float(s)) for s in offsets]
    started = [t - timedelta(seconds=float(d)) for t, d in zip(submitted, duration)]

    typed_agency = []
    for i in range(n):
        j = agency_idx[i]
        u = rng.random()
        if not messy or u < 0.6:
            typed_agency.append(canonical[j])
        elif u < 0.8:
            typed_agency.append(abbreviated[j])
        elif u < 0.9:
            typed_agency.append("  " + canonical[j].lower() + " ")
        else:
            typed_agency.append(abbreviated[j].upper())
    attention = np.full(n, "Setuju", dtype=object)

    labels = np.array(AGREE5_ID, dtype=object)
    answers = pd.DataFrame(labels[codes.to_numpy() - 1], columns=codes.columns)

    truth_planted: dict[str, Any] = {}
    if messy:
        picks = rng.choice(n, size=5, replace=False)
        straight, speeder, inattentive, blank_block, out_of_range = (int(p) for p in picks)
        answers.iloc[straight, :] = "Setuju"
        answers.iloc[speeder, :] = labels[rng.integers(0, 5, answers.shape[1])]
        started[speeder] = submitted[speeder] - timedelta(seconds=70)
        attention[inattentive] = "Tidak Setuju"
        perf_cols = [c for c in answers.columns if c.startswith("perf")]
        answers.loc[blank_block, perf_cols] = None
        mbps[out_of_range] = 2500.0
        # scattered blank answers (not required in the form), about 1% of cells
        mask = rng.random(answers.shape) < 0.01
        for p in (straight, speeder):
            mask[p, :] = False
        answers = answers.mask(mask)
        n_blank = int(mask.sum())
        missing_mbps = rng.random(n) < 0.05
        missing_mbps[out_of_range] = False
        mbps[missing_mbps] = None
        truth_planted = {
            "straight_liner": {"nip": nips[straight]},
            "speeder": {"nip": nips[speeder], "duration_seconds": 70},
            "failed_attention_check": {"nip": nips[inattentive],
                                       "answer": "Tidak Setuju", "expected": "Setuju"},
            "blank_performance_block": {"nip": nips[blank_block], "items": perf_cols},
            "out_of_range_mbps": {"nip": nips[out_of_range], "value": 2500.0,
                                  "valid_range": [0, 1000]},
            "scattered_blank_answers": n_blank,
            "missing_mbps": int(missing_mbps.sum()),
        }

    items_by_header = {name: text for name, _c, text, _e, _r in ITEMS}
    export = pd.DataFrame({
        _HEADER_TS: [t.strftime(_TS_FORMAT) for t in submitted],
        _HEADER_START: [t.strftime(_TS_FORMAT) for t in started],
        _HEADER_ID: nips,
        _HEADER_REGION: [REGIONS[region_of[j]] for j in agency_idx],
        _HEADER_AGENCY: typed_agency,
        DEMOGRAPHICS["gender"]: np.where(female, "Perempuan", "Laki-laki"),
        DEMOGRAPHICS["age"]: age,
        DEMOGRAPHICS["education"]: education,
        DEMOGRAPHICS["tenure"]: tenure,
        DEMOGRAPHICS["rank"]: rank,
        DEMOGRAPHICS["position"]: position,
    })
    order = list(answers.columns)
    first_half = order[: len(order) // 2]
    for col in first_half:
        export[items_by_header[col]] = answers[col].to_numpy()
    export[ATTENTION_CHECK] = attention
    for col in order[len(order) // 2:]:
        export[items_by_header[col]] = answers[col].to_numpy()
    export[_HEADER_MBPS] = mbps

    export = export.sort_values(_HEADER_TS, key=lambda s: pd.to_datetime(s, format=_TS_FORMAT),
                                kind="stable").reset_index(drop=True)
    if messy:
        # the same respondent submits twice: a few minutes later, one answer changed
        dup = int(rng.integers(0, n))
        while dup in picks:
            dup = int(rng.integers(0, n))
        row = export.loc[export[_HEADER_ID] == nips[dup]].copy()
        later = submitted[dup] + timedelta(minutes=3)
        row[_HEADER_TS] = later.strftime(_TS_FORMAT)
        row[_HEADER_START] = (later - timedelta(minutes=4)).strftime(_TS_FORMAT)
        changed = items_by_header["psq2"]
        old = row.iloc[0][changed]
        row[changed] = "Sangat Setuju" if old != "Sangat Setuju" else "Setuju"
        export = pd.concat([export, row], ignore_index=True)
        export = export.sort_values(_HEADER_TS, key=lambda s: pd.to_datetime(s, format=_TS_FORMAT),
                                    kind="stable").reset_index(drop=True)
        truth_planted["duplicate_submission"] = {
            "nip": nips[dup], "copies": 2, "changed_item": "psq2",
            "rule": "keep the later submission",
        }
        for _key, value in truth_planted.items():
            if isinstance(value, dict) and "nip" in value:
                rows = export.index[export[_HEADER_ID] == value["nip"]] + 1
                value["export_rows"] = [int(r) for r in rows]

    truth = {
        "seed": seed,
        "n_agencies": n_agencies,
        "n_respondents": int(n),
        "n_export_rows": len(export),
        "latent_paths": TRUE_PATHS,
        "no_effect": ["hr_quantity"],
        "fully_mediated": ["budget", "internet", "computers"],
        "partially_mediated": ["hr_quality"],
        "true_indirect_via_digitalisation": {
            x: round(TRUE_PATHS["digitalisation"][x] * TRUE_PATHS["performance"]["digitalisation"],
                     4)
            for x in EXOGENOUS
        },
        "agency_share_of_variance": _AGENCY_SHARE,
        "random_intercept_variance": _RANDOM_INTERCEPT_VAR,
        "loadings": loadings,
        "dimension_loading": _DIMENSION_LOADING,
        "weak_items": list(_WEAK),
        "reverse_items": [i[0] for i in ITEMS if i[4]],
        "planted": truth_planted,
        "constructs": {k: dict(v) for k, v in CONSTRUCTS.items()},
    }
    return SimulatedStudy(export=export, latent=latent, truth=truth)
