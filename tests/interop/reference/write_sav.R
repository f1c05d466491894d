# Write a participants .sav the way an SPSS user might have it, with R's haven (not our code):
# names in another case, one variable known only by its label, human-worded value labels with their
# own codes, yes/no labels, a Date variable, and text with a non-ASCII character.
# Usage: Rscript write_sav.R OUT.sav      Exit status 3: haven is not installed.
args <- commandArgs(trailingOnly = TRUE)
if (!requireNamespace("haven", quietly = TRUE)) {
  cat("R package haven is not installed (apt-get install r-cran-haven)\n", file = stderr())
  quit(status = 3)
}
library(haven)
df <- data.frame(
  Participant_ID = c("R-001", "R-002", "R-003"),
  SITE = c("Ynys Môn", "Ynys Môn", "Ynys Môn"),
  cohort = c("2023/24", "2023/24", "2022/23"),
  yeargrp = c(8, NA, 10),
  education_stage = c("KS3", "KS3", "KS4"),
  carestat = labelled(c(10, 20, 10), c("Looked after" = 10, "Care leaver" = 20)),
  referral_reasons = c("anxiety_mental_health; school_avoidance", "", "transition"),
  GROUP = labelled(c(1, 2, 1), c("Mentored" = 1, "Comparison" = 2)),
  start_date = as.Date(c("2023-09-11", NA, "2022-10-04")),
  match_ended_early = labelled(c(0, NA, 1), c("No" = 0, "Yes" = 1)),
  stringsAsFactors = FALSE
)
attr(df$yeargrp, "label") <- "Year group"
attr(df$carestat, "label") <- "Care status"
write_sav(df, args[1])
