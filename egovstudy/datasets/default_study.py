"""The bundled default study: its codebook, its files and its documented truth.

``write_default_study`` regenerates ``data/raw/default_study/`` exactly (it is
deterministic); ``load_truth`` reads the documented true effects.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from egovstudy._paths import project_root
from egovstudy.datasets.instrument import (
    AGENCIES,
    ATTENTION_CHECK,
    CONSTRUCTS,
    DEMOGRAPHICS,
    DIMENSIONS,
    ITEMS,
    REGIONS,
)
from egovstudy.datasets.simulate import (
    _HEADER_AGENCY,
    _HEADER_ID,
    _HEADER_MBPS,
    _HEADER_REGION,
    _HEADER_START,
    _HEADER_TS,
    EXOGENOUS,
    simulate_egov_survey,
)

__all__ = [
    "DEFAULT_SEED",
    "default_study_codebook",
    "default_study_dir",
    "load_truth",
    "population_estimands",
    "write_default_study",
]

DEFAULT_SEED = 2026
DEFAULT_N_AGENCIES = 30
DEFAULT_N_PER_AGENCY = 20
EXPORT_NAME = "survei_asn_opd.csv"


def default_study_dir() -> Path:
    """Return ``data/raw/default_study`` of the source tree."""
    return project_root() / "data" / "raw" / "default_study"


def default_study_codebook() -> dict[str, Any]:
    """Return the codebook of the default study as a plain dict (schema: docs/codebook.md)."""
    items = []
    for name, construct, text_id, text_en, reverse in ITEMS:
        items.append({
            "name": name, "column": text_id, "construct": construct,
            "text": {"id": text_id, "en": text_en}, "scale": "agree5", "reverse": reverse,
        })
    constructs: list[dict[str, Any]] = []
    for cname, label in CONSTRUCTS.items():
        members = [i[0] for i in ITEMS if i[1] == cname]
        constructs.append({
            "name": cname, "label": {"en": label["en"], "id": label["id"]},
            "items": members, "score": "mean", "min_items": max(2, len(members) - 1),
        })
    constructs.append({
        "name": "digitalisation",
        "label": {"en": "Digitalisation process", "id": "Proses digitalisasi"},
        "dimensions": list(DIMENSIONS), "score": "mean", "min_items": 4,
    })
    variables = [
        {"name": "mbps", "column": _HEADER_MBPS, "type": "numeric", "range": [0, 1000],
         "label": {"en": "Measured office internet speed (Mbps)",
                   "id": "Kecepatan internet kantor terukur (Mbps)"}},
        {"name": "gender", "column": DEMOGRAPHICS["gender"], "type": "categorical",
         "categories": {"Laki-laki": "male", "Perempuan": "female"},
         "label": {"en": "Gender", "id": "Jenis kelamin"}},
        {"name": "age", "column": DEMOGRAPHICS["age"], "type": "integer", "range": [18, 65],
         "label": {"en": "Age (years)", "id": "Usia (tahun)"}},
        {"name": "education", "column": DEMOGRAPHICS["education"], "type": "categorical",
         "categories": {"SMA/SMK": "senior_high", "D3": "diploma", "S1/D4": "bachelor",
                        "S2": "master", "S3": "doctorate"},
         "ordered": True,
         "label": {"en": "Education", "id": "Pendidikan terakhir"}},
        {"name": "tenure", "column": DEMOGRAPHICS["tenure"], "type": "integer", "range": [0, 45],
         "label": {"en": "Years of service", "id": "Masa kerja (tahun)"}},
        {"name": "rank", "column": DEMOGRAPHICS["rank"], "type": "categorical",
         "categories": {"II": "II", "III": "III", "IV": "IV"}, "ordered": True,
         "label": {"en": "Civil-service grade", "id": "Golongan"}},
        {"name": "position", "column": DEMOGRAPHICS["position"], "type": "categorical",
         "categories": {"Pelaksana": "administrative", "Fungsional": "functional",
                        "Struktural": "structural"},
         "label": {"en": "Position type", "id": "Jenis jabatan"}},
    ]
    aliases: dict[str, str] = {}
    for j in range(DEFAULT_N_AGENCIES):
        full, short = AGENCIES[(j // len(REGIONS)) % len(AGENCIES)]
        region = REGIONS[j % len(REGIONS)]
        place = region.replace("Kabupaten ", "")
        aliases[f"{short} {place}".lower()] = f"{full} {region}"
    return {
        "study": {
            "name": "default_study",
            "title": {
                "en": "Digitalisation, employee performance and public service quality in "
                      "regional government agencies (simulated)",
                "id": "Digitalisasi, kinerja pegawai dan kualitas pelayanan publik di "
                      "perangkat daerah (simulasi)",
            },
            "source": "google_forms",
            "language": "id",
        },
        "columns": {
            "id": _HEADER_ID, "timestamp": _HEADER_TS, "timestamp_format": "%d/%m/%Y %H:%M:%S",
            "start_time": _HEADER_START, "duration": None,
            "agency": _HEADER_AGENCY, "region": _HEADER_REGION,
        },
        "items": items,
        "constructs": constructs,
        "variables": variables,
        "attention_checks": [{"column": ATTENTION_CHECK, "scale": "agree5",
                              "expected": "Setuju"}],
        "aliases": {"agency": aliases},
    }


def _scores(export: pd.DataFrame) -> pd.DataFrame:
    """Mean construct scores of a clean export (reverse keys applied)."""
    labels = {"Sangat Tidak Setuju": 1, "Tidak Setuju": 2, "Netral": 3, "Setuju": 4,
              "Sangat Setuju": 5}
    out = {}
    for cname in CONSTRUCTS:
        cols = []
        for _name, construct, text_id, _en, reverse in ITEMS:
            if construct == cname:
                v = export[text_id].map(labels).astype(float)
                cols.append(6 - v if reverse else v)
        out[cname] = pd.concat(cols, axis=1).mean(axis=1)
    frame = pd.DataFrame(out)
    frame["digitalisation"] = frame[DIMENSIONS].mean(axis=1)
    return frame


def _ols(y: np.ndarray, x: np.ndarray) -> np.ndarray:
    design = np.column_stack([np.ones(len(y)), x])
    coef: np.ndarray = np.linalg.lstsq(design, y, rcond=None)[0]
    return coef[1:]


def population_estimands(n_agencies: int = 2000, n_per_agency: int = 100,
                         seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """Score-level values that OLS on construct mean scores estimates.

    Item scores attenuate latent effects (measurement error, five categories),
    so regressions on mean scores estimate these population values rather than
    the latent paths. They are computed once from a very large clean draw with
    the same loadings and recorded in ``truth.yaml``.
    """
    big = simulate_egov_survey(n_agencies=n_agencies, n_per_agency=n_per_agency, seed=seed,
                               messy=False)
    s = _scores(big.export)
    z = (s - s.mean()) / s.std(ddof=1)
    result: dict[str, Any] = {"n": len(s)}
    equations = {
        "digitalisation": EXOGENOUS,
        "performance": ["digitalisation", *EXOGENOUS],
        "service_quality": ["digitalisation", "performance"],
    }
    for dep, preds in equations.items():
        b = _ols(s[dep].to_numpy(), s[preds].to_numpy())
        beta = _ols(z[dep].to_numpy(), z[preds].to_numpy())
        result[dep] = {p: {"b": round(float(v), 4), "beta": round(float(w), 4)}
                       for p, v, w in zip(preds, b, beta)}
    result["indirect_via_digitalisation"] = {
        x: round(result["digitalisation"][x]["b"] * result["performance"]["digitalisation"]["b"],
                 4)
        for x in EXOGENOUS
    }
    return result


def write_default_study(out_dir: str | Path | None = None, *,
                        population: dict[str, Any] | None = None) -> Path:
    """(Re)write the default study's export, codebook and truth; deterministic.

    Parameters
    ----------
    out_dir : path, optional
        Target folder; defaults to ``data/raw/default_study``. This is the one
        function allowed to write there: it is how the raw data was made.
    population : dict, optional
        Precomputed :func:`population_estimands` (slow to recompute).
    """
    target = Path(out_dir) if out_dir is not None else default_study_dir()
    target.mkdir(parents=True, exist_ok=True)
    study = simulate_egov_survey(DEFAULT_N_AGENCIES, DEFAULT_N_PER_AGENCY, DEFAULT_SEED)
    study.export.to_csv(target / EXPORT_NAME, index=False, encoding="utf-8", lineterminator="\n")
    with open(target / "codebook.yaml", "w", encoding="utf-8") as fh:
        fh.write("# Codebook of the default study (schema: docs/codebook.md).\n")
        yaml.safe_dump(default_study_codebook(), fh, allow_unicode=True, sort_keys=False,
                       width=100)
    truth = dict(study.truth)
    truth["population_score_level"] = population or population_estimands()
    with open(target / "truth.yaml", "w", encoding="utf-8") as fh:
        fh.write("# The documented truth of the default study: generated by\n"
                 "# egovstudy.datasets.write_default_study(); see egovstudy/datasets/simulate.py\n")
        yaml.safe_dump(truth, fh, allow_unicode=True, sort_keys=False, width=100)
    return target


def load_truth(path: str | Path | None = None) -> dict[str, Any]:
    """Return the documented truth of the default study (``truth.yaml``).

    Examples
    --------
    >>> truth = load_truth()
    >>> truth["no_effect"], truth["weak_items"]
    (['hr_quantity'], ['bud4'])
    """
    file = Path(path) if path is not None else default_study_dir() / "truth.yaml"
    from egovstudy._yaml import load_yaml

    data: dict[str, Any] = load_yaml(file, what="truth file")
    return data

