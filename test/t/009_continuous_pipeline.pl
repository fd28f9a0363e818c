# The continuous pipeline of docs/continuous-pipeline.md, run as the page
# writes it, under load, in about 75 seconds: the blocks marked
# "<!-- pipeline: NAME -->" are read from the page and run in order, with its
# knobs scaled down (5-second buckets, 10-second partitions, 25 seconds of
# retention), so that the documented deployment and the tested one cannot
# drift.  Two log shippers (test/bench/soak/ship, COPY) write while the jobs
# run every two seconds, and a listener (test/bench/soak/listen) waits for
# the alerts' NOTIFY.  Meanwhile one service has an incident (latencies x10
# for 20 s), partitions are created and dropped, one rollup run overlaps
# another, and one is killed in the middle.  At the end: every event is in
# the rollup exactly once, dropped partitions included; the incident is one
# alert episode, delivered to the listener; nothing else alerts.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;
use JSON::PP;
use POSIX qw(ceil strftime);
use Time::HiRes qw(time sleep);
use FindBin;
use lib $FindBin::RealBin;
use CronNode;
CronNode::skip_unless_installed();

my $root = $ENV{LS_SOURCE_DIR} // '.';
my $clients = $ENV{LS_SOAK_CLIENTS} // "$root/test/bench/soak";
foreach my $client (qw(ship listen))
{
	BAIL_OUT("$clients/$client is not built: make soak-clients (make prove_installcheck builds it)")
	  unless -x "$clients/$client";
}

my $page = slurp_file("$root/docs/continuous-pipeline.md");
my (@blocks, %dashboard);
push @blocks, [ $1, $2 ] while $page =~ /<!-- pipeline: ([\w-]+) -->\n```sql\n(.*?)```/gs;
$dashboard{$1} = $2 while $page =~ /<!-- pipeline-dashboard: ([\w-]+) -->\n```sql\n(.*?)```/gs;
is(join(' ', map { $_->[0] } @blocks), 'settings events rollup hours baseline alerts',
	'docs/continuous-pipeline.md has the six blocks of the pipeline, in order');
is(join(' ', sort keys %dashboard), 'board day hour', 'and the three dashboard statements');

my $node = CronNode::start('pipeline');
my $t_begin = time();

# The page's blocks, in order; right after the settings, the knobs scaled
# down as the page says they can be.  Buckets of 5 s: the incident is four
# of them, and the three clear buckets that end its episode take 15 s.
# Coarse buckets of 20 s: some complete ones whose partitions are dropped,
# some whose partitions are left, one current.
# The lateness covers a shipper's batch (at most a second) and a commit
# delayed by the load; the baseline is the history up to now.
my $bucket = 5;
my $coarse = 20;
foreach my $block (@blocks)
{
	$node->safe_psql('postgres', $block->[1]);
	next unless $block->[0] eq 'settings';
	$node->safe_psql(
		'postgres', qq{
UPDATE pipeline_settings SET bucket = '$bucket seconds', coarse_bucket = '$coarse seconds', partition_width = '10 seconds',
       retention = '25 seconds', lateness = '5 seconds', baseline_span = '1 hour', baseline_gap = '0'});
}
is( $node->safe_psql(
		'postgres',
		q{SELECT string_agg(jobname || ' ' || schedule, ', ' ORDER BY jobname) FROM cron.job}),
	'pipeline-baseline 30 3 * * *, pipeline-maintenance * * * * *, pipeline-rollup * * * * *',
	'the page schedules maintenance and the rollup every minute, the baseline nightly');

# The jobs run here by their commands, as pg_cron stored them, every two
# seconds rather than every minute (test/t/004_rollup_cron.pl shows pg_cron
# firing a job); pg_cron's own runs are unscheduled, so that the only
# overlapping run is the one made below.
my %job = map {
	$_ => $node->safe_psql('postgres', "SELECT command FROM cron.job WHERE jobname = '$_'")
} qw(pipeline-maintenance pipeline-rollup pipeline-baseline);
is($job{'pipeline-rollup'},
	q{CALL logscore_rollup_run('public.service_scores'); SELECT pipeline_roll_hours(); SELECT pipeline_check_alerts();},
	'one job runs the rollup, its coarse level and then the alert check');
$node->safe_psql('postgres', 'SELECT cron.unschedule(jobid) FROM cron.job');
ok(CronNode::wait_idle($node), 'with the jobs unscheduled, none is left running');

# What the shippers committed, per service and bucket, counted apart from
# events (whose old partitions are dropped): each COPY's rows, by a
# statement trigger, appended, so that the two writers never wait on each
# other.
$node->safe_psql(
	'postgres', qq{
CREATE TABLE shipped (service text, bucket timestamptz, n bigint);
CREATE FUNCTION count_shipped() RETURNS trigger LANGUAGE plpgsql AS \$\$
BEGIN
  INSERT INTO shipped
  SELECT service, date_bin('$bucket seconds', ts, '2000-01-01 00:00:00+00'), count(*) FROM new_rows GROUP BY 1, 2;
  RETURN NULL;
END
\$\$;
CREATE TRIGGER count_shipped AFTER INSERT ON events REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION count_shipped();
});

# --- the load and the scenario, on the wall clock ---
#
# t0: the writers start.  The incident, on api-gateway (the busiest
# service), starts at the first bucket boundary 10 s or more after t0, so
# that the baseline, taken 2 s before it, holds a bucket or more; it lasts
# 20 s, four buckets.  With alert_enter_after = 2 the state is critical from
# its second bucket; with alert_exit_after = 3 it is ok again from the third
# clear bucket, which is complete 35 s after the incident starts, when the
# writers and the jobs stop; the last run of the rollup and the alert check
# comes after that.
my $t0 = time();
my $incident = $bucket * ceil(($t0 + 10) / $bucket);
my $writers_end = $incident + 35;
my $jobs_end = $writers_end;
my $service = 'api-gateway';

local $ENV{PGHOST} = $node->host;
local $ENV{PGPORT} = $node->port;
local $ENV{PGDATABASE} = 'postgres';
my ($listen_out, $listen_err) = ('', '');
my $listener = IPC::Run::start([ "$clients/listen", '--channel', 'logscore_alerts' ],
	'>', \$listen_out, '2>', \$listen_err);
my $waited = 0;
$listener->pump_nb, sleep(0.05), $waited++ while $listen_err !~ /listening on/ && $waited < 600;
like($listen_err, qr/listening on logscore_alerts/, 'the listener is listening');

my @writers;
foreach my $seed (1, 2)
{
	my %w = (out => '', err => '');
	$w{run} = IPC::Run::start(
		[
			"$clients/ship", '--rate', '1000', '--batch', '500',
			'--seconds', ceil($writers_end - $t0), '--seed', $seed,
			'--incident', "$service:$incident:20:10", '--table', 'events'
		],
		'>', \$w{out}, '2>', \$w{err});
	push @writers, \%w;
}

sub watermark
{
	return $node->safe_psql('postgres',
		q{SELECT watermark FROM logscore_rollups WHERE name = 'public.service_scores'});
}

# overlap: a run that has not committed yet (another session, mid-way:
# its transaction open), and a second run started meanwhile, after the next
# bucket boundary, which skips the rollup but checks the alerts.  Then the
# first one's check, whose transaction began before that boundary: it sees
# older buckets than the second's (from before the incident's second bucket,
# if it began before that bucket's end) and must not undo what the second
# recorded.
sub overlap
{
	my $first = $node->background_psql('postgres');
	$first->query_safe('SET client_min_messages = warning');
	$first->query_safe('BEGIN');
	my $began = $first->query_safe('SELECT extract(epoch FROM now())');
	$first->query_safe(q{CALL logscore_rollup_run('public.service_scores')});
	my $boundary = $bucket * (1 + int($began / $bucket));
	sleep($boundary + 0.5 - time()) if $boundary + 0.5 > time();
	note(sprintf('the first run began %.1f s before the bucket boundary at incident + %d s',
			$boundary - $began, $boundary - $incident));
	my ($out, $err) = ('', '');
	$node->psql('postgres', $job{'pipeline-rollup'}, stdout => \$out, stderr => \$err, on_error_die => 1);
	like($err, qr/WARNING:  logscore_rollup_run\(public\.service_scores\): skipped, another run of this rollup is in progress/,
		'a run that overlaps another skips, saying so');
	$first->query_safe('SELECT pipeline_check_alerts()');
	$first->query_safe('COMMIT');
	$first->quit;
	return;
}

# kill: a run blocked in the middle of its upsert (another session holds
# the newest buckets' rows), terminated while it waits; nothing of it stays
sub kill_run
{
	my $before = watermark();
	my $locker = $node->background_psql('postgres');
	$locker->query_safe('BEGIN');
	my $locked = $locker->query_safe(
		q{SELECT count(*) FROM (SELECT FROM service_scores WHERE bucket >= now() - interval '15 seconds' FOR UPDATE) l});
	cmp_ok($locked, '>', 0, "another session locks the newest buckets' $locked rows");
	my $victim = $node->background_psql('postgres', on_error_stop => 0);
	$victim->query_safe('SET client_min_messages = warning');
	my $pid = $victim->query_safe('SELECT pg_backend_pid()');
	$victim->query_until(qr/started/, "\\echo started\n$job{'pipeline-rollup'}\n");
	ok( $node->poll_query_until(
			'postgres', qq{SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = $pid}),
		'a rollup run waits on those rows in the middle of its upsert');
	is($node->safe_psql('postgres', "SELECT pg_terminate_backend($pid)"), 't', 'and is terminated');
	$locker->query_safe('ROLLBACK');
	$locker->quit;
	eval { $victim->quit; };
	is(watermark(), $before, 'the killed run left the rollup as it was');
	return;
}

my (@maintained, %done);
my $tick = time();
while (time() < $jobs_end)
{
	my $did = $node->safe_psql('postgres', $job{'pipeline-maintenance'});
	push @maintained, [ time(), $did ] if $did ne '';
	$node->safe_psql('postgres', $job{'pipeline-rollup'});
	if (!$done{baseline} && time() >= $incident - 2)
	{
		$node->safe_psql('postgres', $job{'pipeline-baseline'});
		$done{baseline} = 1;
	}
	if (!$done{overlap} && time() >= $incident + 6)
	{
		overlap();
		$done{overlap} = 1;
	}
	if (!$done{kill} && time() >= $incident + 18)
	{
		kill_run();
		$done{kill} = 1;
	}
	$tick += 2;
	sleep($tick - time()) if $tick > time();
	$_->{run}->pump_nb foreach @writers;
	$listener->pump_nb;
}

# the writers end by themselves; then one last run of the rollup
my $shipped_total = 0;
foreach my $w (@writers)
{
	ok($w->{run}->finish, 'a shipper ends without an error') or diag($w->{err});
	$shipped_total += $1 if $w->{out} =~ /^total (\d+)$/m;
}
$node->safe_psql('postgres', $job{'pipeline-rollup'});
sleep(0.5);
$listener->signal('TERM');
ok($listener->finish, 'the listener ends without an error') or diag($listen_err);
note(sprintf('load and jobs took %.0f s, the whole test so far %.0f s', time() - $t0, time() - $t_begin));

# --- what the rollup holds ---

is( $node->safe_psql('postgres', 'SELECT sum(n) FROM shipped'),
	$shipped_total, "the shippers' $shipped_total events are all in events' partitions, as committed");
note(sprintf("maintenance at t0 + %.1f s: %s", $_->[0] - $t0, $_->[1])) foreach @maintained;
note("t0 = $t0, the incident at $incident, the writers' end at $writers_end");
my @created = grep { $_->[1] =~ /created/ } @maintained;
my @dropped = grep { $_->[1] =~ /dropped/ } @maintained;
cmp_ok(scalar(grep { $_->[0] < $writers_end } @dropped), '>=', 1,
	'partition maintenance dropped partitions while the shippers wrote: '
	  . join('; ', map { $_->[1] } @dropped));
cmp_ok(scalar(grep { $_->[0] > $t0 && $_->[0] < $writers_end } @created), '>=', 4,
	'and created partitions ahead meanwhile');

# the partitions left are contiguous: buckets from the oldest one's start on
# still have their events
my $oldest = $node->safe_psql(
	'postgres', q{
SELECT min(substring(pg_get_expr(c.relpartbound, c.oid) FROM 'FROM \(''([^'']*)''\)')::timestamptz)
FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'events'::regclass});
my $compare = qq{
SELECT count(*) AS groups,
       count(*) FILTER (WHERE e.n IS DISTINCT FROM logscore_count(r.sketch)) AS differ
FROM (SELECT service, date_bin('$bucket seconds', ts, '2000-01-01 00:00:00+00') AS bucket, count(*) AS n
      FROM events GROUP BY 1, 2) e
FULL JOIN (SELECT * FROM service_scores WHERE bucket >= '$oldest') r USING (service, bucket)};
my ($groups, $differ) = split /\|/, $node->safe_psql('postgres', $compare);
cmp_ok($groups, '>', 100, "the rollup holds $groups (service, bucket) groups whose partition is left");
is($differ, 0, "each one's count is count(*) of its events");

my ($gone, $gone_differ) = split /\|/, $node->safe_psql(
	'postgres', qq{
SELECT count(*), count(*) FILTER (WHERE s.n IS DISTINCT FROM logscore_count(r.sketch))
FROM (SELECT service, bucket, sum(n) AS n FROM shipped GROUP BY 1, 2) s
FULL JOIN service_scores r USING (service, bucket)
WHERE coalesce(s.bucket, r.bucket) < '$oldest'});
cmp_ok($gone, '>', 50, "$gone groups' partitions were dropped");
is($gone_differ, 0, 'and they keep the counts of what was shipped in them');
is( $node->safe_psql(
		'postgres',
		q{SELECT sum(logscore_count(sketch)) FROM service_scores}),
	$shipped_total, 'the rollup counts every event shipped, once');
is( $node->safe_psql(
		'postgres',
		q{SELECT runs_skipped || ' ' || last_run_rejected FROM logscore_rollup_health}),
	'1 0', 'one run skipped (the overlapping one), none rejected a row');

# --- the coarse level: each coarse bucket is the merge of its buckets ---

my ($coarse_groups, $coarse_differ, $coarse_complete) = split /\|/, $node->safe_psql(
	'postgres', qq{
SELECT count(*), count(*) FILTER (WHERE logscore_same_distribution(h.sketch, m.sketch) IS NOT TRUE),
       count(*) FILTER (WHERE h.hour + interval '$coarse seconds' <= now())
FROM (SELECT service, date_bin('$coarse seconds', bucket, '2000-01-01 00:00:00+00') AS hour,
             logscore_merge(sketch) AS sketch
      FROM service_scores GROUP BY 1, 2) m
FULL JOIN service_scores_hour h USING (service, hour)});
cmp_ok($coarse_complete, '>', 30, "the coarse level holds $coarse_complete complete (service, coarse bucket) groups, $coarse_groups in all");
is($coarse_differ, 0, "each one's sketch is the same distribution as the merge of its buckets");
my ($coarse_left, $coarse_left_differ) = split /\|/, $node->safe_psql(
	'postgres', qq{
SELECT count(*), count(*) FILTER (WHERE e.n IS DISTINCT FROM logscore_count(h.sketch))
FROM (SELECT service, date_bin('$coarse seconds', ts, '2000-01-01 00:00:00+00') AS hour, count(*) AS n
      FROM events GROUP BY 1, 2) e
FULL JOIN (SELECT * FROM service_scores_hour WHERE hour >= '$oldest') h USING (service, hour)
WHERE coalesce(e.hour, h.hour) >= '$oldest'});
cmp_ok($coarse_left, '>', 10, "$coarse_left coarse groups lie wholly in partitions left");
is($coarse_left_differ, 0, "and each one's count is count(*) of its events");
my ($coarse_gone, $coarse_gone_differ) = split /\|/, $node->safe_psql(
	'postgres', qq{
SELECT count(*), count(*) FILTER (WHERE s.n IS DISTINCT FROM logscore_count(h.sketch))
FROM (SELECT service, date_bin('$coarse seconds', bucket, '2000-01-01 00:00:00+00') AS hour, sum(n) AS n
      FROM shipped GROUP BY 1, 2) s
FULL JOIN service_scores_hour h USING (service, hour)
WHERE coalesce(s.hour, h.hour) + interval '$coarse seconds' <= '$oldest'});
cmp_ok($coarse_gone, '>', 10, "$coarse_gone coarse groups' partitions were all dropped");
is($coarse_gone_differ, 0, 'and they keep the counts of what was shipped in them');
is($node->safe_psql('postgres', 'SELECT pipeline_roll_hours()'), 0,
	'rolling the coarse level again rewrites nothing');

# --- the alerts ---

sub iso { return strftime('%Y-%m-%dT%H:%M:%SZ', gmtime($_[0])); }
is( $node->safe_psql(
		'postgres',
		q{SELECT string_agg(service || ' ' || state || ' ' || extract(epoch FROM bucket)::bigint, ', ' ORDER BY bucket)
		  FROM alerts}),
	sprintf('%s critical %d, %s ok %d', $service, $incident + $bucket, $service, $incident + 6 * $bucket),
	"one episode: $service critical at its incident's second bucket, ok at the third clear one; nothing else");

my @received = map { [ split /\t/, $_, 2 ] } grep { /\S/ } split /\n/, $listen_out;
is(scalar @received, 2, 'the listener received two notifications') or diag($listen_out);
my @payload = map { decode_json($_->[1]) } @received;
is(join(' | ', map { join(' ', sort keys %$_) } @payload),
	'level minute service window z | level minute service window z',
	'each with the keys service, level, z, minute, window');
is( join(' | ', map { "$_->{service} $_->{level} $_->{minute} $_->{window}" } @payload),
	sprintf('%s critical %s PT%dS | %s ok %s PT%dS',
		$service, iso($incident + $bucket), $bucket, $service, iso($incident + 6 * $bucket), $bucket),
	'for the rise and the return to ok, with the bucket start and width');
cmp_ok($payload[0]{z}, '>=', 5, "the rise's z is critical ($payload[0]{z})");
note(sprintf('the alert reached the listener %.1f s after the first anomalous bucket closed',
		$received[0][0] / 1e6 - ($incident + $bucket)));

# --- the dashboards read the rollup and the alerts ---

my %total = map { split /\|/ } split /\n/, $node->safe_psql('postgres',
	q{SELECT service, sum(logscore_count(sketch)) FROM service_scores GROUP BY 1});
foreach my $which (qw(hour day))
{
	my @rows = map { [ split /\|/ ] } split /\n/, $node->safe_psql('postgres', $dashboard{$which});
	is(scalar @rows, scalar keys %total, "the $which dashboard has a row per service");
	is(scalar(grep { $_->[1] != $total{ $_->[0] } || $_->[2] > $_->[3] } @rows), 0,
		"each with its events (the minute table's count) and p50 <= p99");
	is($rows[0][0], $service, "the busiest first: $service");
}
is( $node->safe_psql('postgres', $dashboard{board}) =~ s/^([^|]*\|[^|]*\|[^|]*)\|.*$/$1/mr,
	"$service|ok|" . $node->safe_psql('postgres',
		"SELECT to_timestamp($incident + 6 * $bucket)"),
	"the alert board shows $service ok again, since the bucket its episode ended");

# the day, from the coarse level and the current coarse bucket's minutes,
# is the merge of the same window's minutes: the same counts and quantiles,
# in one snapshot
(my $day = $dashboard{day}) =~ s/;\s*$//;
my $minute_day = qq{
SELECT service, logscore_count(s) AS events,
       round(logscore_quantile(s, 0.5)) AS p50, round(logscore_quantile(s, 0.99)) AS p99
FROM (SELECT service, logscore_merge(sketch) AS s FROM service_scores
      WHERE bucket >= date_bin('$coarse seconds', now(), '2000-01-01 00:00:00+00') - interval '1 day'
      GROUP BY service) last_day};
is( $node->safe_psql(
		'postgres', qq{
SELECT count(*) || ' ' || count(*) FILTER (WHERE d IS NULL OR m IS NULL OR d.events <> m.events
                                            OR d.p50 <> m.p50 OR d.p99 <> m.p99)
FROM ($day) d FULL JOIN ($minute_day) m USING (service)}),
	scalar(keys %total) . ' 0',
	'the day dashboard equals the merge of the day of minutes, service by service');
is( $node->safe_psql(
		'postgres',
		qq{SELECT count(*) > 0 FROM service_scores_hour
		   WHERE hour < date_bin('$coarse seconds', now(), '2000-01-01 00:00:00+00')}),
	't', 'and read complete coarse buckets to do so');

note(sprintf('the test took %.0f s', time() - $t_begin));
$node->stop;
done_testing();
