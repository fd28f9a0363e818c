# logscore: PGXS build.  `make && make install`, then the suites in test/.
EXTENSION = logscore
EXTVERSION = 0.6.0

MODULE_big = logscore
OBJS = $(patsubst %.c,%.o,$(wildcard src/*.c src/core/*.c))
# sql/logscore.sql is the current definition; the versioned install script is
# built from it, and every released version's script and each upgrade script
# are kept, so ALTER EXTENSION ... UPDATE can be tested against a fresh install.
DATA = $(filter-out sql/$(EXTENSION)--$(EXTVERSION).sql,$(wildcard sql/$(EXTENSION)--*.sql))
DATA_built = sql/$(EXTENSION)--$(EXTVERSION).sql

TESTS = $(wildcard test/sql/*.sql)
REGRESS = $(patsubst test/sql/%.sql,%,$(TESTS))
REGRESS_OPTS = --inputdir=test --load-extension=$(EXTENSION)

ISOLATION = $(patsubst test/specs/%.spec,%,$(wildcard test/specs/*.spec))
ISOLATION_OPTS = --inputdir=test --outputdir=. --load-extension=$(EXTENSION)

TAP_TESTS = 1
PROVE_TESTS ?= $(wildcard test/t/*.pl)

PG_CONFIG ?= pg_config
PG_CPPFLAGS = -I$(srcdir)/src
PG_CFLAGS = -std=gnu99

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

sql/$(EXTENSION)--$(EXTVERSION).sql: sql/$(EXTENSION).sql
	sed '1s|.*|/* sql/$(EXTENSION)--$(EXTVERSION).sql: built from sql/$(EXTENSION).sql; edit that */|' $< > $@

# PGXS tracks no header dependencies; the compiled pipeline's layout lives in
# a header, so a stale object (or the JIT's bitcode of it) would disagree with
# the core about its size.
HEADERS = $(wildcard src/*.h src/core/*.h)
$(OBJS) $(OBJS:.o=.bc): $(HEADERS)

# --- the core's own tests, without a server ---

CORE_SRCS = $(wildcard src/core/*.c)
UNIT_CFLAGS = -std=c99 -O1 -g -Wall -Wextra -Werror -Isrc -fsanitize=address,undefined -fno-sanitize-recover=all

test/unit/run_unit: $(CORE_SRCS) $(wildcard src/core/*.h) $(wildcard test/unit/*.c test/unit/*.h)
	$(CC) $(UNIT_CFLAGS) -o $@ $(wildcard test/unit/*.c) $(CORE_SRCS) -lcmocka -lm

.PHONY: unit fuzz
unit: test/unit/run_unit
	./test/unit/run_unit

FUZZ_RUNS ?= 200000
FUZZ_CFLAGS = -g -O1 -Isrc -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
test/fuzz/fuzz_parse: $(CORE_SRCS) $(wildcard src/core/*.h) test/fuzz/fuzz_parse.c
	clang-14 $(FUZZ_CFLAGS) -o $@ test/fuzz/fuzz_parse.c $(CORE_SRCS) -lm

test/fuzz/fuzz_sketch_decode: $(CORE_SRCS) $(wildcard src/core/*.h) test/fuzz/fuzz_sketch_decode.c
	clang-14 $(FUZZ_CFLAGS) -o $@ test/fuzz/fuzz_sketch_decode.c $(CORE_SRCS) -lm

test/fuzz/fuzz_ewm_text: $(CORE_SRCS) $(wildcard src/core/*.h) test/fuzz/fuzz_ewm_text.c
	clang-14 $(FUZZ_CFLAGS) -o $@ test/fuzz/fuzz_ewm_text.c $(CORE_SRCS) -lm

# libFuzzer writes new inputs into the first directory, so that one is a
# scratch directory and the checked-in seed corpus comes second.  A sketch's
# encoding runs to kilobytes, hence its larger max_len.
fuzz: test/fuzz/fuzz_parse test/fuzz/fuzz_sketch_decode test/fuzz/fuzz_ewm_text
	scratch=$$(mktemp -d) && \
	./test/fuzz/fuzz_parse -runs=$(FUZZ_RUNS) -seed=1 -max_len=256 $$scratch test/fuzz/corpus; \
	status=$$?; rm -rf "$$scratch"; [ $$status -eq 0 ] || exit $$status; \
	scratch=$$(mktemp -d) && \
	./test/fuzz/fuzz_sketch_decode -runs=$(FUZZ_RUNS) -seed=1 -max_len=4096 $$scratch test/fuzz/corpus_sketch; \
	status=$$?; rm -rf "$$scratch"; [ $$status -eq 0 ] || exit $$status; \
	scratch=$$(mktemp -d) && \
	./test/fuzz/fuzz_ewm_text -runs=$(FUZZ_RUNS) -seed=1 -max_len=256 $$scratch test/fuzz/corpus_ewm; \
	status=$$?; rm -rf "$$scratch"; exit $$status

EXTRA_CLEAN = test/modules/ls_test_fmgr.so test/unit/run_unit test/fuzz/fuzz_parse test/fuzz/fuzz_sketch_decode test/fuzz/fuzz_ewm_text \
	test/bench/core_bench

# --- a test-only server module: the regression suite loads it by path ---

# Runs aggregate support functions with a fresh FmgrInfo per row, as Citus does.
export LS_TEST_MODULES ?= $(abspath test/modules)
installcheck: test/modules/ls_test_fmgr.so
test/modules/ls_test_fmgr.so: test/modules/ls_test_fmgr.c
	$(CC) $(CFLAGS) $(CFLAGS_SL) $(CPPFLAGS) -shared -o $@ $<

# --- the benchmark harness (by hand, not a test: it times things) ---

# The core's scoring loops without a server (-lm: core_bench uses exp()).
test/bench/core_bench: test/bench/core_bench.c $(CORE_SRCS) $(wildcard src/core/*.h)
	$(CC) -std=c99 -O2 -march=native -Isrc -o $@ test/bench/core_bench.c $(CORE_SRCS) -lm

.PHONY: bench
bench:
	bash test/bench/run.sh
