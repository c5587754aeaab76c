# Full SEM (lavaan::sem) and measurement invariance (lavaan::cfa with group.equal, lavTestLRT).
# Usage: Rscript sem.R in.csv spec.json out.json
local({
  f <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
  source(file.path(dirname(normalizePath(f)), "_common.R"))
})
constructs <- spec$constructs
cn <- names(constructs)
meas <- paste(vapply(cn, function(k)
  paste(k, "=~", paste(constructs[[k]], collapse = " + ")), character(1)), collapse = "\n")
# the first three constructs as a chain with a direct path: c1 -> c2 -> c3, c1 -> c3
model <- paste0(meas, "\n", cn[2], " ~ a*", cn[1], "\n", cn[3], " ~ b*", cn[2], " + ", cn[1],
                "\nab := a*b")
out$model <- model
fm <- c("npar", "chisq", "df", "pvalue", "baseline.chisq", "baseline.df", "cfi", "tli",
        "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "srmr", "logl", "unrestricted.logl",
        "aic", "bic", "bic2")
section("sem", "lavaan", {
  fit <- lavaan::sem(model, data = dat, estimator = "ML", missing = "listwise")
  pe <- lavaan::parameterEstimates(fit, standardized = TRUE)
  r2 <- lavaan::inspect(fit, "r2")
  list(lhs = pe$lhs, op = pe$op, rhs = pe$rhs, est = pe$est, se = pe$se,
       std = pe$std.all, fit = nv(lavaan::fitMeasures(fit, fm)), r2 = nv(r2))
})
# a second-order factor over every construct (just-identified with three)
section("higher_order", "lavaan", {
  fit <- lavaan::cfa(paste0(meas, "\nG2 =~ ", paste(cn, collapse = " + ")), data = dat)
  pe <- lavaan::parameterEstimates(fit, standardized = TRUE)
  list(lhs = pe$lhs, op = pe$op, rhs = pe$rhs, est = pe$est, se = pe$se,
       std = pe$std.all, fit = nv(lavaan::fitMeasures(fit, fm)))
})
# two groups: odd and even rows (the same split in crosscheck/test_sem.py)
dat$grp <- ifelse(seq_len(nrow(dat)) %% 2 == 0, "even", "odd")
section("invariance", "lavaan", {
  eq <- list(configural = "", metric = "loadings",
             scalar = c("loadings", "intercepts"),
             strict = c("loadings", "intercepts", "residuals"))
  fits <- lapply(eq, function(g) lavaan::cfa(meas, data = dat, group = "grp",
                                             group.equal = g))
  lrt <- lavaan::lavTestLRT(fits[[1]], fits[[2]], fits[[3]], fits[[4]])
  list(fit = lapply(fits, function(f) nv(lavaan::fitMeasures(f, fm))),
       chisq_diff = as.numeric(lrt[["Chisq diff"]][-1]),
       df_diff = as.numeric(lrt[["Df diff"]][-1]),
       p_diff = as.numeric(lrt[["Pr(>Chisq)"]][-1]))
})
write_out()
