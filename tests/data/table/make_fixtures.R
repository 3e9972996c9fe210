#!/usr/bin/env Rscript
# make_fixtures.R -- writes the table-reader fixtures into tests/data/table/.
# Run from the repository root:  Rscript tests/data/table/make_fixtures.R
# Needs R haven (Debian r-cran-haven) and the `readstat` command (for .por).
# The same small data set is saved in every format; tests/table/test_table.c
# checks that each reads back identically. Damaged files are cut or patched
# copies of good ones. expected.txt holds the SHA-256 digests the test checks.
suppressPackageStartupMessages(library(haven))
dir <- "tests/data/table"
f <- function(name) file.path(dir, name)

# (haven 2.5.1 rejects one-letter names for dta versions < 14, hence xv, gs)
# ---- the shared data set: 6 rows, numbers with NA, strings with "", labels
base <- data.frame(
  id = 1:6,
  xv = c(0.1, -2.5, 1e10, NA, 3.141592653589793, -1/3),
  gs = c("USA", "Canada", "", "USA", "Mexico", "Canada"),
  stringsAsFactors = FALSE
)
base$lab <- labelled(c(1, 2, 2, NA, 1, 3), c(low = 1, high = 2, top = 3))
attr(base$xv, "label") <- "An x variable"
# SPSS portable files allow only upper-case names: use them everywhere
names(base) <- toupper(names(base))

write_dta(base, f("data114.dta"), version = 10)   # format 114
write_dta(base, f("data117.dta"), version = 13)   # format 117
write_dta(base, f("data118.dta"), version = 14)   # format 118
write_sav(base, f("data.sav"))
write_sav(base, f("data.zsav"), compress = "zsav")
write_xpt(base, f("data.xpt"), version = 5)
suppressWarnings(write_sas(base, f("data.sas7bdat")))
unlink(f("data.por"))
system2("readstat", c(f("data.sav"), f("data.por")), stdout = FALSE)

# CSV at full precision (write.csv keeps only 15 digits)
num <- function(v) ifelse(is.na(v), "", sprintf("%.17g", v))
str <- function(v) ifelse(v == "", "", paste0('"', v, '"'))
lines <- c("ID,XV,GS,LAB",
           paste(base$ID, num(base$XV), str(base$GS), num(unclass(base$LAB)),
                 sep = ","))
writeLines(lines, f("data.csv"))

# ---- Stata tagged missing values and blank strings (ReadStat trims trailing
# blanks, so " " reads as "")
tg <- data.frame(tv = c(1, tagged_na("a"), NA, tagged_na("z"), 5),
                 ts = c(" ", "a", "", "  b ", "a"),
                 stringsAsFactors = FALSE)
write_dta(tg, f("tagged.dta"))

# ---- SPSS user-defined missing values (-9 and -8, and a range 90-99)
um <- data.frame(
  ur = labelled_spss(c(1, -9, 2, -8, NA, 3), c(yes = 1, no = 2, refused = -9),
                    na_values = c(-9, -8)),
  uq = labelled_spss(c(10, 95, 20, 99, 50, 100), na_range = c(90, 99))
)
write_sav(um, f("usermiss.sav"))

# ---- damaged and misnamed files
cut_file <- function(from, to, n) {
  b <- readBin(f(from), "raw", file.info(f(from))$size)
  writeBin(b[seq_len(n)], f(to))
}
n118 <- file.info(f("data118.dta"))$size
cut_file("data118.dta", "truncated.dta", n118 %/% 2)
nsav <- file.info(f("data.sav"))$size
cut_file("data.sav", "truncated.sav", nsav - 40)
b <- readBin(f("data118.dta"), "raw", n118)
b[1:16] <- charToRaw("XXXXXXXXXXXXXXXX")      # destroys "<stata_dta><header>"
writeBin(b, f("corrupt.dta"))
b <- readBin(f("data.sav"), "raw", nsav)
b[1:4] <- charToRaw("ZZZZ")                    # destroys the "$FL2" magic
writeBin(b, f("corrupt.sav"))
invisible(file.copy(f("data.csv"), f("csvfile.dta"), overwrite = TRUE))
invisible(file.create(f("empty.dta")))
invisible(file.copy(f("data.csv"), f("data.txt"), overwrite = TRUE))
invisible(file.copy(f("data.csv"), f("UPPER.CSV"), overwrite = TRUE))

# ---- hand-made CSV cases
w <- function(name, txt) writeBin(charToRaw(txt), f(name))
w("crlf_bom.csv", "\xef\xbb\xbfID,XV,GS,LAB\r\n1,0.1,USA,1\r\n2,-2.5,Canada,2\r\n3,1e10,,2\r\n4,NA,USA,.\r\n5,3.141592653589793,Mexico,1\r\n6,-0.33333333333333331,Canada,3")
w("quoted.csv", paste0('name,"a ""b"" c",n\n',
                       '"x, y",1,"2"\n',
                       '"multi\nline",NA,3\n',
                       'plain,"",4\n',
                       '"He said ""hi""",.,5\n\n'))
w("mixed.csv", "a,b,c\n1,NA,x\n2,7,\n3,z,1.5\nNaN,8,2\n")
w("ragged.csv", "a,b,c\n1,2,3\n4,5,6\n7,8\n")
w("ragged_crlf.csv", "a,b\r\n1,2\r\n3\r\n")
w("unterminated.csv", "a,b\n1,2\n3,\"open\n4,5\n")
w("badquote.csv", "a,b\n1,\"x\"y\n")
w("dupheader.csv", "a,b,a\n1,2,3\n")
w("emptyheader.csv", "a,,c\n1,2,3\n")
w("headeronly.csv", "a,b,c\n")
w("noheader.csv", "\n\n")
w("inf.csv", "a,b\n1,2\n2,Inf\n3,4\n")
w("names.csv", "Inf,s\n1,Inf\n2,abc\n3,  \n")

# ---- more rows than the first allocation (1024) in formats whose header
# gives no row count, so the reader must grow its columns
lg <- data.frame(LI = as.numeric(1:2500))
write_xpt(lg, f("long.xpt"), version = 5)

# ---- digests the test compares with (sha256sum, independent of OpenSSL)
d <- system2("sha256sum", c(f("data118.dta"), f("data.csv")), stdout = TRUE)
writeLines(d, f("expected_sha256.txt"))
