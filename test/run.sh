#!/usr/bin/env bash
# test/run.sh: the test command, and what .ci/run calls.  The Makefile's
# targets are the one definition of the tests; this installs what is
# missing, builds and installs logscore, starts a throwaway cluster, runs the
# targets for the suites asked for, and ends with one line
# "N passed, N failed" (", N skipped" when a suite or TAP file could not run).
#
#   bash test/run.sh              the default suites (about 3 minutes)
#   bash test/run.sh all          the default suites and the slow ones
#   bash test/run.sh regress tap  only the suites named
#   bash test/run.sh --pg 18      the default suites on PostgreSQL 18, which
#                                 tools/postgres.sh builds once into a cache
#   bash test/run.sh --pg 15 all --pg 18
#                                 a matrix (what CI runs): each --pg VERSION
#                                 takes the suites named after it (the
#                                 default ones when none), one version after
#                                 the other, then each version's suites'
#                                 lines and summary, and the total
#
# --pg 15 is Debian's PostgreSQL 15, or the one PG_CONFIG names when that is
# a 15; --pg 18 is PostgreSQL 18.6 built from the vendored source.  Without
# --pg, PG_CONFIG's (Debian's 15 by default).
#
# Suite             what runs it (server suites in a copy of the tree, as the
#                   unprivileged user, against the throwaway cluster)
#   unit            make unit                 the core's C tests
#   fuzz            make fuzz                 libFuzzer, 200,000 runs a harness
#   regress         make installcheck         test/sql (REGRESS only)
#   regress-parallel  the same with PGOPTIONS force_parallel_mode=regress
#                   (debug_parallel_query since 16),
#                   max_parallel_workers_per_gather=2
#   isolation       make installcheck         test/specs (ISOLATION only)
#   tap             make prove_installcheck   test/t, three files at a time
#   citus           make prove_installcheck PROVE_TESTS=test/citus/*.pl, on
#                   a PostgreSQL with Citus built once into a cache from the
#                   vendored source (tools/citus.sh); skipped where it is
#                   absent, and on 18, which Citus 13.2.2 does not support
# The slow suites, not in the default (CI runs them: `all`):
#   slow            make installcheck-slow    test/slow: the differential test
#                   at full strength
#   slow-parallel   the same with the parallel-mode PGOPTIONS
#   fuzz-slow       make fuzz FUZZ_RUNS=2000000
#
# Four lanes run side by side, each one suite after another: tap, citus, the
# core's suites (unit, fuzz, fuzz-slow) and the cluster's (the rest).
#
# Environment: PG_CONFIG selects the PostgreSQL installation (tools/common.sh);
# LS_KEEP=1 keeps the scratch folder (results, diffs, logs) and says where;
# LS_PGPORT is the throwaway cluster's port; LS_CITUS_TARBALL the Citus
# source; LS_PG18_TARBALL and LS_PG_CRON_TARBALL PostgreSQL 18's and
# pg_cron's (tools/postgres.sh); LS_CACHE the cache the built servers are
# kept in; WERROR=1 builds the extension with warnings as errors (.ci/run).
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../tools/common.sh"
source "$LS_ROOT/tools/citus.sh"
source "$LS_ROOT/tools/postgres.sh"
cd "$LS_ROOT"

DEFAULT_SUITES=(unit fuzz regress regress-parallel isolation tap citus)
SLOW_SUITES=(slow slow-parallel fuzz-slow)

# summary_line PASSED FAILED SKIPPED: the one line the command ends with.
summary_line() {
	if [ "$3" -gt 0 ]; then
		echo "$1 passed, $2 failed, $3 skipped"
	else
		echo "$1 passed, $2 failed"
	fi
}

# The arguments as groups: a --pg VERSION starts one, and the suites after it
# are its own; suites before any --pg are PG_CONFIG's (version "").
group_versions=("")
group_suites=("")
while [ $# -gt 0 ]; do
	case "$1" in
		--pg | --pg=*)
			if [ "$1" = --pg ]; then
				[ $# -ge 2 ] || { echo "--pg needs a version (15 or 18)" >&2; exit 2; }
				version=$2
				shift
			else
				version=${1#--pg=}
			fi
			# what came before the first --pg, if nothing, is no group
			if [ ${#group_versions[@]} -eq 1 ] && [ -z "${group_versions[0]}" ] &&
				[ -z "${group_suites[0]}" ]; then
				group_versions=()
				group_suites=()
			fi
			group_versions+=("$version")
			group_suites+=("")
			;;
		*) group_suites[-1]+=" $1" ;;
	esac
	shift
done

# A matrix: this script once for each version, one after the other, and then
# each version's suites and summary line and the total.
if [ ${#group_versions[@]} -gt 1 ]; then
	matrix=$(mktemp -d "${TMPDIR:-/tmp}/logscore-matrix.XXXXXX")
	trap 'rm -rf "$matrix"' EXIT
	t_start=$SECONDS
	for i in "${!group_versions[@]}"; do
		version=${group_versions[$i]}
		# shellcheck disable=SC2086 # the group's suites, split
		LS_REPORT=$matrix/$i bash "$0" ${version:+--pg "$version"} ${group_suites[$i]}
	done
	echo
	total_passed=0
	total_failed=0
	total_skipped=0
	for i in "${!group_versions[@]}"; do
		version=${group_versions[$i]:-PG_CONFIG}
		[ -s "$matrix/$i" ] || echo "PostgreSQL $version: did not run: 0 passed, 1 failed" >"$matrix/$i"
		cat "$matrix/$i"
		summary=$(tail -n 1 "$matrix/$i")
		read -r passed failed skipped < <(echo "$summary" |
			sed -E 's/^.*: ([0-9]+) passed, ([0-9]+) failed(, ([0-9]+) skipped)?$/\1 \2 \4/')
		total_passed=$((total_passed + ${passed:-0}))
		total_failed=$((total_failed + ${failed:-1}))
		total_skipped=$((total_skipped + ${skipped:-0}))
	done
	echo
	say "the matrix: $((SECONDS - t_start)) s"
	summary_line "$total_passed" "$total_failed" "$total_skipped"
	[ "$total_failed" -eq 0 ]
	exit
fi

# One version: its server.
case "${group_versions[0]}" in
	"") ;;
	15) [ "$PG_MAJOR" = 15 ] || ls_use_pg_config "" ;;
	18)
		bindir=$(ls_pg_prepare 18) || exit 1
		ls_use_pg_config "$bindir/pg_config"
		;;
	*) echo "--pg ${group_versions[0]}: test/run.sh tests PostgreSQL 15 and 18" >&2; exit 2 ;;
esac
say "testing on $("$PG_CONFIG" --version) ($PG_CONFIG)"

suites=()
for arg in ${group_suites[0]}; do
	case "$arg" in
		all) suites+=("${DEFAULT_SUITES[@]}" "${SLOW_SUITES[@]}") ;;
		default) suites+=("${DEFAULT_SUITES[@]}") ;;
		*) suites+=("$arg") ;;
	esac
done
[ ${#suites[@]} -eq 0 ] && suites=("${DEFAULT_SUITES[@]}")

# PostgreSQL 16 renamed force_parallel_mode debug_parallel_query.
if [ "$PG_MAJOR" -ge 16 ]; then
	PARALLEL_PGOPTIONS='-c debug_parallel_query=regress -c max_parallel_workers_per_gather=2'
else
	PARALLEL_PGOPTIONS='-c force_parallel_mode=regress -c max_parallel_workers_per_gather=2'
fi

# A caller's libpq settings would redirect or change the suites' sessions.
unset PGSERVICE PGOPTIONS PGDATABASE LS_TEST_MODULES

# pg_cron for the TAP tests: Debian's for its 15; a server built from source
# has it built in (tools/postgres.sh).  clang-14 is libFuzzer's.
extra_packages=(libcmocka-dev clang-14 libclang-rt-14-dev libipc-run-perl)
[ "$PG_MAJOR" = 15 ] && extra_packages+=(postgresql-$PG_MAJOR-cron)
ls_install_packages "${LS_BASE_PACKAGES[@]}" "${extra_packages[@]}" || exit 1
ls_build_install || exit 1

work=$(ls_scratch)
cleanup() {
	ls_cluster_stop "$work/cluster"
	# LS_KEEP=1 keeps the scratch folder (results, diffs, logs) for a look afterwards
	if [ -n "${LS_KEEP:-}" ]; then say "keeping $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- running one suite -----------------------------------------------------

# Each suite writes what it printed to $work/NAME.log and its counts,
# "PASSED FAILED SKIPPED SECONDS", to $work/NAME.result.

# tree_copy NAME: a copy of the tree the unprivileged user can write results
# into: every file git knows of, or would (new ones included), or, outside a
# git checkout, the tree without build products; either way with the
# install script built from sql/logscore.sql.
tree_copy() {
	local dest=$work/$1
	mkdir -p "$dest"
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git ls-files -z --cached --others --exclude-standard |
			while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
			xargs -0 cp --parents -t "$dest"
	else
		tar -c --exclude='*.o' --exclude='*.so' --exclude='*.bc' --exclude=results \
			--exclude=tmp_check --exclude=output_iso --exclude='regression.*' . | tar -x -C "$dest"
	fi
	# and the install script built from sql/logscore.sql, which a test checks
	cp sql/*.sql "$dest/sql/"
	[ "$(id -u)" -eq 0 ] && chown -R "$LS_RUN_USER" "$dest"
	echo "$dest"
}

# in_copy NAME CMD...: CMD in a fresh copy of the tree, as the unprivileged
# user, with the cluster's connection settings and PGOPTIONS if set
in_copy() {
	local dir
	dir=$(tree_copy "$1")
	shift
	(cd "$dir" && ls_as_user env PGHOST="$PGHOST" PGPORT="$PGPORT" PGUSER="$PGUSER" \
		${PGOPTIONS:+PGOPTIONS="$PGOPTIONS"} "$@")
}

# regress_counts LOG RC: pg_regress's "test NAME ... ok" lines (15), or its
# TAP lines "ok N - NAME" and "not ok N - NAME" (16 and later), as
# "PASSED FAILED 0"; a failed run with no failed test counts one failure.
regress_counts() {
	local passed failed
	passed=$(grep -cE '^(test| ) +[a-z_0-9]+ +\.\.\. ok|^ok +[0-9]+ +[-+] +[a-z_0-9]+ ' "$1")
	failed=$(grep -cE '\.\.\. FAILED|\.\.\. failed|^not ok +[0-9]+ +[-+] ' "$1")
	[ "$2" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
	echo "$passed $failed 0"
}

# prove_counts LOG RC: from prove's summary, "PASSED FAILED SKIPPED", a
# skipped file (plan skip_all) counting as one skipped.
prove_counts() {
	local tests failed skipped
	tests=$(sed -n 's/^Files=[0-9]*, Tests=\([0-9]*\),.*/\1/p' "$1" | tail -n 1)
	failed=$(sed -n 's/^Failed \([0-9]*\)\/[0-9]* subtests.*/\1/p' "$1" | awk '{s+=$1} END {print s+0}')
	skipped=$(grep -cE '\.\. skipped: ' "$1")
	[ "$2" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
	echo "$((${tests:-0} - failed)) $failed $skipped"
}

run_unit() {
	make -s unit 2>&1
	local rc=$?
	local passed failed
	passed=$(grep -h '\[  PASSED  \]' "$log" | sed 's/.*\] \([0-9]*\) test.*/\1/' | awk '{s+=$1} END {print s+0}')
	failed=$(grep -h '\[  FAILED  \] [0-9]* test' "$log" | sed 's/.*\] \([0-9]*\) test.*/\1/' | awk '{s+=$1} END {print s+0}')
	[ "$rc" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
	echo "$passed $failed 0" >"$result"
}

# Each harness counts as one test: it passes when libFuzzer finishes its runs.
run_fuzz() {
	make -s -k fuzz "$@" 2>&1
	local harnesses passed
	harnesses=$(ls test/fuzz/fuzz_*.c | wc -l)
	passed=$(grep -cE '^Done [0-9]+ runs' "$log")
	echo "$passed $((harnesses - passed)) 0" >"$result"
}

# run_installcheck NAME TARGET [MAKE ARGUMENTS]: a pg_regress target in a
# copy of the tree, its own database named after the suite so that suites
# may share the cluster.
run_installcheck() {
	local name=$1 target=$2
	shift 2
	in_copy "$name" make -s "$target" CONTRIB_TESTDB="regress_${name//-/_}" \
		ISOLATION_TESTDB="isolation_${name//-/_}" NO_LOCALE=1 "$@" 2>&1
	local rc=$?
	[ "$rc" -ne 0 ] && [ -f "$work/$name/regression.diffs" ] && head -n 200 "$work/$name/regression.diffs"
	regress_counts "$log" "$rc" >"$result"
}

# run_prove NAME [MAKE ARGUMENTS]: make prove_installcheck in a copy of the tree
run_prove() {
	local name=$1
	shift
	in_copy "$name" make -s prove_installcheck PROVE_FLAGS="-j3 --timer" "$@" 2>&1
	local rc=$?
	if [ "$rc" -ne 0 ]; then
		for server_log in "$work/$name"/tmp_check/log/*; do
			[ -f "$server_log" ] && { echo "--- $server_log"; tail -n 30 "$server_log"; }
		done
	fi
	prove_counts "$log" "$rc" >"$result"
}

# run_citus: test/citus on a coordinator and two workers of a PostgreSQL
# installation with Citus in it (tools/citus.sh builds it once into a cache).
run_citus() {
	if [ "$PG_MAJOR" -ge 18 ]; then
		echo "skipped: Citus $LS_CITUS_VERSION does not support PostgreSQL $PG_MAJOR"
		echo "0 0 1" >"$result"
		return
	elif [ "$PG_MAJOR" != 15 ]; then
		echo "skipped: tools/citus.sh builds Citus for Debian's PostgreSQL 15 only"
		echo "0 0 1" >"$result"
		return
	fi
	if [ -z "$(ls_citus_source)" ]; then
		echo "skipped: no Citus source at $LS_CITUS_TARBALL (the suite needs it to build Citus)"
		echo "0 0 1" >"$result"
		return
	fi
	local bindir
	bindir=$(ls_citus_prepare) &&
		make -s install PG_CONFIG="$bindir/pg_config" >/dev/null ||
		{ echo "0 1 0" >"$result"; return; }
	run_prove citus PROVE_TESTS="$(echo test/citus/*.pl)" LS_CITUS_INSTALL="$(dirname "$bindir")"
}

# run_suite NAME: runs one suite, its output into $work/NAME.log
run_suite() {
	local name=$1 t0=$SECONDS
	local log=$work/$name.log result=$work/$name.result
	say "suite $name: started"
	case "$name" in
		unit) run_unit ;;
		fuzz) run_fuzz ;;
		fuzz-slow) run_fuzz FUZZ_RUNS=2000000 ;;
		regress) run_installcheck regress installcheck ISOLATION= ;;
		regress-parallel) PGOPTIONS=$PARALLEL_PGOPTIONS run_installcheck regress-parallel installcheck ISOLATION= ;;
		isolation) run_installcheck isolation installcheck REGRESS= ;;
		slow) run_installcheck slow installcheck-slow ;;
		slow-parallel) PGOPTIONS=$PARALLEL_PGOPTIONS run_installcheck slow-parallel installcheck-slow ;;
		tap) run_prove tap ;;
		citus) run_citus ;;
		*) echo "unknown suite: $name"; echo "0 1 0" >"$result" ;;
	esac >"$log" 2>&1
	[ -f "$result" ] || echo "0 1 0" >"$result"
	echo "$(cat "$result") $((SECONDS - t0))" >"$result"
	say "suite $name: done in $((SECONDS - t0)) s"
}

# --- the run ---------------------------------------------------------------

t_start=$SECONDS
mkdir -p "$work/cluster"
[ "$(id -u)" -eq 0 ] && chown "$LS_RUN_USER" "$work/cluster"
ls_cluster_start "$work/cluster" || exit 1
say "cluster on $PGHOST, port $PGPORT"

# Four lanes run side by side, each its suites in the order asked for: tap
# (its own servers; much of it is waiting for pg_cron), citus (its own
# servers), the core's (no server) and the cluster's.
lane_of() {
	case "$1" in
		tap | citus) echo "$1" ;;
		unit | fuzz | fuzz-slow) echo core ;;
		*) echo cluster ;;
	esac
}
pids=()
for lane in tap citus core cluster; do
	mine=()
	for suite in "${suites[@]}"; do
		[ "$(lane_of "$suite")" = "$lane" ] && mine+=("$suite")
	done
	[ ${#mine[@]} -eq 0 ] && continue
	(for suite in "${mine[@]}"; do run_suite "$suite"; done) &
	pids+=($!)
done
for pid in "${pids[@]}"; do
	wait "$pid"
done

total_passed=0
total_failed=0
total_skipped=0
report=()
for suite in "${suites[@]}"; do
	echo
	echo "=== $suite"
	case "$suite" in
		# prove's "ok" lines say little; the rest of the log says what ran
		tap | citus) grep -vE '^ok ' "$work/$suite.log" | tail -n 80 ;;
		*) cat "$work/$suite.log" ;;
	esac
	read -r passed failed skipped seconds <"$work/$suite.result"
	total_passed=$((total_passed + passed))
	total_failed=$((total_failed + failed))
	total_skipped=$((total_skipped + skipped))
	line=$(printf '%-18s %4d passed, %d failed' "$suite" "$passed" "$failed")
	[ "$skipped" -gt 0 ] && line+=", $skipped skipped"
	report+=("$(printf '%-50s %4d s' "$line" "$seconds")")
	# and why: a skipped TAP file's or suite's reason
	while IFS= read -r reason; do
		report+=("    $reason")
	done < <(grep -E '^skipped: |\.\. skipped: ' "$work/$suite.log" | sed 's/^\[[0-9:]*\] //')
done

summary=$(summary_line "$total_passed" "$total_failed" "$total_skipped")
echo
printf '%s\n' "${report[@]}"
say "all suites on PostgreSQL $PG_MAJOR: $((SECONDS - t_start)) s"
echo "$summary"
# for a matrix (above): the suites' lines and the version's summary
if [ -n "${LS_REPORT:-}" ]; then
	{
		printf '%s\n' "${report[@]}"
		echo "PostgreSQL $("$PG_CONFIG" --version | awk '{print $2}'): $summary"
	} >"$LS_REPORT"
fi
[ "$total_failed" -eq 0 ]
