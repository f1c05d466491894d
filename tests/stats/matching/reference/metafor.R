# Reference values for tests/stats/matching/test_matching_meta.py, computed with R's metafor (Debian
# r-cran-metafor, r-cran-metadat).
#
#   Rscript --vanilla metafor.R <dir>
# reads <dir>/cases.csv (case, yi, vi: one row per study of each synthetic case), adds the BCG
# vaccine trials (metadat's dat.bcg, log risk ratios from escalc), fits rma() with REML, DL and EE,
# each with and without the Hartung-Knapp adjustment, and writes <dir>/out_scalars.csv
# (spec, key, value) and <dir>/out_bcg.csv (the trials with yi and vi). Exit 3: a package is missing.
args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]
for (p in c("metafor", "metadat")) {
  if (!requireNamespace(p, quietly = TRUE)) {
    cat("missing R package:", p, "\n", file = stderr()); quit(status = 3)
  }
}
suppressMessages(library(metafor))
data("dat.bcg", package = "metadat")
bcg <- escalc(measure = "RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg)
write.csv(data.frame(trial = bcg$trial, author = bcg$author, year = bcg$year, tpos = bcg$tpos, tneg = bcg$tneg,
                     cpos = bcg$cpos, cneg = bcg$cneg, yi = as.numeric(bcg$yi), vi = as.numeric(bcg$vi)),
          file.path(dir, "out_bcg.csv"), row.names = FALSE)

cases <- read.csv(file.path(dir, "cases.csv"), stringsAsFactors = FALSE)
sets <- c(list(bcg = data.frame(yi = as.numeric(bcg$yi), vi = as.numeric(bcg$vi))),
          lapply(split(cases[, c("yi", "vi")], factor(cases$case, levels = unique(cases$case))), identity))

out <- list()
emit <- function(spec, key, value) {
  value <- if (is.null(value) || length(value) == 0) NA_real_ else as.numeric(value)
  out[[length(out) + 1]] <<- data.frame(spec = spec, key = key, value = formatC(value, digits = 17, format = "g"))
}
for (name in names(sets)) {
  s <- sets[[name]]
  for (method in c("REML", "DL", "EE")) {
    for (test in c("z", "knha")) {
      if (method == "EE" && test == "knha") next
      spec <- paste(name, method, test, sep = "_")
      # a tight convergence threshold, so the comparison tests our estimator, not metafor's stopping rule
      fit <- rma(yi, vi, data = s, method = method, test = test, control = list(threshold = 1e-12, maxiter = 1000))
      pr <- predict(fit)
      emit(spec, "estimate", fit$beta); emit(spec, "se", fit$se)
      emit(spec, "ci_low", fit$ci.lb); emit(spec, "ci_high", fit$ci.ub)
      emit(spec, "statistic", fit$zval); emit(spec, "p_val", fit$pval)
      emit(spec, "tau2", fit$tau2); emit(spec, "tau2_se", if (method %in% c("REML", "DL")) fit$se.tau2 else NA)
      emit(spec, "i2", fit$I2); emit(spec, "h2", fit$H2)
      emit(spec, "q", fit$QE); emit(spec, "q_p_val", fit$QEp)
      emit(spec, "pi_low", pr$pi.lb); emit(spec, "pi_high", pr$pi.ub)
    }
  }
}
# the defaults, as a user would run them (threshold 1e-5), for the 4-decimal check
fit <- rma(yi, vi, data = sets$bcg)
emit("bcg_default", "estimate", fit$beta); emit("bcg_default", "se", fit$se)
emit("bcg_default", "tau2", fit$tau2); emit("bcg_default", "i2", fit$I2)
write.csv(do.call(rbind, out), file.path(dir, "out_scalars.csv"), row.names = FALSE)
