# Reference values for tests/stats/test_cox.py (hazard_ratio): R survival::coxph with one 0/1 group indicator.
# Vars per case: time, status (1 = ended), treated (1/0). Keys per ties method (efron, breslow): hr, se (of the
# log hazard ratio), ci (95%), z, p (Wald), lr, lr_p, score, score_p; `monotone` = 1 when coxph warned that the
# coefficient may be infinite.
here <- dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)))
source(file.path(here, "_io.R"))
need("survival")
suppressPackageStartupMessages(library(survival))

for (name in names(cases <- read_cases())) {
  v <- cases[[name]]
  d <- data.frame(time = v$time, status = v$status, treated = v$treated)
  for (ties in c("efron", "breslow")) {
    warned <- FALSE
    # a tight convergence criterion, so the comparison tests our estimator, not coxph's stopping rule
    fit <- withCallingHandlers(
      coxph(Surv(time, status) ~ treated, data = d, ties = ties,
            control = coxph.control(eps = 1e-14, toler.chol = 1e-15, iter.max = 200)),
      warning = function(w) {
        if (grepl("infinite", conditionMessage(w))) warned <<- TRUE
        invokeRestart("muffleWarning")
      })
    s <- summary(fit)
    key <- function(what) paste0(ties, "_", what)
    emit(name, key("monotone"), as.numeric(warned))
    emit(name, key("hr"), exp(coef(fit)))
    emit(name, key("se"), s$coefficients[1, "se(coef)"])
    emit(name, key("ci"), s$conf.int[1, c("lower .95", "upper .95")])
    emit(name, key("z"), s$coefficients[1, "z"])
    emit(name, key("p"), s$coefficients[1, "Pr(>|z|)"])
    emit(name, key("lr"), s$logtest[["test"]]); emit(name, key("lr_p"), s$logtest[["pvalue"]])
    emit(name, key("score"), s$sctest[["test"]]); emit(name, key("score_p"), s$sctest[["pvalue"]])
  }
  # the log-rank test, which the score test equals when no two endings share a time
  emit(name, "logrank", survdiff(Surv(time, status) ~ treated, data = d)$chisq)
}
write_output()
