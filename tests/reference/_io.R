# Input/output shared by the reference scripts run from tests/stats.
#
# A test writes <dir>/input.csv with columns case, var, value (one row per
# element of each numeric vector, in order) and runs
#     Rscript --vanilla tests/reference/<module>.R <dir>
# The script computes the reference values with R and writes <dir>/output.csv
# with columns case, key, value; a vector of length k becomes keys key_1..key_k.
# Exit status 3 means a package the whole script needs is missing (its tests skip);
# have() marks an optional package as missing in case "_missing" so only the
# tests using it skip.

args <- commandArgs(trailingOnly = TRUE)
io_dir <- args[1]

need <- function(packages) {
  missing <- packages[!vapply(packages, requireNamespace, logical(1), quietly = TRUE)]
  if (length(missing)) {
    cat("missing R packages:", paste(missing, collapse = " "), "\n", file = stderr())
    quit(status = 3)
  }
}

have <- function(package) {
  ok <- requireNamespace(package, quietly = TRUE)
  if (!ok) emit("_missing", package, 1)
  ok
}

read_cases <- function() {
  long <- read.csv(file.path(io_dir, "input.csv"), stringsAsFactors = FALSE)
  cases <- list()
  for (case in unique(long$case)) {
    rows <- long[long$case == case, ]
    cases[[case]] <- lapply(split(rows$value, factor(rows$var, levels = unique(rows$var))), as.numeric)
  }
  cases
}

.out <- new.env()
.out$rows <- list()

emit <- function(case, key, value) {
  value <- as.numeric(unname(value))
  keys <- if (length(value) == 1) key else paste0(key, "_", seq_along(value))
  .out$rows[[length(.out$rows) + 1]] <- data.frame(
    case = case, key = keys, value = formatC(value, digits = 17, format = "g"))
}

write_output <- function() {
  write.csv(do.call(rbind, .out$rows), file.path(io_dir, "output.csv"), row.names = FALSE)
}
