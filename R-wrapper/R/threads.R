#' Threads used by the dyadfit fitting functions
#'
#' The C library runs a binomial GLM's passes over the data on two threads
#' when the model has 65,536 rows or more and more than one thread is
#' allowed, and sets OpenBLAS's thread count. Every fitting function
#' ([dyad_logit()], [relogit()], [firth()], [dyad_cox()], [dyad_clogit()],
#' [dyad_felogit()], [dyad_survreg()]) takes an argument `threads`; when it
#' is `NULL` (the default) the option `dyadfit.threads` is used
#' (`options(dyadfit.threads = 2)`), and when that is unset too, the first
#' number in the environment variable `OMP_NUM_THREADS`, else the number of
#' cores. Estimates do not depend on the thread count: the work is split at
#' the same rows and summed in the same order.
#'
#' A long fit can be interrupted (Ctrl-C, Esc): the library stops at its
#' next iteration, frees its memory, and the fitting function signals a
#' condition of class `c("dyadfit_interrupt", "interrupt", "condition")`
#' with the message `"dyadfit: interrupted"` (caught by
#' `tryCatch(..., interrupt = )`).
#'
#' @param threads `NULL`, or the number of threads to use (1 to 1024).
#' @return The number of threads the fitting functions use with this
#'   `threads` argument (an integer); the fitted object's element `threads`
#'   records the number a fit used.
#' @examples
#' dyadfit_threads()
#' old <- options(dyadfit.threads = 1)
#' dyadfit_threads()
#' options(old)
#' @export
dyadfit_threads <- function(threads = NULL)
{
    .Call(dyadfit_r_threads, threads_code(threads))
}

## The `threads` argument (or the option) -> the library's code: 0 for the
## default (OMP_NUM_THREADS, else the cores), else the count.
threads_code <- function(threads)
{
    what <- "'threads'"
    if (is.null(threads)) {
        threads <- getOption("dyadfit.threads")
        what <- "option 'dyadfit.threads'"
    }
    if (is.null(threads)) return(0L)
    if (!is.numeric(threads) || length(threads) != 1L || is.na(threads) ||
        threads < 1 || threads > 1024 || threads != round(threads))
        stop(what, " must be a whole number from 1 to 1024 (or NULL for the ",
             "default), not ", deparse1(threads), call. = FALSE)
    as.integer(threads)
}

## Sets the library's thread count for a fit; returns the count.
set_threads <- function(threads) .Call(dyadfit_r_threads, threads_code(threads))

## Raises an interrupt when the library's error says the user interrupted;
## returns otherwise.
stop_if_interrupted <- function(msg)
{
    if (identical(msg, "dyadfit: interrupted"))
        stop(structure(class = c("dyadfit_interrupt", "interrupt", "condition"),
                       list(message = msg, call = NULL)))
    invisible()
}

## Test hook: simulate a user interrupt after `after` solver iterations of
## every fit (NULL or -1: off).
.test_interrupt_after <- function(after = NULL)
{
    invisible(.Call(dyadfit_r_test_interrupt,
                    if (is.null(after)) -1L else as.integer(after)))
}
