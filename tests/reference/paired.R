# Reference values for tests/stats/test_paired.py (paired_change).
# Vars per case: before, after, wilcox_exact (1 = exact = TRUE, 0 = exact = FALSE),
# optionally boot_idx (0-based resample indices, row-major) with n_boot.
here <- dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)))
source(file.path(here, "_io.R"))
need(c("effectsize", "boot"))

for (name in names(cases <- read_cases())) {
  cs <- cases[[name]]
  x <- cs$before; y <- cs$after; d <- y - x

  tt <- t.test(y, x, paired = TRUE, conf.level = 0.95)
  emit(name, "t_estimate", tt$estimate)
  emit(name, "t_se", tt$stderr)
  emit(name, "t_ci", tt$conf.int)
  emit(name, "t_statistic", tt$statistic)
  emit(name, "t_df", tt$parameter)
  emit(name, "t_p", tt$p.value)

  w <- suppressWarnings(wilcox.test(y, x, paired = TRUE, exact = cs$wilcox_exact == 1, correct = TRUE))
  emit(name, "wilcox_V", w$statistic)
  emit(name, "wilcox_p", w$p.value)
  # R's own choice (exact = NULL, correct = TRUE): what our method claims to follow
  w0 <- suppressWarnings(wilcox.test(y, x, paired = TRUE))
  emit(name, "wilcox_default_p", w0$p.value)
  emit(name, "wilcox_default_exact", as.numeric(grepl("exact", w0$method) && !grepl("correction", w0$method)))
  emit(name, "median_change", median(d))
  if (all(d != 0)) {
    rb <- effectsize::rank_biserial(y, x, paired = TRUE, ci = 0.95)
    emit(name, "rank_biserial", rb$r_rank_biserial)
    emit(name, "rank_biserial_ci", c(rb$CI_low, rb$CI_high))
  }

  cd <- effectsize::cohens_d(y, x, paired = TRUE, ci = 0.95)   # d_z, noncentral-t CI
  emit(name, "d_z", cd$Cohens_d)
  emit(name, "d_z_ci", c(cd$CI_low, cd$CI_high))
  if (length(d) > 2) {
    # J(n - 1) as effectsize computes it: ratio of its g_z to its d_z.
    J <- effectsize::hedges_g(y, x, paired = TRUE)$Hedges_g / cd$Cohens_d
    s_av <- sqrt((var(x) + var(y)) / 2)
    emit(name, "g_av", J * mean(d) / s_av)
    # Algina & Keselman (2003): d_z limits rescaled by sd(d) / s_av.
    emit(name, "g_av_ci", J * c(cd$CI_low, cd$CI_high) * sd(d) / s_av)
  }

  if (!is.null(cs$boot_idx)) {
    idx <- matrix(cs$boot_idx + 1, nrow = cs$n_boot, byrow = TRUE)
    mean_i <- function(data, i) mean(data[i])
    b <- boot::boot(d, mean_i, R = 2)          # container; replicates replaced below
    b$t <- matrix(apply(idx, 1, function(i) mean(d[i])), ncol = 1)
    b$R <- nrow(b$t)
    L <- boot::empinf(data = d, statistic = mean_i, type = "jack", stype = "i")
    ci <- boot::boot.ci(b, conf = 0.95, type = c("perc", "bca"), L = L)
    emit(name, "boot_perc", ci$percent[4:5])
    emit(name, "boot_bca", ci$bca[4:5])
  }
}
write_output()
