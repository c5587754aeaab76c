# Weighted and design-based fits: survey::svyglm (ids = cluster, weights = x2) and the PROCESS
# model 4 paths as lm(weights = x2). Usage: Rscript survey.R in.csv spec.json out.json
local({
  f <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
  source(file.path(dirname(normalizePath(f)), "_common.R"))
})
xs <- spec$x
wt <- xs[2]   # a positive predictor (lognormal in the synthetic data) used as case weights
section("svyglm", "survey", {
  d <- stats::na.omit(dat[, unique(c(spec$y, xs, spec$cluster))])
  d <- d[d[[wt]] > 0, ]
  des <- survey::svydesign(ids = stats::as.formula(paste0("~", spec$cluster)),
                           weights = stats::as.formula(paste0("~", wt)), data = d)
  rhs <- paste(setdiff(xs, wt), collapse = " + ")
  g <- survey::svyglm(stats::as.formula(paste(spec$y, "~", rhs)), design = des)
  tab <- summary(g)$coefficients
  list(est = unname(tab[, 1]), se = unname(tab[, 2]), df = g$df.residual, rhs = rhs, w = wt,
       n = nrow(d))
})
section("process_weighted", character(0), {
  p <- spec$process
  d <- stats::na.omit(dat[, unique(c(p$x, p$m, p$y, wt))])
  d <- d[d[[wt]] > 0, ]
  a <- stats::lm(stats::as.formula(paste(p$m, "~", p$x)), data = d, weights = d[[wt]])
  b <- stats::lm(stats::as.formula(paste(p$y, "~", p$x, "+", p$m)), data = d, weights = d[[wt]])
  ta <- summary(a)$coefficients
  tb <- summary(b)$coefficients
  list(a_est = unname(ta[, 1]), a_se = unname(ta[, 2]), b_est = unname(tb[, 1]),
       b_se = unname(tb[, 2]), r2 = c(summary(a)$r.squared, summary(b)$r.squared),
       indirect = unname(stats::coef(a)[p$x] * stats::coef(b)[p$m]), w = wt)
})
write_out()
