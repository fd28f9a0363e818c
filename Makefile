# logscore: PGXS build.  `make && make install`, then the suites in test/.
EXTENSION = logscore
EXTVERSION = 0.7.0

MODULE_big = logscore
OBJS = $(patsubst %.c,%.o,$(wildcard src/*.c src/core/*.c))
# sql/logscore.sql is the current definition; the versioned install script is
# built from it, and every released version's script and each upgrade script
# are kept, so ALTER EXTENSION ... UPDATE can be tested against a fresh install.
DATA = $(filter-out sql/$(EXTENSION)--$(EXTVERSION).sql,$(wildcard sql/$(EXTENSION)--*.sql))
DATA_built = sql/$(EXTENSION)--$(EXTVERSION).sql

# The test definitions, run by the targets below against a running server
# (PGHOST, PGPORT) once `make install` is done; test/run.sh starts a
# throwaway one and runs them all.
#
#   make installcheck         REGRESS (test/sql) and ISOLATION (test/specs)
#   make installcheck-slow    the slow suite (test/slow): the differential and
#                             accuracy tests at full strength
#   make prove_installcheck   the TAP tests, PROVE_TESTS (test/t); they start
#                             their own servers
#   make unit                 the core's C tests, no server
#   make fuzz                 the core's libFuzzer harnesses, FUZZ_RUNS each
TESTS = $(wildcard test/sql/*.sql)
REGRESS = $(patsubst test/sql/%.sql,%,$(TESTS))
REGRESS_OPTS = --inputdir=test --load-extension=$(EXTENSION)

ISOLATION = $(patsubst test/specs/%.spec,%,$(wildcard test/specs/*.spec))
ISOLATION_OPTS = --inputdir=test --outputdir=. --load-extension=$(EXTENSION)

SLOW_REGRESS = $(patsubst test/slow/sql/%.sql,%,$(wildcard test/slow/sql/*.sql))

# Not TAP_TESTS = 1: with it PGXS's installcheck runs the TAP tests too,
# and they, starting servers of their own, are a target of their own here.
PROVE_TESTS ?= $(wildcard test/t/*.pl)
PROVE_FLAGS ?=

PG_CONFIG ?= pg_config
PG_CPPFLAGS = -I$(srcdir)/src
PG_CFLAGS = -std=gnu99

# make WERROR=1 (CI): warnings are errors.  PostgreSQL's headers are then
# read as system headers, so that only logscore's code is judged, and an
# unused parameter is allowed: callbacks have the signature PostgreSQL gives.
ifdef WERROR
PG_CFLAGS += -Wall -Wextra -Wno-unused-parameter -Werror
PG_CPPFLAGS += -isystem $(includedir_server)
endif

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

sql/$(EXTENSION)--$(EXTVERSION).sql: sql/$(EXTENSION).sql
	sed '1s|.*|/* sql/$(EXTENSION)--$(EXTVERSION).sql: built from sql/$(EXTENSION).sql; edit that */|' $< > $@

# PGXS tracks no header dependencies; the compiled pipeline's layout lives in
# a header, so a stale object (or the JIT's bitcode of it) would disagree with
# the core about its size.  (Not HEADERS: PGXS installs the files it names.)
SRC_HEADERS = $(wildcard src/*.h src/core/*.h)
$(OBJS) $(OBJS:.o=.bc): $(SRC_HEADERS)

# Nor which PostgreSQL an object was compiled for: built for 18, it would be
# linked, unchanged, for 15 and fail to load.  .pg_build names the server
# (its version and headers), rewritten only when that changes, so a build for
# another PostgreSQL starts afresh.
PG_BUILD_ID := $(shell $(PG_CONFIG) --version) $(includedir_server)
.pg_build: FORCE
	@[ "$$(cat $@ 2>/dev/null)" = '$(PG_BUILD_ID)' ] || echo '$(PG_BUILD_ID)' >$@
.PHONY: FORCE
FORCE:
$(OBJS) $(OBJS:.o=.bc) test/modules/ls_test_fmgr.so: .pg_build

# --- the tests that need a server (see the list at the top) ---

.PHONY: installcheck-slow prove_installcheck
installcheck-slow:
	$(pg_regress_installcheck) $(REGRESS_OPTS) --inputdir=test/slow $(SLOW_REGRESS)

# PGXS defines how to run prove but, in PostgreSQL 15, no target for it.
prove_installcheck:
	$(prove_installcheck)

# --- the core's own tests, without a server ---

CORE_SRCS = $(wildcard src/core/*.c)
CORE_HEADERS = $(wildcard src/core/*.h)
UNIT_CFLAGS = -std=c99 -O1 -g -Wall -Wextra -Werror -Isrc -fsanitize=address,undefined -fno-sanitize-recover=all

test/unit/run_unit: $(CORE_SRCS) $(CORE_HEADERS) $(wildcard test/unit/*.c test/unit/*.h)
	$(CC) $(UNIT_CFLAGS) -o $@ $(wildcard test/unit/*.c) $(CORE_SRCS) -lcmocka -lm

.PHONY: unit fuzz
unit: test/unit/run_unit
	./test/unit/run_unit

# libFuzzer needs clang: the one PGXS found for the JIT's bitcode, or, for a
# server built without LLVM (which names none), Debian's clang-14.  The core
# is compiled once, instrumented for the fuzzer (fuzzer-no-link), and linked
# into every harness.
ifeq ($(strip $(CLANG)),)
CLANG = clang-14
endif
FUZZ_HARNESSES = $(patsubst test/fuzz/%.c,%,$(wildcard test/fuzz/fuzz_*.c))
FUZZ_RUNS ?= 200000
FUZZ_CFLAGS = -g -O1 -Isrc -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_OBJS = $(patsubst src/core/%.c,test/fuzz/core/%.o,$(CORE_SRCS))
test/fuzz/core/%.o: src/core/%.c $(CORE_HEADERS)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<
test/fuzz/fuzz_%: test/fuzz/fuzz_%.c test/fuzz/fuzz.h $(FUZZ_OBJS) $(CORE_HEADERS)
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_OBJS) -lm

# Each harness's seed corpus and longest input: a sketch's encoding runs to
# kilobytes.  libFuzzer writes new inputs into the first directory it is
# given, so that one is a scratch directory and the checked-in seeds second.
FUZZ_SEEDS_fuzz_parse = test/fuzz/corpus
FUZZ_SEEDS_fuzz_sketch_decode = test/fuzz/corpus_sketch
FUZZ_SEEDS_fuzz_ewm_text = test/fuzz/corpus_ewm
FUZZ_SEEDS_fuzz_detector_text = test/fuzz/corpus_detector
FUZZ_MAX_LEN = 256
FUZZ_MAX_LEN_fuzz_sketch_decode = 4096
FUZZ_MAX_LEN_fuzz_detector_text = 8192

fuzz: $(addprefix run-,$(FUZZ_HARNESSES))
run-fuzz_%: test/fuzz/fuzz_%
	scratch=$$(mktemp -d) && \
	./$< -runs=$(FUZZ_RUNS) -seed=1 -max_len=$(or $(FUZZ_MAX_LEN_fuzz_$*),$(FUZZ_MAX_LEN)) \
		$$scratch $(FUZZ_SEEDS_fuzz_$*); \
	status=$$?; rm -rf "$$scratch"; exit $$status

EXTRA_CLEAN = test/modules/ls_test_fmgr.so test/unit/run_unit $(addprefix test/fuzz/,$(FUZZ_HARNESSES)) test/fuzz/core/ \
	test/bench/core_bench $(SOAK_CLIENTS) tmp_check/ .pg_build

# --- a test-only server module: the regression suite loads it by path ---

# Runs aggregate support functions with a fresh FmgrInfo per row, as Citus does.
export LS_TEST_MODULES ?= $(abspath test/modules)
installcheck installcheck-slow: test/modules/ls_test_fmgr.so
test/modules/ls_test_fmgr.so: test/modules/ls_test_fmgr.c
	$(CC) $(CFLAGS) $(CFLAGS_SL) $(CPPFLAGS) -shared -o $@ $<

# --- the benchmark harness (by hand, not a test: it times things) ---

# The core's scoring loops without a server (-lm: core_bench uses exp()).
test/bench/core_bench: test/bench/core_bench.c $(CORE_SRCS) $(CORE_HEADERS)
	$(CC) -std=c99 -O2 -march=native -Isrc -o $@ test/bench/core_bench.c $(CORE_SRCS) -lm

.PHONY: bench
bench:
	bash test/bench/run.sh

# The soak harness's clients (test/bench/run.sh --soak, and the pipeline's
# test): a log shipper writing with COPY, and a NOTIFY listener.  Plain libpq
# programs, built against the libpq of the PostgreSQL PG_CONFIG names.
SOAK_CLIENTS = test/bench/soak/ship test/bench/soak/listen
.PHONY: soak-clients
soak-clients: $(SOAK_CLIENTS)
$(SOAK_CLIENTS): test/bench/soak/%: test/bench/soak/%.c
	$(CC) -std=gnu99 -O2 -Wall -Wextra -Werror -I$(shell $(PG_CONFIG) --includedir) \
		-o $@ $< -L$(shell $(PG_CONFIG) --libdir) -lpq -lm

# test/t/009_continuous_pipeline.pl runs them
prove_installcheck: soak-clients
