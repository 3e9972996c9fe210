library(testthat)
library(dyadfit)

test_check("dyadfit")
