# Reference values for tests/stats/test_single_case.py, computed with SingleCaseES
# (Pustejovsky, Chen, Swan & Grekov; https://github.com/jepusto/SingleCaseES, version 0.7.4), an
# independent implementation of NAP (Newcombe 2006 method 5 CI), Tau, Tau-U and PND.
# SingleCaseES is not in Debian, so the numbers are stored beside this script (single_case_reference.csv)
# and the tests read them; rerun with
#     R_LIBS=<library with SingleCaseES> Rscript tests/reference/single_case_reference.R
# (given a folder argument, as the tests do, it writes <folder>/out/single_case_reference.csv instead).
# SingleCaseES finds the NAP CI with uniroot's default tolerance (about 1e-4): compare CIs at that tolerance.
if (!requireNamespace("SingleCaseES", quietly = TRUE)) {
  cat("missing R package: SingleCaseES (not in Debian; install it from CRAN or its GitHub repository)\n",
      file = stderr())
  quit(status = 3)
}
suppressPackageStartupMessages(library(SingleCaseES))
here <- dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)))
args <- commandArgs(trailingOnly = TRUE)
out_file <- if (length(args)) file.path(args[1], "out", "single_case_reference.csv") else
  file.path(here, "single_case_reference.csv")

cases <- list(
  # Parker, Vannest & Davis (2011), worked example: NAP 38.5/42, PND 5/7, Tau 35/42.
  pvd2011 = list(A = c(20, 20, 26, 25, 22, 23), B = c(28, 25, 24, 27, 30, 30, 29), improvement = "increase"),
  # Parker, Vannest, Davis & Sauber (2011), Tau-U example: Tau 16/20, Tau-U 11/20.
  pvds2011 = list(A = c(3, 3, 4, 5), B = c(4, 5, 6, 7, 7), improvement = "increase"),
  # Parker & Vannest (2009), NAP example (NAP 0.96).
  pv2009 = list(A = c(4, 3, 4, 3, 4, 7, 5, 2, 3, 2), B = c(5, 9, 7, 9, 7, 5, 9, 11, 11, 10, 9),
                improvement = "increase"),
  # Tarlow (2017): perfectly trending series, Tau-U 0.6.
  tarlow2017 = list(A = c(1, 2, 3, 4, 5), B = c(6, 7, 8, 9, 10), improvement = "increase"),
  # Synthetic: lower is better (e.g. weekly incidents), with ties across phases.
  decrease_ties = list(A = c(12, 10, 11, 12, 13, 10), B = c(9, 10, 8, 7, 8, 6, 10, 7), improvement = "decrease"),
  # Synthetic: overlap in both directions.
  mixed = list(A = c(55, 70, 60, 65, 80, 50, 75), B = c(60, 85, 70, 90, 65, 80, 95, 70, 85),
               improvement = "increase")
)

rows <- list()
for (name in names(cases)) {
  cs <- cases[[name]]
  res <- calc_ES(cs$A, cs$B, improvement = cs$improvement, ES = c("NAP", "PND", "Tau", "Tau_U"),
                 confidence = 0.95, warn = FALSE)
  for (i in seq_len(nrow(res))) {
    rows[[length(rows) + 1]] <- data.frame(
      case = name, improvement = cs$improvement,
      A = paste(cs$A, collapse = ";"), B = paste(cs$B, collapse = ";"),
      ES = res$ES[i], Est = res$Est[i],
      CI_lower = if ("CI_lower" %in% names(res)) res$CI_lower[i] else NA,
      CI_upper = if ("CI_upper" %in% names(res)) res$CI_upper[i] else NA)
  }
}
out <- do.call(rbind, rows)
write.csv(out, out_file, row.names = FALSE)
