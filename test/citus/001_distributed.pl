# Every logscore query on Citus gives the one-node answer, or a clear error.
#
# A coordinator and two workers on loopback, logscore preloaded after citus.
# The same events are loaded twice: "events", distributed by service, and
# "events_local", an ordinary table on the coordinator.  Each query is written
# once with {name} placeholders and run against both; the outputs must agree:
# integers, counts, buckets, minimums and maximums exactly, floats to a
# relative 1e-9 (shards add their values up in another order).
#
# LS_CITUS_INSTALL names a PostgreSQL installation with Citus and logscore in
# it (test/run.sh builds one from the vendored source); without it the suite
# is skipped.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use FindBin;
use lib $FindBin::RealBin;
use CitusCluster;

plan skip_all => 'LS_CITUS_INSTALL is not set (no Citus build)' unless $ENV{LS_CITUS_INSTALL};

my ($coord, @workers) = CitusCluster::start(2);
is($workers[0]->safe_psql('postgres',
		"SELECT extversion FROM pg_extension WHERE extname = 'logscore'"),
	$coord->safe_psql('postgres',
		"SELECT extversion FROM pg_extension WHERE extname = 'logscore'"),
	'CREATE EXTENSION logscore reaches the workers at the same version');

# Events: values that include multiples of 7 and negatives; a latency that is
# a multiple of 1/8 (sums exact in any order) and one that is not.
my $events = q{
(id bigint, ts timestamptz, service text, host text, value bigint,
 latency float8, jitter float8)};
my $rows = q{
SELECT g, timestamptz '2026-01-01 00:00:00+00' + g * interval '1 second',
       'svc' || (g % 7), 'host' || (g * 7 % 23), (g % 1000) - 300,
       ((g * 37) % 2000) / 8.0, sqrt(g) * 1.1 + (g % 13)
FROM generate_series(1, 60000) g};
$coord->safe_psql('postgres', qq{
CREATE TABLE events $events;
SELECT create_distributed_table('events', 'service');
INSERT INTO events $rows;
CREATE TABLE events_local $events;
INSERT INTO events_local $rows;
});

my ($ret, $stdout, $stderr);

# run_sql SQL: the output, or the error text, of one psql session
sub run_sql
{
	my ($sql) = @_;
	my ($r, $out, $err) = $coord->psql('postgres', $sql, on_error_stop => 1);
	return $r == 0 ? $out : "ERROR: $err";
}

# same_numbers A B: A and B agree, floats to a relative 1e-9
sub same_numbers
{
	my ($a, $b) = @_;
	my $number = qr/([-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?)/;
	my @a = split $number, $a;
	my @b = split $number, $b;
	return 0 unless @a == @b;
	for my $i (0 .. $#a)
	{
		next if $a[$i] eq $b[$i];
		return 0 unless $i % 2 == 1;    # text between numbers must match
		return 0 unless $a[$i] =~ /[.eE]/ || $b[$i] =~ /[.eE]/;
		my $scale = abs($a[$i]) > abs($b[$i]) ? abs($a[$i]) : abs($b[$i]);
		$scale = 1 if $scale < 1;
		return 0 if abs($a[$i] - $b[$i]) > 1e-9 * $scale;
	}
	return 1;
}

# local_form SQL: the query on the coordinator's ordinary tables
sub local_form
{
	my ($sql) = @_;
	$sql =~ s/\{(\w+)\}/$1_local/g;
	return $sql;
}

sub distributed_form
{
	my ($sql) = @_;
	$sql =~ s/\{(\w+)\}/$1/g;
	return $sql;
}

# one_node_answer NAME SQL: the distributed query gives the one-node answer.
# Returns the answer, for checks that it depends on what it should.
sub one_node_answer
{
	my ($name, $sql) = @_;
	my $distributed = run_sql(distributed_form($sql));
	my $local = run_sql(local_form($sql));
	unlike($local, qr/^ERROR/, "$name: runs on one node") or diag($local);
	ok($local ne '' && same_numbers($distributed, $local), "$name: the one-node answer")
	  or diag("distributed:\n$distributed\none node:\n$local");
	return $local;
}

# --- scoring ---

my $default = one_node_answer('logscore(value)',
	'SELECT sum(logscore(value)), count(*) FROM {events}');
my $scaled = one_node_answer('logscore(value) after SET logscore.pipeline',
	"SET logscore.pipeline = 'scale(3) | square'; SELECT sum(logscore(value)) FROM {events}");
isnt($scaled, $default, 'SET logscore.pipeline changes the answer');
one_node_answer('logscore(value, pipeline)',
	"SELECT service, sum(logscore(value, 'shift(1) | square')) FROM {events} GROUP BY 1 ORDER BY 1");
my $overflow = q{
SELECT count(*), count(s), min(s), max(s)
FROM (SELECT logscore(value * 4000000000000000) AS s FROM {events}) q};
like(run_sql(distributed_form($overflow)), qr/ERROR:.*out of range/,
	'an overflow under on_overflow = error fails on Citus as on one node');
one_node_answer('logscore.on_overflow = null', "SET logscore.on_overflow = 'null'; $overflow");
one_node_answer('logscore.on_overflow = saturate', "SET logscore.on_overflow = 'saturate'; $overflow");
one_node_answer('logscore(value, pipeline, on_overflow)', q{
SELECT count(s), sum(s / 1000000) FROM
  (SELECT logscore(value * 4000000000000000, 'scale(2) | shift(5)', 'saturate') AS s FROM {events}) q});

# array and batch scorers, each service's values in one array
my $arrays = q{
WITH a AS (SELECT service, array_agg(value ORDER BY id) AS vals FROM {events} GROUP BY service)
SELECT service, (SELECT sum(x) FROM unnest(logscore_array(vals)) x),
       (SELECT sum(b.score) FROM logscore_batch(vals) b)
FROM a ORDER BY 1};
one_node_answer('logscore_array / logscore_batch', $arrays);
one_node_answer('logscore_array / logscore_batch after SET logscore.pipeline',
	"SET logscore.pipeline = 'square | shift(-1)'; $arrays");
one_node_answer('logscore_array / logscore_batch with a pipeline', q{
SELECT service, md5(logscore_array(array_agg(value ORDER BY id), 'scale(5)')::text),
       (SELECT sum(b.score) FROM logscore_batch(array_agg(value ORDER BY id), 'scale(5)') b)
FROM {events} GROUP BY 1 ORDER BY 1});

# a function's SET clause, and the function called from a distributed query
$coord->safe_psql('postgres', q{
CREATE FUNCTION squared_sum(t regclass) RETURNS numeric
LANGUAGE plpgsql SET logscore.pipeline = 'square' AS $$
DECLARE r numeric;
BEGIN
  EXECUTE format('SELECT sum(logscore(value)) FROM %s', t) INTO r;
  RETURN r;
END $$;
CREATE FUNCTION cubed_sum() RETURNS numeric
LANGUAGE sql SET logscore.pipeline = 'square | scale(3)'
AS $$ SELECT sum(logscore(value)) FROM events $$;
CREATE FUNCTION cubed_sum_local() RETURNS numeric
LANGUAGE sql SET logscore.pipeline = 'square | scale(3)'
AS $$ SELECT sum(logscore(value)) FROM events_local $$;
});
one_node_answer('a function SET clause (PL/pgSQL)', q{SELECT squared_sum('{events}')});
one_node_answer('a function SET clause (SQL)', q{SELECT {cubed_sum}()});

# --- cached plans and the database's settings ---

# the generic plan of a prepared statement (after five executions) follows SET
one_node_answer('a prepared statement across SET', q{
PREPARE q AS SELECT sum(logscore(value)) FROM {events} WHERE value > $1;
EXECUTE q(0); EXECUTE q(1); EXECUTE q(2); EXECUTE q(3); EXECUTE q(4); EXECUTE q(5); EXECUTE q(6);
SET logscore.pipeline = 'scale(3) | square';
EXECUTE q(6);
SET logscore.on_overflow = 'saturate';
EXECUTE q(6);
RESET logscore.pipeline;
EXECUTE q(6)});

# a PL/pgSQL function's static query keeps its plan across calls: the plan
# is made again when a logscore setting changes
$coord->safe_psql('postgres', q{
CREATE FUNCTION cached_sum() RETURNS numeric LANGUAGE plpgsql
AS $$ BEGIN RETURN (SELECT sum(logscore(value)) FROM events); END $$;
CREATE FUNCTION cached_sum_local() RETURNS numeric LANGUAGE plpgsql
AS $$ BEGIN RETURN (SELECT sum(logscore(value)) FROM events_local); END $$;
});
my $cached = one_node_answer('a PL/pgSQL cached plan across SET', q{
SELECT {cached_sum}(); SELECT {cached_sum}();
SET logscore.pipeline = 'scale(3) | square'; SELECT {cached_sum}();
RESET logscore.pipeline; SELECT {cached_sum}()});
my @cached = split /\n/, $cached;
ok($cached[2] ne $cached[1] && $cached[3] eq $cached[0], 'the cached plan follows SET and RESET');

# ALTER DATABASE ... SET reaches new sessions, worker connections opened
# before or after it included, never the session that made it
my $database_settings = q{
SELECT sum(logscore(value)) FROM {events};
ALTER DATABASE postgres SET logscore.pipeline = 'shift(7) | square';
SELECT sum(logscore(value)) FROM {events};
ALTER DATABASE postgres RESET logscore.pipeline;
SELECT sum(logscore(value)) FROM {events};
SELECT sum(logscore(value)) FROM {events}};
my $same_session = one_node_answer('ALTER DATABASE SET and RESET in an existing session',
	$database_settings);
my @steps = split /\n/, $same_session;
is($steps[1], $steps[0], 'the session that altered the database keeps its own value');
$coord->safe_psql('postgres', q{ALTER DATABASE postgres SET logscore.pipeline = 'shift(7) | square'});
my $new_session = one_node_answer('ALTER DATABASE SET in a new session',
	'SELECT sum(logscore(value)) FROM {events}');
$coord->safe_psql('postgres', 'ALTER DATABASE postgres RESET logscore.pipeline');
isnt($new_session, $steps[0], 'a new session scores with the database value');

# --- sketches ---

# a sketch compared by what is exact (count, buckets through the quantiles,
# minimum, maximum) and what is a float sum (sum, mean)
my $sketch_columns = q{logscore_count(s), logscore_min(s), logscore_max(s),
  logscore_quantiles(s, '{0.001,0.01,0.1,0.25,0.5,0.75,0.9,0.99,0.999}'), logscore_sum(s), logscore_mean(s)};
for my $column ('latency', 'jitter')
{
	one_node_answer("logscore_sketch($column) grouped by the distribution column", qq{
SELECT service, $sketch_columns
FROM (SELECT service, logscore_sketch($column) AS s FROM {events} GROUP BY 1) q ORDER BY 1});
	one_node_answer("logscore_sketch($column) grouped by another column", qq{
SELECT host, $sketch_columns
FROM (SELECT host, logscore_sketch($column, 0.01) AS s FROM {events} GROUP BY 1) q ORDER BY 1});
	one_node_answer("logscore_sketch($column) not grouped", qq{
SELECT $sketch_columns FROM (SELECT logscore_sketch($column) AS s FROM {events}) q});
}
# with a sum exact in any order, the whole text form is the one-node one
one_node_answer('logscore_sketch text form, not grouped',
	'SELECT logscore_sketch(latency)::text FROM {events}');
like($coord->safe_psql('postgres',
		'EXPLAIN (VERBOSE, COSTS OFF) SELECT logscore_sketch(latency) FROM events'),
	qr/worker_partial_agg/, 'an ungrouped sketch is split into worker partials');

# a rollup table distributed by service, merged across shards
$coord->safe_psql('postgres', q{
CREATE TABLE minutes AS
  SELECT service, date_trunc('minute', ts) AS minute, logscore_sketch(jitter) AS s
  FROM events_local GROUP BY 1, 2;
CREATE TABLE minutes_local AS TABLE minutes;
SELECT create_distributed_table('minutes', 'service');
});
one_node_answer('logscore_merge over a distributed rollup, by hour', qq{
SELECT hour, $sketch_columns FROM
  (SELECT date_trunc('hour', minute) AS hour, logscore_merge(s) AS s FROM {minutes} GROUP BY 1) q
ORDER BY 1});
one_node_answer('logscore_merge over a distributed rollup, by service', qq{
SELECT service, $sketch_columns FROM
  (SELECT service, logscore_merge(s) AS s FROM {minutes} GROUP BY 1) q ORDER BY 1});
one_node_answer('logscore_merge over a distributed rollup, not grouped',
	"SELECT $sketch_columns FROM (SELECT logscore_merge(s) AS s FROM {minutes}) q");

# merging as rows arrive: each batch upserted into a co-located table with
# the two-argument logscore_merge (Citus's real-time rollup pattern)
$coord->safe_psql('postgres', q{
CREATE TABLE live (service text, minute timestamptz, s logscore_sketch, e logscore_ewm,
                   PRIMARY KEY (service, minute));
CREATE TABLE live_local (LIKE live INCLUDING ALL);
SELECT create_distributed_table('live', 'service', colocate_with => 'events');
});
for my $batch ('id <= 20000', 'id > 20000 AND id <= 45000', 'id > 45000')
{
	for my $table ('live', 'live_local')
	{
		my $source = $table eq 'live' ? 'events' : 'events_local';
		$coord->safe_psql('postgres', qq{
INSERT INTO $table AS t
  SELECT service, date_trunc('minute', ts), logscore_sketch(jitter), logscore_ewm(jitter, ts, '10 minutes')
  FROM $source WHERE $batch GROUP BY 1, 2
ON CONFLICT (service, minute) DO UPDATE
  SET s = logscore_merge(t.s, EXCLUDED.s), e = logscore_merge(t.e, EXCLUDED.e)});
	}
}
one_node_answer('batches merged on conflict with logscore_merge(a, b), sketches', qq{
SELECT service, minutes, $sketch_columns
FROM (SELECT service, count(*) AS minutes, logscore_merge(s) AS s FROM {live} GROUP BY 1) q ORDER BY 1});
one_node_answer('batches merged on conflict with logscore_merge(a, b), decayed statistics', q{
SELECT service, sum(logscore_ewm_count(e)), sum(logscore_ewm_mean(e)), sum(logscore_ewm_stddev(e))
FROM {live} GROUP BY 1 ORDER BY 1});
one_node_answer('DISTINCT and GROUP BY on sketches', q{
SELECT count(*), count(DISTINCT service) FROM (SELECT DISTINCT service, s FROM {minutes}) d});

# --- decayed statistics ---

my $ewm = q{logscore_ewm(jitter, ts, '10 minutes')};
one_node_answer('logscore_ewm grouped by the distribution column', qq{
SELECT service, ${ewm}::text FROM {events} GROUP BY 1 ORDER BY 1});
one_node_answer('logscore_ewm grouped by another column', qq{
SELECT host, ${ewm}::text FROM {events} GROUP BY 1 ORDER BY 1});
one_node_answer('logscore_ewm not grouped, and its accessors', qq{
SELECT e::text, logscore_ewm_mean(e), logscore_ewm_stddev(e), logscore_ewm_count(e),
       logscore_ewm_zscore(e, 100)
FROM (SELECT $ewm AS e FROM {events}) q});
one_node_answer('logscore_merge(logscore_ewm) over per-service states', qq{
SELECT logscore_merge(e)::text FROM (SELECT service, $ewm AS e FROM {events} GROUP BY 1) q});

# --- window scores and alert states ---

my $window = 'OVER (PARTITION BY service ORDER BY ts ROWS BETWEEN 50 PRECEDING AND CURRENT ROW)';
one_node_answer('logscore_zscore / logscore_robust_zscore over a window by service', qq{
SELECT service, count(*), sum(z), sum(r), max(z), min(r) FROM
  (SELECT service, logscore_zscore(jitter) $window AS z,
          logscore_robust_zscore(jitter) $window AS r FROM {events}) q
GROUP BY 1 ORDER BY 1});
my $by_host = run_sql(distributed_form(q{
SELECT host, sum(z) FROM
  (SELECT host, logscore_zscore(jitter) OVER (PARTITION BY host ORDER BY ts ROWS 50 PRECEDING) AS z
   FROM {events}) q GROUP BY 1 ORDER BY 1}));
my $by_host_local = run_sql(local_form(q{
SELECT host, sum(z) FROM
  (SELECT host, logscore_zscore(jitter) OVER (PARTITION BY host ORDER BY ts ROWS 50 PRECEDING) AS z
   FROM {events}) q GROUP BY 1 ORDER BY 1}));
ok(same_numbers($by_host, $by_host_local) || $by_host =~ /^ERROR:.*window functions/,
	'a window by another column: the one-node answer or a clear error')
  or diag("distributed:\n$by_host\none node:\n$by_host_local");

my $alerts = q{
SELECT service, severity, state, count(*) FROM
  (SELECT service, logscore_severity(z) AS severity,
          logscore_alert_state(z) OVER (PARTITION BY service ORDER BY ts) AS state
   FROM (SELECT service, ts, logscore_zscore(jitter)
           OVER (PARTITION BY service ORDER BY ts ROWS 50 PRECEDING) AS z FROM {events}) q) r
GROUP BY 1, 2, 3 ORDER BY 1, 2, 3};
my $alerts_default = one_node_answer('logscore_severity / logscore_alert_state', $alerts);
my $alerts_set = one_node_answer('logscore_severity / logscore_alert_state after SET logscore.alert_*', qq{
SET logscore.alert_warning = 1.2; SET logscore.alert_critical = 1.6; SET logscore.alert_clear = 0.5;
SET logscore.alert_enter_after = 2; SET logscore.alert_exit_after = 4; $alerts});
isnt($alerts_set, $alerts_default, 'the logscore.alert_* settings change the answer');

# as a plain aggregate, whose ORDER BY entries the thresholds must not displace
my $final_states = q{
SET logscore.alert_warning = 1.2; SET logscore.alert_critical = 1.6; SET logscore.alert_clear = 0.5;
SELECT service, logscore_alert_state(z ORDER BY ts), count(*) FROM
  (SELECT service, ts, logscore_zscore(jitter)
     OVER (PARTITION BY service ORDER BY ts ROWS 50 PRECEDING) AS z FROM {events}) q
GROUP BY 1 ORDER BY 1};
one_node_answer('logscore_alert_state(z ORDER BY ts) as an aggregate after SET logscore.alert_*',
	$final_states);
my $misordered = run_sql(distributed_form(q{
SET logscore.alert_warning = 9; SET logscore.alert_critical = 4;
SELECT service, logscore_alert_state(jitter ORDER BY ts) FROM {events} GROUP BY 1}));
like($misordered, qr/ERROR:.*logscore.alert_warning \(9\) must not be above logscore.alert_critical \(4\)/,
	'misordered alert settings fail on Citus as on one node');

# --- anomalies against a baseline ---

$coord->safe_psql('postgres', q{
CREATE TABLE baseline AS
  SELECT service, logscore_sketch(jitter) AS s FROM events_local WHERE id <= 30000 GROUP BY 1;
CREATE TABLE baseline_local AS TABLE baseline;
CREATE TABLE colocated AS TABLE baseline;
CREATE TABLE colocated_local AS TABLE baseline;
SELECT create_reference_table('baseline');
SELECT create_distributed_table('colocated', 'service', colocate_with => 'events');
});
for my $table ('baseline', 'colocated')
{
	one_node_answer("logscore_anomaly against a " . ($table eq 'baseline' ? 'reference' : 'co-located')
		  . ' baseline', qq{
SELECT e.service, count(*) FILTER (WHERE logscore_anomaly(e.jitter, b.s) > 2),
       sum(logscore_anomaly(e.jitter, b.s))
FROM {events} e JOIN {$table} b USING (service) WHERE e.id > 30000
GROUP BY 1 ORDER BY 1});
}

# --- rollups over a distributed source ---

# Recent events (a run rolls up what is newer than its watermark less the
# lateness), in a distributed table and a one-node copy.  Two rollups of each:
# by service into a table co-located with the source (distributed => true),
# and by host into an ordinary table on the coordinator.
# (one time for both copies: now() moves between statements)
my $start = $coord->safe_psql('postgres', q{SELECT now() - interval '20 minutes'});
my $recent = qq{
SELECT g, timestamptz '$start' + g * interval '10 ms', 'svc' || (g % 5),
       'host' || (g % 3), 0, 0, (g % 997) / 7.0 + sqrt(g)
FROM generate_series(1, %d) g};
$coord->safe_psql('postgres', sprintf(q{
CREATE TABLE recent (LIKE events);
SELECT create_distributed_table('recent', 'service');
CREATE TABLE recent_local (LIKE events);
INSERT INTO recent %s;
INSERT INTO recent_local %s;
SELECT logscore_rollup_create('by_service', 'recent', 'ts', 'jitter', '1 minute', '{service}',
                              distributed => true);
SELECT logscore_rollup_create('by_host', 'recent', 'ts', 'jitter', '1 minute', '{host}');
SELECT logscore_rollup_create('by_service_local', 'recent_local', 'ts', 'jitter', '1 minute', '{service}');
SELECT logscore_rollup_create('by_host_local', 'recent_local', 'ts', 'jitter', '1 minute', '{host}');
}, sprintf($recent, 60000), sprintf($recent, 60000)));
is($coord->safe_psql('postgres', q{
SELECT count(*) FROM pg_dist_partition p JOIN pg_dist_partition s ON p.colocationid = s.colocationid
WHERE p.logicalrelid = 'by_service'::regclass AND s.logicalrelid = 'recent'::regclass}),
	'1', 'the by-service rollup table is co-located with its source');

# distributed => true refuses what cannot be co-located, and leaves nothing
my $refused;
(undef, undef, $refused) = $coord->psql('postgres', q{
SELECT logscore_rollup_create('by_host_d', 'recent', 'ts', 'jitter', '1 minute', '{host}',
                              distributed => true)}, extra_params => ['-v', 'VERBOSITY=verbose']);
like($refused, qr/ERROR:  22023: a distributed rollup must group by its source's distribution column "service"/,
	'distributed => true without the distribution column in group_by: 22023');
(undef, undef, $refused) = $coord->psql('postgres', q{
SELECT logscore_rollup_create('local_d', 'recent_local', 'ts', 'jitter', '1 minute', '{service}',
                              distributed => true)}, extra_params => ['-v', 'VERBOSITY=verbose']);
like($refused, qr/ERROR:  22023: the source "public.recent_local" of a distributed rollup is not a distributed table/,
	'distributed => true over a local table: 22023');
is($coord->safe_psql('postgres', q{
SELECT count(*) FROM pg_class WHERE relname IN ('by_host_d', 'by_host_d_input', 'local_d', 'local_d_input')}) .
	$coord->safe_psql('postgres', q{SELECT count(*) FROM logscore_rollups WHERE name LIKE '%_d'}),
	'00', 'a refused distributed rollup leaves no table, view or catalog row');

my $rollup_contents = qq{
SELECT bucket, %s, $sketch_columns FROM (SELECT bucket, %s, sketch AS s FROM {%s}) q ORDER BY 1, 2};
sub rollups_agree
{
	my ($when) = @_;
	$coord->safe_psql('postgres', "CALL logscore_rollup_run('$_')")
	  for qw(by_service by_host by_service_local by_host_local);
	one_node_answer("a rollup by the distribution column, co-located, $when",
		sprintf($rollup_contents, 'service', 'service', 'by_service'));
	one_node_answer("a rollup by another column, on the coordinator, $when",
		sprintf($rollup_contents, 'host', 'host', 'by_host'));
	is($coord->safe_psql('postgres', q{
SELECT string_agg(last_run_buckets || ' ' || last_run_rows, ', ' ORDER BY name)
FROM logscore_rollups WHERE name IN ('public.by_service', 'public.by_service_local')}) =~ s/^(\S+ \S+), \1$/same/r,
		'same', "the co-located rollup reports the one-node run's buckets and rows, $when");
}
rollups_agree('first run');
# newer rows: the next run adds them (rows near the lateness bound are left
# out: the two rollups run moments apart, so their bounds differ)
$coord->safe_psql('postgres', sprintf(q{
INSERT INTO recent %s; INSERT INTO recent_local %s;},
	sprintf($recent, 20000) =~ s/\+ g/+ interval '15 minutes' + g/r,
	sprintf($recent, 20000) =~ s/\+ g/+ interval '15 minutes' + g/r));
rollups_agree('after newer rows');
like($coord->safe_psql('postgres', q{
SELECT last_run_rows FROM logscore_rollups WHERE name = 'public.by_service'}),
	qr/^[1-9]/, 'the second run of the co-located rollup read the new rows');

# a run into a co-located table is one INSERT ... SELECT ... ON CONFLICT per
# pair of shards, from the source shard into the target shard, on the
# workers: no sketch passes through the coordinator
my (undef, undef, $remote) = $coord->psql('postgres', q{
SET citus.log_remote_commands = on; SET client_min_messages = notice;
SELECT logscore_rollup_reset('by_service');
CALL logscore_rollup_run('by_service');});
my @pushed = $remote =~ /issuing (INSERT INTO public\.by_service_\d+ AS t .*? FROM public\.recent_\d+ )/g;
is(scalar(@pushed), 4, 'a run of the co-located rollup is one INSERT ... SELECT per shard pair')
  or diag($remote);
unlike($remote, qr/read_intermediate_result|COPY/, 'and nothing is pulled to the coordinator');

# A row a rollup cannot take is set aside, and only that row: shards on
# different workers can share a table OID, so (tableoid, ctid) does not name
# one row of a distributed table.  The failing row is the first of its
# shard, at (0,1), as are rows of the other shards.
$coord->safe_psql('postgres', qq{
CREATE TABLE failing (ts timestamptz, service text, x float8);
SELECT create_distributed_table('failing', 'service');
CREATE TABLE failing_local (LIKE failing);
INSERT INTO failing VALUES (timestamptz '$start' - interval '5 minutes', 'svc0', 0);
INSERT INTO failing SELECT timestamptz '$start' + g * interval '10 ms', 'svc' || (g % 5), 1
  FROM generate_series(1, 5000) g;
INSERT INTO failing_local SELECT * FROM failing;
SELECT logscore_rollup_create('failing_r', 'failing', 'ts', '1.0 / x', '1 minute', '{service}');
SELECT logscore_rollup_create('failing_r_local', 'failing_local', 'ts', '1.0 / x', '1 minute', '{service}');
CALL logscore_rollup_run('failing_r');
CALL logscore_rollup_run('failing_r_local');
});
# Whether two shards share an address here depends on the OIDs each worker
# happened to hand out, so that is only noted; what is checked is that the
# distributed source's row was set aside by its event time, never by an
# address, while the local table's was set aside by its address.
note('shards sharing a (tableoid, ctid) address in this run: ' . $coord->safe_psql('postgres', q{
SELECT count(*) FROM (SELECT tableoid, ctid FROM failing WHERE ctid = '(0,1)' GROUP BY 1, 2
                      HAVING count(*) > 1) shared}));
is($coord->safe_psql('postgres', qq{
SELECT string_agg(r.name || ': ' || (j.ts = timestamptz '$start' - interval '5 minutes')
                  || ' ' || (j.source_ctid IS NOT NULL) || ' ' || j.row_count, ', ' ORDER BY r.name)
FROM logscore_rollup_rejects j JOIN logscore_rollups r ON r.id = j.rollup_id
WHERE r.name LIKE 'public.failing%'}),
	'public.failing_r: true false 1, public.failing_r_local: true true 1',
	'the distributed source\'s failing row is set aside by event time, the local one\'s by address');
one_node_answer('a rollup that sets a failing row aside, over a distributed source', qq{
SELECT bucket, service, $sketch_columns FROM (SELECT bucket, service, sketch AS s FROM {failing_r}) q ORDER BY 1, 2});
is($coord->safe_psql('postgres', q{
SELECT string_agg(name || ' ' || last_run_rows || ' ' || last_run_rejected, ', ' ORDER BY name)
FROM logscore_rollups WHERE name LIKE 'public.failing%'}),
	'public.failing_r 5000 1, public.failing_r_local 5000 1',
	'each sets one row aside and rolls up the 5,000 others');

# --- the documented Citus path, as docs/scaling-out.md writes it ---

my $readme = slurp_file("$FindBin::RealBin/../../docs/scaling-out.md");
my %block;
$block{$1} = $2 while $readme =~ /<!-- citus-path: ([\w-]+) -->\n```sql\n(.*?)```/gs;
is(join(' ', sort keys %block), 'dashboard events rollup', "docs/scaling-out.md has the three blocks of the Citus path");
# in a schema of its own, beside this suite's tables of the same names
my $readme_path = "CREATE SCHEMA readme; SET search_path = readme, public;\n"
  . join("\n", map { $block{$_} } qw(events rollup));
$coord->safe_psql('postgres', $readme_path);
is($coord->safe_psql('postgres', q{
SELECT count(*) FROM pg_dist_partition p JOIN pg_dist_partition s USING (colocationid)
WHERE p.logicalrelid = 'readme.service_minute'::regclass AND s.logicalrelid = 'readme.events'::regclass}),
	'1', "the README's rollup table is co-located with its events");
my $dashboard = $coord->safe_psql('postgres',
	"SET search_path = readme, public;\n$block{dashboard}");
my $direct = $coord->safe_psql('postgres', q{
SET search_path = readme, public;
SELECT service, logscore_quantile(logscore_sketch(logscore(value)), 0.99) FROM events GROUP BY service;
SELECT logscore_quantiles(logscore_sketch(logscore(value)), '{0.5,0.99}') FROM events});
is(join("\n", sort split /\n/, $dashboard), join("\n", sort split /\n/, $direct),
	"the README's dashboard reads from the rollup what the events give");

done_testing();
