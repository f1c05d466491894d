# Reference values for tests/stats/test_counts.py (rate_ratio).
# Vars per case: y (counts), g (1 = treated, 0 = control), t (exposure).
here <- dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)))
source(file.path(here, "_io.R"))

for (name in names(cases <- read_cases())) {
  cs <- cases[[name]]
  y <- cs$y; g <- cs$g; t <- cs$t
  x1 <- sum(y[g == 1]); x2 <- sum(y[g == 0])
  if (x1 > 0 && x2 > 0) {
    fit <- glm(y ~ g + offset(log(t)), family = poisson, control = glm.control(epsilon = 1e-12, maxit = 100))
    co <- summary(fit)$coefficients
    emit(name, "pois_rr", exp(co["g", "Estimate"]))
    emit(name, "pois_ci", exp(confint.default(fit)["g", ]))   # Wald
    emit(name, "pois_z", co["g", "z value"])
    emit(name, "pois_se", co["g", "Std. Error"])
    emit(name, "pois_p", co["g", "Pr(>|z|)"])
    emit(name, "dispersion", sum(residuals(fit, type = "pearson")^2) / fit$df.residual)
    if (have("AER")) {
      dt <- AER::dispersiontest(fit, trafo = 2)   # Cameron-Trivedi, NB2 form, one-sided
      emit(name, "ct_z", dt$statistic)
      emit(name, "ct_p", dt$p.value)
    }
    if (have("MASS")) {  # only the negative binomial comparisons need MASS; the others run without it
      nb <- MASS::glm.nb(y ~ g + offset(log(t)), control = glm.control(epsilon = 1e-12, maxit = 100))
      nco <- summary(nb)$coefficients
      emit(name, "nb_rr", exp(nco["g", "Estimate"]))
      emit(name, "nb_ci", exp(confint.default(nb)["g", ]))
      emit(name, "nb_z", nco["g", "z value"])
      emit(name, "nb_se", nco["g", "Std. Error"])
      emit(name, "nb_p", nco["g", "Pr(>|z|)"])
      emit(name, "nb_theta", nb$theta)
    }
  }
  if (x1 + x2 > 0) {
    pt <- poisson.test(c(x1, x2), c(sum(t[g == 1]), sum(t[g == 0])))
    emit(name, "exact_rr", pt$estimate)
    emit(name, "exact_ci", pt$conf.int)
    emit(name, "exact_p", pt$p.value)
  }
}
write_output()
