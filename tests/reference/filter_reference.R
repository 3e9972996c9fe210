# filter_reference.R -- reference results for the row filter (--if),
# src/table/filter.c, computed with R's subset() semantics.
#
#   Rscript tests/reference/filter_reference.R      (from the repository root)
#
# Writes tests/table/ref_filter.h:
#   - a 12-row test data set (numbers with NA, strings with NA, a numeric
#     'region' that the C test labels by hand: 1 Europe, 2 Asia, 3 Africa,
#     4 Oceania, 5 Other, 9 Other);
#   - for each test expression, the rows (1-based) that subset() keeps. Where
#     dyadfit's syntax has no R equivalent (value labels by name; && and ||,
#     which dyadfit applies elementwise) the R expression is given separately;
#   - for expressions on data/leeds_dyads.csv, nrow(subset(d, EXPR)) and the
#     sum of the kept row numbers (a cheap check of which rows); the same for
#     expressions using the value labels of data/leeds_dyads.dta.
# String order is byte order: the collation is set to "C", as dyadfit's
# strcmp.
invisible(Sys.setlocale("LC_COLLATE", "C"))

d <- data.frame(
  x = c(1, 2, NA, 4, 5, NA, 0, -1, 3, 2.5, 10, 7),
  y = c(0, 1, 1, 0, NA, 1, 0, 1, NA, 0, 1, 1),
  s = c("a", "b", NA, "c", "a", NA, "b", "B", "ab", "a", "c", "Z"),
  u = c("a", "a", "b", NA, "a", "x", "b", "b", "ab", "z", "c", "Z"),
  region = c(1, 2, 3, 1, NA, 2, 4, 1, 9, 5, NA, 1),
  stringsAsFactors = FALSE)
d[["my.var"]] <- d$x * 2
d[["a b"]] <- seq_len(nrow(d))

# dyadfit expression, and the R expression when it differs
small <- list(
  "x > 2", "x >= 2", "x < 2", "x <= 2", "x == 2", "x != 2", "x == 2.5",
  "-x > 0", "- x ^ 2 < -10", "2^3^2 == x*0 + 512", "x + 1 * 2 == 4",
  "(x + 1) * 2 == 4", "x / 2 > 1", "x - 1 - 1 == 0", "x / 2 / 2 == 0.25",
  "x ** 2 > 20", "x^-1 > 0.3", "x > 2L", "x > 1e0", "x == .5 * 5",
  "x > 0x2", "+x > 4",
  "y == 1 & x > 1", "y == 1 | x > 4", "x > 1 & y == 1 | x < 0",
  "x < 0 | x > 1 & y == 1", "!(x > 2)", "!x > 2", "(1 + !x == 0) == 2",
  "!!(x > 2)", "x > 1 & !y == 1", "!y",
  "is.na(x)", "!is.na(x)", "is.na(x) | x > 3", "is.na(y) & x > 2",
  "x > 3 & NA", "x > 3 | NA", "NA | y == 1", "y == 0 & NA",
  "is.na(x + y)", "is.na(s) | s == \"a\"",
  c("y == 1 && x > 0", "y == 1 & x > 0"),
  c("y == 1 || x > 4", "y == 1 | x > 4"),
  "x %in% c(1, 2, 3)", "x %in% c(NA, 1)", "x %in% 4", "x %in% c(-1, 10)",
  "!x %in% c(1, 2)", "2 * x %in% c(2) == 2", "-x %in% c(-1)",
  "x %in% c(1, 2) & y == 0", "y %in% TRUE", "x %in% c()", "x %in% NA",
  "x %in% c(Inf, -Inf, 5)",
  "s == \"a\"", "s != \"a\"", "s < \"b\"", "s >= 'B'", "\"a\" == s",
  "'b' > s", "\"b\" < s", "'B' <= s", "'b' >= s", "s %in% c(\"a\", \"c\")", "s %in% c(\"a\", NA)", "s %in% \"b\"",
  "is.na(s)", "!is.na(s)", "s == s", "s == u", "s < u", "s != u",
  "s == \"a\" & x > 1", "s == \"x\\\"y\"",
  "x > 1 & (y == 1 | s == \"a\")", "\"a\" < \"b\"", "\"b\" %in% c(\"a\")",
  "my.var > 4", "`my.var` > 4", "`a b` > 6",
  "TRUE", "FALSE", "NA", "1 == 1",
  "x > 2 & x < 5", "x * y > 1", "x ^ 2 >= 16", "x / 0 > 0", "0 / x > -1",
  "x == Inf", "NaN == x",
  c("region == \"Europe\"", "region == 1"),
  c("\"Europe\" == region", "region == 1"),
  c("region != \"Asia\"", "region != 2"),
  c("region == \"Other\"", "region %in% c(5, 9)"),
  c("region != \"Other\"", "region != 5 & region != 9"),
  c("region %in% c(\"Asia\", \"Africa\")", "region %in% c(2, 3)"),
  c("region %in% c(\"Europe\", 4)", "region %in% c(1, 4)"),
  c("region %in% c(\"Other\", NA)", "region %in% c(5, 9, NA)"),
  c("region > \"Asia\"", "region > 2"),
  c("\"Asia\" < region", "2 < region"),
  c("'Africa' >= region", "3 >= region"),
  c("region <= 'Africa' & x > 0", "region <= 3 & x > 0"),
  "region == 9")

leeds <- list(
  "year >= 1946 & (contig == 1 | majpow == 1)",
  "year >= 1990 & jointdem == 1",
  "!is.na(jointdem) & cap_ratio > 10",
  "region %in% c(1, 2) | peaceyrs^2 > 400",
  "defense == 1 | entente == 1 & mid_onset == 1",
  "is.na(jointdem) | jointdem == 0",
  "year %in% c(1950, 1960, 1970) & !mid_ongoing == 1",
  "(ccode1 < ccode2) & conttype <= 3 & log(cap_ratio) > 1")
# log() is not in dyadfit's grammar: keep only expressions dyadfit supports
leeds <- leeds[-8]

cstr <- function(s) {
  s <- gsub("\\\\", "\\\\\\\\", s)
  paste0("\"", gsub("\"", "\\\\\"", s), "\"")
}
num <- function(v) ifelse(is.na(v), "NAN", format(v, digits = 17))
strv <- function(v) ifelse(is.na(v), "NULL", cstr(v))
kept <- function(data, e) {
  r <- eval(parse(text = e), data)
  if (!is.logical(r)) stop("not logical: ", e)
  r <- rep_len(r, nrow(data))
  which(r & !is.na(r))       # exactly what subset() keeps
}

out <- c("/* ref_filter.h -- written by tests/reference/filter_reference.R",
         sprintf(" * (%s); do not edit. */", R.version.string),
         "#ifndef REF_FILTER_H", "#define REF_FILTER_H", "#include <math.h>",
         "#include <stddef.h>", "",
         sprintf("#define REF_NROW %d", nrow(d)))
for (v in c("x", "y", "region", "my.var", "a b"))
  out <- c(out, sprintf("static const double ref_%s[%d] = {%s};",
                        gsub("[. ]", "_", v), nrow(d),
                        paste(num(d[[v]]), collapse = ", ")))
for (v in c("s", "u"))
  out <- c(out, sprintf("static const char *const ref_%s[%d] = {%s};", v,
                        nrow(d), paste(strv(d[[v]]), collapse = ", ")))
out <- c(out, "", "/* dyadfit expression, rows kept (1-based) */",
         "static const struct { const char *expr; const char *kept; } ref_small[] = {")
for (e in small) {
  ce <- e[1]; re <- if (length(e) > 1) e[2] else e[1]
  k <- kept(d, re)
  out <- c(out, sprintf("    {%s, \"%s\"},", cstr(ce), paste(k, collapse = " ")))
}
out <- c(out, "    {NULL, NULL}", "};", "")

L <- read.csv("data/leeds_dyads.csv")
out <- c(out, sprintf("#define REF_LEEDS_NROW %d", nrow(L)),
         "/* expression, nrow(subset(d, expr)), sum of the kept row numbers */",
         "static const struct { const char *expr; size_t n; double rowsum; } ref_leeds[] = {")
for (e in leeds) {
  k <- kept(L, e)
  stopifnot(nrow(subset(L, eval(parse(text = e)))) == length(k))
  out <- c(out, sprintf("    {%s, %d, %s},", cstr(e), length(k),
                        format(sum(as.numeric(k)), scientific = FALSE)))
}
out <- c(out, "    {NULL, 0, 0}", "};", "")

# data/leeds_dyads.dta carries value labels (region: 1 Americas, 2 Europe,
# 3 Africa, 4 Middle East, 5 Asia, 6 Oceania; conttype: 0 Not contiguous,
# 1 Land, ...; No/Yes on the dummies): dyadfit's labels by name against R on
# the numbers (the .csv holds the same numbers).
dta <- list(
  c("region == \"Europe\" & defense == \"Yes\"", "region == 2 & defense == 1"),
  c("region %in% c(\"Middle East\", \"Asia\") & conttype == \"Land\"",
    "region %in% c(4, 5) & conttype == 1"),
  c("conttype > \"Land\" | jointdem == \"No\"", "conttype > 1 | jointdem == 0"))
out <- c(out, "static const struct { const char *expr; size_t n; double rowsum; } ref_leeds_dta[] = {")
for (e in dta) {
  k <- kept(L, e[2])
  out <- c(out, sprintf("    {%s, %d, %s},", cstr(e[1]), length(k),
                        format(sum(as.numeric(k)), scientific = FALSE)))
}
out <- c(out, "    {NULL, 0, 0}", "};", "", "#endif")
writeLines(out, "tests/table/ref_filter.h")
cat("wrote tests/table/ref_filter.h:", length(small), "small,", length(leeds),
    "leeds expressions\n")
