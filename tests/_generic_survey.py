"""A study unlike the bundled one, written as a new user would write it.

Another scale length (7 points by default), English answer labels, other column names, a
cluster column called ``office`` and no agency or region: what holds for the default study
alone must hold here too.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

AGREE7_EN = ["Strongly disagree", "Disagree", "Somewhat disagree", "Neutral",
             "Somewhat agree", "Agree", "Strongly agree"]

# construct -> (label, number of items, loading)
CONSTRUCTS = {
    "system_quality": ("System quality", 4, 0.8),
    "use": ("System use", 3, 0.75),
    "satisfaction": ("User satisfaction", 3, 0.8),
    "benefits": ("Net benefits", 4, 0.8),
}


def make_generic_study(folder: Path, *, points: int = 7, n_offices: int = 24,
                       per_office: int = 15, seed: int = 7, cluster: str = "office") -> Path:
    """Write data.csv, codebook.yaml and study.yaml into ``folder``; return the study path.

    The latent model: satisfaction = .5 system_quality + .3 use + e;
    benefits = .6 satisfaction + e, with office random intercepts.
    """
    if points not in (5, 7):
        raise ValueError("points must be 5 or 7 (built-in agree5/agree7 scales)")
    rng = np.random.default_rng(seed)
    n = n_offices * per_office
    office = np.repeat([f"Office {i + 1:02d}" for i in range(n_offices)], per_office)
    u = np.repeat(rng.normal(scale=0.4, size=n_offices), per_office)
    sq = rng.normal(size=n) + u
    use = 0.4 * sq + rng.normal(size=n)
    sat = 0.5 * sq + 0.3 * use + rng.normal(scale=0.8, size=n)
    ben = 0.6 * sat + rng.normal(scale=0.8, size=n) + 0.5 * u
    latent = {"system_quality": sq, "use": use, "satisfaction": sat, "benefits": ben}
    labels = AGREE7_EN if points == 7 else ["Strongly disagree", "Disagree", "Neutral",
                                            "Agree", "Strongly agree"]
    frame = pd.DataFrame({"Respondent": [f"R{i:04d}" for i in range(n)],
                          "Submitted": pd.date_range("2026-10-01 08:00", periods=n,
                                                     freq="7min").strftime("%Y-%m-%d %H:%M"),
                          "Which office do you work in?": office})
    items, constructs = [], []
    cuts = np.linspace(-2.0, 2.0, points - 1)
    for name, (label, k, loading) in CONSTRUCTS.items():
        z = (latent[name] - latent[name].mean()) / latent[name].std()
        names = []
        for j in range(k):
            item = f"{name[:3]}{j + 1}"
            column = f"{label}: statement {j + 1}"
            y = loading * z + np.sqrt(1 - loading ** 2) * rng.normal(size=n) + 0.6
            codes = np.searchsorted(cuts, y) + 1
            answers = np.array(labels, dtype=object)[codes - 1]
            answers[rng.random(n) < 0.02] = None  # 2% blank answers
            frame[column] = answers
            items.append({"name": item, "column": column, "construct": name,
                          "text": {"en": f"{label}, statement {j + 1}"},
                          "scale": f"agree{points}"})
            names.append(item)
        constructs.append({"name": name, "label": {"en": label, "id": label},
                           "items": names, "score": "mean", "min_items": k - 1})
    frame.to_csv(folder / "data.csv", index=False)
    codebook = {
        "study": {"name": "generic", "source": "csv", "language": "en"},
        "columns": {"id": "Respondent", "timestamp": "Submitted",
                    "timestamp_format": "%Y-%m-%d %H:%M"},
        "items": items,
        "constructs": constructs,
        "variables": [{"name": cluster, "column": "Which office do you work in?",
                       "type": "categorical", "label": {"en": "Office", "id": "Kantor"}}],
    }
    (folder / "codebook.yaml").write_text(yaml.safe_dump(codebook, sort_keys=False),
                                          encoding="utf-8")
    study = {
        "name": "generic",
        "title": {"en": "Information-system success in public offices (simulated)"},
        "data": "data.csv",
        "codebook": "codebook.yaml",
        "language": "en",
        "seed": 11,
        "constructs": list(CONSTRUCTS),
        "model": {"predictors": ["system_quality", "use"], "mediator": "satisfaction",
                  "outcome": "benefits", "covariates": [], "cluster": cluster},
        "hypotheses": [
            {"id": "H1", "from": "system_quality", "to": "satisfaction",
             "direction": "positive"},
            {"id": "H2", "from": "use", "to": "satisfaction", "direction": "positive"},
            {"id": "H3", "from": "satisfaction", "to": "benefits", "direction": "positive"},
            {"id": "H4", "from": "system_quality", "to": "benefits", "via": "satisfaction",
             "direction": "positive"},
        ],
        "estimators": {"ols": True, "process": True, "pls_sem": False},
        "bootstrap": {"n_boot": 200, "ci": 0.95},
        "outputs": {"tables": ["csv", "md"], "figures": ["png"], "chapter": True},
    }
    path = folder / "study.yaml"
    path.write_text(yaml.safe_dump(study, sort_keys=False), encoding="utf-8")
    return path
