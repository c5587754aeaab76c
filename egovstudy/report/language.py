"""Every word a report prints, in English (``"en"``) and Bahasa Indonesia (``"id"``).

One setting, ``language="en" | "id"``, selects the labels, captions, verdicts and
sentence templates of every table, figure and chapter. Indonesian output may use
the decimal comma (``decimal=","``).

Examples
--------
>>> text("table", "id")
'Tabel'
>>> text("supported", "en"), text("supported", "id")
('Supported', 'Diterima')
>>> text("sent_hypothesis", "en", hypothesis="H1", path="X -> Y", decision="supported",
...      stats="b = 0.42, p < .001")
'Hypothesis H1 (X -> Y) is supported (b = 0.42, p < .001).'
"""

from __future__ import annotations

from typing import Literal, get_args

from egovstudy.errors import OutputError

__all__ = [
    "LANGUAGES",
    "STRINGS",
    "Language",
    "category_labels",
    "check_decimal",
    "check_language",
    "column_label",
    "likert_labels",
    "text",
]

Language = Literal["en", "id"]
LANGUAGES: tuple[str, ...] = get_args(Language)

#: key -> {"en": ..., "id": ...}. Templates use ``str.format`` fields.
STRINGS: dict[str, dict[str, str]] = {
    # captions and furniture
    "table": {"en": "Table", "id": "Tabel"},
    "figure": {"en": "Figure", "id": "Gambar"},
    "note": {"en": "Note.", "id": "Catatan."},
    "source": {"en": "Source", "id": "Sumber"},
    "model": {"en": "Model", "id": "Model"},
    "variable": {"en": "Variable", "id": "Variabel"},
    "item": {"en": "Item", "id": "Butir"},
    "construct": {"en": "Construct", "id": "Konstruk"},
    "predictor": {"en": "Predictor", "id": "Prediktor"},
    "intercept": {"en": "Intercept", "id": "Konstanta"},
    "hypothesis": {"en": "Hypothesis", "id": "Hipotesis"},
    "path": {"en": "Path", "id": "Jalur"},
    "decision": {"en": "Decision", "id": "Keputusan"},
    "test": {"en": "Test", "id": "Uji"},
    "criterion": {"en": "Criterion", "id": "Kriteria"},
    "verdict": {"en": "Verdict", "id": "Kesimpulan"},
    "effect": {"en": "Effect", "id": "Efek"},
    "category": {"en": "Category", "id": "Kategori"},
    "range": {"en": "Range", "id": "Rentang"},
    "skew": {"en": "Skew", "id": "Kemencengan"},
    "kurtosis": {"en": "Kurtosis", "id": "Keruncingan"},
    "fitted": {"en": "Fitted values", "id": "Nilai prediksi"},
    "residuals": {"en": "Residuals", "id": "Residual"},
    "std_residuals": {"en": "Standardized residuals", "id": "Residual terstandar"},
    "sqrt_std_residuals": {"en": "√|Standardized residuals|", "id": "√|Residual terstandar|"},
    "theoretical_quantiles": {"en": "Theoretical quantiles", "id": "Kuantil teoretis"},
    "leverage": {"en": "Leverage", "id": "Leverage"},
    "cooks_distance": {"en": "Cook's distance", "id": "Jarak Cook"},
    "residuals_vs_fitted": {"en": "Residuals vs fitted", "id": "Residual vs nilai prediksi"},
    "normal_qq": {"en": "Normal Q-Q", "id": "Q-Q normal"},
    "scale_location": {"en": "Scale-location", "id": "Skala-lokasi"},
    "residuals_vs_leverage": {"en": "Residuals vs leverage", "id": "Residual vs leverage"},
    "percent": {"en": "Percent of responses", "id": "Persentase jawaban"},
    "response": {"en": "Response", "id": "Jawaban"},
    "coefficient": {"en": "Coefficient", "id": "Koefisien"},
    "std_coefficient": {"en": "Standardized coefficient (β)", "id": "Koefisien terstandar (β)"},
    "conditional_effect": {"en": "Conditional effect of {x} on {y}",
                           "id": "Efek kondisional {x} terhadap {y}"},
    "jn_region": {"en": "Significant (p < {alpha})", "id": "Signifikan (p < {alpha})"},
    "bootstrap_estimates": {"en": "Bootstrap estimates", "id": "Estimasi bootstrap"},
    "indirect_effect": {"en": "Indirect effect", "id": "Efek tidak langsung"},
    "direct_effect": {"en": "Direct effect", "id": "Efek langsung"},
    "total_effect": {"en": "Total effect", "id": "Efek total"},
    "frequency": {"en": "Frequency", "id": "Frekuensi"},
    "year": {"en": "Year", "id": "Tahun"},
    "value": {"en": "Value", "id": "Nilai"},
    "estimate_ci": {"en": "Estimate", "id": "Estimasi"},
    "low": {"en": "Low", "id": "Rendah"},
    "mean_level": {"en": "Mean", "id": "Rata-rata"},
    "high": {"en": "High", "id": "Tinggi"},
    "fit_r2": {"en": "R²", "id": "R²"},
    "fit_adj_r2": {"en": "Adjusted R²", "id": "R² disesuaikan"},
    "fit_f": {"en": "F", "id": "F"},
    "fit_n": {"en": "n", "id": "n"},
    # verdicts
    "supported": {"en": "Supported", "id": "Diterima"},
    "not_supported": {"en": "Not supported", "id": "Ditolak"},
    "valid": {"en": "Valid", "id": "Valid"},
    "invalid": {"en": "Not valid", "id": "Tidak valid"},
    "reliable": {"en": "Reliable", "id": "Reliabel"},
    "unreliable": {"en": "Not reliable", "id": "Tidak reliabel"},
    "met": {"en": "Met", "id": "Terpenuhi"},
    "violated": {"en": "Violated", "id": "Tidak terpenuhi"},
    "significant": {"en": "significant", "id": "signifikan"},
    "not_significant": {"en": "not significant", "id": "tidak signifikan"},
    "pass": {"en": "Pass", "id": "Lolos"},
    "fail": {"en": "Fail", "id": "Tidak lolos"},
    # table captions
    "cap_descriptives": {"en": "Descriptive Statistics of Items and Constructs",
                         "id": "Statistik Deskriptif Butir dan Konstruk"},
    "cap_validity": {"en": "Item Validity and Construct Reliability",
                     "id": "Uji Validitas Butir dan Reliabilitas Konstruk"},
    "cap_reliability": {"en": "Construct Reliability and Convergent Validity",
                        "id": "Reliabilitas Konstruk dan Validitas Konvergen"},
    "cap_correlations": {"en": "Means, Standard Deviations and Correlations",
                         "id": "Rata-rata, Simpangan Baku dan Korelasi"},
    "cap_regression": {"en": "Regression Models", "id": "Model Regresi"},
    "cap_assumptions": {"en": "Classical Assumption Tests", "id": "Uji Asumsi Klasik"},
    "cap_mediation": {"en": "Mediation Analysis", "id": "Analisis Mediasi"},
    "cap_pls": {"en": "PLS-SEM Structural Model", "id": "Model Struktural PLS-SEM"},
    "cap_hypotheses": {"en": "Hypothesis Tests", "id": "Hasil Uji Hipotesis"},
    "cap_quality": {"en": "Respondent Screening", "id": "Penyaringan Responden"},
    # notes
    "note_stars": {"en": "* p < .05. ** p < .01. *** p < .001.",
                   "id": "* p < .05. ** p < .01. *** p < .001."},
    "note_interval": {
        "en": "Category by the interval rule: class width = (maximum − minimum) / {k} = {width}.",
        "id": "Kategori menurut rumus interval: panjang kelas = (skor maksimum − skor minimum)"
              " / {k} = {width}."},
    "note_regression_se": {
        "en": "b = unstandardized coefficient; SE = standard error; β = standardized coefficient.",
        "id": "b = koefisien tidak terstandar; SE = galat baku; β = koefisien terstandar."},
    "note_regression_t": {
        "en": "b = unstandardized coefficient; t = t statistic; β = standardized coefficient.",
        "id": "b = koefisien tidak terstandar; t = statistik t; β = koefisien terstandar."},
    "note_ci": {"en": "CI = {level}% confidence interval.",
                "id": "CI = interval kepercayaan {level}%."},
    "note_boot_ci": {"en": "Bootstrap percentile CI with {n_boot} resamples.",
                     "id": "CI persentil bootstrap dengan {n_boot} sampel ulang."},
    "note_skipped": {"en": "Section skipped: {reason}", "id": "Bagian dilewati: {reason}"},
    # sentence templates
    "sent_wald_f": {
        "en": "The F test is the Wald test with the cluster-robust covariance ({g} clusters "
              "of {cluster}), so its denominator df are G - 1 = {df2}.",
        "id": "Uji F adalah uji Wald dengan kovarians robust klaster ({g} klaster {cluster}), "
              "sehingga df penyebutnya G - 1 = {df2}."},
    "mediation_full": {
        "en": "The mediation by {m} is full: the indirect effect is significant and the direct "
              "effect is not ({p}).",
        "id": "Mediasi oleh {m} bersifat penuh (full mediation): efek tidak langsung signifikan "
              "dan efek langsung tidak signifikan ({p})."},
    "mediation_partial": {
        "en": "The mediation by {m} is partial (complementary): the indirect and the direct "
              "effect are both significant, with the same sign (direct {p}).",
        "id": "Mediasi oleh {m} bersifat parsial (partial mediation): efek tidak langsung dan "
              "efek langsung sama-sama signifikan dan searah (efek langsung {p})."},
    "mediation_competitive": {
        "en": "The mediation by {m} is competitive: the indirect and the direct effect are "
              "both significant but of opposite sign (direct {p}).",
        "id": "Mediasi oleh {m} bersifat kompetitif: efek tidak langsung dan efek langsung "
              "sama-sama signifikan tetapi berlawanan arah (efek langsung {p})."},
    "mediation_none": {
        "en": "There is no mediation by {m}: the interval of the indirect effect contains zero.",
        "id": "Tidak terdapat mediasi oleh {m}: interval efek tidak langsung memuat nol."},
    "vcov_classical": {"en": "classical (homoskedastic)", "id": "klasik (homoskedastis)"},
    "note_process_se": {
        "en": "Paths a, b, c' and c: ordinary least squares with {vcov} standard errors and t "
              "tests, as PROCESS prints them.",
        "id": "Jalur a, b, c' dan c: kuadrat terkecil biasa dengan galat baku {vcov} dan uji t, "
              "seperti yang dicetak PROCESS."},
    "note_process_se_cluster": {
        "en": "The regression table gives the same coefficients with cluster-robust standard "
              "errors, hence their different SE and t.",
        "id": "Tabel regresi menyajikan koefisien yang sama dengan galat baku robust klaster, "
              "sehingga SE dan t-nya berbeda."},
    "boot_cluster": {"en": "cluster bootstrap by {unit}", "id": "bootstrap klaster menurut {unit}"},
    "boot_ordinary": {"en": "ordinary (case) bootstrap", "id": "bootstrap biasa (per responden)"},
    "resamples": {"en": "resamples", "id": "sampel ulang"},
    "pls_missing_mean": {
        "en": "Missing answers: {values} values in {rows} of {n} respondents were replaced by "
              "the indicator mean (mean replacement, the SmartPLS default); set the study "
              "file's pls missing option to listwise to drop those respondents instead.",
        "id": "Jawaban kosong: {values} nilai pada {rows} dari {n} responden diganti dengan "
              "rata-rata indikatornya (mean replacement, bawaan SmartPLS); atur opsi pls "
              "missing di berkas studi menjadi listwise untuk mengeluarkan responden tersebut."},
    "pls_missing_listwise": {
        "en": "Missing answers: {rows} of {n} respondents with {values} missing values were "
              "left out (listwise deletion).",
        "id": "Jawaban kosong: {rows} dari {n} responden dengan {values} nilai kosong "
              "dikeluarkan (listwise deletion)."},
    "tail_two_sided": {"en": "two-sided", "id": "dua arah"},
    "tail_one_sided": {"en": "one-sided", "id": "satu arah"},
    "sent_hypothesis": {
        "en": "Hypothesis {hypothesis} ({path}) is {decision} ({stats}).",
        "id": "Hipotesis {hypothesis} ({path}) {decision} ({stats})."},
    "sent_descriptive": {
        "en": "The mean of {construct} is {mean} (SD = {sd}), in the \"{category}\" category.",
        "id": "Rata-rata {construct} sebesar {mean} (SD = {sd}), termasuk kategori "
              "\"{category}\"."},
    "sent_descriptive_t": {
        "en": "Table {table} shows that the mean of {construct} is {mean} (SD = {sd}), in the "
              "\"{category}\" category.",
        "id": "Tabel {table} menunjukkan rata-rata {construct} sebesar {mean} (SD = {sd}), "
              "termasuk kategori \"{category}\"."},
    "sent_regression": {
        "en": "The model explains {r2pct}% of the variance of {y}, F({df1}, {df2}) = {f}, {p}.",
        "id": "Model menjelaskan {r2pct}% variasi {y}, F({df1}, {df2}) = {f}, {p}."},
    "sent_coef": {
        "en": "{x} has a {sig} effect on {y} (b = {b}, β = {beta}, t = {t}, {p}).",
        "id": "{x} berpengaruh {sig} terhadap {y} (b = {b}, β = {beta}, t = {t}, {p})."},
    "sent_indirect": {
        "en": "The indirect effect of {x} on {y} through {m} is {b}, {ci_label} [{lo}, {hi}]; "
              "the interval {verdict} zero.",
        "id": "Efek tidak langsung {x} terhadap {y} melalui {m} sebesar {b}, "
              "{ci_label} [{lo}, {hi}]; interval tersebut {verdict} nol."},
    "excludes": {"en": "excludes", "id": "tidak memuat"},
    "includes": {"en": "includes", "id": "memuat"},
    "sent_reliability": {
        "en": "Cronbach's alpha of {construct} is {alpha} ({verdict}).",
        "id": "Nilai Cronbach's alpha {construct} sebesar {alpha} ({verdict})."},
    "sent_n": {
        "en": "The analysis uses {n} respondents from {k} units of {unit} ({dropped} responses "
              "were removed in screening).",
        "id": "Analisis menggunakan {n} responden dari {k} unit {unit} ({dropped} jawaban "
              "dikeluarkan pada tahap penyaringan)."},
    "sent_n_nounit": {
        "en": "The analysis uses {n} respondents ({dropped} responses were removed in "
              "screening).",
        "id": "Analisis menggunakan {n} responden ({dropped} jawaban dikeluarkan pada tahap "
              "penyaringan)."},
    "unit_agency": {"en": "agency", "id": "OPD/instansi"},
    "unit_region": {"en": "region", "id": "wilayah"},
    # thesis sections (respondent profile, instrument decisions, t/F tabel, Pembahasan)
    "ch_profile": {"en": "Respondent Profile", "id": "Karakteristik Responden"},
    "cap_profile": {"en": "Respondent Profile", "id": "Karakteristik Responden"},
    "profile_none": {
        "en": "The codebook declares no categorical respondent variables, so no respondent "
              "profile is reported.",
        "id": "Buku kode tidak memuat variabel kategorik responden, sehingga karakteristik "
              "responden tidak disajikan."},
    "sent_profile": {
        "en": "Table {table} shows that by {variable}, the largest group is {group} "
              "({n} respondents, {pct}%).",
        "id": "Tabel {table} menunjukkan bahwa berdasarkan {variable}, kelompok terbesar "
              "adalah {group} ({n} responden, {pct}%)."},
    "sent_invalid_drop": {
        "en": "The items that did not meet the validity criteria ({items}) were dropped, and "
              "the construct scores were recomputed without them before every later "
              "analysis.",
        "id": "Butir yang tidak valid ({items}) dikeluarkan, dan skor konstruk dihitung ulang "
              "tanpa butir tersebut sebelum seluruh analisis berikutnya."},
    "sent_invalid_keep": {
        "en": "The items that did not meet the validity criteria ({items}) were kept in the "
              "construct scores to preserve the content of the instrument as designed; this "
              "is a limitation, because they add measurement error to those scores.",
        "id": "Butir yang tidak valid ({items}) tetap dipertahankan dalam skor konstruk agar "
              "isi instrumen tetap sesuai rancangan; hal ini merupakan keterbatasan "
              "penelitian, karena butir tersebut menambah galat pengukuran pada skor."},
    "sent_validity_table": {
        "en": "Table {table} reports the validity of every item (r versus critical r).",
        "id": "Tabel {table} menyajikan uji validitas setiap butir (r hitung dibandingkan "
              "dengan r tabel)."},
    "sent_convergent_ok": {
        "en": "Table {table} shows convergent validity: every construct has AVE ≥ .50 and "
              "CR ≥ .70.",
        "id": "Tabel {table} menunjukkan validitas konvergen: seluruh konstruk memiliki "
              "AVE ≥ {c50} dan CR ≥ {c70}."},
    "sent_convergent_low": {
        "en": "Table {table} shows AVE below .50 for {constructs}: their items share less "
              "than half of their variance with the construct. Fornell and Larcker (1981) "
              "accept AVE < .50 when composite reliability exceeds .60, {verdict}.",
        "id": "Tabel {table} menunjukkan AVE di bawah {c50} pada {constructs}: butirnya "
              "berbagi kurang dari separuh varians dengan konstruknya. Fornell dan Larcker "
              "(1981) menerima AVE < {c50} bila reliabilitas komposit (CR) lebih dari {c60}, "
              "{verdict}."},
    "cr_all_above": {"en": "which holds for all of them (CR {crs})",
                     "id": "dan syarat ini terpenuhi (CR {crs})"},
    "cr_not_all": {"en": "which does not hold for {constructs}",
                   "id": "namun syarat ini tidak terpenuhi pada {constructs}"},
    "cap_htmt": {"en": "Discriminant Validity: Heterotrait-Monotrait Ratio (HTMT)",
                 "id": "Validitas Diskriminan: Heterotrait-Monotrait Ratio (HTMT)"},
    "cap_fornell": {"en": "Discriminant Validity: Fornell-Larcker Criterion",
                    "id": "Validitas Diskriminan: Kriteria Fornell-Larcker"},
    "sent_htmt": {
        "en": "Table {table} shows the HTMT ratios: the largest is {max} ({pair}); "
              "{n_over} of {n_pairs} pairs exceed .85 and {n_over90} exceed .90 "
              "(Henseler et al., 2015).",
        "id": "Tabel {table} menyajikan rasio HTMT: nilai terbesar {max} ({pair}); "
              "{n_over} dari {n_pairs} pasangan melebihi {c85} dan {n_over90} melebihi {c90} "
              "(Henseler dkk., 2015)."},
    "sent_fornell": {
        "en": "Table {table} shows the Fornell-Larcker criterion: the square root of the AVE "
              "exceeds the construct's correlations with every other construct for "
              "{n_ok} of {n} constructs{failed}.",
        "id": "Tabel {table} menyajikan kriteria Fornell-Larcker: akar AVE lebih besar dari "
              "korelasi konstruk dengan konstruk lain pada {n_ok} dari {n} konstruk{failed}."},
    "fornell_failed": {"en": " (not for {constructs})", "id": " (tidak pada {constructs})"},
    "sent_descriptive_table": {
        "en": "Table {table} reports the descriptive statistics of every item and construct.",
        "id": "Tabel {table} menyajikan statistik deskriptif setiap butir dan konstruk."},
    "sent_equation": {
        "en": "Table {table} gives the estimated regression equation of {y}: {equation}.",
        "id": "Berdasarkan Tabel {table}, persamaan regresi {y} adalah {equation}."},
    "sent_t_table": {
        "en": "At α = .05 (two-sided) with df = {df}, the critical t is {t}; a predictor is "
              "significant when |t| exceeds it.",
        "id": "Pada α = {c05} (dua arah) dengan df = {df}, nilai t tabel adalah {t}; "
              "prediktor berpengaruh signifikan bila |t hitung| > t tabel."},
    "sent_f_table": {
        "en": "The critical F at α = .05 with df = ({df1}, {df2}) is {f_tab}; F = {f} "
              "{verdict} it, so the predictors {joint} jointly related to {y}.",
        "id": "Nilai F tabel pada α = {c05} dengan df = ({df1}, {df2}) adalah {f_tab}; "
              "F hitung = {f} {verdict} F tabel, sehingga prediktor secara simultan "
              "{joint} terhadap {y}."},
    "f_exceeds": {"en": "exceeds", "id": "lebih besar dari"},
    "f_below": {"en": "does not exceed", "id": "tidak lebih besar dari"},
    "joint_yes": {"en": "are", "id": "berpengaruh signifikan"},
    "joint_no": {"en": "are not", "id": "tidak berpengaruh signifikan"},
    "ci_label": {"en": "{level}% CI", "id": "IK {level}%"},
    "concl_normal_ok": {
        "en": "Conclusion (normality): the residuals can be taken as normal ({tests}).",
        "id": "Kesimpulan (normalitas): residual berdistribusi normal ({tests})."},
    "concl_normal_bad": {
        "en": "Conclusion (normality): the residuals are not normal by {tests}; with n = {n} "
              "the t and F tests remain valid by the central limit theorem, so the model is kept "
              "without transformation.",
        "id": "Kesimpulan (normalitas): {tests} menunjukkan residual tidak normal; dengan "
              "n = {n}, uji t dan uji F tetap sahih berdasarkan teorema limit pusat, sehingga "
              "model dipertahankan tanpa transformasi."},
    "concl_hetero_ok": {
        "en": "Conclusion (heteroskedasticity): no test detects heteroskedasticity ({tests}).",
        "id": "Kesimpulan (heteroskedastisitas): tidak terjadi heteroskedastisitas "
              "({tests})."},
    "concl_hetero_bad": {
        "en": "Conclusion (heteroskedasticity): the residuals are heteroskedastic by {tests}; "
              "remedy: {remedy}.",
        "id": "Kesimpulan (heteroskedastisitas): {tests} menunjukkan heteroskedastisitas; "
              "penanganan: {remedy}."},
    "remedy_cluster": {
        "en": "cluster-robust standard errors by {unit} are used, which remain valid under "
              "heteroskedasticity",
        "id": "galat baku klaster menurut {unit} digunakan, yang tetap sahih pada kondisi "
              "heteroskedastis"},
    "remedy_hc3": {
        "en": "HC3 heteroskedasticity-consistent standard errors are used in the regression "
              "and hypothesis tests",
        "id": "galat baku konsisten-heteroskedastisitas HC3 digunakan pada uji regresi dan "
              "uji hipotesis"},
    "concl_vif_ok": {
        "en": "Conclusion (multicollinearity): the largest VIF is {vif} ({term}), below 10, "
              "so there is no multicollinearity.",
        "id": "Kesimpulan (multikolinearitas): VIF terbesar {vif} ({term}), di bawah 10, "
              "sehingga tidak terjadi multikolinearitas."},
    "concl_vif_bad": {
        "en": "Conclusion (multicollinearity): VIF exceeds 10 for {terms}; their separate "
              "coefficients are imprecise and are interpreted with caution.",
        "id": "Kesimpulan (multikolinearitas): VIF melebihi 10 pada {terms}; koefisien "
              "masing-masing kurang presisi dan ditafsirkan dengan hati-hati."},
    "concl_autocorr": {
        "en": "Conclusion (autocorrelation): {verdict} ({tests}); the respondents are a "
              "cross-section, so this test mainly checks the order of the data file.",
        "id": "Kesimpulan (autokorelasi): {verdict} ({tests}); responden merupakan data "
              "silang (cross-section), sehingga uji ini terutama memeriksa urutan berkas "
              "data."},
    "autocorr_no": {"en": "no autocorrelation", "id": "tidak terjadi autokorelasi"},
    "autocorr_yes": {"en": "autocorrelation is detected", "id": "terjadi autokorelasi"},
    "concl_influence_none": {
        "en": "Conclusion (influential cases): no case has Cook's distance above 4/n.",
        "id": "Kesimpulan (kasus berpengaruh): tidak ada kasus dengan jarak Cook di atas 4/n."},
    "concl_influence": {
        "en": "Conclusion (influential cases): {k} cases have Cook's distance above 4/n; a "
              "sensitivity refit without them changes the coefficients by at most {delta} "
              "({term}: b = {b_full} with all cases, {b_refit} without them), and {sig}.",
        "id": "Kesimpulan (kasus berpengaruh): {k} kasus memiliki jarak Cook di atas 4/n; "
              "estimasi ulang tanpa kasus tersebut (uji sensitivitas) mengubah koefisien "
              "paling besar {delta} ({term}: b = {b_full} dengan seluruh kasus, {b_refit} "
              "tanpa kasus tersebut), dan {sig}."},
    "sig_same": {"en": "no predictor changes significance at α = {c05}",
                 "id": "tidak ada prediktor yang berubah signifikansinya pada α = {c05}"},
    "sig_changed": {"en": "the significance of {terms} changes at α = {c05}",
                    "id": "signifikansi {terms} berubah pada α = {c05}"},
    "ch_pls_measurement": {"en": "PLS-SEM Measurement Model",
                           "id": "Model Pengukuran (Outer Model) PLS-SEM"},
    "ch_pls_structural": {"en": "PLS-SEM Structural Model",
                          "id": "Model Struktural (Inner Model) PLS-SEM"},
    "cap_pls_loadings": {"en": "PLS-SEM Outer Loadings", "id": "Outer Loading PLS-SEM"},
    "cap_pls_reliability": {"en": "PLS-SEM Construct Reliability and Convergent Validity",
                            "id": "Reliabilitas Konstruk dan Validitas Konvergen PLS-SEM"},
    "cap_pls_htmt": {"en": "PLS-SEM Discriminant Validity (HTMT)",
                     "id": "Validitas Diskriminan PLS-SEM (HTMT)"},
    "cap_pls_fit": {"en": "PLS-SEM Coefficient of Determination (R²) and Predictive "
                          "Relevance (Q²)",
                    "id": "Koefisien Determinasi (R²) dan Relevansi Prediktif (Q²) PLS-SEM"},
    "sent_pls_loadings": {
        "en": "Table {table} shows that {n_ok} of {n} outer loadings reach .70; the lowest is "
              "{item} ({value}).",
        "id": "Tabel {table} menunjukkan {n_ok} dari {n} outer loading mencapai {c70}; nilai "
              "terendah pada {item} ({value})."},
    "sent_pls_reliability": {
        "en": "Table {table} shows that {n_cr} of {n} constructs have CR ≥ .70 and {n_ave} "
              "have AVE ≥ .50{failed}.",
        "id": "Tabel {table} menunjukkan {n_cr} dari {n} konstruk memiliki CR ≥ {c70} dan "
              "{n_ave} memiliki AVE ≥ {c50}{failed}."},
    "pls_failed": {"en": " (below: {constructs})", "id": " (di bawah batas: {constructs})"},
    "sent_pls_path": {
        "en": "Table {table}: the path {path} is {sig} (β = {beta}, {p}, f² = {f2}).",
        "id": "Tabel {table}: jalur {path} {sig} (β = {beta}, {p}, f² = {f2})."},
    "sent_pls_r2": {
        "en": "Table {table}: R² of {construct} is {r2} ({strength}; Hair et al., 2019) and "
              "Q²predict of its indicators ranges from {q_lo} to {q_hi}{q_verdict}.",
        "id": "Tabel {table}: R² {construct} sebesar {r2} ({strength}; Hair dkk., 2019) dan "
              "Q²predict indikatornya berkisar {q_lo} sampai {q_hi}{q_verdict}."},
    "r2_substantial": {"en": "substantial", "id": "kuat"},
    "r2_moderate": {"en": "moderate", "id": "moderat"},
    "r2_weak": {"en": "weak", "id": "lemah"},
    "r2_very_weak": {"en": "below the weak level", "id": "di bawah batas lemah"},
    "q2_relevant": {"en": ", so the model has predictive relevance (Q² > 0)",
                    "id": ", sehingga model memiliki relevansi prediktif (Q² > 0)"},
    "q2_not": {"en": "; not all are above 0", "id": "; tidak seluruhnya di atas 0"},
    "ch_discussion": {"en": "Discussion", "id": "Pembahasan"},
    "sent_discussion": {
        "en": "{hypothesis} ({path}). Table {table} shows that the hypothesis is {decision} "
              "({stats}){figure}. [Compare with previous studies: do they find the same "
              "effect, and why might this study differ?] [Explain the finding with the "
              "theory of the framework.]",
        "id": "{hypothesis} ({path}). Tabel {table} menunjukkan bahwa hipotesis "
              "{decision} ({stats}){figure}. [bandingkan dengan penelitian terdahulu: apakah "
              "menemukan pengaruh yang sama, dan mengapa hasil penelitian ini dapat berbeda?] "
              "[jelaskan temuan dengan teori dalam kerangka pemikiran.]"},
    "discussion_figure": {"en": "; see also Figure {figure}",
                          "id": "; lihat juga Gambar {figure}"},
    "discussion_note": {
        "en": "The bracketed passages are placeholders for the student's own comparison with "
              "the literature.",
        "id": "Bagian dalam kurung siku adalah tempat bagi penulis untuk membandingkan temuan "
              "dengan penelitian terdahulu."},
    # chapter headings
    "ch_title": {"en": "Results", "id": "Hasil Penelitian dan Pembahasan"},
    "ch_respondents": {"en": "Respondents", "id": "Gambaran Responden"},
    "ch_instrument": {"en": "Instrument Tests", "id": "Uji Instrumen"},
    "ch_descriptives": {"en": "Descriptive Analysis", "id": "Analisis Deskriptif"},
    "ch_assumptions": {"en": "Classical Assumption Tests", "id": "Uji Asumsi Klasik"},
    "ch_hypotheses": {"en": "Hypothesis Tests", "id": "Uji Hipotesis"},
    "ch_mediation": {"en": "Mediation Analysis", "id": "Analisis Mediasi"},
    "fig_likert": {"en": "Distribution of Responses per Item",
                   "id": "Distribusi Jawaban Responden per Butir"},
    "fig_heatmap": {"en": "Correlations between Constructs", "id": "Korelasi antar Konstruk"},
    "fig_residuals": {"en": "Residual Diagnostics of the Model of {y}",
                      "id": "Diagnostik Residual Model {y}"},
    "fig_coefs": {"en": "Standardized Coefficients across Models",
                  "id": "Koefisien Terstandar antar Model"},
    "fig_path": {"en": "Path Diagram of the Mediation Model", "id": "Diagram Jalur Model Mediasi"},
    "fig_boot": {"en": "Bootstrap Distribution of the Indirect Effect",
                 "id": "Distribusi Bootstrap Efek Tidak Langsung"},
}

#: Interpretation categories used in Indonesian theses, from lowest to highest.
_CATEGORIES: dict[int, dict[str, list[str]]] = {
    5: {"id": ["sangat buruk", "buruk", "cukup", "baik", "sangat baik"],
        "en": ["very poor", "poor", "fair", "good", "very good"]},
    4: {"id": ["sangat buruk", "buruk", "baik", "sangat baik"],
        "en": ["very poor", "poor", "good", "very good"]},
    3: {"id": ["buruk", "cukup", "baik"], "en": ["poor", "fair", "good"]},
}

#: Column headers for tidy / broom names and the statistics of the tables.
_COLUMNS: dict[str, dict[str, str]] = {
    "term": {"en": "Term", "id": "Variabel"},
    "estimate": {"en": "b", "id": "b"},
    "std_error": {"en": "SE", "id": "SE"},
    "statistic": {"en": "t", "id": "t"},
    "p_value": {"en": "p", "id": "p"},
    "ci_low": {"en": "CI low", "id": "CI bawah"},
    "ci_high": {"en": "CI high", "id": "CI atas"},
    "std_estimate": {"en": "β", "id": "β"},
    "n": {"en": "n", "id": "n"},
    "mean": {"en": "M", "id": "M"},
    "sd": {"en": "SD", "id": "SD"},
    "median": {"en": "Mdn", "id": "Mdn"},
    "min": {"en": "Min", "id": "Min"},
    "max": {"en": "Max", "id": "Maks"},
    "range": {"en": "Range", "id": "Rentang"},
    "skew": {"en": "Skew", "id": "Skew"},
    "kurtosis": {"en": "Kurt", "id": "Kurt"},
    "category": {"en": "Category", "id": "Kategori"},
    "variable": {"en": "Variable", "id": "Variabel"},
    "item": {"en": "Item", "id": "Butir"},
    "construct": {"en": "Construct", "id": "Konstruk"},
    "alpha": {"en": "α", "id": "α"},
    "cronbach_alpha": {"en": "α", "id": "α"},
    "omega": {"en": "ω", "id": "ω"},
    "rho_a": {"en": "ρA", "id": "ρA"},
    "cr": {"en": "CR", "id": "CR"},
    "composite_reliability": {"en": "CR", "id": "CR"},
    "ave": {"en": "AVE", "id": "AVE"},
    "loading": {"en": "Loading", "id": "Loading"},
    "r": {"en": "r", "id": "r"},
    "r_item_total": {"en": "r item-total", "id": "r hitung"},
    "r_critical": {"en": "r critical", "id": "r tabel"},
    "r_crit": {"en": "r critical", "id": "r tabel"},
    "corrected_item_total": {"en": "Corrected r", "id": "r terkoreksi"},
    "alpha_if_deleted": {"en": "α if deleted", "id": "α jika dihapus"},
    "valid": {"en": "Valid", "id": "Valid"},
    "verdict": {"en": "Verdict", "id": "Kesimpulan"},
    "test": {"en": "Test", "id": "Uji"},
    "df": {"en": "df", "id": "df"},
    "threshold": {"en": "Criterion", "id": "Kriteria"},
    "hypothesis": {"en": "Hypothesis", "id": "Hipotesis"},
    "path": {"en": "Path", "id": "Jalur"},
    "decision": {"en": "Decision", "id": "Keputusan"},
    "effect": {"en": "Effect", "id": "Efek"},
    "f2": {"en": "f²", "id": "f²"},
    "vif": {"en": "VIF", "id": "VIF"},
    "r2": {"en": "R²", "id": "R²"},
    "adj_r2": {"en": "Adj. R²", "id": "R² adj."},
}


def check_language(language: str) -> str:
    """Return ``language`` if it is ``"en"`` or ``"id"``, else raise :class:`OutputError`.

    Examples
    --------
    >>> check_language("id")
    'id'
    """
    if language not in LANGUAGES:
        raise OutputError(
            f"language={language!r} is not supported; use one of {', '.join(LANGUAGES)}"
        )
    return language


def check_decimal(decimal: str | None, language: str) -> str:
    """Resolve the decimal mark: ``None`` means ``"."`` (APA); ``","`` is the Indonesian option.

    Examples
    --------
    >>> check_decimal(None, "id"), check_decimal(",", "id")
    ('.', ',')
    """
    check_language(language)
    if decimal is None:
        return "."
    if decimal not in (".", ","):
        raise OutputError(f"decimal={decimal!r} is not supported; use '.' or ','")
    return decimal


def text(key: str, language: str = "en", /, **fields: object) -> str:
    """Return the string ``key`` in ``language``, formatted with ``fields``.

    Raises :class:`OutputError` for an unknown key or language.
    """
    check_language(language)
    try:
        template = STRINGS[key][language]
    except KeyError:
        raise OutputError(f"no report string named {key!r}; known keys include "
                          f"{', '.join(sorted(STRINGS)[:8])}, ...") from None
    return template.format(**fields) if fields else template


def column_label(name: str, language: str = "en") -> str:
    """Return the printed header of a tidy column (``"p_value"`` -> ``"p"``); unknown names pass.

    Examples
    --------
    >>> column_label("std_estimate"), column_label("max", "id"), column_label("foo")
    ('β', 'Maks', 'foo')
    """
    check_language(language)
    entry = _COLUMNS.get(name)
    return entry[language] if entry else name


def category_labels(n_classes: int = 5, language: str = "id") -> list[str]:
    """Return the interpretation categories, lowest first ("sangat buruk" .. "sangat baik").

    Examples
    --------
    >>> category_labels(5, "id")[-1], category_labels(5, "en")[0]
    ('sangat baik', 'very poor')
    """
    check_language(language)
    if n_classes not in _CATEGORIES:
        raise OutputError(f"n_classes={n_classes} has no default category labels; use 3, 4 or 5 "
                          "or pass labels=[...] explicitly")
    return list(_CATEGORIES[n_classes][language])


_LIKERT: dict[int, dict[str, list[str]]] = {
    5: {"en": ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"],
        "id": ["Sangat tidak setuju", "Tidak setuju", "Netral", "Setuju", "Sangat setuju"]},
    4: {"en": ["Strongly disagree", "Disagree", "Agree", "Strongly agree"],
        "id": ["Sangat tidak setuju", "Tidak setuju", "Setuju", "Sangat setuju"]},
}


def likert_labels(k: int = 5, language: str = "en") -> list[str]:
    """Return agreement labels for a ``k``-point scale (numbers for other lengths).

    Examples
    --------
    >>> likert_labels(5, "id")[0]
    'Sangat tidak setuju'
    >>> likert_labels(7)[:2]
    ['1', '2']
    """
    check_language(language)
    entry = _LIKERT.get(k)
    return list(entry[language]) if entry else [str(i + 1) for i in range(k)]
