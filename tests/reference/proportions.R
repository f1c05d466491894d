# Reference values for tests/stats/test_proportions.py.
# Vars per case: a (events, treated), n1, c (events, control), n2.
here <- dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)))
source(file.path(here, "_io.R"))
need(c("metafor"))

z <- qnorm(0.975)
for (name in names(cases <- read_cases())) {
  cs <- cases[[name]]
  a <- cs$a; n1 <- cs$n1; c <- cs$c; n2 <- cs$n2; b <- n1 - a; d <- n2 - c
  emit(name, "wilson_treated", prop.test(a, n1, correct = FALSE)$conf.int)
  emit(name, "wilson_control", prop.test(c, n2, correct = FALSE)$conf.int)
  emit(name, "cp_treated", binom.test(a, n1)$conf.int)   # Clopper-Pearson
  emit(name, "cp_control", binom.test(c, n2)$conf.int)
  # Katz log RR and Woolf log OR; metafor adds 1/2 to every cell of a table with a zero cell.
  for (measure in c("RR", "OR")) {
    es <- metafor::escalc(measure, ai = a, bi = b, ci = c, di = d)
    emit(name, measure, exp(es$yi))
    emit(name, paste0(measure, "_se"), sqrt(es$vi))
    emit(name, paste0(measure, "_ci"), exp(es$yi + c(-1, 1) * z * sqrt(es$vi)))
  }
  m <- matrix(c(a, b, c, d), nrow = 2, byrow = TRUE)
  f <- fisher.test(m)
  emit(name, "fisher_p", f$p.value)
  emit(name, "fisher_or", f$estimate)
  emit(name, "fisher_ci", f$conf.int)
  # fisher.test solves for the conditional MLE and CI with uniroot's default tolerance
  # (about 1e-4 on a 0-1 scale), so its limits can be off by ~1% when large. The same
  # defining equations (noncentral hypergeometric of cell [1, 1] given the margins, built
  # from R's dhyper) solved here to 1e-12 on the log scale give a tight reference.
  support <- max(0, n1 - (b + d)):min(n1, a + c)
  if (length(support) > 1) {
    base <- dhyper(support, a + c, b + d, n1, log = TRUE)
    prob <- function(log_psi) { w <- exp(base + support * log_psi - max(base + support * log_psi)); w / sum(w) }
    solve <- function(f) uniroot(f, c(-30, 30), tol = 1e-12)$root
    # At the edge of the support (a zero cell) the MLE is 0 or Inf and that side's limit is 0 or Inf,
    # as fisher.test gives them; the other limit solves the same tail equation.
    at_low <- a == min(support); at_high <- a == max(support)
    emit(name, "cond_mle", if (at_low) 0 else if (at_high) Inf else exp(solve(function(l) sum(support * prob(l)) - a)))
    emit(name, "cond_ci", c(if (at_low) 0 else exp(solve(function(l) sum(prob(l)[support >= a]) - 0.025)),
                            if (at_high) Inf else exp(solve(function(l) sum(prob(l)[support <= a]) - 0.025))))
  }
  for (yates in c(FALSE, TRUE)) {
    x2 <- suppressWarnings(chisq.test(m, correct = yates))
    emit(name, paste0("chisq_", yates), c(x2$statistic, x2$p.value))
  }
  # prop.test's two-sample statistic is the same Pearson X² (without correction)
  emit(name, "prop_test_X2", suppressWarnings(prop.test(c(a, c), c(n1, n2), correct = FALSE))$statistic)
}
write_output()
