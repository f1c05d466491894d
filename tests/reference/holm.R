# Reference values for tests/stats/test_holm.py (cm_research.stats.holm): R's p.adjust(p, "holm").
# Vars per case: p (NaN marks a missing p-value; p.adjust leaves it NA and does not count it in m).
here <- dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)))
source(file.path(here, "_io.R"))

for (name in names(cases <- read_cases())) {
  p <- cases[[name]]$p
  p[is.nan(p)] <- NA
  emit(name, "holm", p.adjust(p, method = "holm"))
}
write_output()
