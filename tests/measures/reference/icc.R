# Reference values for tests/measures/test_measures_icc.py: psych::ICC.
# Input folder: ratings_<case>.csv (one row per target, one column per rater). Output: out/icc.csv with
# columns case, lmer, type, ICC, F, df1, df2, p, lower, upper (psych's results table, both ways of getting
# the mean squares: lmer = FALSE is the ANOVA, lmer = TRUE the REML variance components).
args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]
if (!requireNamespace("psych", quietly = TRUE)) {
  cat("missing R package: psych (apt-get install r-cran-psych)\n", file = stderr())
  quit(status = 3)
}
rows <- list()
for (file in list.files(dir, pattern = "^ratings_.*\\.csv$")) {
  case <- sub("^ratings_(.*)\\.csv$", "\\1", file)
  x <- read.csv(file.path(dir, file))
  for (lmer in c(FALSE, TRUE)) {
    if (lmer && !requireNamespace("lme4", quietly = TRUE)) next
    r <- suppressWarnings(suppressMessages(psych::ICC(x, lmer = lmer)))$results
    rows[[length(rows) + 1]] <- data.frame(case = case, lmer = lmer, type = r$type, ICC = r$ICC, F = r$F,
                                           df1 = r$df1, df2 = r$df2, p = r$p, lower = r[["lower bound"]],
                                           upper = r[["upper bound"]])
  }
}
out <- do.call(rbind, rows)
write.csv(out, file.path(dir, "out", "icc.csv"), row.names = FALSE)
