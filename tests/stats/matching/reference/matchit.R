# Reference values for tests/stats/matching/test_matching_matchit.py, computed with R's MatchIt
# (Debian r-cran-matchit), sandwich and lmtest on the data the test writes.
#
#   Rscript --vanilla matchit.R <dir>
# reads <dir>/lalonde.csv (id, treat, covariates, re78) and <dir>/ours_replace.csv (our matched sample
# for the with-replacement specification), and writes <dir>/out_scalars.csv (spec, key, value),
# <dir>/out_pairs_<spec>.csv (treated, control), <dir>/out_balance_<spec>.csv and
# <dir>/out_weights_<spec>.csv. Exit status 3: a package is missing.
#
# Why distance matrices: in MatchIt 4.5.1 (Debian bookworm) nearest-neighbour matching on a
# propensity-score *vector* (nn_matchC_vec) compares |differences| with C's integer abs(), so
# it always takes the left neighbour and ignores calipers below 1. Giving the same distances as a
# matrix sends MatchIt through its general matcher (nn_matchC), which is correct. Sorting the data
# by the propensity score, largest first, makes m.order = "data" the "largest first" order.
args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]
for (p in c("MatchIt", "sandwich", "lmtest")) {
  if (!requireNamespace(p, quietly = TRUE)) {
    cat("missing R package:", p, "\n", file = stderr()); quit(status = 3)
  }
}
suppressMessages({library(MatchIt); library(sandwich); library(lmtest)})

d <- read.csv(file.path(dir, "lalonde.csv"), stringsAsFactors = FALSE)
rownames(d) <- d$id
f <- treat ~ age + educ + black + hisp + marr + nodegree + re74 + re75
covs <- c("age", "educ", "black", "hisp", "marr", "nodegree", "re74", "re75")
out <- list()
emit <- function(spec, key, value) {
  out[[length(out) + 1]] <<- data.frame(spec = spec, key = key, value = formatC(as.numeric(value), digits = 17, format = "g"))
}

ps <- glm(f, data = d, family = binomial)$fitted.values
write.csv(data.frame(id = names(ps), ps = unname(ps)), file.path(dir, "out_ps.csv"), row.names = FALSE)
o <- order(ps, decreasing = TRUE)
ds <- d[o, ]; pss <- ps[o]
Dps <- abs(outer(pss[ds$treat == 1], pss[ds$treat == 0], "-"))
dimnames(Dps) <- list(rownames(ds)[ds$treat == 1], rownames(ds)[ds$treat == 0])

save_match <- function(spec, m, data) {
  mm <- m$match.matrix
  pairs <- do.call(rbind, lapply(seq_len(ncol(mm)), function(j) data.frame(treated = rownames(mm), control = mm[, j], round = j)))
  pairs <- pairs[!is.na(pairs$control), ]
  write.csv(pairs, file.path(dir, paste0("out_pairs_", spec, ".csv")), row.names = FALSE)
  write.csv(data.frame(id = names(m$weights), weight = m$weights), file.path(dir, paste0("out_weights_", spec, ".csv")), row.names = FALSE)
  s <- summary(m, standardize = TRUE)
  for (which in c("all", "matched")) {
    tab <- if (which == "all") s$sum.all else s$sum.matched
    tab <- tab[rownames(tab) %in% covs, , drop = FALSE]
    write.csv(data.frame(covariate = rownames(tab), mean_treated = tab[, "Means Treated"], mean_control = tab[, "Means Control"],
                         smd = tab[, "Std. Mean Diff."], var_ratio = tab[, "Var. Ratio"]),
              file.path(dir, paste0("out_balance_", spec, "_", which, ".csv")), row.names = FALSE)
  }
}

att <- function(spec, md, cluster = TRUE) {
  fit <- lm(re78 ~ treat, data = md, weights = weights)
  v <- if (cluster) vcovCL(fit, cluster = ~subclass) else vcovHC(fit, type = "HC1")
  ct <- coeftest(fit, vcov. = v)
  ci <- coefci(fit, vcov. = v, level = 0.95)
  emit(spec, "estimate", ct["treat", 1]); emit(spec, "se", ct["treat", 2])
  emit(spec, "t", ct["treat", 3]); emit(spec, "p", ct["treat", 4]); emit(spec, "df", fit$df.residual)
  emit(spec, "ci_low", ci["treat", 1]); emit(spec, "ci_high", ci["treat", 2])
}

# A. propensity score (logistic regression), 1:1 nearest neighbour without replacement, largest first
mA <- matchit(f, data = ds, distance = Dps, m.order = "data")
save_match("ps", mA, ds); att("ps", match.data(mA, data = ds))

# B. Mahalanobis distance, 1:1 without replacement, data order. Distances rounded to 10 significant
# digits, so that distances equal in exact arithmetic tie and go to the first unit in the data (the
# rule cm_research documents); unrounded, floating-point noise would pick one of them at random.
# MatchIt's own transformation (scaled covariates, pooled within-group covariance, Cholesky);
# distances computed row by row (MatchIt:::mahalanobis_dist would build the full n x n matrix).
Z <- MatchIt:::transform_covariates(f, data = d, method = "mahalanobis", treat = d$treat)
Zt <- Z[d$treat == 1, , drop = FALSE]; Zc <- t(Z[d$treat == 0, , drop = FALSE])
Dm <- t(vapply(seq_len(nrow(Zt)), function(i) sqrt(colSums((Zc - Zt[i, ])^2)), numeric(ncol(Zc))))
dimnames(Dm) <- list(rownames(d)[d$treat == 1], rownames(d)[d$treat == 0])
Dm <- signif(Dm, 10)
mB <- matchit(f, data = d, distance = Dm)
save_match("mahalanobis", mB, d); att("mahalanobis", match.data(mB, data = d))

# C. propensity score, 1:2 without replacement, caliper 0.2 SD of the score, exact on nodegree
cal <- 0.2 * sd(ps)
emit("caliper", "caliper_abs", cal)
mC <- matchit(f, data = ds, distance = Dps, m.order = "data", ratio = 2, caliper = cal, std.caliper = FALSE,
              exact = ~nodegree)
save_match("caliper", mC, ds); att("caliper", match.data(mC, data = ds))

# D. propensity score, 1:3 with replacement (per-treated distances and balance are compared; ATT SE
# is checked on our own matched sample with vcovHC, since tied duplicates may be picked differently)
mD <- matchit(f, data = ds, distance = Dps, ratio = 3, replace = TRUE)
save_match("replace", mD, ds)
ours <- read.csv(file.path(dir, "ours_replace.csv")); ours$weights <- ours$weight
att("replace_ours", ours, cluster = FALSE)

# E. exact matching on education and the binary covariates; balance also on age and earnings
mE <- matchit(treat ~ educ + black + hisp + marr + nodegree, data = d, method = "exact")
write.csv(data.frame(id = names(mE$weights), weight = mE$weights), file.path(dir, "out_weights_exact.csv"), row.names = FALSE)
sE <- summary(mE, addlvariables = ~ age + re74 + re75, data = d, standardize = TRUE)$sum.matched
write.csv(data.frame(covariate = rownames(sE), mean_treated = sE[, "Means Treated"], mean_control = sE[, "Means Control"],
                     smd = sE[, "Std. Mean Diff."], var_ratio = sE[, "Var. Ratio"]),
          file.path(dir, "out_balance_exact_matched.csv"), row.names = FALSE)
att("exact", match.data(mE, data = d))

write.csv(do.call(rbind, out), file.path(dir, "out_scalars.csv"), row.names = FALSE)
