# Reference values for tests/stats/test_logistic.py: glm(y ~ g [+ x], binomial), Wald (confint.default) and
# profile-likelihood (confint) limits of the group's odds ratio, and whether glm warned of fitted
# probabilities 0 or 1 (separation). Vars per case: y (1/0), g (1 treated, 0 control), optional x (covariate).
here <- dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)))
source(file.path(here, "_io.R"))
need(c("MASS"))

for (name in names(cases <- read_cases())) {
  cs <- cases[[name]]
  d <- data.frame(y = cs$y, g = cs$g)
  if (!is.null(cs$x)) d$x <- cs$x
  f <- if (is.null(cs$x)) y ~ g else y ~ g + x
  warned <- 0
  m <- withCallingHandlers(glm(f, binomial, d, control = glm.control(epsilon = 1e-14, maxit = 100)), warning = function(w) {
    if (grepl("fitted probabilities numerically 0 or 1", conditionMessage(w))) warned <<- 1
    invokeRestart("muffleWarning")
  })
  s <- coef(summary(m))
  emit(name, "separation_warning", warned)
  emit(name, "b", s["g", "Estimate"])
  emit(name, "se", s["g", "Std. Error"])
  emit(name, "z", s["g", "z value"])
  emit(name, "p", s["g", "Pr(>|z|)"])
  emit(name, "wald", exp(confint.default(m)["g", ]))
  if (!warned) {
    emit(name, "profile", exp(suppressMessages(confint(m))["g", ]))
    # the defining equation of the profile limits, solved by uniroot (confint interpolates on a grid):
    # 2 (logLik(m) - logLik(refit with b fixed as an offset)) = qchisq(0.95, 1)
    f0 <- if (is.null(cs$x)) y ~ 1 else y ~ x
    excess <- function(b) {  # the offset goes in as a column: glm looks `offset =` up in the data, then globally
      d$off <- b * d$g
      refit <- suppressWarnings(glm(f0, binomial, d, offset = off, control = glm.control(epsilon = 1e-14, maxit = 100)))
      2 * (as.numeric(logLik(m)) - as.numeric(logLik(refit))) - qchisq(0.95, 1)
    }
    b <- s["g", "Estimate"]; se <- s["g", "Std. Error"]
    emit(name, "profile_exact", exp(c(uniroot(excess, c(b - 10 * se, b), tol = 1e-12)$root,
                                      uniroot(excess, c(b, b + 10 * se), tol = 1e-12)$root)))
  }
}
write_output()
