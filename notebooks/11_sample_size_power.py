# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 11 · How many respondents do I need? Sample size and power
#
# Every thesis proposal has to justify its sample. Two different questions hide behind
# "how many respondents?":
#
# 1. **Precision** — how closely will a *proportion* in the sample match the population?
#    Slovin's formula, Cochran's formula and the Krejcie–Morgan table answer this. They
#    assume simple random sampling and p = 0.5, and they say **nothing** about whether your
#    hypothesis tests will find an effect.
# 2. **Power** — if the effect you expect is real, how likely is your test to detect it?
#    This needs an effect size (f² for regression, ρ for a correlation, path coefficients
#    for PLS-SEM and mediation), a significance level α and a target power (usually .80).
#    G*Power does this for regression and correlations; PLS-SEM studies use the inverse
#    square root method of Kock and Hadaya (2018); mediation needs a simulation.
#
# A good methods chapter reports the precision-based number *and* a power analysis for the
# main test, and takes the larger. This notebook computes both with `egovstudy.planning`,
# writes a comparison table and a power curve, and prints ready-made sentences in English
# or Indonesian (set `language = "id"`).

# %% tags=["parameters"]
language = "en"            # "en" or "id": language of the sentences and the table
seed = 2026                # seed of the Monte Carlo simulation
output_dir = "../reports"  # tables/ and figures/ are written below this folder
population = 1200          # civil servants in the agencies studied (sampling frame)
margin = 0.05              # margin of error for the precision formulas
n_predictors = 5           # predictors in the main regression model
f2 = 0.15                  # expected effect (Cohen's f²: .02 small, .15 medium, .35 large)
min_path = 0.20            # smallest PLS-SEM path coefficient that must be significant
path_a, path_b = 0.39, 0.39  # mediation paths X -> M and M -> Y (medium)
n_rep = 200                # Monte Carlo replications per sample size (use 1000+ for a thesis)

# %%
from pathlib import Path

import matplotlib.pyplot as plt

from egovstudy import planning
from egovstudy.notebooks import notebook_outputs

tables = Path(output_dir) / "tables"
figures = Path(output_dir) / "figures"
tables.mkdir(parents=True, exist_ok=True)
figures.mkdir(parents=True, exist_ok=True)

# %% [markdown]
# ## 1. Precision formulas: Slovin, Cochran, Krejcie–Morgan
#
# Slovin's formula n = N / (1 + Ne²) is Cochran's formula with z = 2 and p = 0.5. It is the
# most quoted formula in Indonesian theses and the most misused: it is *not* a power
# analysis. Read the assumptions in the sentence below.

# %%
slovin = planning.slovin(population, margin=margin)
cochran = planning.cochran(population=population, margin=margin)
km = planning.krejcie_morgan(population)
for res in (slovin, cochran, km):
    print(res.sentence(language), "\n")

# %% [markdown]
# ## 2. Power for the main regression (as in G*Power)
#
# G*Power's "Linear multiple regression: Fixed model, R² deviation from zero" uses the
# noncentral F distribution with λ = f²·N. The result says how many respondents give an
# 80% chance of detecting an effect of the size you expect.

# %%
regression = planning.regression_sample_size(f2=f2, n_predictors=n_predictors, power=0.80)
print(regression.sentence(language))
regression.tidy()

# %% [markdown]
# ## 3. A correlation, PLS-SEM and the 10-times rule
#
# For a single correlation we use the exact bivariate-normal model (G*Power's default);
# Cohen's Fisher-z approximation gives nearly the same N. For PLS-SEM, the inverse square
# root method needs the smallest path you want to detect; the popular 10-times rule
# ignores effect size and often gives too small a sample.

# %%
correlation = planning.correlation_sample_size(0.30, power=0.80)
pls = planning.pls_minimum_sample(min_path=min_path)
ten_times = planning.pls_minimum_sample(max_arrows=n_predictors, method="ten_times")
for res in (correlation, pls, ten_times):
    print(res.sentence(language), "\n")

# %% [markdown]
# ## 4. Mediation: Monte Carlo power
#
# There is no formula for the power of a test of an indirect effect a·b. We simulate
# many data sets from the model M = aX + e, Y = bM + e, test each one with the joint
# significance test and a percentile bootstrap (the project's bootstrap engine), and count
# how often the effect is found. Fritz and MacKinnon (2007) report that a = b = .39 needs
# about 75–78 respondents for power .80.

# %%
mediation = planning.mediation_power(path_a, path_b, n=[50, 75, 100, 125],
                                     tests=["joint", "percentile"], n_rep=n_rep,
                                     n_boot=1000, seed=seed)
print(mediation.sentence(language))
mediation.tidy()

# %% [markdown]
# ## 5. The comparison table and the power curve
#
# The table collects every method; the figure shows how the power of the regression
# F test and of the two mediation tests grows with N. The dashed line is the target .80.

# %%
table = planning.planning_table([slovin, cochran, km, regression, correlation, pls,
                                 ten_times], lang=language)
table.to_csv(tables / "11_sample_size.csv", index=False)
curve = planning.regression_power(list(range(30, 161, 10)), f2=f2, n_predictors=n_predictors)
fig, axes = plt.subplots(1, 2, figsize=(10, 4))
planning.plot_power_curve(curve, ax=axes[0], lang=language)
planning.plot_power_curve(mediation, ax=axes[1], lang=language)
axes[0].set_title(f"F test, f² = {f2:.2f}, {n_predictors} predictors")
axes[1].set_title(f"Mediation, a = {path_a:.2f}, b = {path_b:.2f}")
fig.tight_layout()
notebook_outputs(output_dir).figure(fig, "11_power_curve")
table

# %% [markdown]
# **Which number goes in the proposal?** Take the largest N among the analyses you will
# actually run (here usually the mediation or PLS-SEM requirement), then inflate it for the
# response rate you expect (e.g. divide by 0.7 for a 70% response rate).
