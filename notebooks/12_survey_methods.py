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
# # 12 · Survey methods: comparisons, non-response, missing data, method bias, design
#
# The checks a reviewer asks of a survey before trusting its models, on the default study's
# screened sample (the same respondents as the results chapter):
#
# 1. the respondent profile crossed with **group comparisons** ("uji beda") of every
#    construct (`egovstudy compare`);
# 2. the **non-response check**: early versus late respondents (Armstrong & Overton 1977);
# 3. **missing data**: shares missing, Little's MCAR test and multiple imputation pooled by
#    Rubin's rules, reproducible with its seed (`egovstudy missing`);
# 4. **common-method bias**: Harman's single factor and Kock's full collinearity VIFs
#    (`egovstudy method-bias`);
# 5. the **clustered design**: ICC(1) and design effect, a design-based regression and the
#    wild cluster bootstrap for a coefficient.
#
# The options come from the study file (`comparisons`, `nonresponse`, `missing`,
# `method_bias`); the functions are those of `egovstudy.survey_methods`, which the chapter
# and the command line call too, so the numbers agree.

# %% tags=["parameters"]
study_path = "../data/raw/default_study/study.yaml"  # data, codebook and quality policies
language = "en"            # "en" or "id": language of the sentences
seed = 2026                # seed of the imputations and of the wild bootstrap
n_boot = 999               # wild cluster bootstrap replications (9999 for publication)
output_dir = "../reports"

# %%
import warnings

import egovstudy as eg
from egovstudy import survey_methods as S
from egovstudy.models import SurveyDesign, ols, wild_cluster_bootstrap
from egovstudy.notebooks import notebook_outputs
from egovstudy.report import tables as T

warnings.simplefilter("ignore", eg.DataQualityWarning)
spec, survey = eg.load_study_survey(study_path)
data = survey.data
out = notebook_outputs(output_dir, data_hash=survey.source_hash,
                       options={"language": language, "seed": seed})
save_table = out.table

# %% [markdown]
# ## 1. Group comparisons of the respondent profile
#
# Two groups: Welch's t (or Mann-Whitney when Shapiro-Wilk rejects normality in a group);
# three or more: Welch's ANOVA (or Kruskal-Wallis). Effect sizes: Cohen's d, η², r.

# %%
comp = S.study_comparisons(survey, spec.comparisons, constructs=spec.constructs)
tidy = comp.tidy()
save_table(T.frame_table(tidy[["group", "outcome", "test", "n", "statistic", "df", "p_value",
                               "effect", "effect_size"]],
                         title="Construct scores compared across the respondent profile",
                         language=language), "12_comparisons")
print("\n".join(comp.sentences(language)[:5]))
tidy[tidy["p_value"] < 0.05][["group", "outcome", "test", "statistic", "p_value"]]

# %% [markdown]
# ## 2. Non-response check (early versus late respondents)

# %%
late = S.study_nonresponse(survey, spec.nonresponse, constructs=spec.constructs)
save_table(T.frame_table(late.tidy()[["outcome", "test", "n", "statistic", "df", "p_value",
                                      "effect_size"]],
                         title=late.title, language=language), "12_nonresponse")
late.tidy()[["outcome", "statistic", "df", "p_value", "means"]]

# %% [markdown]
# ## 3. Missing data: Little's MCAR test and multiple imputation
#
# With `missing.method: mi` the construct scores and model variables are imputed m times by
# chained equations and every OLS equation is pooled with Rubin's rules. The same seed gives
# the same estimates (checked below).

# %%
mi_options = {**spec.missing, "method": "mi", "m": 5, "seed": seed}
check = S.study_missing(survey, mi_options, constructs=spec.constructs, model=spec.model)
again = S.study_missing(survey, mi_options, constructs=spec.constructs, model=spec.model)
pooled = check.pooled[spec.model.outcome].tidy()[["term", "estimate", "std_error", "statistic",
                                                   "df", "p_value", "ci_low", "ci_high", "fmi"]]
same = (pooled["estimate"] == again.pooled[spec.model.outcome].tidy()["estimate"]).all()
print(check.report.sentence(language))
print("same seed, same estimates:", bool(same))
save_table(T.frame_table(pooled, title=f"Pooled OLS of {spec.model.outcome} (Rubin's rules)",
                         language=language), "12_mi_pooled")
pooled

# %% [markdown]
# ## 4. Common-method bias

# %%
bias = S.study_method_bias(survey, spec.method_bias, constructs=spec.constructs)
print(bias.harman.verdict(language))
print(bias.full_vif.verdict(language))
save_table(T.frame_table(bias.full_vif.tidy(), title="Full collinearity VIFs (Kock, 2015)",
                         language=language), "12_full_vif")
bias.tidy()

# %% [markdown]
# ## 5. The clustered design: ICC, design effect, design-based and wild-bootstrap inference
#
# Employees are nested in agencies. The design effect says how much the clustering inflates
# the variance of a mean; the design-based regression (`SurveyDesign` with the agency as PSU,
# equal weights here) and the wild cluster bootstrap (Cameron, Gelbach & Miller 2008; needed
# with fewer than about 20 clusters) give inference that respects it.

# %%
cluster = spec.model.cluster
deff = S.design_effects(survey, cluster, [spec.model.mediator, spec.model.outcome])
save_table(T.frame_table(deff, title="ICC(1) and design effects", language=language),
           "12_design_effects")
rhs = [spec.model.mediator, *spec.model.predictors]
formula = f"{spec.model.outcome} ~ {' + '.join(rhs)}"
complete = data[[spec.model.outcome, *rhs, cluster]].dropna().assign(w=1.0)
complete[[spec.model.outcome, *rhs]] = complete[[spec.model.outcome, *rhs]].astype(float)
design = SurveyDesign(complete, weights="w", ids=cluster)
fit = ols(formula, complete, design=design)
wild = wild_cluster_bootstrap(formula, complete, term=spec.model.mediator, cluster=cluster,
                              n_boot=n_boot, seed=seed)
print(wild)
deff
