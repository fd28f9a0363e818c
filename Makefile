# logscore: PGXS build.  `make && make install`, then the suites in test/.
EXTENSION = logscore
EXTVERSION = 0.1.0

MODULE_big = logscore
OBJS = $(patsubst %.c,%.o,$(wildcard src/*.c src/core/*.c))
DATA = $(wildcard sql/$(EXTENSION)--*.sql)

TESTS = $(wildcard test/sql/*.sql)
REGRESS = $(patsubst test/sql/%.sql,%,$(TESTS))
REGRESS_OPTS = --inputdir=test --load-extension=$(EXTENSION)

TAP_TESTS = 1
PROVE_TESTS ?= $(wildcard test/t/*.pl)

PG_CONFIG ?= pg_config
PG_CPPFLAGS = -I$(srcdir)/src
PG_CFLAGS = -std=gnu99

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# PGXS tracks no header dependencies; the compiled pipeline's layout lives in
# a header, so a stale object (or the JIT's bitcode of it) would disagree with
# the core about its size.
HEADERS = $(wildcard src/*.h src/core/*.h)
$(OBJS) $(OBJS:.o=.bc): $(HEADERS)

# --- the core's own tests, without a server ---

CORE_SRCS = $(wildcard src/core/*.c)
UNIT_CFLAGS = -std=c99 -O1 -g -Wall -Wextra -Werror -Isrc -fsanitize=address,undefined -fno-sanitize-recover=all

test/unit/run_unit: $(CORE_SRCS) $(wildcard src/core/*.h) $(wildcard test/unit/*.c test/unit/*.h)
	$(CC) $(UNIT_CFLAGS) -o $@ $(wildcard test/unit/*.c) $(CORE_SRCS) -lcmocka

.PHONY: unit fuzz
unit: test/unit/run_unit
	./test/unit/run_unit

FUZZ_RUNS ?= 200000
test/fuzz/fuzz_parse: $(CORE_SRCS) $(wildcard src/core/*.h) test/fuzz/fuzz_parse.c
	clang-14 -g -O1 -Isrc -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -o $@ test/fuzz/fuzz_parse.c $(CORE_SRCS)

# libFuzzer writes new inputs into the first directory, so that one is a
# scratch directory and the checked-in seed corpus comes second.
fuzz: test/fuzz/fuzz_parse
	scratch=$$(mktemp -d) && \
	./test/fuzz/fuzz_parse -runs=$(FUZZ_RUNS) -seed=1 -max_len=256 $$scratch test/fuzz/corpus; \
	status=$$?; rm -rf "$$scratch"; exit $$status

EXTRA_CLEAN = test/unit/run_unit test/fuzz/fuzz_parse
