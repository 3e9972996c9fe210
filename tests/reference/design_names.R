# design_names.R -- reference model matrices for tests/design/test_design.c.
#
# Writes tests/reference/design_names.txt: the data set (D lines), then per
# formula its R model.matrix column names and values over the rows glm
# would use (model.frame with drop.unused.levels = TRUE, as glm calls it),
# the rows used (1-based) and the columns lm() reports as aliased
# (collinear, tol 1e-7).
#
# String levels sort in the C locale (byte order), dyadfit's documented
# choice; R's default sort follows the session locale.
#
# Run from the repository root:  Rscript tests/reference/design_names.R
invisible(Sys.setlocale("LC_COLLATE", "C"))
out <- file("tests/reference/design_names.txt", "w")
w <- function(...) writeLines(paste(..., sep = "\t"), out)
num <- function(x) paste(ifelse(is.na(x), "NA", sprintf("%.17g", x)), collapse = " ")

set.seed(20240611)
n <- 30
d <- data.frame(
  y  = c(0,1,1,0,1,0,0,1,1,0, 1,0,1,1,0,0,1,0,1,1, 0,0,1,0,1,1,0,1,0,1),
  x1 = round(runif(n, 0.5, 9.5), 3),
  x2 = round(rnorm(n), 4),
  r  = rep(c(1, 2, 10, 1.5, -1, 2, 1, 10, -1, 1.5), 3),
  s  = rep(c("b", "a", "B", "c", "a", "b"), 5),
  stringsAsFactors = FALSE)
d$x1[c(4, 17)] <- NA
d$r[c(9, 22)] <- NA
d$r[4] <- 7          # a level present only in a row x1 deletes
d$x3 <- 2 * d$x1 - d$x2          # collinear with x1, x2
d$k  <- rep(5, n)                 # constant: collinear with the intercept

w("NROW", n)
for (v in names(d)) {
  if (is.character(d[[v]])) w("S", v, paste(d[[v]], collapse = " "))
  else w("N", v, num(d[[v]]))
}

formulas <- c(
  "y ~ x1 + x2",
  "y ~ x1*x2",
  "y ~ factor(r) + x1",
  "y ~ factor(r):x1 + factor(r)",
  "y ~ s + x1",
  "y ~ log(x1) + I(x1^2) + poly(x2, 3, raw = TRUE)",
  "y ~ x1 - 1",
  "y ~ 0 + x1",
  "y ~ x1 + s - 1",
  "y ~ (x1 + x2 + s)^2",
  "y ~ factor(r)*x2 + exp(x2) + sqrt(x1) + abs(x2) + I(-x1/2 + 3)",
  "y ~ x2:x1 + x1",
  "y ~ x1*x2 - x1",
  "y ~ -1 + factor(r)",
  "y~x1+I(x2^-1)+I(2L*x1)+I((x1+x2)^2)",
  "y ~ x1 + x2 + x3 + k",
  "y ~ factor(r):s",
  "y ~ x1:x2:s + x1 + x1:x2",
  "y ~ x1 + 1",
  "y ~ x1:factor(r) - 1",
  "y ~ x1 + factor(r) - 1",
  "y ~ poly(x2, degree = 2, raw = T) + s:x2",
  "y ~ factor(s):x1 + x2*s",
  "y ~ x1*x2*s",
  "y ~ factor(r)*s - factor(r)",
  "y ~ (x1 + x2 + x3)^3 - x1:x2:x3 + sqrt(abs(x2)) + I(x1 - 2 * x2)",
  "y ~ 1")
for (f in formulas) {
  fo <- as.formula(f)
  mf <- model.frame(fo, d, drop.unused.levels = TRUE)
  X <- model.matrix(attr(mf, "terms"), mf)
  w("F", f)
  w("T", deparse(fo))
  w("R", paste(rownames(mf), collapse = " "))
  for (j in seq_len(ncol(X))) w("C", colnames(X)[j], num(X[, j]))
  cf <- coef(lm(fo, d))
  al <- names(cf)[is.na(cf)]
  for (a in al) w("A", a)
}
close(out)
