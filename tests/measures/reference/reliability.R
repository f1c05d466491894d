# Reference values for tests/measures/test_measures_reliability.py.
# Input folder: items_<case>.csv (one column per item) and optionally boot_<case>.csv (0-based row
# indices of the bootstrap resamples, one resample per row). Output: out/reliability.csv with columns
# case, key, value.
#  - alpha and its Feldt CI: psych::alpha (raw_alpha, feldt).
#  - omega total: one-factor ML fit by base R's factanal; omega = (sum l_i s_i)^2 /
#    ((sum l_i s_i)^2 + sum u_i s_i^2) with item SDs s_i (McDonald 1999, on the raw-score scale).
#  - psych::omega(nfactors = 1)$omega.tot, fm = "ml" and "minres" (the standardized omega).
#  - bootstrap CIs of omega: boot::boot.ci (perc, bca with jackknife influence values) on the same
#    resamples as the Python code.
args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]
for (p in c("psych", "boot")) {
  if (!requireNamespace(p, quietly = TRUE)) {
    cat("missing R package:", p, "(apt-get install r-cran-", p, ")\n", sep = "", file = stderr())
    quit(status = 3)
  }
}

omega_ml <- function(x) {
  f <- factanal(x, factors = 1)
  l <- f$loadings[, 1]
  if (sum(l) < 0) l <- -l
  s <- apply(x, 2, sd)
  common <- sum(l * s)^2
  common / (common + sum(f$uniquenesses * s^2))
}

rows <- list()
emit <- function(case, key, value) {
  value <- as.numeric(unlist(value))
  rows[[length(rows) + 1]] <<- data.frame(case = case, key = key, value = formatC(value, digits = 17, format = "g"))
}

for (file in list.files(dir, pattern = "^items_.*\\.csv$")) {
  case <- sub("^items_(.*)\\.csv$", "\\1", file)
  x <- read.csv(file.path(dir, file))
  a <- psych::alpha(x, warnings = FALSE)
  emit(case, "alpha", a$total$raw_alpha)
  emit(case, "alpha_ci_low", a$feldt$lower.ci)
  emit(case, "alpha_ci_high", a$feldt$upper.ci)
  emit(case, "omega", omega_ml(x))
  # psych::omega's omega.tot (standardized items, 1 - sum(u) / sum(R)), with the ML fit and psych's default minres
  for (fm in c("ml", "minres")) {
    o <- suppressWarnings(suppressMessages(psych::omega(x, nfactors = 1, fm = fm, plot = FALSE)))
    emit(case, paste0("omega_psych_", fm), o$omega.tot)
  }
  boot_file <- file.path(dir, paste0("boot_", case, ".csv"))
  if (file.exists(boot_file)) {
    idx <- as.matrix(read.csv(boot_file)) + 1
    stat <- function(d, i) omega_ml(d[i, , drop = FALSE])
    b <- boot::boot(x, stat, R = 2)              # a container; its replicates are replaced below
    b$t <- matrix(apply(idx, 1, function(i) stat(x, i)), ncol = 1)
    b$R <- nrow(b$t)
    L <- boot::empinf(data = x, statistic = stat, type = "jack", stype = "i")
    ci <- boot::boot.ci(b, conf = 0.95, type = c("perc", "bca"), L = L)
    emit(case, "perc_low", ci$percent[4]); emit(case, "perc_high", ci$percent[5])
    emit(case, "bca_low", ci$bca[4]); emit(case, "bca_high", ci$bca[5])
  }
}
write.csv(do.call(rbind, rows), file.path(dir, "out", "reliability.csv"), row.names = FALSE)
