## alliances(): the toy system of tests/prepare/test_alliances.c with its
## hand-computed values (docs/alliance_measures.md has the formulas), bad
## input, and R against the command line on data/leeds_dyads.csv (skipped
## when the repository and the CLI are not there).

toy_cap <- function() data.frame(
    ccode = c(10, 20, 30, 10, 20, 30, 40, 10, 20, 30),
    year = c(1, 1, 1, 2, 2, 2, 2, 3, 3, 3),
    cinc = c(0.5, 0.25, 0.25, 0.375, 0.25, 0.25, 0.125, 0.5, 0.25, NA),
    region = c(1, 1, 1, 1, 1, 2, 2, 1, 1, 1))
## y1 10-20 defense+nonagg both ways; y2 10-20 consul both ways plus a
## duplicate, 40 -> 10, 20, 30 defense (only from 40's side), (10, 50) with
## 50 outside the system; y3 10-30 defense both ways; y4 a year without dyads
toy_al <- function() data.frame(
    ccode1 = c(10, 20, 10, 20, 10, 40, 40, 40, 10, 10, 30, 10),
    ccode2 = c(20, 10, 20, 10, 20, 10, 20, 30, 50, 30, 10, 20),
    year = c(1, 1, 2, 2, 2, 2, 2, 2, 2, 3, 3, 4),
    defense = c(1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1),
    offense = 0, neutrality = 0,
    nonagg = c(1, 1, rep(0, 10)),
    consul = c(0, 0, 1, 1, 1, rep(0, 7)))
toy_dy <- function() data.frame(
    ccode1 = c(10, 20, 10, 30, 10, 40, 30, 10, 10, 20),
    ccode2 = c(20, 10, 30, 20, 20, 30, 10, 50, 20, 30),
    year = c(1, 1, 1, 1, 2, 2, 2, 2, 3, 3),
    id = letters[1:10])

## the hand values of test_alliances.c
toy_hand <- list(
    ally_defense = c(1, 1, 0, 0, 0, 1, 0, NA, 0, 0),
    ally_nonagg = c(1, 1, 0, 0, 0, 0, 0, NA, 0, 0),
    ally_consul = c(0, 0, 0, 0, 1, 0, 0, NA, 0, 0),
    ally_offense = c(0, 0, 0, 0, 0, 0, 0, NA, 0, 0),
    ally_value = c(3, 3, 0, 0, 1, 3, 0, NA, 0, 0),
    s_unweighted = c(1, 1, -1, -1, 1/3, 0, -1/6, NA, -1, -1),
    s_weighted = c(1, 1, -1, -1, 1/6, -0.25, -5/12, NA, NA, NA),
    s_unweighted_region = c(1, 1, -1, -1, -1/3, 1, -1/6, NA, -1, -1),
    s_weighted_region = c(1, 1, -1, -1, -1/3, 1, -5/12, NA, NA, NA),
    tau_b = c(1, 1, -1, -1, 0.4, NA, -1 / sqrt(20), NA, -1, -1),
    n_def_allies1 = c(0, 0, 1, 0, 1, 2, 1, NA, 1, 0),
    cap_def_allies1 = c(0, 0, 0.25, 0, 0.125, 0.625, 0.125, NA, NA, 0),
    n_def_allies2 = c(0, 0, 0, 1, 1, 0, 1, NA, 0, 1),
    cap_def_allies2 = c(0, 0, 0, 0.5, 0.125, 0, 0.125, NA, 0, 0.5),
    cap_balance_allies = c(1/3, 2/3, 0.25, 0.75, 3/7, 0.25, 4/7, NA, NA, NA),
    n_shared_def_allies = c(0, 0, 0, 0, 1, 0, 1, NA, 0, 0),
    n_shared_allies = c(0, 0, 0, 0, 1, 0, 1, NA, 0, 0))

## NA where the hand value is NA; exact for integers and dyadic fractions,
## LRE >= 15 (to the last bit or so) for thirds and sevenths
expect_hand <- function(got, want, name) {
    expect_identical(is.na(got), is.na(want), label = paste(name, "NA pattern"))
    ok <- !is.na(want)
    if (any(ok)) expect_lre(got[ok], want[ok], 15)
}

test_that("the toy system gives the hand-computed values", {
    d <- toy_dy()
    r <- alliances(d, toy_al(), toy_cap())
    expect_identical(r[names(d)], d)              # input columns untouched
    expect_identical(names(r)[-(1:4)],
                     c("ally_defense", "ally_offense", "ally_neutrality",
                       "ally_nonagg", "ally_consul", "ally_value",
                       "n_def_allies1", "cap_def_allies1", "n_def_allies2",
                       "cap_def_allies2", "cap_balance_allies", "s_unweighted",
                       "s_weighted", "s_unweighted_region", "s_weighted_region",
                       "tau_b", "n_shared_def_allies", "n_shared_allies"))
    for (v in names(toy_hand)) expect_hand(r[[v]], toy_hand[[v]], v)
    ## the exact ones exactly
    expect_identical(r$n_def_allies1, toy_hand$n_def_allies1)
    expect_identical(r$s_weighted[6], -0.25)
    info <- attr(r, "alliances_info")
    expect_equal(info[c("n_years", "n_dyads_outside", "n_ally_rows",
                        "n_ally_outside", "n_ally_duplicate",
                        "n_ally_asymmetric", "n_cap_missing")],
                 c(n_years = 3, n_dyads_outside = 1, n_ally_rows = 11,
                   n_ally_outside = 1, n_ally_duplicate = 1,
                   n_ally_asymmetric = 3, n_cap_missing = 1))
})

test_that("measure groups, region and directed options", {
    r <- alliances(toy_dy(), toy_al(), toy_cap(), measures = c("sscore", "taub"))
    expect_identical(setdiff(names(r), names(toy_dy())),
                     c("s_unweighted", "s_weighted", "s_unweighted_region",
                       "s_weighted_region", "tau_b"))
    expect_hand(r$s_weighted, toy_hand$s_weighted, "s_weighted")
    ## no region column: no regional S-scores, the system ones unchanged
    cap <- toy_cap(); cap$region <- NULL
    r2 <- alliances(toy_dy(), toy_al(), cap, measures = "sscore")
    expect_identical(setdiff(names(r2), names(toy_dy())),
                     c("s_unweighted", "s_weighted"))
    expect_identical(r2$s_unweighted, r$s_unweighted)
    r3 <- alliances(toy_dy(), toy_al(), toy_cap(), measures = "sscore", region = "")
    expect_identical(names(r3), names(r2))
    ## a region column under another name
    cap <- toy_cap(); names(cap)[4] <- "reg"
    r4 <- alliances(toy_dy(), toy_al(), cap, measures = "sscore", region = "reg")
    expect_identical(r4$s_unweighted_region, r$s_unweighted_region)
    ## directed: 40's rows are one-sided, so 10 has no defense tie to 40
    ## and 40 holds one to 10; (40, 30) keeps 40's tie
    rd <- alliances(toy_dy(), toy_al(), toy_cap(), measures = "ties",
                    directed = TRUE)
    expect_identical(rd$ally_defense[6], 1)
    rs <- alliances(toy_dy(), toy_al(), toy_cap(), measures = "allycap")
    rd <- alliances(toy_dy(), toy_al(), toy_cap(), measures = "allycap",
                    directed = TRUE)
    ## (10, 20) in year 2: symmetric: 40 is a defense ally of both; directed:
    ## 10 and 20 list no defense ally
    expect_identical(rs$n_def_allies1[5], 1)
    expect_identical(rd$n_def_allies1[5], 0)
    ## states table: 30 leaves the system after year 1
    st <- data.frame(ccode = c(10, 20, 30, 40), styear = c(1, 1, 1, 2),
                     endyear = c(9, 9, 1, 9))
    rm <- alliances(toy_dy(), toy_al(), toy_cap(), states = st, measures = "sscore")
    expect_true(all(is.na(rm$s_unweighted[c(6, 7, 10)])))
    expect_identical(rm$s_unweighted[1:4], c(1, 1, -1, -1))
    expect_gt(attr(rm, "alliances_info")[["n_cap_not_member"]], 0)
})

test_that("other column names and replace", {
    d <- toy_dy()
    names(d)[1:3] <- c("a", "b", "yr")
    r <- alliances(d, toy_al(), toy_cap(), ccode1 = "a", ccode2 = "b", year = "yr",
                   measures = "taub")
    expect_hand(r$tau_b, toy_hand$tau_b, "tau_b")
    d$tau_b <- 0
    expect_error(alliances(d, toy_al(), toy_cap(), ccode1 = "a", ccode2 = "b",
                           year = "yr", measures = "taub"),
                 "already has a column 'tau_b'")
    r2 <- alliances(d, toy_al(), toy_cap(), ccode1 = "a", ccode2 = "b",
                    year = "yr", measures = "taub", replace = TRUE)
    expect_identical(r2$tau_b, r$tau_b)
    expect_identical(names(r2), names(d))
    ## a clash outside the chosen groups is no clash
    r3 <- alliances(d, toy_al(), toy_cap(), ccode1 = "a", ccode2 = "b",
                    year = "yr", measures = "shared")
    expect_identical(r3$tau_b, d$tau_b)
})

test_that("bad input is refused with a clear message", {
    d <- toy_dy(); al <- toy_al(); cap <- toy_cap()
    expect_error(alliances(as.list(d), al, cap), "'dyads' must be a data frame")
    expect_error(alliances(d, al, as.matrix(cap)), "'capabilities' must be a data frame")
    expect_error(alliances(d, al, cap, states = 1), "'states' must be a data frame")
    expect_error(alliances(d, al, cap, measures = "sscores"),
                 "unknown measure group 'sscores'")
    expect_error(alliances(d, al, cap, measures = character()), "'measures' must be")
    expect_error(alliances(d, al, cap, ccode1 = "nope"),
                 "variable 'nope' not found in 'dyads'")
    expect_error(alliances(d, al, cap, year = NA_character_), "'year' must be a column name")
    expect_error(alliances(d, al, cap, directed = NA), "'directed' must be TRUE or FALSE")
    expect_error(alliances(d, al, cap, region = 1), "'region' must be")
    d2 <- d; d2$year <- as.character(d2$year)
    expect_error(alliances(d2, al, cap), "variable 'year' of 'dyads' must be numeric")
    ## errors of the library, with its messages
    expect_error(alliances(d, al, cap[, c("ccode", "year")]), "cinc")
    expect_error(alliances(d, al, cap, region = "continent"), "continent")
    d3 <- d; d3$ccode2[2] <- 20
    expect_error(alliances(d3, al, cap), "row 2: ccode1 = ccode2 = 20")
    a2 <- al; a2$ccode2[1] <- 10
    expect_error(alliances(d, a2, cap), "row 1: state 10 allied with itself")
    a3 <- al; a3$defense[2] <- 2
    expect_error(alliances(d, a3, cap), "'defense' is not 0/1")
    a4 <- al; a4$defense[2] <- NA
    expect_error(alliances(d, a4, cap), "'defense' is missing")
    c2 <- cap; c2$cinc[1] <- -0.1
    expect_error(alliances(d, al, c2), "must be a share >= 0")
    d4 <- d; d4$year[1] <- 1.5
    expect_error(alliances(d4, al, cap))
})

test_that("R and the CLI give identical values on data/leeds_dyads.csv", {
    root <- repo_root()
    skip_if(!nzchar(root) || !file.exists(file.path(root, "data", "leeds_dyads.csv")),
            "repository data not available")
    skip_if(cli_path() == "", "dyadfit CLI not built")
    ld <- utils::read.csv(file.path(root, "data", "leeds_dyads.csv"))
    ld <- ld[ld$year %in% c(1950, 1980, 2000), c("ccode1", "ccode2", "year")]
    al <- utils::read.csv(file.path(root, "data", "atop_dyadyear.csv"))
    cap <- utils::read.csv(file.path(root, "data", "cow_nmc.csv"))
    inp <- tempfile(fileext = ".csv")
    out <- tempfile(fileext = ".dta")
    on.exit(unlink(c(inp, out)))
    utils::write.csv(ld, inp, row.names = FALSE)
    msg <- system2(cli_path(), c("alliances", inp,
                                 "--alliances", file.path(root, "data", "atop_dyadyear.csv"),
                                 "--capabilities", file.path(root, "data", "cow_nmc.csv"),
                                 "--out", out), stdout = TRUE, stderr = TRUE)
    expect_null(attr(msg, "status"))
    cli <- as.data.frame(read_dyads(out))
    r <- alliances(ld, al, cap)
    expect_equal(nrow(cli), nrow(r))
    new <- setdiff(names(r), names(ld))
    expect_length(new, 18)
    expect_identical(setdiff(names(cli), names(ld)), new)
    ## identical, except under valgrind (make r-valgrind with
    ## R_VALGRIND_SCRIPT=testthat), which runs the library's long double
    ## sums in double precision while the CLI runs natively
    vg <- Sys.getenv("DYADFIT_UNDER_VALGRIND") != ""
    for (v in c(names(ld), new)) {
        if (vg) expect_equal(as.double(cli[[v]]), as.double(r[[v]]),
                             tolerance = 1e-12, label = v)
        else expect_identical(as.double(cli[[v]]), as.double(r[[v]]), label = v)
    }
    expect_gt(sum(!is.na(r$s_weighted)), 6000)
})
