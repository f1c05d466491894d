# Reference values for tests/stats/test_power.py.
# Vars per case: type (1 two-sample, 2 paired, 3 two-sample unequal n via pwr), n, n2, d, power,
# alpha, sided (2 or 1); NaN marks the quantity to solve for.
here <- dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)))
source(file.path(here, "_io.R"))

opt <- function(v) if (is.na(v)) NULL else v
for (name in names(cases <- read_cases())) {
  cs <- cases[[name]]
  if (cs$type %in% c(1, 2)) {
    # strict = TRUE counts both rejection tails; tol tightened from the default 1.2e-4.
    res <- power.t.test(n = opt(cs$n), delta = opt(cs$d), sd = 1, sig.level = cs$alpha, power = opt(cs$power),
                        type = if (cs$type == 1) "two.sample" else "paired",
                        alternative = if (cs$sided == 2) "two.sided" else "one.sided",
                        strict = TRUE, tol = 1e-10)
    emit(name, "n", res$n); emit(name, "d", res$delta); emit(name, "power", res$power)
  } else if (have("pwr")) {
    res <- pwr::pwr.t2n.test(n1 = cs$n, n2 = cs$n2, d = opt(cs$d), sig.level = cs$alpha, power = opt(cs$power),
                             alternative = if (cs$sided == 2) "two.sided" else "greater")
    emit(name, "d", res$d); emit(name, "power", res$power)
    if (is.na(cs$d)) {
      # pwr solves for d with uniroot's default tolerance (~1e-4); solve pwr's power function tightly too.
      pw <- function(d) pwr::pwr.t2n.test(n1 = cs$n, n2 = cs$n2, d = d, sig.level = cs$alpha)$power - cs$power
      emit(name, "d_tight", uniroot(pw, c(1e-3, 10), tol = 1e-12)$root)
    }
  }
}
write_output()
