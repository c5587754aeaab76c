# Group comparisons (egovstudy.compare): t.test, oneway.test, TukeyHSD, chisq.test, kruskal.test.
# Usage: Rscript compare.R in.csv spec.json out.json
local({
  f <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
  source(file.path(dirname(normalizePath(f)), "_common.R"))
})
y <- spec$y
two <- spec$binary      # 0/1: two groups
many <- spec$cluster2   # regions: 6 groups
d <- stats::na.omit(dat[, c(y, two, many)])
d[[many]] <- factor(d[[many]])
fy <- function(g) stats::as.formula(paste(y, "~", g))

for (eq in c(TRUE, FALSE)) {
  section(paste0("t_test:", if (eq) "student" else "welch"), character(0), {
    r <- stats::t.test(fy(two), data = d, var.equal = eq)
    list(t = unname(r$statistic), df = unname(r$parameter), p = r$p.value,
         ci = unname(r$conf.int))
  })
  section(paste0("oneway:", if (eq) "classical" else "welch"), character(0), {
    r <- stats::oneway.test(fy(many), data = d, var.equal = eq)
    list(f = unname(r$statistic), df1 = unname(r$parameter[1]), df2 = unname(r$parameter[2]),
         p = r$p.value)
  })
}
section("tukey", character(0), {
  tab <- stats::TukeyHSD(stats::aov(fy(many), data = d))[[1]]
  list(diff = unname(tab[, "diff"]), lwr = unname(tab[, "lwr"]), upr = unname(tab[, "upr"]),
       p = unname(tab[, "p adj"]))
})
section("chisq", character(0), {
  r <- stats::chisq.test(table(d[[many]], d[[two]]))
  list(x2 = unname(r$statistic), df = unname(r$parameter), p = r$p.value)
})
section("kruskal", character(0), {
  r <- stats::kruskal.test(fy(many), data = d)
  list(h = unname(r$statistic), df = unname(r$parameter), p = r$p.value)
})
write_out()
