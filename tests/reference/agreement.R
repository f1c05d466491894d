# Reference values for tests/qual/test_qual_agreement_r.py: Cohen's kappa with psych::cohen.kappa.
# Vars per case: a, b (the two coders' labels, one element a unit; -1 = no label from that coder).
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
}
write_output()
