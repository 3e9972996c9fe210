# dyadfit -- top-level build.
#   make          library (build/libdyadfit.a, .so) and CLI (build/dyadfit)
#   make demo     install what is missing, build, fit the Leeds-style model
#   make check    install what is missing, build, run every test (C suites
#                 optimised and under ASan/UBSan, CLI tests, vignette
#                 headlines, an mpirun -np 2 streamed fit, R CMD check
#                 --as-cran, the R package once under valgrind)
#   make asan     the C suites under AddressSanitizer + UBSan
#   make install  PREFIX=/usr/local: binary, libraries, header, pkg-config

PREFIX ?= /usr/local
CC ?= cc
BUILD ?= build
OPT ?= -O2
SAN ?=

BLAS_CFLAGS := $(shell pkg-config --cflags openblas 2>/dev/null)
BLAS_LIBS := $(shell pkg-config --libs openblas 2>/dev/null || echo -lopenblas)
GSL_LIBS := $(shell gsl-config --libs-without-cblas 2>/dev/null || echo -lgsl -lm)

CFLAGS ?= $(OPT) -g
CFLAGS += -std=c11 -D_DEFAULT_SOURCE -Wall -Wextra -fPIC \
          -fvisibility=hidden -Iinclude -Isrc $(BLAS_CFLAGS) $(SAN)
LDLIBS := -lreadstat -lcjson -lglpk $(GSL_LIBS) $(BLAS_LIBS) -lcrypto -lm
LDFLAGS += $(SAN)

LIB_SRC := $(sort $(wildcard src/util/*.c src/table/*.c src/design/*.c \
             src/prepare/*.c src/fit/*.c src/vce/*.c src/post/*.c \
             src/report/*.c src/api/*.c src/stream/*.c))
CLI_SRC := $(sort $(wildcard src/cli/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
DEPS = $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_BIN:=.d)

TEST_COMMON := $(sort $(wildcard tests/common/*.c))
TEST_SRC := $(sort $(wildcard tests/*/test_*.c))
TEST_BIN := $(patsubst tests/%.c,$(BUILD)/tests/%,$(TEST_SRC))

.PHONY: all deps demo check test asan install uninstall clean mpi check-mpi \
        r-build r-install r-suggests r-check r-test r-valgrind bench fuzz vignettes check-vignettes
all: $(BUILD)/libdyadfit.a $(BUILD)/libdyadfit.so $(BUILD)/dyadfit

deps:
	@sh scripts/install-deps.sh

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libdyadfit.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libdyadfit.so: $(LIB_OBJ)
	$(CC) -shared $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/dyadfit: $(CLI_OBJ) $(BUILD)/libdyadfit.a
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libdyadfit.a $(LDLIBS)

$(BUILD)/tests/%: tests/%.c $(TEST_COMMON) $(BUILD)/libdyadfit.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -Itests/common -o $@ $< $(TEST_COMMON) \
	    $(BUILD)/libdyadfit.a $(LDFLAGS) $(LDLIBS) -lcunit

test: all $(TEST_BIN)
	@sh tests/run-all.sh $(BUILD)

check: deps
	$(MAKE) test
	$(MAKE) check-vignettes
	$(MAKE) asan
	$(MAKE) check-mpi
	$(MAKE) r-check
	$(MAKE) r-valgrind

# The same suites built with AddressSanitizer and UBSan in their own tree.
asan:
	$(MAKE) BUILD=build-asan OPT=-O1 \
	    SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" test

# The R package (R-wrapper/): a self-contained source tarball carrying the
# library sources, installed or checked with R CMD check --as-cran.
r-build:
	sh scripts/r-package.sh build $(BUILD)
r-install:
	sh scripts/r-package.sh install $(BUILD)
# the suggested packages Debian lacks (logistf, fixest, marginaleffects,
# modelsummary) come from CRAN once, so their comparisons run, not skip
r-suggests:
	@sh scripts/install-r-suggests.sh
r-check: $(BUILD)/dyadfit r-suggests
	sh scripts/r-package.sh check $(BUILD)
	@echo "r-check: 1 passed, 0 failed"
r-test: $(BUILD)/dyadfit
	sh scripts/r-package.sh test $(BUILD)
# The package once through every estimator and error path under valgrind
# (R-wrapper/tools/valgrind.R; summary in BUILD/r-valgrind.txt). The last
# step of check: about a minute (36 s under valgrind here).
r-valgrind:
	sh scripts/r-package.sh valgrind $(BUILD)

# Streaming fits spread over MPI ranks (docs/streaming.md): the CLI at
# build-mpi/dyadfit, built with mpicc and -DDYADFIT_MPI (openmpi-bin,
# libopenmpi-dev); run as mpirun -np 2 build-mpi/dyadfit fit ... --stream.
mpi:
	$(MAKE) BUILD=build-mpi CC=mpicc OPT="$(OPT) -DDYADFIT_MPI" build-mpi/dyadfit
# part of check: mpirun -np 2 streamed fits against the in-memory ones
check-mpi: $(BUILD)/dyadfit mpi
	sh tests/mpi/run.sh $(BUILD)/dyadfit build-mpi/dyadfit

# Speed against R, fixest and survival in one run (not part of check):
# BENCH_SCALE=0.1 for a quick run; writes bench/RESULTS.md.
bench: all mpi
	DYADFIT=$(BUILD)/dyadfit sh bench/run.sh

# libFuzzer targets for every reader and the formula parser (clang and
# libclang-rt-14-dev); see tests/fuzz/README.md. Not part of check.
FUZZ_SECONDS ?= 60
fuzz:
	@sh tests/fuzz/run.sh $(FUZZ_SECONDS)

# Four vignettes replicating published studies, rendered to BUILD/vignettes;
# check-vignettes asserts their headline numbers (part of check).
vignettes: $(BUILD)/dyadfit
	sh scripts/vignettes.sh $(BUILD)
check-vignettes: $(BUILD)/dyadfit
	Rscript tests/vignettes/check_headlines.R $(BUILD)/dyadfit

demo: deps all
	@sh scripts/demo.sh $(BUILD)/dyadfit

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib \
	    $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 755 $(BUILD)/dyadfit $(DESTDIR)$(PREFIX)/bin/
	install -m 644 $(BUILD)/libdyadfit.a $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(BUILD)/libdyadfit.so $(DESTDIR)$(PREFIX)/lib/
	install -m 644 include/dyadfit.h $(DESTDIR)$(PREFIX)/include/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|0.1.0|' dyadfit.pc.in \
	    > $(DESTDIR)$(PREFIX)/lib/pkgconfig/dyadfit.pc
	install -d $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 644 docs/dyadfit.1 $(DESTDIR)$(PREFIX)/share/man/man1/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/dyadfit $(DESTDIR)$(PREFIX)/lib/libdyadfit.* \
	    $(DESTDIR)$(PREFIX)/include/dyadfit.h $(DESTDIR)$(PREFIX)/lib/pkgconfig/dyadfit.pc \
	    $(DESTDIR)$(PREFIX)/share/man/man1/dyadfit.1

clean:
	rm -rf build build-asan build-mpi tests/fuzz/build

-include $(DEPS)
