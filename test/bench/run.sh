#!/usr/bin/env bash
# test/bench/run.sh: the benchmark harness, `bash test/bench/run.sh` (or
# `make bench`).
#
# Scores the same events with logscore and with what a user would write
# instead (plain SQL, a SQL function, PL/pgSQL, PL/Python with the founding
# classes, the founding Python programs), side by side in one run on a
# throwaway cluster, and writes test/bench/results.{csv,md,png}.  Run it as
# root on Debian 12 (it installs what it needs), by hand: it is not a test.
#
#   bash test/bench/run.sh               1M and 10M rows, 5 rounds (~4 min)
#   bash test/bench/run.sh --quick       smoke run: 100k rows, 1 round, prints
#                                        the report, keeps nothing
#   bash test/bench/run.sh --with-100m   also 100M rows in the growth test
#                                        (~15 min; shared_buffers 10GB, not 4GB)
#   bash test/bench/run.sh --rounds N    timed rounds after the warm-up (5;
#                                        3 with --sketch)
#   bash test/bench/run.sh --out DIR     where results.* go (test/bench)
#   bash test/bench/run.sh --sketch      the sketch section only (issue 4): the
#                                        logscore_sketch aggregate vs avg(),
#                                        percentile_cont/_disc and tdigest over
#                                        10M rows, and an incremental rollup
#                                        vs REFRESH MATERIALIZED VIEW; writes
#                                        sketch-results.{csv,md}, 3 rounds by
#                                        default (~3 min); uses the logscore
#                                        installed, builds nothing
#   bash test/bench/run.sh --window      the window section only (issue 5):
#                                        logscore_zscore and
#                                        logscore_robust_zscore over 1M rows
#                                        at windows of 10 to 10,000 rows vs
#                                        the built-in avg/stddev window and a
#                                        LATERAL percentile_cont; writes
#                                        window-results.{csv,md}, 3 rounds by
#                                        default (~5 min); uses the logscore
#                                        installed, builds nothing
#   bash test/bench/run.sh --detect      the detection section only (issue 14):
#                                        NAB scores of anomaly detectors written
#                                        in SQL (logscore_zscore, _robust_zscore,
#                                        _ewm, a rank combination, and
#                                        logscore_detect where it exists) on a
#                                        generated labelled corpus of 48 series;
#                                        writes detect-results.md and detect.png
#                                        (~2 min; test/bench/detect/README.md)
#   bash test/bench/run.sh --scaleout    the scale-out section only (issue 10):
#                                        a coordinator and two Citus workers
#                                        (Citus built once from ../shared/vendor,
#                                        as the test command does); per-row
#                                        work on a shard vs one node, the
#                                        coordinator's merge per partial
#                                        state, bytes shipped, and the
#                                        projected speed-up; writes
#                                        scaleout-results.{csv,md} (~3 min)
#   bash test/bench/run.sh --soak [MINUTES]
#                                        the continuous pipeline's soak (issue
#                                        13): docs/continuous-pipeline.md's
#                                        deployment under W writers, its
#                                        pg_cron jobs, a NOTIFY listener, R
#                                        dashboard readers and an incident for
#                                        MINUTES (10), then the same without
#                                        the rollups and with the score in the
#                                        rollup (40% of MINUTES each, 1 to 4);
#                                        writes soak-results.{json,md} and
#                                        soak.png (~25 min); the machine should
#                                        be otherwise idle
#     --writers W, --readers R           for --soak: 4 writers, 2 readers
#     --page FILE                        for --soak: the page whose blocks
#                                        make the deployment
#     --lateness INTERVAL                for --soak: the rollup's lateness
#                                        (the page's by default)
#
# Timing: every candidate of a configuration runs in one long-lived psql
# session, interleaved A B C ... A B C ..., one discarded warm-up round first;
# psql's \timing gives each query's time as the client sees it (parse, plan,
# JIT compilation, execution).  Every candidate's total is checked against
# the others'; a mismatch stops the run before anything is written.
set -euo pipefail

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=SCRIPTDIR/../../tools/common.sh
source "$bench_dir/../../tools/common.sh"
cd "$LS_ROOT"

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }

QUICK=
SKETCH=
WINDOW=
SCALEOUT=
DETECT=
SOAK=
SOAK_MINUTES=10
SOAK_WRITERS=4
SOAK_READERS=2
SOAK_PAGE=
SOAK_LATENESS=
WITH_100M=
ROUNDS=
OUT=
while [ $# -gt 0 ]; do
	case $1 in
	--quick) QUICK=1 ;;
	--with-100m) WITH_100M=1 ;;
	--sketch) SKETCH=1 ;;
	--window) WINDOW=1 ;;
	--scaleout) SCALEOUT=1 ;;
	--detect) DETECT=1 ;;
	--soak)
		SOAK=1
		if [[ ${2:-} =~ ^[0-9]+$ ]]; then
			SOAK_MINUTES=$2
			shift
		fi
		;;
	--writers)
		SOAK_WRITERS=${2:-}
		shift
		;;
	--readers)
		SOAK_READERS=${2:-}
		shift
		;;
	--page)
		SOAK_PAGE=${2:-}
		shift
		;;
	--lateness)
		SOAK_LATENESS=${2:-}
		shift
		;;
	--rounds)
		ROUNDS=${2:-}
		shift
		;;
	--rounds=*) ROUNDS=${1#--rounds=} ;;
	--out)
		OUT=${2:-}
		shift
		;;
	--out=*) OUT=${1#--out=} ;;
	-h | --help)
		usage
		exit 0
		;;
	*)
		usage >&2
		exit 2
		;;
	esac
	shift
done
if [ -n "$ROUNDS" ] && ! [[ $ROUNDS =~ ^[1-9][0-9]*$ ]]; then
	echo "--rounds wants a positive integer, not '$ROUNDS'" >&2
	exit 2
fi

# The soak runs on servers of its own (test/bench/soak.sh).
if [ -n "$SOAK" ]; then
	# shellcheck source=SCRIPTDIR/soak.sh
	source "$bench_dir/soak.sh"
	exit 0
fi

# The scale-out section runs on its own servers (test/bench/scaleout.pl).
if [ -n "$SCALEOUT" ]; then
	source "$LS_ROOT/tools/citus.sh"
	ls_install_packages "${LS_BASE_PACKAGES[@]}" libipc-run-perl
	citus_bin=$(ls_citus_prepare)
	ls_build_install
	make -s install PG_CONFIG="$citus_bin/pg_config" >/dev/null
	scratch=$(ls_scratch)
	trap 'rm -rf "$scratch"' EXIT
	cp -r "$LS_ROOT/test" "$LS_ROOT/tools" "$scratch/"
	[ "$(id -u)" -eq 0 ] && chown -R "$LS_RUN_USER" "$scratch"
	pgxs_dir=$(dirname "$(dirname "$("$PG_CONFIG" --pgxs)")")
	(cd "$scratch" && ls_as_user env PERL5LIB="$pgxs_dir/test/perl" TESTDIR="$scratch" \
		PG_REGRESS="$pgxs_dir/test/regress/pg_regress" \
		LS_CITUS_INSTALL="$(dirname "$citus_bin")" LS_BENCH_OUT="$scratch" \
		LS_BENCH_ROUNDS="${ROUNDS:-5}" ${QUICK:+LS_BENCH_ROWS=200000} \
		LS_BENCH_GIT="$(git -C "$LS_ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')" \
		perl test/bench/scaleout.pl)
	out=${OUT:-$bench_dir}
	[ -n "$QUICK" ] && exit 0
	mkdir -p "$out"
	cp "$scratch/scaleout-results.md" "$scratch/scaleout-results.csv" "$out/"
	say "wrote $out/scaleout-results.{csv,md}"
	exit 0
fi

# The sizes: the first is the one every candidate runs at; the growth
# candidates run at all of them.
if [ -n "$QUICK" ]; then
	SIZES=(100000 200000)
else
	SIZES=(1000000 10000000)
fi
rounds_given=$ROUNDS
if [ -z "$ROUNDS" ]; then
	if [ -n "$QUICK" ]; then
		ROUNDS=1
	elif [ -n "$SKETCH" ] || [ -n "$WINDOW" ] || [ -n "$DETECT" ]; then
		ROUNDS=3
	else
		ROUNDS=5
	fi
fi
[ -n "$WITH_100M" ] && SIZES+=(100000000)
SMALL=${SIZES[0]}
BATCH=1000         # values per array for logscore_array / logscore_batch
CHUNK=10000000     # rows generated per INSERT
SEED=0.42
FOUNDING_SUM=190478476194285708
PIPELINE='scale(2) | modsquare(7, 5)'

# Server settings for the whole run; the per-configuration ones are SET in
# each session.  No autovacuum or checkpoint in the middle of a timing.
SHARED_BUFFERS=4GB
[ -n "$WITH_100M" ] && SHARED_BUFFERS=10GB   # the three tables take ~7 GB
[ -n "$DETECT" ] && SHARED_BUFFERS=1GB       # the corpus is 0.5M rows
SERVER_SETTINGS=(
	"shared_buffers=$SHARED_BUFFERS"
	work_mem=64MB
	maintenance_work_mem=1GB
	max_parallel_workers=2
	max_worker_processes=8
	autovacuum=off
	max_wal_size=32GB
	checkpoint_timeout=1h
)
JIT_ON_SETTINGS='jit = on, jit_above_cost = 0, jit_inline_above_cost = 0, jit_optimize_above_cost = 0'

# psql's "Time:" must be C's.
export LC_ALL=C

# Debian's Python, the one python3-matplotlib and PL/Python belong to, even
# when another python3 comes first in PATH.
PYTHON=/usr/bin/python3

run_t0=$(now_us)

sql() { ls_psql "$@"; }
sql_value() { sql -At -c "$1"; }

label() { # 1000000 -> 1m
	local n=$1
	if ((n % 1000000 == 0)); then echo "$((n / 1000000))m"; else echo "$((n / 1000))k"; fi
}

# --- setup ---------------------------------------------------------------

say "checking packages"
if [ -n "$SKETCH" ]; then
	ls_install_packages "${LS_BASE_PACKAGES[@]}" "postgresql-$PG_MAJOR-tdigest"
elif [ -n "$WINDOW" ]; then
	ls_install_packages "${LS_BASE_PACKAGES[@]}"
elif [ -n "$DETECT" ]; then
	ls_install_packages "${LS_BASE_PACKAGES[@]}" python3-numpy python3-matplotlib
else
	ls_install_packages "${LS_BASE_PACKAGES[@]}" "postgresql-plpython3-$PG_MAJOR" python3-matplotlib
fi

if [ -n "$SKETCH" ] || [ -n "$WINDOW" ]; then
	# the sketch and window sections measure the logscore installed, as it is
	if [ ! -f "$("$PG_BINDIR/pg_config" --sharedir)/extension/logscore.control" ]; then
		echo "logscore is not installed; run 'make install' (or 'bash test/bench/run.sh') first" >&2
		exit 1
	fi
	say "using the logscore installed (--sketch and --window build nothing)"
else
	ls_build_or_use_installed test/bench/run.sh
fi
# Someone may reinstall logscore while we run.  A backend keeps the build it
# loaded, so a session is consistent when logscore.so is the same before and
# after it; so_mark notes the build at those points, and the run is flagged
# when they differ.
so_file=$("$PG_BINDIR/pg_config" --pkglibdir)/logscore.so
so_marks=()
so_mark() { so_marks+=("$1=$(md5sum "$so_file" | cut -d' ' -f1)"); }
so_mark installed

scratch=
ls_cleanup_on_exit scratch "benchmark FAILED"

scratch=$(ls_scratch)
csv=$scratch/results.csv
collect() { "$PYTHON" "$bench_dir/collect.py" "$csv" "$@"; }
meta() { collect meta "$1" "$2"; }

# --- facts about the run -------------------------------------------------

cmd="bash test/bench/run.sh"
[ -n "$QUICK" ] && cmd+=" --quick"
[ -n "$WITH_100M" ] && cmd+=" --with-100m"
[ -n "$SKETCH" ] && cmd+=" --sketch"
[ -n "$WINDOW" ] && cmd+=" --window"
[ -n "$DETECT" ] && cmd+=" --detect"
[ -n "$rounds_given" ] && cmd+=" --rounds $ROUNDS"
[ -n "$OUT" ] && cmd+=" --out $OUT"
meta date "$(date -u '+%Y-%m-%d %H:%M UTC')"
meta load_before "$(cut -d' ' -f1-3 /proc/loadavg)"
meta command "$cmd"
meta quick "${QUICK:-0}"
meta rounds "$ROUNDS"
meta sizes "${SIZES[*]}"
meta batch_size "$BATCH"
meta cpu "$(lscpu | sed -n 's/^Model name: *//p' | head -n1)"
meta cores "$(nproc)"
meta memory "$(free -g | awk '/^Mem:/ {print $2 " GiB"}')"
meta kernel "$(uname -r)"
meta os "$(sed -n 's/^PRETTY_NAME="\(.*\)"/\1/p' /etc/os-release)"
meta python "$("$PYTHON" -c 'import platform; print(platform.python_implementation(), platform.python_version())')"
meta compiler "$(${CC:-cc} --version | head -n1)"
meta git "$(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- src sql 2>/dev/null || echo ' (src/ or sql/ modified)')"
meta extversion "$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" logscore.control)"
meta server_settings "fsync=off ${SERVER_SETTINGS[*]}"
meta jit_on_settings "$JIT_ON_SETTINGS"

# --- the core without a server -------------------------------------------

if [ -n "$SKETCH" ] || [ -n "$WINDOW" ] || [ -n "$DETECT" ]; then
	: # not part of the sketch, window or detection sections
elif [ -f test/bench/core_bench.c ]; then
	say "core micro-benchmark (src/core, no server)"
	make -s test/bench/core_bench
	for ((r = 1; r <= ROUNDS; r++)); do
		./test/bench/core_bench 2>/dev/null | collect core "$r"
	done
else
	say "test/bench/core_bench.c is missing: no core micro-benchmark"
fi

# --- generating events ---------------------------------------------------

# generate TABLE ROWS [START [SPAN]]: the demo's events (tools/generate_events.sql
# says what they look like), made repeatable (setseed, and a fixed day instead
# of now()), in INSERTs of at most CHUNK rows; ts runs from START over SPAN
# (SQL expressions; by default the day 2024-06-03 UTC, 24 hours).
generate() {
	local table=$1 rows=$2 start=${3:-"timestamptz '2024-06-03 00:00:00+00'"} span=${4:-"interval '24 hours'"} lo hi
	{
		cat <<SQL
CREATE TABLE $table (id bigint, ts timestamptz, service text, value bigint);
SELECT setseed($SEED) \\g /dev/null
SQL
		for ((lo = 1; lo <= rows; lo += CHUNK)); do
			hi=$((lo + CHUNK - 1))
			((hi > rows)) && hi=$rows
			cat <<SQL
SELECT '$table' AS tbl, $lo AS lo, $hi AS hi, $rows AS rows,
       $start AS start, $span AS span \\gset
\\i $LS_ROOT/tools/generate_events.sql
SQL
		done
	} | sql
}

# marker ROUND CANDIDATE ROWS EXPECT: the psql line that heads a measurement
# in psql's output (see collect.py)
marker() { printf '\\echo @@ %s\n' "$*"; }

# finish_run NAME REPORT [EXTRA]: records the run's last facts (load, whether
# logscore.so changed under it, how long it took), then writes NAME.csv, and
# NAME.md (and EXTRA, e.g. NAME.png) made from it by REPORT: into --out, or
# test/bench, or for --quick into scratch, printing the report (a smoke run
# keeps nothing).
finish_run() {
	local name=$1 report=$2 extra=${3:-} out
	meta load_after "$(cut -d' ' -f1-3 /proc/loadavg)"
	if [ "$(printf '%s\n' "${so_marks[@]}" | cut -d= -f2 | sort -u | wc -l)" -ne 1 ]; then
		say "WARNING: logscore.so was reinstalled during the run: ${so_marks[*]}"
		meta so_changed "${so_marks[*]}"
	fi
	meta run_seconds "$((($(now_us) - run_t0) / 1000000))"
	if [ -n "$OUT" ]; then
		mkdir -p "$OUT"
		out=$(cd "$OUT" && pwd)
	elif [ -n "$QUICK" ]; then
		out=$scratch/report
		mkdir -p "$out"
	else
		out=$bench_dir
	fi
	cp "$csv" "$out/$name.csv"
	"$PYTHON" "$bench_dir/$report" "$out/$name.csv" "$out/$name.md" ${extra:+"$out/$extra"}
	if [ -n "$QUICK" ] && [ -z "$OUT" ]; then
		cat "$out/$name.md"
	else
		say "wrote $out/$name.md, $name.csv${extra:+ and $extra}"
	fi
	say "done in $(elapsed "$run_t0")"
}

# --- the cluster ---------------------------------------------------------

say "starting a throwaway PostgreSQL $PG_MAJOR cluster (shared_buffers=$SHARED_BUFFERS)"
# As root the server runs as another account, which may not read our folder.
cd "$scratch"
ls_cluster_start "$scratch" "${SERVER_SETTINGS[@]}"
meta postgresql "$(sql_value 'SELECT version()')"
if [ "$(sql_value 'SELECT pg_jit_available()')" != t ]; then
	echo "JIT is not available on this server (llvmjit missing?)" >&2
	exit 1
fi

if [ -n "$SKETCH" ]; then
	# shellcheck source=SCRIPTDIR/sketch.sh
	source "$bench_dir/sketch.sh"
	exit 0
fi
if [ -n "$WINDOW" ]; then
	# shellcheck source=SCRIPTDIR/window.sh
	source "$bench_dir/window.sh"
	exit 0
fi
if [ -n "$DETECT" ]; then
	# shellcheck source=SCRIPTDIR/detect.sh
	source "$bench_dir/detect.sh"
	exit 0
fi

# The PL/Python candidate runs the founding Stage 2 classes, taken from the
# harness's copy of the programs so that there is one copy only.
# Indented by four spaces, as the body of an "if".
stage2=$(sed -n '/^# Stage 2/,/^# Stage 3/p' "$bench_dir/seed_stages.py" | sed '$d; s/^./    &/')
grep -q '^    class Pipeline' <<<"$stage2" || { echo "no Stage 2 section in seed_stages.py" >&2; exit 1; }

say "creating the extensions and the candidate functions"
sql <<SQL
CREATE EXTENSION logscore;
CREATE EXTENSION plpython3u;
CREATE EXTENSION pg_prewarm;
CREATE EXTENSION pg_buffercache;

-- 3: what a user writes as a SQL function.  Not STRICT: a STRICT function
-- whose body (a CASE) is not strict is not inlined, and then runs its body
-- through the executor once per row -- with jit_above_cost = 0 compiling it
-- once per row, for minutes.  Inlined, it is the plain SQL expression.
CREATE FUNCTION sql_score(x bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS \$\$ SELECT CASE WHEN (x * 2) % 7 = 0 THEN (x * 2) * (x * 2) ELSE x * 2 + 5 END \$\$;

-- 4: the same in PL/pgSQL
CREATE FUNCTION plpgsql_score(x bigint) RETURNS bigint
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS \$\$
DECLARE
	y bigint := x * 2;
BEGIN
	IF y % 7 = 0 THEN
		RETURN y * y;
	END IF;
	RETURN y + 5;
END
\$\$;

-- 5: the founding Stage 2 classes, defined once per session (and once per
-- parallel worker, where SPI may not run) into GD, then called per row.
CREATE FUNCTION plpython_score(x bigint) RETURNS bigint
LANGUAGE plpython3u IMMUTABLE STRICT PARALLEL SAFE
AS \$py\$
if 'seed_pipeline' not in GD:
$stage2
    GD['seed_pipeline'] = Pipeline(Transformer(), Scorer())
return GD['seed_pipeline'].run([x])[0]
\$py\$;
SQL

say "the founding check"
got=$(sql_value 'SELECT sum(logscore(x)) FROM generate_series(0, 999999) x')
py=$("$PYTHON" "$bench_dir/seed_stages.py" 2 1000000 | sed -n 's/^total=\([0-9]*\).*/\1/p')
pl=$(sql_value 'SELECT sum(plpython_score(x)) FROM generate_series(0, 999999) x')
if [ "$got" != "$FOUNDING_SUM" ] || [ "$py" != "$FOUNDING_SUM" ] || [ "$pl" != "$FOUNDING_SUM" ]; then
	echo "founding sum: logscore $got, seed_stages.py $py, PL/Python $pl; expected $FOUNDING_SUM" >&2
	exit 1
fi

# --- data ----------------------------------------------------------------

tables=()
for n in "${SIZES[@]}"; do
	t0=$(now_us)
	say "generating events_$(label "$n") ($n rows) ..."
	generate "events_$(label "$n")" "$n"
	tables+=("events_$(label "$n")")
	took "$t0"
done
small=events_$(label "$SMALL")

say "arrays of $BATCH values, the copy files, VACUUM ANALYZE, pg_prewarm"
# STORAGE EXTERNAL: out of line but not compressed, so logscore_array is not
# measured behind pglz decompression.
sql <<SQL
CREATE TABLE batches (batch int, vals bigint[]);
ALTER TABLE batches ALTER COLUMN vals SET STORAGE EXTERNAL;
INSERT INTO batches
SELECT (id - 1) / $BATCH, array_agg(value ORDER BY id) FROM $small GROUP BY 1 ORDER BY 1;

COPY (SELECT value FROM $small ORDER BY id) TO '$scratch/values.txt';
COPY $small (id, ts, service, value) TO '$scratch/events.copy';

-- ingest: (a) no score column, (b) logscore as a generated column, (c) the plain SQL CASE,
CREATE TABLE ingest_plain (id bigint, ts timestamptz, service text, value bigint);
CREATE TABLE ingest_logscore (id bigint, ts timestamptz, service text, value bigint,
	score bigint GENERATED ALWAYS AS (logscore(value, '$PIPELINE')) STORED);
CREATE TABLE ingest_sql (id bigint, ts timestamptz, service text, value bigint,
	score bigint GENERATED ALWAYS AS (
		CASE WHEN (value * 2) % 7 = 0 THEN (value * 2) * (value * 2) ELSE value * 2 + 5 END) STORED);
-- (d) the floor of a generated column: one that copies the value
CREATE TABLE ingest_genfloor (id bigint, ts timestamptz, service text, value bigint,
	score bigint GENERATED ALWAYS AS (value) STORED);
SQL
# VACUUM marks the pages all-visible, so that scans skip the per-row
# visibility check -- unless the commit's WAL is not flushed yet, in which
# case hint bits may not be set (hence no synchronous_commit = off); check.
allvisible() {
	sql_value "SELECT round(100.0 * sum(relallvisible) / greatest(1, sum(relpages)), 1) FROM pg_class
	           WHERE relname IN ($(printf "'%s'," "${tables[@]}") 'batches')"
}
for t in "${tables[@]}" batches; do
	sql -c "VACUUM ANALYZE $t"
done
if [ "$(allvisible)" != 100.0 ]; then
	sleep 1
	for t in "${tables[@]}" batches; do
		sql -c "VACUUM $t"
	done
fi
meta allvisible "$(allvisible)"
if [ "$(allvisible)" != 100.0 ]; then
	echo "VACUUM left $(allvisible)% of the pages all-visible, not 100%" >&2
	exit 1
fi

# prewarm: every table, the arrays' TOAST table and its index, into shared_buffers
prewarm() {
	sql_value "
	SELECT sum(pg_prewarm(c.oid)) FROM pg_class c
	WHERE c.relname IN ($(printf "'%s'," "${tables[@]}") 'batches')
	   OR c.oid = (SELECT reltoastrelid FROM pg_class WHERE relname = 'batches')
	   OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid =
	                (SELECT reltoastrelid FROM pg_class WHERE relname = 'batches'))" >/dev/null
}
# resident: the share of those relations' blocks in shared_buffers, in %
resident() {
	sql_value "
	WITH rels AS (
		SELECT c.oid, pg_relation_filenode(c.oid) AS node, pg_relation_size(c.oid) / 8192 AS blocks
		FROM pg_class c
		WHERE c.relname IN ($(printf "'%s'," "${tables[@]}") 'batches')
		   OR c.oid = (SELECT reltoastrelid FROM pg_class WHERE relname = 'batches'))
	SELECT round(100.0 * (SELECT count(*) FROM pg_buffercache b JOIN rels r ON b.relfilenode = r.node
	                       WHERE b.relforknumber = 0 AND b.reldatabase = (SELECT oid FROM pg_database WHERE datname = current_database()))
	             / greatest(1, (SELECT sum(blocks) FROM rels)), 1)"
}
prewarm
meta resident_before "$(resident)"

# The data as the report describes it: one pass per table (median and p99
# over the first 10M rows, so that 100M rows are not sorted for a footnote).
for t in "${tables[@]}"; do
	meta "data_$t" "$(sql_value "
	WITH per_service AS (
		SELECT count(*) AS n, count(*) FILTER (WHERE value = 0) AS zeros,
		       count(*) FILTER (WHERE value < 0) AS negatives, min(value) AS lo, max(value) AS hi
		FROM $t GROUP BY service),
	quantiles AS (
		SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY value) AS median,
		       percentile_disc(0.99) WITHIN GROUP (ORDER BY value) AS p99
		FROM $t WHERE id <= $CHUNK)
	SELECT format('%s rows, %s services, busiest %s%% of events, %s zeros, %s negatives, min %s, median %s, p99 %s, max %s, %s',
	       sum(n), count(*), round(100.0 * max(n) / sum(n), 1), sum(zeros), sum(negatives),
	       min(lo), (SELECT median FROM quantiles), (SELECT p99 FROM quantiles), max(hi),
	       pg_size_pretty(pg_table_size('$t')))
	FROM per_service")"
done
meta data_batches "$(sql_value "
	SELECT format('%s arrays of %s values, %s (TOAST, storage EXTERNAL)', count(*), $BATCH,
	              pg_size_pretty(pg_table_size('batches'))) FROM batches")"

# The SQL function must be inlined, or it measures something else.
if sql -At -c "EXPLAIN (VERBOSE, COSTS OFF) SELECT sum(sql_score(value)) FROM $small" | grep -q sql_score; then
	echo "sql_score() is not inlined by the planner" >&2
	exit 1
fi

# --- the candidates ------------------------------------------------------

# cand NAME ROWS EXPECT SQL: one candidate (see collect.py for EXPECT)
c_names=() c_rows=() c_expect=() c_sql=() c_slow=()
cand() {
	c_names+=("$1") c_rows+=("$2") c_expect+=("$3") c_sql+=("$4") c_slow+=("${5:-}")
}
for n in "${SIZES[@]}"; do
	t=events_$(label "$n")
	cand scan "$n" scan "SELECT sum(value) FROM $t"
	# calibration: what one call of a built-in function (int8pl) adds per row
	cand one_call "$n" scan "SELECT sum(value + 0) FROM $t"
	cand sql_case "$n" score "SELECT sum(CASE WHEN (value * 2) % 7 = 0 THEN (value * 2) * (value * 2) ELSE value * 2 + 5 END) FROM $t"
	if [ "$n" = "$SMALL" ]; then
		cand sql_func "$n" score "SELECT sum(sql_score(value)) FROM $t"
		cand plpgsql "$n" score "SELECT sum(plpgsql_score(value)) FROM $t" slow
		cand plpython "$n" score "SELECT sum(plpython_score(value)) FROM $t" slow
	fi
	cand logscore "$n" score "SELECT sum(logscore(value)) FROM $t"
	cand logscore_explicit "$n" score "SELECT sum(logscore(value, '$PIPELINE')) FROM $t"
	if [ "$n" = "$SMALL" ]; then
		cand array_detoast "$n" count "SELECT sum(array_length(vals, 1)) FROM batches"
		cand array_unnest_floor "$n" scan "SELECT sum(v) FROM batches, unnest(vals) v"
		cand logscore_array_only "$n" count "SELECT sum(array_length(logscore_array(vals), 1)) FROM batches"
		cand logscore_array "$n" score "SELECT sum(s) FROM batches, unnest(logscore_array(vals)) s"
		cand logscore_batch "$n" score "SELECT sum(score) FROM batches, logscore_batch(vals)"
	fi
done

# The four configurations: parallel workers 0 and 1, JIT off and on.
configs=("0 off" "0 on" "1 off" "1 on")

session_settings() { # WORKERS JIT
	# a runaway candidate fails the run instead of hanging it
	echo "SET statement_timeout = '10min';"
	echo "SET max_parallel_workers_per_gather = $1;"
	# a smoke run's tables are too small for the planner to use workers
	[ -n "$QUICK" ] && echo "SET min_parallel_table_scan_size = 0;"
	if [ "$2" = on ]; then
		echo "SET jit = on; SET jit_above_cost = 0; SET jit_inline_above_cost = 0; SET jit_optimize_above_cost = 0;"
	else
		echo "SET jit = off;"
	fi
}

for c in "${configs[@]}"; do
	read -r workers jit <<<"$c"
	config="w${workers}-jit${jit}"
	t0=$(now_us)
	say "configuration $config: ${#c_names[@]} candidates, 1 warm-up + $ROUNDS rounds ..."

	# the plans, for the workers they use (EXPLAIN, nothing timed; with costs,
	# or PostgreSQL 15 leaves out the JIT lines)
	{
		session_settings "$workers" "$jit"
		for i in "${!c_names[@]}"; do
			marker 0 "${c_names[$i]}" "${c_rows[$i]}" none
			echo "EXPLAIN ${c_sql[$i]};"
		done
	} | sql -At | collect plan "$config"

	# the timed rounds; round 0 is the warm-up
	so_mark "$config-start"
	{
		session_settings "$workers" "$jit"
		printf '\\timing on\n'
		for ((r = 0; r <= ROUNDS; r++)); do
			for i in "${!c_names[@]}"; do
				marker "$r" "${c_names[$i]}" "${c_rows[$i]}" "${c_expect[$i]}"
				echo "${c_sql[$i]};"
			done
		done
	} | sql -At >"$scratch/$config.out"
	so_mark "$config-end"
	collect timing query "$config" "$workers" "$jit" <"$scratch/$config.out"

	# where JIT spends its time: EXPLAIN ANALYZE once, not part of the timings
	# (after a discarded first one: a session's first query also loads the bitcode)
	if [ "$jit" = on ]; then
		{
			session_settings "$workers" "$jit"
			marker 0 "${c_names[0]}" "${c_rows[0]}" none
			echo "EXPLAIN (ANALYZE) ${c_sql[0]};"
			for i in "${!c_names[@]}"; do
				[ -n "${c_slow[$i]}" ] && continue
				marker 0 "${c_names[$i]}" "${c_rows[$i]}" none
				echo "EXPLAIN (ANALYZE) ${c_sql[$i]};"
			done
		} | sql -At | collect jit "$config"
	fi
	collect check
	took "$t0"
done

# --- the founding programs, outside the database --------------------------

t0=$(now_us)
say "the founding Python programs over the same $SMALL values, 1 warm-up + $ROUNDS rounds ..."
for ((r = 0; r <= ROUNDS; r++)); do
	for s in 1 2 3; do
		echo "@@ stage$s"
		"$PYTHON" "$bench_dir/seed_stages.py" "$s" "$scratch/values.txt"
	done | collect python "$r"
done
collect check
took "$t0"

# --- ingest --------------------------------------------------------------

t0=$(now_us)
say "ingest: COPY of $SMALL events into 4 tables, 1 warm-up + $ROUNDS rounds ..."
so_mark ingest-start
{
	session_settings 0 off
	for ((r = 0; r <= ROUNDS; r++)); do
		for t in plain logscore sql genfloor; do
			echo "TRUNCATE ingest_$t;"
			echo "CHECKPOINT;"
			printf '\\timing on\n'
			marker "$r" "copy_$t" "$SMALL" none
			echo "COPY ingest_$t (id, ts, service, value) FROM '$scratch/events.copy';"
			printf '\\timing off\n'
		done
	done
	for t in plain genfloor; do
		marker -1 "copy_$t" "$SMALL" count
		echo "SELECT count(*) FROM ingest_$t;"
	done
	for t in logscore sql; do
		marker -1 "copy_$t" "$SMALL" score
		echo "SELECT sum(score) FROM ingest_$t;"
	done
} | sql -At >"$scratch/ingest.out"
so_mark ingest-end
collect timing ingest ingest 0 off <"$scratch/ingest.out"
collect check
took "$t0"

# --- wrap up ---------------------------------------------------------------

meta resident_after "$(resident)"
collect check
finish_run results report.py results.png
