# Measurement statistics by psych, lavaan and semTools for one dataset.
# Usage: Rscript measurement.R in.csv spec.json out.json
local({
  f <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
  source(file.path(dirname(normalizePath(f)), "_common.R"))
})

constructs <- spec$constructs
for (cn in names(constructs)) {
  x <- dat[, constructs[[cn]]]
  # psych::alpha with its defaults: pairwise covariances, no key checking
  section(paste0("alpha:", cn), "psych", {
    a <- psych::alpha(x, check.keys = FALSE, warnings = FALSE)
    list(total = nv(unlist(a$total[1, c("raw_alpha", "std.alpha", "G6(smc)", "average_r",
                                         "median_r", "mean", "sd")])),
         feldt = c(a$feldt$lower.ci$raw_alpha, a$feldt$upper.ci$raw_alpha),
         drop_raw = a$alpha.drop$raw_alpha, drop_std = a$alpha.drop$std.alpha,
         drop_g6 = a$alpha.drop[["G6(smc)"]], drop_avr = a$alpha.drop$average_r,
         raw_r = a$item.stats$raw.r, r_drop = a$item.stats$r.drop,
         mean = a$item.stats$mean, sd = a$item.stats$sd, n = a$item.stats$n)
  })
  # the same on complete cases (egovstudy's use="complete")
  section(paste0("alpha_complete:", cn), "psych", {
    a <- psych::alpha(stats::na.omit(x), check.keys = FALSE, warnings = FALSE)
    list(raw = a$total$raw_alpha, std = a$total$std.alpha, raw_r = a$item.stats$raw.r,
         r_drop = a$item.stats$r.drop)
  })
  # item validity: Pearson item-total and item-rest correlations, p of item-rest (complete cases)
  section(paste0("itemtotal:", cn), character(0), {
    xc <- stats::na.omit(x)
    tot <- rowSums(xc)
    r <- vapply(xc, function(v) stats::cor(v, tot), numeric(1))
    p <- vapply(names(xc), function(v) stats::cor.test(xc[[v]], tot - xc[[v]])$p.value, numeric(1))
    rest <- vapply(names(xc), function(v) stats::cor(xc[[v]], tot - xc[[v]]), numeric(1))
    list(r = unname(r), p = unname(p), rest = unname(rest), n = nrow(xc))
  })
  section(paste0("omega:", cn), "psych", {
    o <- psych::omega(x, nfactors = 1, fm = "minres", plot = FALSE)
    list(omega_total = o$omega.tot)
  })
  # CR and AVE from lavaan's standardized loadings of a one-factor model fitted to the
  # pairwise correlation matrix (psych's cor(x, use = "pairwise"))
  section(paste0("cr_ave:", cn), "lavaan", {
    r <- stats::cor(x, use = "pairwise")
    fit <- lavaan::cfa(paste("F =~", paste(colnames(x), collapse = " + ")),
                       sample.cov = r, sample.nobs = nrow(x), std.lv = TRUE)
    pe <- lavaan::standardizedSolution(fit)
    lam <- pe$est.std[pe$op == "=~"]
    list(loadings = lam, cr = sum(lam)^2 / (sum(lam)^2 + sum(1 - lam^2)), ave = mean(lam^2))
  })
}

items <- spec$efa_items
x <- dat[, items]
r_pw <- stats::cor(x, use = "pairwise")
section("kmo", "psych", {
  k <- psych::KMO(r_pw)
  list(overall = k$MSA, msa = unname(k$MSAi))
})
section("bartlett", "psych", {
  b <- psych::cortest.bartlett(r_pw, n = nrow(x))
  list(chisq = b$chisq, df = b$df, p = b$p.value)
})
for (fm in c("minres", "ml")) {
  for (rot in c("none", "varimax", "promax", "oblimin")) {
    section(paste0("fa:", fm, ":", rot), if (rot == "oblimin") c("psych", "GPArotation") else "psych", {
      f <- psych::fa(x, nfactors = spec$n_factors, fm = fm, rotate = rot)
      list(loadings = unclass(f$loadings), communality = unname(f$communality))
    })
  }
}
# HTMT (Henseler et al. 2015; htmt2 = FALSE, semTools 0.5-6 defaults to HTMT2) on listwise
# complete cases
section("htmt", "semTools", {
  model <- paste(vapply(names(constructs), function(cn)
    paste(cn, "=~", paste(constructs[[cn]], collapse = " + ")), character(1)), collapse = "\n")
  h <- semTools::htmt(model, data = dat, missing = "listwise", htmt2 = FALSE)
  list(names = rownames(h), matrix = unclass(h))
})
write_out()
