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
use Time::HiRes qw(usleep);

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

# One clear minute ends an episode here instead of three, so the test waits
# for one minute to pass rather than three.  The jobs' sessions read it like
# any session does, which this shows too.
$node->safe_psql('postgres', 'ALTER DATABASE postgres SET logscore.alert_exit_after = 1');

# Latencies of 4 to 6 ms, one event every 2 s per service (30 a minute), from
# three hours ago up to now; db's last seven minutes take 40 to 42 ms.
$node->safe_psql(
	'postgres', q{
CREATE TABLE events (ts timestamptz NOT NULL, service text NOT NULL, value bigint NOT NULL);
CREATE TEMP TABLE t0 AS SELECT now() AS t0;
INSERT INTO events
SELECT t0 - i * interval '2 seconds', s,
       CASE WHEN s = 'db' AND i < 210 THEN 40000 ELSE 4000 END + (i * 7919) % 2000
FROM t0, generate_series(0, 5400) i, unnest(ARRAY['api', 'db', 'web']) s;
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
# Six to eight minutes hold incident events, depending on where the clock
# stood in its minute; a partial minute of fewer than 20 events has no z.
$node->safe_psql('postgres', $block{scores});
my %far = map { split / /, $_, 2 } split /\n/, $node->safe_psql(
	'postgres',
	q{SELECT service || ' ' || count(*) FILTER (WHERE abs(z) >= 3) || ' ' || count(*) FILTER (WHERE abs(z) >= 5)
	  FROM latency_minute_z GROUP BY service});
is($far{api} . ', ' . $far{web}, '0 0, 0 0', 'no minute of api or web scores |z| >= 3');
like($far{db}, qr/^([6-8]) \1$/, "db's incident minutes all score |z| >= 5 ($far{db})");

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

# 5. the alert job
$node->safe_psql('postgres', $block{alerts});

# poll QUERY: waits, up to five minutes (pg_cron 1.4 runs once a minute, and
# a job may read the rollup just before its own job of the same minute
# commits), for QUERY to return 't'
sub poll
{
	my ($query) = @_;
	for (my $i = 0; $i < 300 * 2; $i++)
	{
		return 1 if $node->safe_psql('postgres', $query) eq 't';
		usleep(500_000);
	}
	return 0;
}

ok(poll(q{SELECT count(*) > 0 FROM alerts WHERE service = 'db'}), 'the alert job records db');
is( $node->safe_psql('postgres',
		'SELECT string_agg(service || \' \' || state, \', \' ORDER BY service, bucket) FROM alerts'),
	'db critical',
	'one row: db went critical, and nothing else');

# normal minutes for db from the current minute on: once the first is
# complete and rolled up, db's state clears
$node->safe_psql(
	'postgres', q{
INSERT INTO events
SELECT date_trunc('minute', now()) + i * interval '2 seconds', 'db', 4000 + (i * 7919) % 2000
FROM generate_series(0, 149) i;
});
ok( poll(q{SELECT state = 'ok' FROM alerts WHERE service = 'db' ORDER BY bucket DESC LIMIT 1}),
	'the alert job records db back to ok after a normal minute');
is( $node->safe_psql('postgres',
		'SELECT string_agg(service || \' \' || state, \', \' ORDER BY service, bucket) FROM alerts'),
	'db critical, db ok',
	'the episode is two rows: critical, then ok');

my $failed = $node->safe_psql(
	'postgres',
	q{SELECT count(*) FROM cron.job_run_details d JOIN cron.job j USING (jobid)
	  WHERE j.jobname IN ('latency-rollup', 'latency-alerts') AND d.status = 'failed'});
is($failed, '0', 'no run of the rollup or alert job failed');
note(
	'alert job runs: ',
	$node->safe_psql(
		'postgres',
		q{SELECT string_agg(d.status || ': ' || coalesce(d.return_message, ''), '; ' ORDER BY d.runid)
		  FROM cron.job_run_details d JOIN cron.job j USING (jobid) WHERE j.jobname = 'latency-alerts'}));

$node->stop;
done_testing();
