# ---
# jupyter:
#   egovstudy:
#     optional: true
#     requires:
#     - bipa2024_public_admin
#     - ookla_speed_2019_2024
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
# # 08 · Tax administrations going digital, 2018-2021
#
# The International Survey on Revenue Administration (ISORA, run by CIAT, the IMF, IOTA
# and the OECD) reports, for about 170 tax administrations, their staff, the staff's
# education, their budget and ICT spending, and how taxpayers file and pay. We ask:
#
# * do staff numbers, staff education, budget and ICT spending, and the country's
#   internet speed (Ookla open data) predict **digital service uptake** -- the share of
#   tax returns filed electronically and of payments made electronically?
# * did the pandemic years (2020-2021) change that relation?
#
# Each administration is compared with itself over time (administration fixed effects)
# and all are compared in the same year (year fixed effects); standard errors are
# clustered by administration. Budgets are in local currency, so they enter as logs: with
# fixed effects a log difference is a percentage change within the administration.

# %% tags=["parameters"]
data_mirror = None
language = "en"
seed = 2026
output_dir = "../reports"

# %%

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import display

from egovstudy.notebooks import notebook_outputs
from egovstudy.public import ISORA_INDICATORS, prepare_notebook
from egovstudy.public.analysis import fe_regression, tax_admin_panel

SOURCES = ["bipa2024_public_admin", "ookla_speed_2019_2024"]
DATA_OK, figures, tables = prepare_notebook(output_dir, *SOURCES, data_mirror=data_mirror)

# %% [markdown]
# ## The panel
# One row per tax administration and year. The indicators:

# %%
if DATA_OK:
    for name, text in ISORA_INDICATORS.items():
        print(f"{name:20s} {text}")
    tax = tax_admin_panel()
    summary = tax.groupby("year")[["efile", "epay_number", "staff_degree_share", "ict_share",
                                   "fixed_mbps"]].mean()
    summary.to_csv(tables / "08_means_by_year.csv")
    display(summary.round(3))

# %%
if DATA_OK:
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    summary[["efile", "epay_number"]].plot(ax=axes[0], marker="o")
    axes[0].set(ylabel="mean share", title="Digital uptake by year", xticks=summary.index)
    axes[1].scatter(tax["ict_share"], tax["efile"], s=10, alpha=0.5)
    axes[1].set(xlabel="ICT share of operating expenditure", ylabel="e-filing share",
                title="ICT spending and e-filing")
    plt.tight_layout()
    notebook_outputs(output_dir).figure(fig, "08_uptake")

# %% [markdown]
# ## Fixed-effects models
# Model 1 uses staff, education and budget (2018-2021); model 2 adds internet speed
# (Ookla data start in 2019); model 3 lets the ICT-spending and speed slopes differ in the
# pandemic years (the `pandemic` main effect is absorbed by the year effects).

# %%
if DATA_OK:
    tax["ict_x_pandemic"] = tax["ict_share"] * tax["pandemic"]
    tax["speed_x_pandemic"] = tax["log_fixed_mbps"] * tax["pandemic"]
    base = ["log_staff", "staff_degree_share", "log_opex", "ict_share"]
    specs = {"1 inputs": base, "2 + speed": [*base, "log_fixed_mbps"],
             "3 + pandemic": [*base, "log_fixed_mbps", "ict_x_pandemic", "speed_x_pandemic"]}
    rows = [fe_regression(tax, y, x, entity="administration", time="year")
            .assign(outcome=y, model=name)
            for y in ("efile", "epay_number") for name, x in specs.items()]
    results = pd.concat(rows, ignore_index=True)
    results.to_csv(tables / "08_fe_results.csv", index=False)
    display(results[["outcome", "model", "term", "estimate", "std_error", "p_value",
                     "n_obs"]].round(3))

# %% [markdown]
# **Reading the results.** Within an administration, uptake shares change slowly, and
# four years leave little variation: wide intervals are expected, and a non-significant
# slope is not evidence of no effect. The interaction terms test whether the relation
# changed in 2020-2021.
