# Mixed (lme4/lmerTest), logit (glm), ordinal (ordinal::clm), panel (plm) and PROCESS paths (lm).
# Usage: Rscript models.R in.csv spec.json out.json
local({
  f <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
  source(file.path(dirname(normalizePath(f)), "_common.R"))
})
xs <- spec$x
rhs <- paste(xs, collapse = " + ")

coefs <- function(tab) list(est = unname(tab[, 1]), se = unname(tab[, 2]))

for (reml in c(TRUE, FALSE)) {
  section(paste0("lmer:", if (reml) "reml" else "ml"), c("lme4", "lmerTest"), {
    d <- stats::na.omit(dat[, c(spec$y, xs, spec$cluster)])
    fit <- lmerTest::lmer(stats::as.formula(paste(spec$y, "~", rhs, "+ (1 |", spec$cluster, ")")),
                          data = d, REML = reml)
    tab <- summary(fit, ddf = "Satterthwaite")$coefficients
    vc <- as.data.frame(lme4::VarCorr(fit))
    list(est = unname(tab[, "Estimate"]), se = unname(tab[, "Std. Error"]),
         df = unname(tab[, "df"]), t = unname(tab[, "t value"]), p = unname(tab[, "Pr(>|t|)"]),
         var_group = vc$vcov[1], var_resid = vc$vcov[nrow(vc)], sigma = stats::sigma(fit),
         loglik = as.numeric(stats::logLik(fit)),
         reml_crit = if (reml) unname(lme4::REMLcrit(fit)) else NA_real_)
  })
}
section("lmer:slope", c("lme4", "lmerTest"), {
  d <- stats::na.omit(dat[, c(spec$y, xs, spec$cluster)])
  fit <- lmerTest::lmer(stats::as.formula(paste(spec$y, "~", rhs, "+ (1 +", xs[1], "|",
                                                spec$cluster, ")")), data = d, REML = TRUE)
  tab <- summary(fit, ddf = "Satterthwaite")$coefficients
  vc <- as.data.frame(lme4::VarCorr(fit))
  list(est = unname(tab[, "Estimate"]), se = unname(tab[, "Std. Error"]),
       df = unname(tab[, "df"]), sd = vc$sdcor[is.na(vc$var2)],
       reml_crit = unname(lme4::REMLcrit(fit)))
})
section("glm", character(0), {
  d <- stats::na.omit(dat[, c(spec$binary, xs)])
  fit <- stats::glm(stats::as.formula(paste(spec$binary, "~", rhs)), family = stats::binomial,
                    data = d)
  tab <- summary(fit)$coefficients
  list(est = unname(tab[, 1]), se = unname(tab[, 2]), z = unname(tab[, 3]), p = unname(tab[, 4]),
       loglik = as.numeric(stats::logLik(fit)), aic = stats::AIC(fit), bic = stats::BIC(fit),
       lr = fit$null.deviance - fit$deviance,
       pseudo_r2 = 1 - fit$deviance / fit$null.deviance)
})
section("clm", "ordinal", {
  d <- stats::na.omit(dat[, c(spec$ordinal, xs)])
  d[[spec$ordinal]] <- factor(d[[spec$ordinal]], ordered = TRUE)
  fit <- ordinal::clm(stats::as.formula(paste(spec$ordinal, "~", rhs)), data = d, link = "logit")
  tab <- summary(fit)$coefficients
  k <- length(fit$alpha)
  list(beta = unname(tab[-(1:k), 1]), beta_se = unname(tab[-(1:k), 2]),
       theta = unname(tab[1:k, 1]), theta_se = unname(tab[1:k, 2]),
       loglik = as.numeric(stats::logLik(fit)))
})
for (eff in c("individual", "twoways")) {
  section(paste0("plm:", eff), "plm", {
    d <- stats::na.omit(dat[, c(spec$y, xs, spec$entity, spec$time)])
    pd <- plm::pdata.frame(d, index = c(spec$entity, spec$time))
    fit <- plm::plm(stats::as.formula(paste(spec$y, "~", rhs)), data = pd, model = "within",
                    effect = eff)
    # clustered by entity with Stata's small-sample factor (type "sss")
    cl <- plm::vcovHC(fit, method = "arellano", type = "sss", cluster = "group")
    list(est = unname(stats::coef(fit)), se = unname(sqrt(diag(stats::vcov(fit)))),
         se_cluster = unname(sqrt(diag(cl))), df_resid = fit$df.residual,
         r2 = unname(summary(fit)$r.squared["rsq"]))
  })
}
# PROCESS (Hayes 2022) point estimates: each model is a set of lm() equations
p <- spec$process
section("process", character(0), {
  fit <- function(f, d) unname(stats::coef(stats::lm(stats::as.formula(f), data = d)))
  d3 <- stats::na.omit(dat[, c(p$x, p$m, p$y)])
  d4 <- stats::na.omit(dat[, c(p$x, p$m, p$w, p$y)])
  dw <- stats::na.omit(dat[, c(p$x, p$w, p$y)])
  x <- p$x; m <- p$m; w <- p$w; y <- p$y
  probe <- function(d) mean(d[[w]]) + c(-1, 0, 1) * stats::sd(d[[w]])
  r <- list()
  r$m1_y <- fit(paste(y, "~", x, "+", w, "+", x, ":", w), dw)
  r$m1_cond <- r$m1_y[2] + r$m1_y[4] * probe(dw)
  a <- fit(paste(m, "~", x), d3); b <- fit(paste(y, "~", x, "+", m), d3)
  r$m4_m <- a; r$m4_y <- b; r$m4_total <- fit(paste(y, "~", x), d3)
  r$m4_ind <- a[2] * b[3]
  a <- fit(paste(m, "~", x, "+", w, "+", x, ":", w), d4); b <- fit(paste(y, "~", x, "+", m), d4)
  r$m7_m <- a; r$m7_y <- b
  r$m7_cond <- (a[2] + a[4] * probe(d4)) * b[3]; r$m7_index <- a[4] * b[3]
  b <- fit(paste(y, "~", x, "+", m, "+", w, "+", x, ":", w), d4)
  r$m8_m <- a; r$m8_y <- b
  r$m8_cond <- (a[2] + a[4] * probe(d4)) * b[3]; r$m8_index <- a[4] * b[3]
  r$m8_direct <- b[2] + b[5] * probe(d4)
  a <- fit(paste(m, "~", x), d4); b <- fit(paste(y, "~", x, "+", m, "+", w, "+", m, ":", w), d4)
  r$m14_m <- a; r$m14_y <- b
  r$m14_cond <- a[2] * (b[3] + b[5] * probe(d4)); r$m14_index <- a[2] * b[5]
  r
})
write_out()
