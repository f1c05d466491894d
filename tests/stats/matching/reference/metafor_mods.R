# Reference values for tests/stats/matching/test_meta_regression.py, computed with R's metafor rma(mods = ...)
# (Debian r-cran-metafor, r-cran-metadat).
#
#   Rscript --vanilla metafor_mods.R <dir>
# reads <dir>/cases.csv (case, yi, vi, x1, x2: one row per study; x2 may be NA for one-moderator cases), fits
# rma(yi, vi, mods = ~ x1 [+ x2]) with REML, DL and EE, each with z tests and (not EE) Knapp-Hartung tests, and
# writes <dir>/out_scalars.csv (spec, key, value). It also writes <dir>/metadat_<name>.csv for the three published
# datasets bundled with cm_research, so the test can check our CSVs against metadat. Exit 3: a package is missing.
args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]
for (p in c("metafor", "metadat")) {
  if (!requireNamespace(p, quietly = TRUE)) {
    cat("missing R package:", p, "\n", file = stderr()); quit(status = 3)
  }
}
suppressMessages(library(metafor))
for (name in c("dat.raudenbush1985", "dat.bangertdrowns2004", "dat.konstantopoulos2011")) {
  data(list = name, package = "metadat")
  write.csv(get(name), file.path(dir, paste0("metadat_", sub("^dat\\.", "", name), ".csv")), row.names = FALSE)
}

cases <- read.csv(file.path(dir, "cases.csv"), stringsAsFactors = FALSE)
out <- list()
emit <- function(spec, key, value) {
  value <- if (is.null(value) || length(value) == 0) NA_real_ else as.numeric(value)
  for (i in seq_along(value)) {
    k <- if (length(value) > 1) paste0(key, "_", i - 1) else key
    out[[length(out) + 1]] <<- data.frame(spec = spec, key = k, value = formatC(value[i], digits = 17, format = "g"))
  }
}
for (name in unique(cases$case)) {
  s <- cases[cases$case == name, ]
  form <- if (all(is.na(s$x2))) ~ x1 else ~ x1 + x2
  for (method in c("REML", "DL", "EE")) {
    for (test in c("z", "knha")) {
      if (method == "EE" && test == "knha") next
      spec <- paste(name, method, test, sep = "_")
      # a tight convergence threshold, so the comparison tests our estimator, not metafor's stopping rule
      fit <- rma(yi, vi, mods = form, data = s, method = method, test = test,
                 control = list(threshold = 1e-12, maxiter = 1000))
      emit(spec, "estimate", fit$beta); emit(spec, "se", fit$se)
      emit(spec, "ci_low", fit$ci.lb); emit(spec, "ci_high", fit$ci.ub)
      emit(spec, "statistic", fit$zval); emit(spec, "p_val", fit$pval)
      emit(spec, "tau2", fit$tau2); emit(spec, "tau2_se", if (method %in% c("REML", "DL")) fit$se.tau2 else NA)
      emit(spec, "i2", fit$I2); emit(spec, "h2", fit$H2); emit(spec, "r2", if (method == "EE") NA else fit$R2)
      emit(spec, "qe", fit$QE); emit(spec, "qe_p_val", fit$QEp)
      emit(spec, "qm", fit$QM); emit(spec, "qm_p_val", fit$QMp)
    }
  }
}
write.csv(do.call(rbind, out), file.path(dir, "out_scalars.csv"), row.names = FALSE)
