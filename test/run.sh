#!/usr/bin/env bash
# test/run.sh: runs every logscore test suite and ends with one line
# "N passed, N failed".  The README's test command; .ci/run calls it.
#
#   bash test/run.sh              every suite
#   bash test/run.sh regress tap  only the named suites
#
# Suites: unit (C tests of src/core), fuzz (libFuzzer on the parser, on
# the sketch's readers and on the logscore_ewm text reader), regress
# (pg_regress on a temporary instance), regress-parallel (the same with
# force_parallel_mode = regress), isolation
# (pg_isolation_regress on test/specs), tap (PostgreSQL::Test::Cluster; the
# rollup and alert tests schedule real pg_cron jobs, the alert test runs the
# README's SQL as written there), citus (a coordinator and two workers,
# Citus built once from ../shared/vendor into a cache; skipped, and counted
# so, where that source is absent).
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../tools/common.sh"
source "$LS_ROOT/tools/citus.sh"
cd "$LS_ROOT"

suites=("$@")
[ ${#suites[@]} -eq 0 ] && suites=(unit fuzz regress regress-parallel isolation tap citus)

ls_install_packages "${LS_BASE_PACKAGES[@]}" libcmocka-dev libclang-rt-14-dev libipc-run-perl \
	postgresql-$PG_MAJOR-cron || exit 1
PGXS_DIR=$(dirname "$(dirname "$("$PG_CONFIG" --pgxs)")")
ls_build_install || exit 1

work=$(ls_scratch)
# LS_KEEP=1 keeps the scratch folder (results, diffs, logs) for a look afterwards
if [ -n "${LS_KEEP:-}" ]; then say "keeping $work"; else trap 'rm -rf "$work"' EXIT; fi

total_passed=0
total_failed=0
total_skipped=0
report=()

# record SUITE PASSED FAILED
record() {
	total_passed=$((total_passed + $2))
	total_failed=$((total_failed + $3))
	report+=("$(printf '%-18s %4d passed, %d failed' "$1" "$2" "$3")")
}

# skip SUITE REASON: a suite that could not run here, counted as one skipped
skip() {
	total_skipped=$((total_skipped + 1))
	report+=("$(printf '%-18s skipped: %s' "$1" "$2")")
	say "$1 skipped: $2"
}

# A copy of the tree the unprivileged user can write results into.
tree_copy() {
	local dest=$work/$1
	mkdir -p "$dest"
	cp -r Makefile README.md CONTRIBUTING.md docs src test expected sql logscore.control META.json "$dest"/
	[ "$(id -u)" -eq 0 ] && chown -R "$LS_RUN_USER" "$dest"
	echo "$dest"
}

run_unit() {
	local out=$work/unit.log
	make -s unit >"$out" 2>&1
	local rc=$?
	cat "$out"
	local passed failed
	passed=$(sed -n 's/.*\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$out" | awk '{s+=$1} END {print s+0}')
	failed=$(sed -n 's/.*\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$out" | awk '{s+=$1} END {print s+0}')
	[ "$rc" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
	record unit "$passed" "$failed"
}

# fuzz_one HARNESS SEEDS MAX_LEN: builds and runs one libFuzzer harness, with a
# fresh scratch corpus first (libFuzzer writes there) and the seeds second.
# Succeeds when the harness found nothing.
fuzz_one() {
	local harness=$1 seeds=$2 max_len=$3
	local log=$work/$harness.log corpus
	corpus=$(mktemp -d "$work/corpus.XXXXXX")
	if make -s "test/fuzz/$harness" >"$log" 2>&1 &&
		"./test/fuzz/$harness" -runs="${FUZZ_RUNS:-2000000}" -seed=1 -max_len="$max_len" \
			"$corpus" "$seeds" >>"$log" 2>&1; then
		tail -n 2 "$log"
		return 0
	fi
	tail -n 40 "$log"
	return 1
}

# Each harness counts as one test.
run_fuzz() {
	local passed=0 failed=0
	if fuzz_one fuzz_parse test/fuzz/corpus 256; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
	if fuzz_one fuzz_sketch_decode test/fuzz/corpus_sketch 4096; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
	if fuzz_one fuzz_ewm_text test/fuzz/corpus_ewm 256; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
	record fuzz "$passed" "$failed"
}

# run_regress NAME [pg_regress options]: the test/sql suite on a temporary instance.
run_regress() {
	local name=$1
	shift
	local dir
	make -s test/modules/ls_test_fmgr.so >/dev/null || { record "$name" 0 1; return; }
	dir=$(tree_copy "$name")
	local tests
	tests=$(cd test/sql && ls *.sql | sed 's/\.sql$//' | sort)
	(cd "$dir" && ls_as_user env LS_TEST_MODULES="$dir/test/modules" "$PGXS_DIR/test/regress/pg_regress" \
		--temp-instance="$dir/tmp_check" --bindir="$PG_BINDIR" \
		--inputdir=test --outputdir=. --no-locale --load-extension=logscore "$@" $tests) \
		>"$work/$name.log" 2>&1
	local rc=$?
	cat "$work/$name.log"
	local passed failed
	passed=$(grep -cE '^ *test .* \.\.\. ok|^ +[a-z_0-9]+ +\.\.\. ok' "$work/$name.log")
	failed=$(grep -cE '\.\.\. FAILED|\.\.\. failed' "$work/$name.log")
	if [ "$rc" -ne 0 ]; then
		[ -f "$dir/regression.diffs" ] && head -n 200 "$dir/regression.diffs"
		[ "$failed" -eq 0 ] && failed=1
	fi
	record "$name" "$passed" "$failed"
}

# run_isolation: the test/specs suite on a temporary instance.  Expected
# outputs are in the top-level expected/, which pg_isolation_regress (like
# pg_regress) looks in when the output folder is the tree's top.
run_isolation() {
	local dir
	dir=$(tree_copy isolation)
	local tests
	tests=$(cd test/specs && ls *.spec | sed 's/\.spec$//' | sort)
	(cd "$dir" && ls_as_user "$PGXS_DIR/test/isolation/pg_isolation_regress" \
		--temp-instance="$dir/tmp_check" --bindir="$PG_BINDIR" \
		--inputdir=test --outputdir=. --no-locale --load-extension=logscore $tests) \
		>"$work/isolation.log" 2>&1
	local rc=$?
	cat "$work/isolation.log"
	local passed failed
	passed=$(grep -cE '^ *test .* \.\.\. ok|^ +[a-z_0-9]+ +\.\.\. ok' "$work/isolation.log")
	failed=$(grep -cE '\.\.\. FAILED|\.\.\. failed' "$work/isolation.log")
	if [ "$rc" -ne 0 ]; then
		[ -f "$dir/regression.diffs" ] && head -n 200 "$dir/regression.diffs"
		[ "$failed" -eq 0 ] && failed=1
	fi
	record isolation "$passed" "$failed"
}

# run_prove NAME FOLDER [NAME=VALUE...]: the TAP tests in test/FOLDER, on a
# copy of the tree, with prove and the environment given.
run_prove() {
	local name=$1 folder=$2
	shift 2
	local dir
	dir=$(tree_copy "$name")
	(cd "$dir" && ls_as_user env PERL5LIB="$PGXS_DIR/test/perl" TESTDIR="$dir" \
		PG_REGRESS="$PGXS_DIR/test/regress/pg_regress" LS_SOURCE_DIR="$dir" "$@" \
		prove -v "test/$folder"/*.pl) >"$work/$name.log" 2>&1
	local rc=$?
	grep -vE '^ok ' "$work/$name.log" | tail -n 80
	local passed failed
	passed=$(grep -cE '^ *ok [0-9]+' "$work/$name.log")
	failed=$(grep -cE '^ *not ok [0-9]+' "$work/$name.log")
	if [ "$rc" -ne 0 ]; then
		[ "$failed" -eq 0 ] && failed=1
		for log in "$dir"/tmp_check/log/*; do
			[ -f "$log" ] && { echo "--- $log"; tail -n 30 "$log"; }
		done
	fi
	record "$name" "$passed" "$failed"
}

# run_citus: test/citus on a coordinator and two workers of a PostgreSQL
# installation with Citus in it (tools/citus.sh builds it once into a cache).
run_citus() {
	if [ -z "$(ls_citus_source)" ]; then
		skip citus "no Citus source at $LS_CITUS_TARBALL (the suite needs it to build Citus)"
		return
	fi
	local bindir
	bindir=$(ls_citus_prepare) || { record citus 0 1; return; }
	make -C "$LS_ROOT" -s install PG_CONFIG="$bindir/pg_config" >/dev/null || { record citus 0 1; return; }
	run_prove citus citus LS_CITUS_INSTALL="$(dirname "$bindir")"
}

for suite in "${suites[@]}"; do
	say "suite: $suite"
	case "$suite" in
		unit) run_unit ;;
		fuzz) run_fuzz ;;
		regress) run_regress regress ;;
		regress-parallel)
			printf 'force_parallel_mode = regress\nmax_parallel_workers_per_gather = 2\n' >"$work/parallel.conf"
			chmod a+r "$work/parallel.conf"
			run_regress regress-parallel --temp-config="$work/parallel.conf"
			;;
		isolation) run_isolation ;;
		tap) run_prove tap t ;;
		citus) run_citus ;;
		*) echo "unknown suite: $suite" >&2; record "$suite" 0 1 ;;
	esac
done

echo
printf '%s\n' "${report[@]}"
if [ "$total_skipped" -gt 0 ]; then
	echo "$total_passed passed, $total_failed failed, $total_skipped skipped"
else
	echo "$total_passed passed, $total_failed failed"
fi
[ "$total_failed" -eq 0 ]
