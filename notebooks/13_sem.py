# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 13 · Covariance-based SEM, measurement invariance and a higher-order factor
#
# PLS-SEM (notebook 06) weights items into composites. **Covariance-based SEM** (lavaan,
# AMOS, Mplus) treats each construct as a common factor and tests whether the whole model
# reproduces the item covariances (chi-square, CFI, TLI, RMSEA, SRMR). `egovstudy.sem`
# fits it by maximum likelihood with lavaan's conventions and reads lavaan's model syntax.
#
# 1. **Higher-order factor**: digitalisation as a second-order factor over its five
#    dimensions (five first-order factors: the second order is testable).
# 2. **Structural model**: budget → performance → service quality (+ the direct path),
#    with the indirect effect `ab := a*b` and a bootstrap percentile interval.
# 3. **Measurement invariance** across gender: configural, metric, scalar, strict.
#    A level is retained when ΔCFI > −0.010 (Cheung & Rensvold 2002) and
#    ΔRMSEA < 0.015 (Chen 2007); group means of construct scores are comparable only
#    under scalar invariance.

# %% tags=["parameters"]
study_path = "../data/raw/default_study/study.yaml"  # data, codebook and quality policies
language = "en"            # "en" or "id"
seed = 2026                # bootstrap seed
n_boot = 500               # bootstrap resamples (use 5000 for publication)
group = "gender"           # demographic column for the invariance tests
output_dir = "../reports"

# %%
import warnings

import egovstudy as eg
from egovstudy.notebooks import notebook_outputs
from egovstudy.report import tables as T

warnings.simplefilter("ignore", eg.DataQualityWarning)
spec, survey = eg.load_study_survey(study_path)
data, cb, items = survey.data, survey.codebook, survey.construct_items()
out = notebook_outputs(output_dir, data_hash=survey.source_hash,
                       options={"seed": seed, "n_boot": n_boot, "group": group})
save_table = out.table


def lavaan(constructs: dict[str, list[str]]) -> str:
    """Measurement lines of lavaan syntax, one per construct."""
    return "\n".join(f"{c} =~ {' + '.join(its)}" for c, its in constructs.items())


# %% [markdown]
# ## 1. Digitalisation as a second-order factor

# %%
dims = list(cb.constructs["digitalisation"].dimensions)
higher = lavaan({d: items[d] for d in dims}) + f"\ndigitalisation =~ {' + '.join(dims)}"
ho = eg.sem(higher, data)
print(ho.summary().split("Paths:")[0])
ho.estimates.query("lhs == 'digitalisation' and op == '=~'")[
    ["rhs", "estimate", "std_error", "std_estimate"]]

# %% [markdown]
# ## 2. Structural model with an indirect effect

# %%
model = (lavaan({c: items[c] for c in ("budget", "performance", "service_quality")})
         + "\nperformance ~ a*budget\nservice_quality ~ b*performance + budget\nab := a*b")
fit = eg.sem(model, data, n_boot=n_boot, seed=seed)
print(fit.summary())
print(fit.sentence(language))
table = fit.estimates.query("op in ['~', ':=']")[
    ["lhs", "op", "rhs", "estimate", "std_error", "p_value", "std_estimate", "boot_ci_low",
     "boot_ci_high"]]
save_table(T.frame_table(table, title="SEM paths and indirect effect", language=language,
                         digits=3), "13_sem_paths")
table

# %% [markdown]
# ## 3. Measurement invariance across gender

# %%
inv = eg.invariance(lavaan({c: items[c] for c in ("performance", "service_quality")}),
                    data, group)
print(inv.summary())
print(inv.sentence(language))
save_table(T.frame_table(inv.tidy(language), title=f"Measurement invariance across {group}",
                         language=language, digits=3), "13_invariance")
inv.table
