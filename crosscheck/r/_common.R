# Shared by every crosscheck/r/<topic>.R script: arguments, data, guarded sections, JSON out.
# Usage: Rscript <topic>.R in.csv spec.json out.json
args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 3) stop("usage: Rscript <topic>.R in.csv spec.json out.json")
if (!requireNamespace("jsonlite", quietly = TRUE)) stop("R package jsonlite is missing")
dat <- utils::read.csv(args[1], stringsAsFactors = FALSE, na.strings = "NA")
spec <- jsonlite::fromJSON(args[2], simplifyVector = TRUE)
out <- list()

# Run one section; a missing package becomes a recorded skip, an R error a recorded error
# (the Python side fails on it), neither stops the other sections.
section <- function(name, packages, expr) {
  missing <- packages[!vapply(packages, requireNamespace, logical(1), quietly = TRUE)]
  if (length(missing) > 0) {
    out[[name]] <<- list(skip = paste("R package(s) not installed:", paste(missing, collapse = ", ")))
    return(invisible(NULL))
  }
  res <- tryCatch(suppressWarnings(suppressMessages(force(expr))),
                  error = function(e) list(error = conditionMessage(e)))
  out[[name]] <<- res
  invisible(NULL)
}

write_out <- function() {
  writeLines(jsonlite::toJSON(out, digits = NA, na = "null", auto_unbox = TRUE,
                              matrix = "rowmajor"), args[3])
}

# A named numeric vector as a JSON object (names kept, NA as null).
nv <- function(x) as.list(stats::setNames(as.numeric(x), names(x)))
