# Confirmatory factor analysis by lavaan::cfa (ML, marker-variable scaling, listwise).
# Usage: Rscript cfa.R in.csv spec.json out.json
local({
  f <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
  source(file.path(dirname(normalizePath(f)), "_common.R"))
})
constructs <- spec$constructs
model <- paste(vapply(names(constructs), function(cn)
  paste(cn, "=~", paste(constructs[[cn]], collapse = " + ")), character(1)), collapse = "\n")
out$model <- model
section("cfa", "lavaan", {
  fit <- lavaan::cfa(model, data = dat, estimator = "ML", missing = "listwise")
  pe <- lavaan::parameterEstimates(fit, standardized = TRUE)
  pe <- pe[pe$op %in% c("=~", "~~"), ]
  fm <- lavaan::fitMeasures(fit, c("npar", "chisq", "df", "pvalue", "baseline.chisq",
                                   "baseline.df", "cfi", "tli", "rmsea", "rmsea.ci.lower",
                                   "rmsea.ci.upper", "srmr", "logl", "unrestricted.logl",
                                   "aic", "bic", "bic2", "ntotal"))
  list(lhs = pe$lhs, op = pe$op, rhs = pe$rhs, est = pe$est, se = pe$se, z = pe$z,
       p = pe$pvalue, std = pe$std.all, fit = nv(fm))
})
write_out()
