# Reference values for tests/stats/test_groups.py (compare_groups, ancova).
# compare_groups cases: vars treated, control, wilcox_exact (1/0).
# ancova cases: vars post_t, base_t (treated), post_c, base_c (control).
here <- dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)))
source(file.path(here, "_io.R"))
need(c("effectsize"))

for (name in names(cases <- read_cases())) {
  cs <- cases[[name]]
  if (!is.null(cs$treated)) {
    x <- cs$treated; y <- cs$control
    tt <- t.test(x, y)                      # Welch is R's default
    emit(name, "t_estimate", mean(x) - mean(y))
    emit(name, "t_se", tt$stderr)
    emit(name, "t_ci", tt$conf.int)
    emit(name, "t_statistic", tt$statistic)
    emit(name, "t_df", tt$parameter)
    emit(name, "t_p", tt$p.value)
    w <- suppressWarnings(wilcox.test(x, y, exact = cs$wilcox_exact == 1, correct = TRUE))
    emit(name, "wilcox_W", w$statistic)
    emit(name, "wilcox_p", w$p.value)
    # R's own choice (exact = NULL, correct = TRUE): what our method claims to follow
    w0 <- suppressWarnings(wilcox.test(x, y))
    emit(name, "wilcox_default_p", w0$p.value)
    rb <- effectsize::rank_biserial(x, y, ci = 0.95)
    emit(name, "rank_biserial", rb$r_rank_biserial)
    emit(name, "rank_biserial_ci", c(rb$CI_low, rb$CI_high))
    g <- effectsize::hedges_g(x, y, ci = 0.95)   # pooled SD, noncentral-t CI
    emit(name, "hedges_g", g$Hedges_g)
    emit(name, "hedges_g_ci", c(g$CI_low, g$CI_high))
  } else {
    d <- data.frame(post = c(cs$post_t, cs$post_c), base = c(cs$base_t, cs$base_c),
                    treat = rep(c(1, 0), c(length(cs$post_t), length(cs$post_c))))
    fit <- lm(post ~ treat + base, data = d)
    co <- summary(fit)$coefficients
    emit(name, "coef", co["treat", "Estimate"])
    emit(name, "se", co["treat", "Std. Error"])
    emit(name, "ci", confint(fit, "treat", level = 0.95))
    emit(name, "t", co["treat", "t value"])
    emit(name, "p", co["treat", "Pr(>|t|)"])
    emit(name, "df", fit$df.residual)
    emit(name, "slope", co["base", "Estimate"])
    s_p <- effectsize::sd_pooled(cs$post_t, cs$post_c)
    emit(name, "sd_pooled", s_p)
    N <- nrow(d)
    emit(name, "g_adj", (1 - 3 / (4 * N - 9)) * co["treat", "Estimate"] / s_p)   # WWC (2022) formula
  }
}
write_output()
