# ref_helpers.R -- helpers shared by the reference scripts
# (make_reference.R, make_reference_bootstrap.R), which source it from their
# own folder; not a script of its own.

# The broom table of the coefficients b (named) with variance V: term,
# estimate, std.error, the z statistic, its two-sided normal p-value and the
# normal 95% interval.
broom_table <- function(b, V) {
    se <- sqrt(diag(V))
    z <- b / se
    q <- qnorm(0.975)
    data.frame(term = names(b), estimate = b, std.error = se, statistic = z,
               p.value = 2 * pnorm(-abs(z)), conf.low = b - q * se,
               conf.high = b + q * se, stringsAsFactors = FALSE,
               row.names = NULL)
}

# Writes a broom table to path as CSV, every number "%.17g"; terms are not
# quoted, so they must hold no comma.
write_ref <- function(tab, path) {
    num <- function(x) sprintf("%.17g", x)
    stopifnot(!grepl(",", tab$term))
    lines <- c("term,estimate,std.error,statistic,p.value,conf.low,conf.high",
               paste(tab$term, num(tab$estimate), num(tab$std.error),
                     num(tab$statistic), num(tab$p.value), num(tab$conf.low),
                     num(tab$conf.high), sep = ","))
    writeLines(lines, path)
}

# Writes "R x.y.z" and "<package> <version>" for each of pkgs to path.
write_versions <- function(pkgs, path) {
    writeLines(c(sprintf("R %s", paste(R.version$major, R.version$minor, sep = ".")),
                 sprintf("%s %s", pkgs,
                         vapply(pkgs, function(p) as.character(packageVersion(p)), ""))),
               path)
}
