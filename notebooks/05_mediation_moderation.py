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
# # 05 · Mediation and moderation (Hayes' PROCESS)
#
# **Mediation** asks *how* an input affects performance: through digitalisation? In
# PROCESS **model 4** (Hayes, 2022) two regressions are fitted: M = a·X (+ covariates) and
# Y = c'·X + b·M (+ covariates). The **indirect effect** a·b is the part of X's effect that
# runs through M; **c'** is the direct effect; the total effect c = c' + a·b. The indirect
# effect is not normally distributed, so its confidence interval comes from a
# **percentile bootstrap**: resample respondents with replacement many times (5000 is the
# publication default; this notebook uses `n_boot` so it runs fast), recompute a·b each
# time and take the 2.5th and 97.5th percentiles. If the interval excludes zero the indirect
# effect is significant. Because employees are nested in agencies we resample whole
# agencies (a **cluster bootstrap**). The other inputs enter as covariates.
#
# **Moderation** asks *when* an effect is stronger: PROCESS **model 1** adds the product
# X·W. A significant product means the effect of X depends on W; **simple slopes** show the
# effect at low (M − 1 SD), average and high (M + 1 SD) W, and the **Johnson–Neyman**
# technique finds the values of W where the effect becomes significant.

# %% tags=["parameters"]
study_path = "../data/raw/default_study/study.yaml"  # data, codebook and quality policies
truth_path = "../data/raw/default_study/truth.yaml"  # documented truth (default study only)
language = "en"            # "en" or "id"
seed = 2026                # bootstrap seed: same seed, same intervals
n_boot = 1000              # bootstrap resamples (use 5000 for publication)
output_dir = "../reports"

# %%
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import display

import egovstudy as eg
from egovstudy.datasets import load_truth
from egovstudy.models import ols
from egovstudy.notebooks import notebook_outputs
from egovstudy.report import figures as F
from egovstudy.report import tables as T
from egovstudy.report.style import house_style

warnings.simplefilter("ignore", eg.DataQualityWarning)
tables, figures = Path(output_dir) / "tables", Path(output_dir) / "figures"

# %%
# the study's screened sample: the same respondents as the results chapter
spec, survey = eg.load_study_survey(study_path)
data, cb = survey.data, survey.codebook
labels = {k: c.label.get(language, k) for k, c in cb.constructs.items()}
inputs = ["hr_quality", "hr_quantity", "budget", "internet", "computers"]
out = notebook_outputs(output_dir, data_hash=survey.source_hash,
                       options={"seed": seed, "n_boot": n_boot})
save_table, save_fig, prov = out.table, out.figure, out.provenance




# %% [markdown]
# ## 1. PROCESS model 4 for each input
#
# One model per input X: M = digitalisation, Y = performance, the other four inputs as
# covariates, cluster bootstrap by agency.

# %%
fits = {x: eg.process(data, model=4, x=x, m="digitalisation", y="performance",
                      covariates=[c for c in inputs if c != x], n_boot=n_boot, seed=seed,
                      clusters="agency", progress=False) for x in inputs}
indirect = pd.concat([r.effects.query("part == 'indirect'").assign(x=x)
                      for x, r in fits.items()], ignore_index=True)
indirect["term"] = [f"{labels[x]} → {labels['digitalisation']} → {labels['performance']}"
                    for x in indirect["x"]]
save_table(T.mediation_table(indirect, language=language, n_boot=n_boot),
           "05_indirect_effects")
print(fits["hr_quality"].summary())

# %% [markdown]
# ## 2. The paths of one model, its bootstrap distribution and path diagram
#
# For HR quality: a, b, c' and c with t-based intervals and the indirect effect with its
# bootstrap interval. The histogram shows the bootstrap estimates of a·b: the shaded band
# is the 95% interval; it should not cover the black line at zero.

# %%
res = fits["hr_quality"]
co = res.coefficients.set_index(["outcome", "term"])
eff = res.effects.set_index("part")
rows = {"a": co.loc[("digitalisation", "hr_quality")],
        "b": co.loc[("performance", "digitalisation")],
        "c'": eff.loc["direct"], "c": eff.loc["total"], "a × b": eff.loc["indirect"]}
paths = pd.DataFrame(rows).T.drop(columns="term", errors="ignore").reset_index(names="term")
save_table(T.mediation_table(paths, language=language, n_boot=n_boot), "05_mediation_hr_quality")
ind = eff.loc["indirect"]
with house_style():
    fig, ax = plt.subplots(figsize=(5.5, 3.4))
    F.bootstrap_distribution(res.boot.samples[:, 0], estimate=float(ind["estimate"]),
                             ci=(float(ind["ci_low"]), float(ind["ci_high"])),
                             language=language, ax=ax)
    fig.tight_layout()
save_fig(fig, "05_bootstrap_hr_quality")

# %%
diagram = pd.DataFrame({"source": ["hr_quality", "digitalisation", "hr_quality"],
                        "target": ["digitalisation", "performance", "performance"],
                        "estimate": [rows["a"]["estimate"], rows["b"]["estimate"],
                                     rows["c'"]["estimate"]],
                        "p_value": [rows["a"]["p_value"], rows["b"]["p_value"],
                                    rows["c'"]["p_value"]]})
r2 = res.model_fit.set_index("outcome")["r2"].to_dict()
with house_style():
    fig, ax = plt.subplots(figsize=(6.5, 3.0))
    F.path_diagram(diagram, labels=labels, r2=r2, ax=ax)
save_fig(fig, "05_path_hr_quality")

# %% [markdown]
# ## 3. Comparison with the documented truth
#
# `truth.yaml` gives the population indirect effects on the score level
# (`population_score_level.indirect_via_digitalisation`). The bootstrap interval should
# cover them; HR quantity's is near zero. (Skipped for your own data.)

# %%
if Path(truth_path).is_file():
    true_ind = load_truth(truth_path)["population_score_level"]["indirect_via_digitalisation"]
    cmp = indirect[["x", "estimate", "ci_low", "ci_high"]].assign(
        true_indirect=indirect["x"].map(true_ind))
    cmp["covered"] = cmp["true_indirect"].between(cmp["ci_low"], cmp["ci_high"])
    save_table(T.frame_table(cmp, title="Indirect effects and the true population values",
                             verdict_columns={"covered": ("pass", "fail")},
                             language=language, digits=3), "05_truth_comparison")
    display(cmp.round(3))

# %% [markdown]
# ## 4. Moderation: does internet speed strengthen the effect of HR quality?
#
# PROCESS model 1 with X = HR quality, W = internet speed, Y = digitalisation and the
# other inputs as covariates; X and W are mean-centred (so the lower-order coefficients
# are effects at the average of the other variable). The table gives the effect of HR
# quality at low, average and high internet speed and the Johnson–Neyman points. In the
# simulated truth there is no interaction, so we expect a non-significant product.

# %%
covs = ["hr_quantity", "budget", "computers"]
mod = eg.process(data, model=1, x="hr_quality", w="internet", y="digitalisation",
                 covariates=covs, center="continuous")
print(mod.summary())
cond = mod.effects.query("part == 'conditional_effect'")
save_table(T.mediation_table(cond, language=language), "05_moderation_conditional_effects")
save_table(T.frame_table(mod.johnson_neyman.table, title="Johnson-Neyman table",
                         language=language, digits=3), "05_johnson_neyman")

# %% [markdown]
# The same model by OLS on centred data draws the simple slopes and the conditional
# effect of HR quality across internet speed (shaded: where it is significant).

# %%
cols = ["hr_quality", "internet", *covs]
centred = data.assign(**{c: data[c] - data[c].mean() for c in cols})
mfit = ols(f"digitalisation ~ hr_quality * internet + {' + '.join(covs)}", centred)
sd_w = float(centred["internet"].std())
x_rng, w_rng = (centred["hr_quality"].min(), centred["hr_quality"].max()), (
    centred["internet"].min(), centred["internet"].max())
with house_style():
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    F.simple_slopes(mfit, x="hr_quality", w="internet", x_range=x_rng,
                    w_values=[-sd_w, 0.0, sd_w], labels=labels, y_name="digitalisation",
                    language=language, ax=axes[0])
    F.johnson_neyman_plot(mfit, x="hr_quality", w="internet", w_range=w_rng, labels=labels,
                          y_name="digitalisation", language=language, ax=axes[1])
    fig.tight_layout()
save_fig(fig, "05_moderation")
