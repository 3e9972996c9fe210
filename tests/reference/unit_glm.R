# unit_glm.R -- deterministic test data and R's reference values for the
# fit (src/fit) and variance (src/vce) layers. Writes C headers:
#   tests/fit/ref_glm.h   data + glm estimates, loglik, OIM/expected SEs
#   tests/vce/ref_vce.h   sandwich::vcovHC / vcovCL references
# Run from the repository root: Rscript tests/reference/unit_glm.R
# Needs R >= 4.2 and sandwich (3.0.2 used).
suppressPackageStartupMessages(library(sandwich))
stopifnot(packageVersion("sandwich") >= "3.0")

set.seed(20240611)
n <- 2000
x1 <- rnorm(n)
x2 <- rnorm(n) * 1e-6                 # badly scaled: tiny
x3 <- runif(n) * 1e6                  # badly scaled: huge
d  <- rbinom(n, 1, 0.3)               # a dummy
off <- runif(n, -0.5, 0.5)            # offset
a  <- sample(1:150, n, replace = TRUE) # dyad clusters
b  <- sample(1:40, n, replace = TRUE)  # year clusters
eta <- -4.6 + 0.5 * x1 + 0.3e6 * x2 + 0.8e-6 * x3 + 0.7 * d + off
y  <- rbinom(n, 1, plogis(eta))        # rare outcome
pw <- round(runif(n, 0.5, 2), 3)       # probability weights (non-integer)
fw <- sample(1:3, n, replace = TRUE)   # frequency weights
dat <- data.frame(y, x1, x2, x3, d, off, a, b, pw, fw)
cat("mean y =", mean(y), "\n")
X <- model.matrix(~ x1 + x2 + x3 + d, dat)
k <- ncol(X)

ctl <- glm.control(epsilon = 1e-14, maxit = 100)
# glm stops on the relative deviance change; for probit/cloglog (Fisher
# scoring, linear convergence) refit from the estimate until the
# coefficients stop moving so the reference itself is precise.
fitglm <- function(link, w = NULL, data = dat) {
  data$.w <- if (is.null(w)) rep(1, nrow(data)) else w
  f <- suppressWarnings(glm(y ~ x1 + x2 + x3 + d, offset = off, weights = .w,
            family = binomial(link), data = data, control = ctl))
  for (it in 1:50) {
    b0 <- coef(f)
    f <- suppressWarnings(glm(y ~ x1 + x2 + x3 + d, offset = off, weights = .w,
              family = binomial(link), data = data, control = ctl, start = b0))
    if (max(abs(coef(f) - b0) / abs(b0)) < 1e-15) break
  }
  f
}
# log-likelihood sum w (y log mu + (1-y) log(1-mu)), exact for any weights
# (logLik.glm rounds non-integer weights)
llik <- function(f, w) {
  mu <- fitted(f); y <- f$y
  sum(w * (y * log(mu) + (1 - y) * log1p(-mu)))
}
ll0 <- function(link, w, data = dat) {
  data$.w <- w
  f <- suppressWarnings(glm(y ~ 1, offset = off, weights = .w,
            family = binomial(link), data = data, control = ctl))
  for (it in 1:50) {
    b0 <- coef(f)
    f <- suppressWarnings(glm(y ~ 1, offset = off, weights = .w, start = b0,
              family = binomial(link), data = data, control = ctl))
  }
  llik(f, w)
}
# observed information (negative Hessian), analytic, checked below against
# a numerical Hessian of the log-likelihood
obs_info <- function(link, beta, X, y, off, w) {
  eta <- drop(X %*% beta + off)
  h <- switch(link,
    logit = { mu <- plogis(eta); mu * (1 - mu) },
    probit = { l1 <- dnorm(eta) / pnorm(eta); l0 <- dnorm(eta) / pnorm(-eta)
               ifelse(y == 1, l1 * (eta + l1), l0 * (l0 - eta)) },
    cloglog = { t <- exp(eta)
               ifelse(y == 1, t * (t * exp(t) - expm1(t)) / expm1(t)^2, t) })
  crossprod(X * sqrt(w * h))
}
loglik_fun <- function(link, X, y, off, w) function(beta) {
  mu <- binomial(link)$linkinv(drop(X %*% beta + off))
  sum(w * (y * log(mu) + (1 - y) * log1p(-mu)))
}
check_obs <- function(link, f, w) {
  H <- obs_info(link, coef(f), X, y, off, w)
  # numerical Hessian on the scaled parameters (columns of X vary by 1e12)
  s <- apply(abs(X), 2, max)
  lf <- loglik_fun(link, X, y, off, w)
  g <- function(th) lf(th / s)
  Hn <- -optimHess(coef(f) * s, g, control = list(ndeps = rep(1e-4, k))) * outer(s, s)
  rel <- max(abs(Hn - H) / sqrt(outer(diag(H), diag(H))))
  cat(link, "numerical vs analytic Hessian, max scaled rel diff", rel, "\n")
  stopifnot(rel < 1e-5)
  H
}

out <- list()          # name -> numeric vector
put <- function(name, v) out[[name]] <<- as.numeric(v)
se <- function(V) sqrt(diag(V))
# inverse of a badly scaled SPD matrix: equilibrate first
sinv <- function(H) { s <- sqrt(diag(H)); solve(H / outer(s, s)) / outer(s, s) }

for (link in c("logit", "probit", "cloglog")) {
  # unweighted, with offset
  w1 <- rep(1, n)
  f <- fitglm(link)
  p <- paste0(link, "_")
  put(paste0(p, "coef"), coef(f))
  put(paste0(p, "loglik"), llik(f, w1))
  put(paste0(p, "loglik0"), ll0(link, w1))
  Hobs <- check_obs(link, f, w1)
  put(paste0(p, "se_obs"), se(sinv(Hobs)))
  put(paste0(p, "se_exp"), se(vcov(f)))
  # robust and cluster (bread = expected information, as sandwich does)
  put(paste0(p, "se_hc0"), se(vcovHC(f, type = "HC0")))
  put(paste0(p, "se_hc1"), se(vcovHC(f, type = "HC1")))
  put(paste0(p, "se_rstata"), se(vcovHC(f, type = "HC0") * n / (n - 1)))
  put(paste0(p, "se_cl_stata"), se(vcovCL(f, cluster = ~a, type = "HC0", cadjust = TRUE)))
  put(paste0(p, "se_cl_hc1"), se(vcovCL(f, cluster = ~a, type = "HC1")))
  put(paste0(p, "se_cl_hc0"), se(vcovCL(f, cluster = ~a, type = "HC0", cadjust = FALSE)))
  put(paste0(p, "V_cl2_stata"), vcovCL(f, cluster = ~a + b, type = "HC0", cadjust = TRUE))
  put(paste0(p, "V_cl2_hc1"), vcovCL(f, cluster = ~a + b, type = "HC1"))
  put(paste0(p, "V_cl2_hc0"), vcovCL(f, cluster = ~a + b, type = "HC0", cadjust = FALSE))
  # observed-information sandwich (Stata's vce(robust) for probit/cloglog)
  ef <- estfun(f); Ai <- sinv(Hobs)
  put(paste0(p, "se_rstata_obs"), se(Ai %*% crossprod(ef) %*% Ai * n / (n - 1)))

  # probability weights
  fpw <- fitglm(link, pw)
  put(paste0(p, "pw_coef"), coef(fpw))
  put(paste0(p, "pw_loglik"), llik(fpw, pw))
  put(paste0(p, "pw_loglik0"), ll0(link, pw))
  put(paste0(p, "pw_se_exp"), se(vcov(fpw)))
  put(paste0(p, "pw_se_hc0"), se(vcovHC(fpw, type = "HC0")))
  put(paste0(p, "pw_se_cl_stata"), se(vcovCL(fpw, cluster = ~a, type = "HC0")))

  # frequency weights: the reference is the expanded data set
  ex <- dat[rep(seq_len(n), fw), ]
  ffw <- fitglm(link, NULL, ex)
  N <- nrow(ex)
  put(paste0(p, "fw_coef"), coef(ffw))
  put(paste0(p, "fw_loglik"), llik(ffw, rep(1, N)))
  put(paste0(p, "fw_loglik0"), ll0(link, rep(1, N), ex))
  put(paste0(p, "fw_se_exp"), se(vcov(ffw)))
  put(paste0(p, "fw_se_hc1"), se(vcovHC(ffw, type = "HC1")))
  put(paste0(p, "fw_se_cl_stata"), se(vcovCL(ffw, cluster = ~a, type = "HC0")))
  put(paste0(p, "fw_se_cl_hc1"), se(vcovCL(ffw, cluster = ~a, type = "HC1")))
}

# no intercept: loglik0 is still the constant-only model (as Stata reports)
fni <- suppressWarnings(glm(y ~ 0 + x1 + d, offset = off, family = binomial,
                            data = dat, control = ctl))
for (it in 1:20)
  fni <- suppressWarnings(glm(y ~ 0 + x1 + d, offset = off, family = binomial,
                              data = dat, control = ctl, start = coef(fni)))
put("noint_coef", coef(fni))
put("noint_loglik", llik(fni, rep(1, n)))
put("noint_se", se(vcov(fni)))

# no offset, probability weights, cloglog: loglik0 has a closed form
dat$zero <- 0
fno <- suppressWarnings(glm(y ~ x1 + x2 + x3 + d, weights = pw, data = dat,
                            family = binomial("cloglog"), control = ctl))
for (it in 1:20)
  fno <- suppressWarnings(glm(y ~ x1 + x2 + x3 + d, weights = pw, data = dat,
            family = binomial("cloglog"), control = ctl, start = coef(fno)))
fno0 <- suppressWarnings(glm(y ~ 1, weights = pw, data = dat,
                             family = binomial("cloglog"), control = ctl))
put("nooff_coef", coef(fno))
put("nooff_loglik", llik(fno, pw))
put("nooff_loglik0", llik(fno0, pw))

# A two-way clustered V that is not positive semi-definite: small logit,
# search seeds for one whose vcovCL(~a + b) has a negative eigenvalue.
found <- FALSE
for (seed in 1:500) {
  set.seed(seed)
  m <- 40
  q <- data.frame(z = rnorm(m), ga = sample(1:3, m, TRUE), gb = sample(1:3, m, TRUE))
  q$yy <- rbinom(m, 1, plogis(0.3 + q$z))
  fq <- glm(yy ~ z, family = binomial, data = q)
  Vq <- vcovCL(fq, cluster = q[, c("ga", "gb")], type = "HC0")
  ev <- eigen(Vq, symmetric = TRUE)$values
  if (min(ev) < -1e-4 * max(ev) && length(unique(q$ga)) == 3 && length(unique(q$gb)) == 3) {
    found <- TRUE; break
  }
}
stopifnot(found)
# refit from the estimate: glm's vcov uses the weights of the previous
# iterate, so iterate until the step is zero
fq <- glm(yy ~ z, family = binomial, data = q, control = ctl)
for (it in 1:5)
  fq <- glm(yy ~ z, family = binomial, data = q, control = ctl, start = coef(fq))
Vq <- vcovCL(fq, cluster = q[, c("ga", "gb")], type = "HC0")
ev <- eigen(Vq, symmetric = TRUE)$values
cat("non-PSD case: seed", seed, "eigenvalues", ev, "\n")
put("npsd_V", Vq)
put("npsd_Vfix", vcovCL(fq, cluster = q[, c("ga", "gb")], type = "HC0", fix = TRUE))
put("npsd_min_eigen", min(ev))
put("npsd_coef", coef(fq))

fmt <- function(v) paste(sprintf("%.17g", v), collapse = ", ")
arr <- function(con, type, name, v)
  cat(sprintf("static const %s %s[%d] = {\n    %s\n};\n", type, name, length(v),
              paste(strwrap(fmt(v), 76), collapse = "\n    ")), file = con)
iarr <- function(con, name, v)
  cat(sprintf("static const size_t %s[%d] = {\n    %s\n};\n", name, length(v),
              paste(strwrap(paste(v, collapse = ", "), 76), collapse = "\n    ")), file = con)

hdr <- function(path, guard, names, data = FALSE) {
  con <- file(path, "w")
  cat("/* Generated by tests/reference/unit_glm.R -- do not edit. */\n",
      sprintf("#ifndef %s\n#define %s\n#include <stddef.h>\n", guard, guard),
      sep = "", file = con)
  if (data) {
    cat(sprintf("#define REF_N %d\n#define REF_K %d\n", n, k), file = con)
    arr(con, "double", "ref_y", y); arr(con, "double", "ref_x1", x1)
    arr(con, "double", "ref_x2", x2); arr(con, "double", "ref_x3", x3)
    arr(con, "double", "ref_d", d); arr(con, "double", "ref_off", off)
    arr(con, "double", "ref_pw", pw); arr(con, "double", "ref_fw", fw)
    iarr(con, "ref_cla", match(a, sort(unique(a))) - 1)
    iarr(con, "ref_clb", match(b, sort(unique(b))) - 1)
    cat(sprintf("#define REF_GA %d\n#define REF_GB %d\n", length(unique(a)),
                length(unique(b))), file = con)
    cat(sprintf("#define NPSD_N %d\n", nrow(q)), file = con)
    arr(con, "double", "npsd_y", q$yy); arr(con, "double", "npsd_z", q$z)
    iarr(con, "npsd_ga", q$ga - 1); iarr(con, "npsd_gb", q$gb - 1)
  }
  for (nm in names) arr(con, "double", paste0("ref_", nm), out[[nm]])
  cat("#endif\n", file = con)
  close(con)
}
vce_names <- grep("_(hc|cl|rstata|V_|pw_se_hc0|pw_se_cl|fw_se_hc1|fw_se_cl)|^npsd", names(out), value = TRUE)
hdr("tests/fit/ref_glm.h", "REF_GLM_H", setdiff(names(out), vce_names), data = TRUE)
hdr("tests/vce/ref_vce.h", "REF_VCE_H", vce_names)
cat("wrote tests/fit/ref_glm.h and tests/vce/ref_vce.h\n")
