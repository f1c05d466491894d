# Reference values for tests/stats/test_site_pooling.py: per-site effect sizes and their pooling, as metafor
# computes them from the counts.
# Case "binary": vars a (events, mentored), n1, c (events, comparison), n2, one element per site.
# Case "counts": vars x1 (events, mentored), t1 (exposure), x2, t2, one element per site.
here <- dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)))
source(file.path(here, "_io.R"))
need(c("metafor"))

cases <- read_cases()
b <- cases$binary
# add = 0: the risk difference as observed (escalc's default would add 1/2 to tables with a zero cell)
rd <- metafor::escalc("RD", ai = b$a, n1i = b$n1, ci = b$c, n2i = b$n2, add = 0)
emit("binary", "yi", rd$yi)
emit("binary", "sei", sqrt(rd$vi))
rd_default <- metafor::escalc("RD", ai = b$a, n1i = b$n1, ci = b$c, n2i = b$n2)
emit("binary", "yi_default", rd_default$yi)
for (method in c("REML", "DL")) {
  for (test in c("z", "knha")) {
    fit <- metafor::rma(rd$yi, rd$vi, method = method, test = test)
    key <- paste0(method, "_", test)
    emit("binary", key, c(fit$b, fit$ci.lb, fit$ci.ub, fit$tau2))
  }
}

k <- cases$counts
irr <- metafor::escalc("IRR", x1i = k$x1, t1i = k$t1, x2i = k$x2, t2i = k$t2, add = 0)
emit("counts", "yi", irr$yi)
emit("counts", "sei", sqrt(irr$vi))
for (i in seq_along(k$x1)) {
  pt <- poisson.test(c(k$x1[i], k$x2[i]), c(k$t1[i], k$t2[i]))
  emit("counts", paste0("exact_", i), c(pt$estimate, pt$conf.int, pt$p.value))
}
fit <- metafor::rma(irr$yi, irr$vi, method = "REML", test = "knha")
emit("counts", "REML_knha", c(fit$b, fit$ci.lb, fit$ci.ub, fit$tau2))
# Case "tiny": effects on a scale of 1e-6 (variances 1e-12); metafor's default threshold (1e-5, absolute on tau2)
# stops far from the answer there, so it runs to a threshold below the scale of tau2. Reported rescaled.
t <- cases$tiny
fit <- metafor::rma(t$yi, t$vi, method = "REML", control = list(threshold = 1e-26, maxiter = 5000))
emit("tiny", "REML", c(fit$b * 1e6, fit$tau2 * 1e12, fit$se * 1e6))
write_output()
