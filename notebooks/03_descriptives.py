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
# # 03 · Descriptive statistics
#
# The descriptive section of a results chapter answers "what did respondents say?" before
# any model is fitted: who answered, the mean and spread of every item and construct, the
# distribution of answers, and how the constructs correlate.
#
# **The interpretation category.** Indonesian theses classify each mean with the
# *interval rule*: the scale range (5 − 1 = 4) divided by the number of classes (5) gives a
# class width of 0.80, so 1.00–1.80 is *sangat buruk / sangat rendah* (very poor), 1.81–2.60
# *buruk* (poor), 2.61–3.40 *cukup* (fair), 3.41–4.20 *baik* (good) and 4.21–5.00 *sangat
# baik* (very good). The category describes a level; it is not a statistical test.

# %% tags=["parameters"]
study_path = "../data/raw/default_study/study.yaml"  # data, codebook and quality policies
language = "en"            # "en" or "id": language of tables, labels and categories
seed = 2026                # nothing random here; kept so every notebook takes the same parameters
n_boot = 1000              # not used here; 5000 is the publication default for bootstraps
output_dir = "../reports"

# %%
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

import egovstudy as eg
from egovstudy.notebooks import notebook_outputs
from egovstudy.report import figures as F
from egovstudy.report import tables as T
from egovstudy.report.style import house_style

warnings.simplefilter("ignore", eg.DataQualityWarning)
tables, figures = Path(output_dir) / "tables", Path(output_dir) / "figures"

# %%
# the study's screened sample: the same respondents as the results chapter
spec, survey = eg.load_study_survey(study_path)
data, cb, constructs = survey.data, survey.codebook, survey.construct_items()
labels = {k: c.label.get(language, k) for k, c in cb.constructs.items()}
# every item is read on its own codebook scale (a 7-point item never on a 5-point one)
item_values = {name: item.scale.values for name, item in cb.items.items()}
scale = cb.items[next(iter(cb.items))].scale
values, scale_labels = scale.values, scale.labels.get(language)
out = notebook_outputs(output_dir, data_hash=survey.source_hash,
                       options={"language": language})
save_table, save_fig, prov = out.table, out.figure, out.provenance




# %% [markdown]
# ## 1. Respondents
#
# Frequencies and percentages of the background variables: the "profile of respondents"
# table. Compare it with the population (e.g. the agency's staff list) to judge whether
# the sample is representative.

# %%
profile = pd.concat([
    data[v].value_counts(dropna=False).rename_axis("category").reset_index(name="n")
    .assign(variable=cb.variables[v].label.get(language, v))
    for v in ("gender", "education", "rank", "position")], ignore_index=True)
profile["percent"] = 100 * profile["n"] / len(data)
profile = profile[["variable", "category", "n", "percent"]].astype({"category": str})
save_table(T.frame_table(profile, title="Respondent profile", language=language, digits=1),
           "03_respondents")
profile

# %% [markdown]
# ## 2. Items and constructs
#
# For each construct (bold row, its score = mean of its items) and each item: n, mean (M),
# standard deviation (SD), median, range, skewness and kurtosis, the percentage of answers
# at each scale point and the interpretation category. Skewness beyond ±1 or kurtosis
# beyond ±2 signals a strongly non-normal item (common on agreement scales, where answers
# pile up on "Setuju").

# %%
desc = T.descriptives_table(data, constructs, values=values, item_values=item_values,
                            labels=labels, language=language)
save_table(desc, "03_descriptives")
desc.data[desc.data["level"] == "construct"][["variable", "n", "mean", "sd", "category"]]

# %% [markdown]
# ## 3. Likert diverging bars
#
# Each bar is centred on the neutral answer: disagreement to the left, agreement to the
# right, so items with more agreement stick out to the right. The numbers at the ends are
# the total % disagreeing and agreeing. Much better than a table of percentages for seeing
# at a glance which items respondents endorse.

# %%
with house_style():
    fig, ax = plt.subplots(figsize=(8, 12))
    F.likert_bars(data, constructs, values=values, labels=labels, language=language, ax=ax,
                  category_labels=scale_labels)
    fig.tight_layout()
save_fig(fig, "03_likert_items")
with house_style():
    fig, ax = plt.subplots(figsize=(8, 4.5))
    F.likert_bars(data, constructs, values=values, level="construct", labels=labels,
                  language=language, ax=ax, category_labels=scale_labels)
    fig.tight_layout()
save_fig(fig, "03_likert_constructs")

# %% [markdown]
# ## 4. Correlations between constructs
#
# Pearson correlations of the construct scores (pairwise complete cases) with means and
# SDs — the "Table 1" of most journal articles. Cohen's benchmarks: |r| ≈ .10 small,
# .30 medium, .50 large. Stars: * p < .05, ** p < .01, *** p < .001. Correlations above
# about .80 between predictors warn of multicollinearity in the regression (notebook 04).

# %%
scores = [*constructs.keys(), "digitalisation"]
scores = [c for c in scores if c in data.columns]
save_table(T.correlation_table(data, scores, labels=labels, language=language),
           "03_correlations")
with house_style():
    fig, ax = plt.subplots(figsize=(9, 7.5))
    F.correlation_heatmap(data, scores, labels=labels, language=language, ax=ax)
    fig.tight_layout()
save_fig(fig, "03_correlation_heatmap")

# %% [markdown]
# **Next:** `04_regression_assumptions` tests the hypotheses with regression on these
# construct scores.
