# Reference values for tests/stats/test_survival.py, computed with R's survival package.
# Input (see _io.R): per case, vectors time, status (1 = ended, 0 = censored), group (codes 1..k),
# times (for summary(fit, times=)) and tau (restricted mean horizon).
# Output keys: g<code>_<what>[_<conf type>] for each group's own survfit, and
# <test>_<what> for survdiff (rho = 0: lr, rho = 1: pp).
here <- dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)))
source(file.path(here, "_io.R"))
need("survival")
suppressPackageStartupMessages(library(survival))

types <- c(log = "log", loglog = "log-log", plain = "plain")

for (case in names(cases <- read_cases())) {
  v <- cases[[case]]
  d <- data.frame(time = v$time, status = v$status, group = v$group)
  for (g in sort(unique(d$group))) {
    sub <- d[d$group == g, ]
    key <- function(what) paste0("g", g, "_", what)
    for (tn in names(types)) {
      fit <- survfit(Surv(time, status) ~ 1, data = sub, conf.type = types[[tn]])
      if (tn == "log") {
        emit(case, key("time"), fit$time)
        emit(case, key("n_risk"), fit$n.risk)
        emit(case, key("n_event"), fit$n.event)
        emit(case, key("n_censor"), fit$n.censor)
        emit(case, key("surv"), fit$surv)
        emit(case, key("se_cumhaz"), fit$std.err)                      # SE of -log S
        emit(case, key("se_surv"), summary(fit, censored = TRUE)$std.err)  # Greenwood SE of S
      }
      emit(case, key(paste0("lower_", tn)), fit$lower)
      emit(case, key(paste0("upper_", tn)), fit$upper)
      tab <- summary(fit, rmean = v$tau)$table
      emit(case, key(paste0("median_", tn)), tab[["median"]])
      emit(case, key(paste0("lcl_", tn)), tab[["0.95LCL"]])
      emit(case, key(paste0("ucl_", tn)), tab[["0.95UCL"]])
      if (tn == "log") {
        emit(case, key("n"), tab[["records"]])
        emit(case, key("events"), tab[["events"]])
        emit(case, key("rmean"), tab[["rmean"]])
        emit(case, key("se_rmean"), tab[["se(rmean)"]])
      }
      at <- summary(fit, times = v$times[v$times <= max(sub$time)])
      emit(case, key(paste0("at_surv_", tn)), at$surv)
      emit(case, key(paste0("at_se_", tn)), at$std.err)
      emit(case, key(paste0("at_lower_", tn)), at$lower)
      emit(case, key(paste0("at_upper_", tn)), at$upper)
      emit(case, key(paste0("at_n_risk_", tn)), at$n.risk)
      emit(case, key(paste0("at_n_event_", tn)), at$n.event)
    }
  }
  for (test in list(c("lr", 0), c("pp", 1), c("fh05", 0.5))) {
    sd <- survdiff(Surv(time, status) ~ factor(group), data = d, rho = as.numeric(test[2]))
    emit(case, paste0(test[1], "_chisq"), sd$chisq)
    emit(case, paste0(test[1], "_p"), sd$pvalue)
    emit(case, paste0(test[1], "_df"), sum(sd$exp > 0) - 1)
    emit(case, paste0(test[1], "_obs"), sd$obs)
    emit(case, paste0(test[1], "_exp"), sd$exp)
  }
}
write_output()
