#!/usr/bin/env Rscript
# make_hard_cases.R -- writes the synthetic "hard case" data sets used by the
# command-line reference tests to tests/data/models/, each as .csv and .dta.
#
#   Rscript tests/reference/make_hard_cases.R     (from the repository root)
#
# Deterministic: fixed RNG kind and seeds, so reruns produce identical files.
# CSV doubles are written with "%.17g" so a correctly rounding strtod() reads
# back exactly the doubles stored in the .dta; missing values are empty cells.
suppressPackageStartupMessages(library(haven))

RNGkind("Mersenne-Twister", "Inversion", "Rejection")
out <- "tests/data/models"
if (!dir.exists(out)) stop("run from the repository root")

write_both <- function(d, name, labels = list()) {
    txt <- d
    for (v in names(txt)) {
        x <- txt[[v]]
        s <- if (is.double(x)) sprintf("%.17g", x) else as.character(x)
        s[is.na(x)] <- ""
        if (is.character(x)) s <- ifelse(is.na(x), "", x)
        txt[[v]] <- s
    }
    write.table(txt, file.path(out, paste0(name, ".csv")), sep = ",",
                quote = FALSE, row.names = FALSE, col.names = TRUE, na = "")
    dd <- d
    for (v in names(labels)) attr(dd[[v]], "label") <- labels[[v]]
    write_dta(dd, file.path(out, paste0(name, ".dta")), version = 14)
    # the two copies must agree exactly
    a <- as.data.frame(zap_labels(read_dta(file.path(out, paste0(name, ".dta")))))
    b <- read.csv(file.path(out, paste0(name, ".csv")), na.strings = "",
                  stringsAsFactors = FALSE)
    for (v in names(d)) {
        if (is.character(d[[v]])) {
            stopifnot(identical(d[[v]], as.character(a[[v]])),
                      identical(d[[v]], as.character(b[[v]])))
        } else {
            stopifnot(identical(as.numeric(d[[v]]), as.numeric(a[[v]])),
                      identical(as.numeric(d[[v]]), as.numeric(b[[v]])))
        }
    }
    invisible(d)
}

# 1. Rare events: n = 20000, about 0.5% ones (King and Zeng's setting).
set.seed(20240101)
n <- 20000
x1 <- round(rnorm(n), 6)
x2 <- round(runif(n, 0, 10), 6)
x3 <- rbinom(n, 1, 0.3)
eta <- -5.9 + 0.5 * x1 + 0.08 * x2 + 0.7 * x3
y <- rbinom(n, 1, plogis(eta))
cl <- rep(1:2000, each = 10)
write_both(data.frame(y = as.integer(y), x1, x2, x3 = as.integer(x3),
                      cl = as.integer(cl)), "rare_events")

# 2. Badly scaled columns: one of order 1e-7, one of order 1e8.
set.seed(20240102)
n <- 2000
tiny <- signif(rnorm(n, 3e-7, 1e-7), 8)
huge <- signif(rnorm(n, 2e8, 5e7), 8)
x <- round(rnorm(n), 6)
eta <- -0.5 + 2e6 * tiny + 4e-9 * huge + 0.6 * x
y <- rbinom(n, 1, plogis(eta))
write_both(data.frame(y = as.integer(y), tiny, huge, x), "bad_scale",
           list(tiny = "order 1e-7", huge = "order 1e8"))

# 3. A string factor (R treats a character column as a factor; first level
#    in sort order, "alpha", is the base).
set.seed(20240103)
n <- 1500
grp <- sample(c("alpha", "beta", "gamma", "delta"), n, replace = TRUE,
              prob = c(0.4, 0.3, 0.2, 0.1))
x <- round(rnorm(n), 6)
eff <- c(alpha = 0, beta = 0.5, gamma = -0.4, delta = 1)
y <- rbinom(n, 1, plogis(-0.3 + eff[grp] + 0.8 * x))
write_both(data.frame(y = as.integer(y), grp, x, stringsAsFactors = FALSE),
           "string_factor")

# 4. Weights: positive non-integer sampling weights pw, integer frequency
#    weights fw (1..5), clusters cl.
set.seed(20240104)
n <- 1000
x1 <- round(rnorm(n), 6)
x2 <- rbinom(n, 1, 0.4)
pw <- round(runif(n, 0.2, 5), 4)
fw <- sample(1:5, n, replace = TRUE)
cl <- sample(1:120, n, replace = TRUE)
y <- rbinom(n, 1, plogis(-0.7 + 0.6 * x1 - 0.5 * x2))
write_both(data.frame(y = as.integer(y), x1, x2 = as.integer(x2), pw,
                      fw = as.integer(fw), cl = as.integer(cl)), "weights")

# 5. Offset: log exposure for a discrete-time hazard (cloglog is the natural
#    link: P(event) = 1 - exp(-exposure * exp(xb))).
set.seed(20240105)
n <- 3000
x1 <- round(rnorm(n), 6)
x2 <- rbinom(n, 1, 0.5)
expo <- round(runif(n, 0.1, 3), 4)
lexpo <- log(expo)
y <- rbinom(n, 1, 1 - exp(-exp(-2 + 0.5 * x1 + 0.4 * x2 + lexpo)))
write_both(data.frame(y = as.integer(y), x1, x2 = as.integer(x2), expo,
                      lexpo), "offset")

# 6. One-observation clusters: 300 singleton clusters and 100 clusters of
#    size 3..9; within-cluster correlation through a cluster effect.
set.seed(20240106)
sizes <- c(rep(1L, 300), sample(3:9, 100, replace = TRUE))
cl <- rep(seq_along(sizes), sizes)
n <- length(cl)
u <- rnorm(length(sizes), 0, 0.8)[cl]
x1 <- round(rnorm(n), 6)
x2 <- round(runif(n), 6)
y <- rbinom(n, 1, plogis(-0.2 + 0.7 * x1 - 0.9 * x2 + u))
# shuffle rows so clusters are not contiguous in the file
o <- sample.int(n)
write_both(data.frame(y = as.integer(y[o]), x1 = x1[o], x2 = x2[o],
                      cl = as.integer(cl[o])), "singletons")

for (f in sort(list.files(out)))
    cat(sprintf("%-22s %9d bytes\n", f, file.size(file.path(out, f))))
