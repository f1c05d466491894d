# Reference values for tests/stats/test_holm.py (cm_research.stats.holm): R's p.adjust(p, method) for holm, hochberg,
# bonferroni, BH and BY (cm_research.stats.adjust_p).
# Vars per case: p (NaN marks a missing p-value; p.adjust leaves it NA and does not count it in m).
here <- dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)))
source(file.path(here, "_io.R"))

for (name in names(cases <- read_cases())) {
  p <- cases[[name]]$p
  p[is.nan(p)] <- NA
  for (method in c("holm", "hochberg", "bonferroni", "BH", "BY")) emit(name, method, p.adjust(p, method = method))
}
write_output()
