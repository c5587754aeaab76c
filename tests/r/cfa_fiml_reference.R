# Reference for tests/test_missing.py::test_cfa_fiml_matches_lavaan.
# Rscript tests/r/cfa_fiml_reference.R   (from the repository root; lavaan 0.6-x)
# Data: HolzingerSwineford1939 x1..x9 with 10% of the cells blanked MCAR in Python:
#   rng = np.random.default_rng(1939); mask = rng.random((301, 9)) < 0.10
suppressMessages(library(lavaan))
options(digits = 15)
d <- read.csv("tests/data/missing/hs1939_mcar10_seed1939.csv")
model <- "visual =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed =~ x7 + x8 + x9"
fit <- cfa(model, data = d, missing = "fiml")
print(unclass(fitMeasures(fit, c("npar", "chisq", "df", "pvalue", "baseline.chisq", "baseline.df",
                         "cfi", "tli", "rmsea", "logl", "unrestricted.logl", "aic", "bic",
                         "ntotal"))))
pe <- parameterEstimates(fit, standardized = TRUE)
print(as.data.frame(pe)[pe$op %in% c("=~", "~~", "~1"), c("lhs", "op", "rhs", "est", "se", "std.all")])
