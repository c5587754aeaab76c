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
# # 07 · E-government across countries, 2005-2024
#
# The UN E-Government Survey scores every Member State every two years on the
# **E-Government Development Index (EGDI)**, the mean of three components: online
# services (OSI), human capital (HCI) and telecommunication infrastructure (TII).
# This notebook
#
# 1. loads the UN data and reproduces the headline figures of the 2020, 2022 and 2024
#    reports (world average, very-high group, top country);
# 2. reads the UN's four EGDI groups as **stages** of e-government -- web presence (low),
#    interaction (middle), transaction (high), transformation (very high) -- and counts how
#    countries moved between stages from one survey to the next;
# 3. maps EGDI 2024 and internet use across the world;
# 4. asks, within countries over time, whether EGDI and its components rise with internet
#    use, GDP per capita and government effectiveness: a panel regression with **country
#    and year fixed effects** and standard errors clustered by country.
#
# Fixed effects remove everything constant about a country (history, language, legal
# system) and everything common to a year (the survey's method changes), so the slopes
# compare a country with itself. Covariates are taken from the year before each survey.
# The data come from `data/raw/`, the folder named by `EGOVSTUDY_DATA_MIRROR` or the
# download cache (`egovstudy data fetch`); without them the notebook uses the harmonised
# panel shipped with egovstudy (`egovstudy/data/egdi_panel.csv.gz`, built from the same
# files; see its provenance file `egdi_panel.md`).

# %% tags=["parameters"]
data_mirror = None
language = "en"
seed = 2026
output_dir = "../reports"

# %%

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import display

from egovstudy.maps import world_map
from egovstudy.notebooks import notebook_outputs
from egovstudy.public import prepare_notebook
from egovstudy.public.analysis import (
    country_panel,
    egdi_headlines,
    fe_regression,
    stage_transitions,
    transition_matrix,
)

SOURCES = ["un_egdi_2005_2024", "wb_wdi_gdp", "wb_wgi_1996_2019"]
DATA_OK, figures, tables = prepare_notebook(
    output_dir, *SOURCES, data_mirror=data_mirror,
    fallback="the harmonised panel shipped with egovstudy (egovstudy/data/egdi_panel.csv.gz)")

# %% [markdown]
# ## The panel and the published headline figures
# One row per country and survey year. The UN reports print a world average EGDI of
# 0.638 in 2024, 76 countries in the very-high group and Denmark first; 60 very-high
# countries in 2022 and 57 in 2020, with Denmark first in both.

# %%
if DATA_OK:
    panel = country_panel(lag=1)  # raw files when found, else the shipped panel
    print("data:", panel.attrs["source"])
    headlines = egdi_headlines(panel)
    headlines.to_csv(tables / "07_egdi_headlines.csv", index=False)
    print(panel.shape)
    display(headlines.round(4))

# %% [markdown]
# ## The world in 2024
# EGDI 2024 in five quantile classes (each holds a fifth of the countries drawn), and the
# share of internet users in 2023 (the covariate year before the survey) on a continuous
# scale. Grey hatched countries have no value; the note lists the Member States too small
# to have a shape at Natural Earth's 1:110m scale (mostly small island states). Equal Earth
# keeps areas true, so large countries do not look more important than they are.

# %%
if DATA_OK:
    latest = int(panel["year"].max())
    fig = world_map(panel, "egdi", year=latest, label="EGDI", language=language)
    notebook_outputs(output_dir).figure(fig, f"07_world_egdi_{latest}")
    users = panel[panel["year"] == latest].assign(year=latest - 1)  # covariates lag a year
    fig = world_map(users, "internet_pct", year=latest - 1, scheme="continuous", digits=0,
                    label="internet users (%)" if language == "en" else "pengguna internet (%)",
                    language=language)
    notebook_outputs(output_dir).figure(fig, f"07_world_internet_{latest - 1}")

# %% [markdown]
# ## Stages and transitions
# Share of countries in each stage per survey, and the transition matrix: rows are the
# stage in one survey, columns the stage in the next; the diagonal counts countries that
# stayed.

# %%
if DATA_OK:
    shares = pd.crosstab(panel["year"], panel["stage"], normalize="index")
    ax = shares.plot(kind="bar", stacked=True, figsize=(8, 4), colormap="viridis", rot=0)
    ax.set(xlabel="survey year", ylabel="share of countries", title="E-government stages")
    ax.legend(title="stage", bbox_to_anchor=(1.01, 1), loc="upper left")
    plt.tight_layout()
    notebook_outputs(output_dir).figure(ax.figure, "07_stage_shares")
    moves = stage_transitions(panel)
    matrix = transition_matrix(moves)
    matrix.to_csv(tables / "07_stage_transitions.csv")
    display(matrix)
    print(moves["change"].value_counts().sort_index().to_string())

# %% [markdown]
# ## Fixed-effects regressions
# Government effectiveness (WGI) ends in 2019, so the first specification covers the
# surveys 2008-2020; the second drops it and runs to 2024.

# %%
if DATA_OK:
    rows = []
    for outcome in ["egdi", "osi", "hci", "tii", "epart"]:
        for x in (["internet_pct", "log_gdppc", "gov_effectiveness"],
                  ["internet_pct", "log_gdppc"]):
            fit = fe_regression(panel, outcome, x, entity="iso3", time="year")
            rows.append(fit.assign(outcome=outcome, spec=len(x)))
    results = pd.concat(rows, ignore_index=True)
    results.to_csv(tables / "07_fe_results.csv", index=False)
    display(results.pivot_table(index=["outcome", "spec"], columns="term",
                                values="estimate").round(4))

# %% [markdown]
# **Reading the table.** A coefficient on `internet_pct` is the change in the index for
# one percentage point more internet users in the same country, other things in the model
# equal; on `log_gdppc`, for a 100% rise in GDP per capita. Errors are clustered by
# country, so the confidence intervals in `07_fe_results.csv` allow for serial correlation.
# These are associations within countries, not causal effects.
