# Reference for tests/mentors/test_mentors_analysis.py: Spearman's rho, S and the two-sided p from the
# t approximation, as R's cor.test(method = "spearman", exact = FALSE) computes them.
# Usage: Rscript --vanilla spearman.R <dir>; reads <dir>/input.csv (case, x, y), writes <dir>/output.csv
# (case, rho, S, p), numbers with 17 significant digits.
args <- commandArgs(trailingOnly = TRUE)
input <- read.csv(file.path(args[1], "input.csv"), stringsAsFactors = FALSE)
rows <- lapply(unique(input$case), function(case) {
  d <- input[input$case == case, ]
  test <- suppressWarnings(cor.test(d$x, d$y, method = "spearman", exact = FALSE))
  data.frame(case = case, rho = formatC(unname(test$estimate), digits = 17, format = "g"),
             S = formatC(unname(test$statistic), digits = 17, format = "g"),
             p = formatC(test$p.value, digits = 17, format = "g"))
})
write.csv(do.call(rbind, rows), file.path(args[1], "output.csv"), row.names = FALSE)
