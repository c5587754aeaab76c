# OLS and its diagnostics by stats::lm, sandwich, lmtest, car and nortest.
# Usage: Rscript regression.R in.csv spec.json out.json
local({
  f <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
  source(file.path(dirname(normalizePath(f)), "_common.R"))
})
xs <- spec$x
fml <- stats::as.formula(paste(spec$y, "~", paste(xs, collapse = " + ")))
d <- stats::na.omit(dat[, c(spec$y, xs, spec$cluster, spec$cluster2)])
m <- stats::lm(fml, data = d)
s <- summary(m)
section("lm", character(0), {
  ci <- stats::confint(m)
  list(coef = unname(coef(m)), se = unname(s$coefficients[, 2]), t = unname(s$coefficients[, 3]),
       p = unname(s$coefficients[, 4]), ci_low = unname(ci[, 1]), ci_high = unname(ci[, 2]),
       r2 = s$r.squared, adj_r2 = s$adj.r.squared, f = unname(s$fstatistic[1]),
       f_p = unname(stats::pf(s$fstatistic[1], s$fstatistic[2], s$fstatistic[3],
                              lower.tail = FALSE)),
       sigma = s$sigma, loglik = as.numeric(stats::logLik(m)), aic = stats::AIC(m),
       bic = stats::BIC(m), n = stats::nobs(m))
})
section("hc", "sandwich", {
  r <- lapply(c("HC0", "HC1", "HC2", "HC3"),
              function(tp) unname(sqrt(diag(sandwich::vcovHC(m, type = tp)))))
  names(r) <- c("HC0", "HC1", "HC2", "HC3")
  r
})
section("cluster", "sandwich", {
  # Stata's small-sample correction: type HC1 with cadjust G/(G-1)
  one <- sandwich::vcovCL(m, cluster = d[[spec$cluster]], type = "HC1", cadjust = TRUE)
  # two-way (Cameron, Gelbach & Miller 2011); fix = TRUE zeroes negative eigenvalues as CGM advise
  two <- sandwich::vcovCL(m, cluster = d[, c(spec$cluster, spec$cluster2)], type = "HC1", fix = TRUE,
                          cadjust = TRUE, multi0 = FALSE)
  list(one = unname(sqrt(diag(one))), two = unname(sqrt(pmax(diag(two), 0))))
})
section("bp", "lmtest", {
  k <- lmtest::bptest(m)
  o <- lmtest::bptest(m, studentize = FALSE)
  # White (1980): squares and cross products of the regressors, studentized
  wf <- stats::as.formula(paste("~ (", paste(xs, collapse = " + "), ")^2 +",
                                paste0("I(", xs, "^2)", collapse = " + ")))
  w <- lmtest::bptest(m, wf, data = d)
  list(koenker = c(unname(k$statistic), unname(k$parameter), k$p.value),
       original = c(unname(o$statistic), unname(o$parameter), o$p.value),
       white = c(unname(w$statistic), unname(w$parameter), w$p.value))
})
section("serial", "lmtest", {
  bg <- lmtest::bgtest(m, order = 1)
  dw <- lmtest::dwtest(m)
  list(bg = c(unname(bg$statistic), unname(bg$parameter), bg$p.value),
       dw = unname(dw$statistic))
})
section("reset", "lmtest", {
  r <- lmtest::resettest(m, power = 2:3, type = "fitted")
  list(f = unname(r$statistic), df = unname(r$parameter), p = r$p.value)
})
section("vif", "car", list(vif = unname(car::vif(m))))
section("normality", "nortest", {
  e <- stats::residuals(m)
  sw <- stats::shapiro.test(e)
  li <- nortest::lillie.test(e)
  ks <- stats::ks.test(e, "pnorm", mean(e), stats::sd(e), exact = FALSE)
  list(sw = c(unname(sw$statistic), sw$p.value), lillie = c(unname(li$statistic), li$p.value),
       ks = c(unname(ks$statistic), ks$p.value))
})
section("glejser", character(0), {
  g <- summary(stats::lm(stats::update(fml, abs(stats::residuals(m)) ~ .), data = d))$fstatistic
  list(f = unname(g[1]), p = unname(stats::pf(g[1], g[2], g[3], lower.tail = FALSE)))
})
section("influence", "car", {
  o <- car::outlierTest(m, cutoff = Inf, n.max = 1)
  list(cooks = unname(stats::cooks.distance(m)), hat = unname(stats::hatvalues(m)),
       rstudent = unname(stats::rstudent(m)), dffits = unname(stats::dffits(m)),
       max_rstudent = unname(abs(o$rstudent[1])),
       bonf_p = min(1, unname(o$bonf.p[1])))  # car leaves n * p unclipped; a p-value is <= 1
})
write_out()
