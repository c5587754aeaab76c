# ---
# jupyter:
#   egovstudy:
#     optional_parts:
#       ookla_speed_2019_2024: models 3-4 (internet speed)
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
#
# The ISORA forms come from `data/raw/`, the folder named by `EGOVSTUDY_DATA_MIRROR` or the
# download cache (`egovstudy data fetch bipa2024_public_admin`); without them the notebook
# uses the ISORA panel shipped with egovstudy (`egovstudy/data/isora_panel.csv.gz`, built
# from the same forms; provenance and attribution in `isora_panel.md`). Internet speed
# (Ookla Open Data) is licensed CC BY-NC-SA 4.0 -- non-commercial, share-alike -- so it is
# **not** shipped: the speed models run only when its file is present
# (`egovstudy data fetch ookla_speed_2019_2024`), and the notebook says when they are skipped.

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
from egovstudy.public import ISORA_INDICATORS, data_available, prepare_notebook
from egovstudy.public.analysis import fe_regression, tax_admin_panel

DATA_OK, figures, tables = prepare_notebook(
    output_dir, "bipa2024_public_admin", data_mirror=data_mirror,
    fallback="the ISORA panel shipped with egovstudy (egovstudy/data/isora_panel.csv.gz)")
SPEED_OK = data_available("ookla_speed_2019_2024")  # prints where to get it when absent

# %% [markdown]
# ## The panel
# One row per tax administration and year. The indicators:

# %%
if DATA_OK:
    for name, text in ISORA_INDICATORS.items():
        print(f"{name:20s} {text}")
    tax = tax_admin_panel(speed="yes" if SPEED_OK else "no")  # raw forms, else shipped
    print("data:", tax.attrs["source"], "| internet speed:",
          "Ookla open data" if tax.attrs["speed"] else "absent (speed models skipped)")
    print(f"{tax['administration'].nunique()} administrations; with an e-filing share: "
          f"corporate income tax {tax.dropna(subset=['efile_cit'])['iso3'].nunique()}, "
          f"personal income tax {tax.dropna(subset=['efile_pit'])['iso3'].nunique()} countries")
    columns = ["efile", "epay_number", "staff_degree_share", "ict_share"]
    if tax.attrs["speed"]:
        columns.append("fixed_mbps")
    summary = tax.groupby("year")[columns].mean()
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
# Model 1 uses staff, education and budget (2018-2021); model 2 lets the ICT-spending slope
# differ in the pandemic years (the `pandemic` main effect is absorbed by the year
# effects). With the Ookla file present, model 3 adds internet speed (Ookla data start in
# 2019) and model 4 lets the speed slope differ in the pandemic years too.

# %%
if DATA_OK:
    tax["ict_x_pandemic"] = tax["ict_share"] * tax["pandemic"]
    base = ["log_staff", "staff_degree_share", "log_opex", "ict_share"]
    specs = {"1 inputs": base, "2 + ICT x pandemic": [*base, "ict_x_pandemic"]}
    if tax.attrs["speed"]:
        tax["speed_x_pandemic"] = tax["log_fixed_mbps"] * tax["pandemic"]
        specs["3 + speed"] = [*base, "log_fixed_mbps"]
        specs["4 + speed x pandemic"] = [*base, "log_fixed_mbps", "ict_x_pandemic",
                                         "speed_x_pandemic"]
    else:
        print("Models 3-4 (internet speed) skipped: the Ookla file is absent "
              "(CC BY-NC-SA 4.0, not shipped; egovstudy data fetch ookla_speed_2019_2024).")
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
