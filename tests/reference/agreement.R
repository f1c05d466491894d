# Reference values for tests/qual/test_qual_agreement_r.py: Cohen's kappa with psych::cohen.kappa.
# Vars per case: a, b (the two coders' labels, one element a unit; -1 = no label from that coder); a case with var
# k (labels 1..k, in order) also gets weighted kappa with linear and with quadratic agreement weights over levels
# 1..k (psych's estimate; its var.weighted is emitted too, though it is right only for k = 2: see the test).
here <- dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)))
source(file.path(here, "_io.R"))
need(c("psych"))

for (name in names(cases <- read_cases())) {
  cs <- cases[[name]]
  a <- cs$a; b <- cs$b
  a[a == -1] <- NA; b[b == -1] <- NA
  ck <- suppressWarnings(suppressMessages(psych::cohen.kappa(cbind(a, b))))
  emit(name, "kappa", ck$kappa)
  emit(name, "var", ck$var.kappa)
  emit(name, "ci", ck$confid[1, c(1, 3)])
  emit(name, "n", ck$n.obs)
  if (!is.null(cs$k)) {
    k <- cs$k
    distance <- abs(outer(seq_len(k), seq_len(k), "-")) / (k - 1)
    for (type in c("linear", "quadratic")) {
      w <- if (type == "linear") 1 - distance else 1 - distance^2
      wk <- suppressWarnings(suppressMessages(psych::cohen.kappa(cbind(a, b), w = w, levels = seq_len(k))))
      emit(name, paste0(type, "_kappa"), wk$weighted.kappa)
      emit(name, paste0(type, "_var"), wk$var.weighted)
      emit(name, paste0(type, "_ci"), wk$confid[2, c(1, 3)])
    }
  }
}
write_output()
