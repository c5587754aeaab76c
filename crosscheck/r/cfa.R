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
for (est in c("MLR", "MLM")) section(paste0("cfa_", tolower(est)), "lavaan", {
  fit <- lavaan::cfa(model, data = dat, estimator = est, missing = "listwise")
  pe <- lavaan::parameterEstimates(fit)
  pe <- pe[pe$op %in% c("=~", "~~"), ]
  fm <- lavaan::fitMeasures(fit, c("chisq.scaled", "chisq.scaling.factor",
                                   "baseline.chisq.scaled", "cfi.scaled", "tli.scaled",
                                   "rmsea.scaled", "cfi.robust", "tli.robust", "rmsea.robust",
                                   "rmsea.ci.lower.robust", "rmsea.ci.upper.robust"))
  list(lhs = pe$lhs, op = pe$op, rhs = pe$rhs, se = pe$se, fit = nv(fm))
})
section("cfa_modindices", "lavaan", {
  fit <- lavaan::cfa(model, data = dat, estimator = "ML", missing = "listwise")
  mi <- lavaan::modindices(fit)
  list(lhs = mi$lhs, op = mi$op, rhs = mi$rhs, mi = mi$mi, epc = mi$epc,
       sepc_all = mi$sepc.all)
})
section("cfa_wlsmv", "lavaan", {
  items <- unlist(constructs, use.names = FALSE)
  fit <- tryCatch(lavaan::cfa(model, data = dat, ordered = items, estimator = "WLSMV"),
                  error = function(e) e)
  if (inherits(fit, "error")) {
    # lavaan refuses a category left empty by listwise deletion (we drop it): no comparison
    if (!grepl("categories of variable", conditionMessage(fit))) stop(fit)
    list(skip = paste("lavaan:", conditionMessage(fit)))
  } else {
    pe <- lavaan::parameterEstimates(fit, standardized = TRUE)
    pe <- pe[pe$op %in% c("=~", "~~", "|") & pe$se > 0, ]
    fm <- lavaan::fitMeasures(fit, c("chisq", "df", "chisq.scaled", "chisq.scaling.factor",
                                     "baseline.chisq", "baseline.chisq.scaled", "cfi", "tli",
                                     "rmsea", "cfi.scaled", "tli.scaled", "rmsea.scaled",
                                     "srmr", "ntotal"))
    list(lhs = pe$lhs, op = pe$op, rhs = pe$rhs, est = pe$est, se = pe$se,
         std = pe$std.all, fit = nv(fm))
  }
})
write_out()
