# ---
# jupyter:
#   egovstudy:
#     optional: true
#     requires:
#     - indonesia_province_2022
#     - indonesia_apbn_province_2010_2021
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
# # 09 · Indonesia's provinces: digital literacy, internet access, spending and HDI
#
# Four public tables, one row per province:
#
# * **Indeks Literasi Digital 2022** (Kominfo, scale 1-5);
# * **household internet access 2022** (BPS: % of households that used the internet in
#   the last three months, urban / rural / total);
# * **central-government (APBN) spending by function and province**, 2010-2021
#   (Kemenkeu; units not stated by the source, probably IDR billion);
# * the **Human Development Index** (IPM, BPS), 2010-2021.
#
# With only 34 provinces the cross-section is descriptive: correlations and a small
# regression with robust (HC3) errors. The spending and HDI series form a panel, so we
# also ask whether provinces whose education or health spending rose saw their HDI rise,
# with province and year fixed effects and errors clustered by province.

# %% tags=["parameters"]
data_mirror = None
language = "en"
seed = 2026
output_dir = "../reports"

# %%

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import display

from egovstudy.maps import province_map
from egovstudy.notebooks import notebook_outputs
from egovstudy.public import load_id_apbn_spending, load_id_hdi, prepare_notebook
from egovstudy.public.analysis import fe_regression, indonesia_province_table

SOURCES = ["indonesia_province_2022", "indonesia_apbn_province_2010_2021"]
DATA_OK, figures, tables = prepare_notebook(output_dir, *SOURCES, data_mirror=data_mirror)

# %% [markdown]
# ## The province table (spending and HDI of 2021, literacy and access of 2022)

# %%
if DATA_OK:
    prov = indonesia_province_table(spending_year=2021, hdi_year=2021)
    prov["log_spend_total"] = np.log(prov["spend_total"])
    cols = ["digital_literacy", "internet_total", "hdi", "log_spend_total",
            "share_education"]
    prov.to_csv(tables / "09_province_table.csv", index=False)
    corr = prov[cols].corr(method="spearman")
    corr.to_csv(tables / "09_spearman.csv")
    display(corr.round(2))

# %%
if DATA_OK:
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    axes[0].scatter(prov["internet_total"], prov["digital_literacy"])
    axes[0].set(xlabel="households using internet (%)", ylabel="digital literacy (1-5)")
    axes[1].scatter(prov["hdi"], prov["internet_total"])
    axes[1].set(xlabel="HDI 2021", ylabel="households using internet (%)")
    for _, r in prov.nlargest(3, "internet_total").iterrows():
        axes[1].annotate(r["province"].title(), (r["hdi"], r["internet_total"]), fontsize=7)
    plt.tight_layout()
    notebook_outputs(output_dir).figure(fig, "09_provinces")

# %% [markdown]
# ## Map: digital literacy by province
# The 2022 index on the 34 provinces of 2022 (before the Papua split). The shapes are Natural
# Earth's 33 provinces of 2008-2012: Kalimantan Utara (2012) has a value but no outline of
# its own, so the outline of Kalimantan Timur, which covers both, is cross-hatched.

# %%
if DATA_OK:
    fig = province_map(prov, "digital_literacy", scheme="quantile", k=4,
                       label="Indeks Literasi Digital 2022", language=language)
    notebook_outputs(output_dir).figure(fig, "09_map_digital_literacy")

# %% [markdown]
# ## Cross-section: digital literacy and internet access
# OLS with HC3 standard errors (robust to unequal variances in small samples).

# %%
if DATA_OK:
    import statsmodels.formula.api as smf

    rows = []
    for formula in ("digital_literacy ~ internet_total + hdi + log_spend_total",
                    "internet_total ~ hdi + log_spend_total + share_education"):
        fit = smf.ols(formula, data=prov).fit(cov_type="HC3")
        ci = fit.conf_int()
        rows.append(pd.DataFrame({"model": formula, "term": fit.params.index,
                                  "estimate": fit.params, "std_error": fit.bse,
                                  "p_value": fit.pvalues, "ci_low": ci[0], "ci_high": ci[1],
                                  "n": int(fit.nobs)}))
    cross = pd.concat(rows, ignore_index=True)
    cross.to_csv(tables / "09_cross_section.csv", index=False)
    display(cross.round(3))

# %% [markdown]
# ## Panel 2010-2021: spending by function and HDI
# The HDI file shows a level break between 2012 and 2013 (two BPS methods spliced);
# year fixed effects absorb a common break.

# %%
if DATA_OK:
    spend = load_id_apbn_spending().pivot_table(index=["province", "year"],
                                                columns="function", values="spending")
    hdi_panel = load_id_hdi().merge(spend.reset_index(), on=["province", "year"])
    for fun in ("education", "health", "general_services"):
        hdi_panel[f"log_{fun}"] = np.log(hdi_panel[fun].where(hdi_panel[fun] > 0))
    panel_fit = fe_regression(hdi_panel, "hdi", ["log_education", "log_health",
                                                 "log_general_services"],
                              entity="province", time="year")
    panel_fit.to_csv(tables / "09_hdi_spending_fe.csv", index=False)
    display(panel_fit.round(4))

# %% [markdown]
# **Reading the results.** Provinces with more internet access tend to have higher
# digital literacy, but 34 observations cannot separate access from development (HDI).
# In the panel, spending coefficients are within-province associations; spending follows
# plans that may respond to HDI itself, so they are not causal effects.
