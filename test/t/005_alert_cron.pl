# The documented anomaly-to-alert path, run as docs/anomalies-and-alerts.md
# writes it: the SQL blocks marked "<!-- alert-path: NAME -->" are read from
# the page itself, so the documented path and the tested one cannot drift.
# Three services; one of them, db, has an incident in its latest minutes.
# The pg_cron jobs roll the events up, and the alert job records db going
# critical, and then, once normal minutes follow, going back to ok, while the
# other two services never alert.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use FindBin;
use lib $FindBin::RealBin;
use CronNode;
CronNode::skip_unless_installed();

my $root = $ENV{LS_SOURCE_DIR} // '.';
my $readme = slurp_file("$root/docs/anomalies-and-alerts.md");
my %block;
while ($readme =~ /<!-- alert-path: ([\w-]+) -->\n```sql\n(.*?)```/gs)
{
	$block{$1} = $2;
}
is(join(' ', sort keys %block), 'alerts baseline dashboard rollup scores',
	"docs/anomalies-and-alerts.md has the five blocks of the alert path");

my $node = CronNode::start('alert_cron');

# The jobs run here by their commands as the README's blocks schedule them,
# read back from cron.job, rather than by waiting for pg_cron's minutes:
# test/t/004_rollup_cron.pl shows pg_cron firing such a job.  The events end
# a minute before the current one, so that the minute after them is complete
# (the alert job reads complete minutes only) and is where db recovers.
#
# One clear minute ends an episode here instead of three.  The jobs'
# sessions read it like any session does.
$node->safe_psql('postgres', 'ALTER DATABASE postgres SET logscore.alert_exit_after = 1');

# Latencies of 4 to 6 ms, one event every 2 s per service (30 a minute), over
# the three hours up to the last second of the minute before last (t0); db's
# last seven minutes take 40 to 42 ms.
my $t0 = $node->safe_psql('postgres',
	q{SELECT date_trunc('minute', now()) - interval '61 seconds'});
$node->safe_psql(
	'postgres', qq{
CREATE TABLE events (ts timestamptz NOT NULL, service text NOT NULL, value bigint NOT NULL);
INSERT INTO events
SELECT timestamptz '$t0' - i * interval '2 seconds', s,
       CASE WHEN s = 'db' AND i < 210 THEN 40000 ELSE 4000 END + (i * 7919) % 2000
FROM generate_series(0, 5400) i, unnest(ARRAY['api', 'db', 'web']) s;
});

# 1. the rollup, and its first run by hand rather than waiting for the job
$node->safe_psql('postgres', $block{rollup});
$node->safe_psql('postgres', "CALL logscore_rollup_run('latency_minute')");
is($node->safe_psql('postgres', 'SELECT sum(logscore_count(sketch)) FROM latency_minute'),
	3 * 5401, 'the rollup holds every event');

# 2. the baseline table, filled by running the nightly job's own command
$node->safe_psql('postgres', $block{baseline});
my $baseline_job = $node->safe_psql('postgres',
	"SELECT command FROM cron.job WHERE jobname = 'latency-baseline'");
$node->safe_psql('postgres', $baseline_job);
is( $node->safe_psql(
		'postgres',
		q{SELECT string_agg(service || ' ' || round(logscore_quantile(sketch, 0.5) / 1000), ', ' ORDER BY service)
		  FROM latency_baseline}),
	'api 5, db 5, web 5',
	'the baseline holds each service at its usual 5 ms median');

# 3. minute scores: db's incident minutes far out, everything else near 0.
# t0 ends a minute, so the seven incident minutes are whole ones.
$node->safe_psql('postgres', $block{scores});
my %far = map { split / /, $_, 2 } split /\n/, $node->safe_psql(
	'postgres',
	q{SELECT service || ' ' || count(*) FILTER (WHERE abs(z) >= 3) || ' ' || count(*) FILTER (WHERE abs(z) >= 5)
	  FROM latency_minute_z GROUP BY service});
is($far{api} . ', ' . $far{web}, '0 0, 0 0', 'no minute of api or web scores |z| >= 3');
is($far{db}, '7 7', "db's seven incident minutes all score |z| >= 5");

# 4. the dashboard query: db ends critical, api and web are ok throughout
my %states;
my %last_state;
foreach my $row (split /\n/, $node->safe_psql('postgres', $block{dashboard}))
{
	my ($service, $state) = (split /\|/, $row)[0, 5];
	$states{$service}{$state} = 1;
	$last_state{$service} = $state;
}
is( join(', ', map { "$_ $last_state{$_}" } sort keys %last_state),
	'api ok, db critical, web ok',
	'the dashboard shows db critical at its latest minute');
is( join(', ', map { "$_ " . join('/', sort keys %{ $states{$_} }) } sort keys %states),
	'api ok, db critical/ok, web ok',
	'and api and web never leave ok');

# 5. the alert job, scheduled; its command and the rollup's, run directly
$node->safe_psql('postgres', $block{alerts});
is( $node->safe_psql(
		'postgres',
		q{SELECT string_agg(jobname || ' ' || schedule, ', ' ORDER BY jobname) FROM cron.job}),
	'latency-alerts * * * * *, latency-baseline 30 3 * * *, latency-rollup * * * * *',
	'the README schedules the rollup and alert jobs every minute, the baseline nightly');
my %job = map {
	$_ => $node->safe_psql('postgres', "SELECT command FROM cron.job WHERE jobname = '$_'")
} qw(latency-rollup latency-alerts);
# no run of pg_cron's own gets in between the ones below
$node->safe_psql('postgres', 'SELECT cron.unschedule(jobid) FROM cron.job');
ok(CronNode::wait_idle($node), 'with the jobs unscheduled, none is left running');

# run_jobs: one minute's work, as pg_cron would do it: the rollup, then the alerts
sub run_jobs
{
	$node->safe_psql('postgres', $job{'latency-rollup'});
	$node->safe_psql('postgres', $job{'latency-alerts'});
}

run_jobs();
is( $node->safe_psql('postgres', q{SELECT count(*) > 0 FROM alerts WHERE service = 'db'}),
	't', 'the alert job records db');
is( $node->safe_psql('postgres',
		'SELECT string_agg(service || \' \' || state, \', \' ORDER BY service, bucket) FROM alerts'),
	'db critical',
	'one row: db went critical, and nothing else');

# normal events for db in the minute after t0, complete by now: once it is
# rolled up, db's state clears
$node->safe_psql(
	'postgres', qq{
INSERT INTO events
SELECT date_trunc('minute', timestamptz '$t0') + interval '1 minute' + i * interval '2 seconds',
       'db', 4000 + (i * 7919) % 2000
FROM generate_series(0, 29) i;
});
run_jobs();
is( $node->safe_psql('postgres',
		q{SELECT state FROM alerts WHERE service = 'db' ORDER BY bucket DESC LIMIT 1}),
	'ok', 'the alert job records db back to ok after a normal minute');
is( $node->safe_psql('postgres',
		'SELECT string_agg(service || \' \' || state, \', \' ORDER BY service, bucket) FROM alerts'),
	'db critical, db ok',
	'the episode is two rows: critical, then ok');

# pg_cron runs the jobs every minute whether or not anything changed
run_jobs();
is( $node->safe_psql('postgres',
		'SELECT string_agg(service || \' \' || state, \', \' ORDER BY service, bucket) FROM alerts'),
	'db critical, db ok',
	'running the jobs again records nothing new');
is( $node->safe_psql(
		'postgres',
		q{SELECT count(*) FROM cron.job_run_details WHERE status = 'failed'}),
	'0',
	'no run of a job by pg_cron failed');

$node->stop;
done_testing();
