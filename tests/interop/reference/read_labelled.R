# Read an SPSS .sav file with R's foreign package (its own reader, independent of ReadStat) or a Stata
# .dta file with haven, and write every variable label, value label and value as long CSV:
#   kind (variable_label | value_label | value), variable, key (code or row number), value.
# Usage: Rscript read_labelled.R FILE foreign|haven OUT.csv DATE_VARS(comma-separated)
# Exit status 3: the R package is not installed.
args <- commandArgs(trailingOnly = TRUE)
infile <- args[1]; reader <- args[2]; outfile <- args[3]
date_vars <- if (length(args) >= 4 && nzchar(args[4])) strsplit(args[4], ",")[[1]] else character(0)
if (!requireNamespace(reader, quietly = TRUE)) {
  cat("R package", reader, "is not installed (apt-get install r-cran-", reader, ")\n", sep = " ", file = stderr())
  quit(status = 3)
}
rows <- list()
add <- function(kind, variable, key, value) {
  rows[[length(rows) + 1]] <<- data.frame(kind = kind, variable = variable, key = as.character(key),
                                          value = as.character(value), stringsAsFactors = FALSE)
}
if (reader == "foreign") {
  x <- foreign::read.spss(infile, to.data.frame = FALSE, use.value.labels = FALSE, reencode = "UTF-8")
  variables <- names(x)
  var_labels <- attr(x, "variable.labels")
  for (v in variables) {
    add("variable_label", v, "", var_labels[[v]])
    labels <- attr(x[[v]], "value.labels")
    if (!is.null(labels)) for (i in seq_along(labels)) add("value_label", v, labels[[i]], names(labels)[i])
    values <- x[[v]]
    # SPSS stores dates as seconds since the start of the Gregorian calendar, 14 October 1582.
    if (v %in% date_vars) values <- format(as.Date(values / 86400, origin = "1582-10-14"))
    if (is.character(values)) values <- trimws(values)
    values <- ifelse(is.na(values), "", as.character(values))
    for (i in seq_along(values)) add("value", v, i, values[i])
  }
} else {
  y <- haven::read_dta(infile)
  for (v in names(y)) {
    add("variable_label", v, "", attr(y[[v]], "label"))
    labels <- attr(y[[v]], "labels")
    if (!is.null(labels)) for (i in seq_along(labels)) add("value_label", v, unname(labels[i]), names(labels)[i])
    values <- y[[v]]
    values <- if (inherits(values, "Date")) format(values) else as.character(unclass(values))
    values <- ifelse(is.na(values), "", values)
    for (i in seq_along(values)) add("value", v, i, values[i])
  }
}
out <- do.call(rbind, rows)
write.csv(out, outfile, row.names = FALSE, fileEncoding = "UTF-8")
