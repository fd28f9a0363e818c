# A rollup kept fresh by a real pg_cron job: the job runs
# CALL logscore_rollup_run(...) in a background worker, and the rollup's
# counts catch up with the source's each time events arrive.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use FindBin;
use lib $FindBin::RealBin;
use CronNode;

my $node = CronNode::start('rollup_cron');


# pg_cron schedules by the second from 1.5 on; Debian 12 ships 1.4, whose
# finest schedule is once a minute, so a wait can take up to a minute
my $cron_version = $node->safe_psql('postgres',
	"SELECT extversion FROM pg_extension WHERE extname = 'pg_cron'");
my ($major, $minor) = $cron_version =~ /^(\d+)\.(\d+)/;
my $schedule = ($major > 1 || $minor >= 5) ? '2 seconds' : '* * * * *';
note("pg_cron $cron_version: the rollup runs on the schedule '$schedule'");

# five minutes of events up to now, over three services
$node->safe_psql(
	'postgres', q{
CREATE TABLE events (ts timestamptz NOT NULL, service text NOT NULL, value bigint NOT NULL);
INSERT INTO events
SELECT now() - i * interval '1 second', (ARRAY['api', 'db', 'web'])[1 + i % 3], i
FROM generate_series(1, 300) i;
});
is( $node->safe_psql(
		'postgres',
		q{SELECT logscore_rollup_create('scores_minute', 'events', 'ts', 'logscore(value)',
		                                '1 minute', '{service}')}),
	'scores_minute',
	'logscore_rollup_create makes the table');

# what is left to roll up: groups whose count differs from the source's
$node->safe_psql(
	'postgres', q{
CREATE VIEW rollup_lag AS
SELECT count(*) FILTER (WHERE s.n IS DISTINCT FROM logscore_count(r.sketch)) AS behind,
       coalesce(sum(logscore_count(r.sketch)), 0) AS rolled_up
FROM (SELECT date_bin('1 minute', ts, '2000-01-01 00:00:00+00') AS bucket, service, count(*) AS n
      FROM events GROUP BY 1, 2) s
FULL JOIN scores_minute r USING (bucket, service);
});

my $jobid = $node->safe_psql('postgres',
	"SELECT cron.schedule('scores-rollup', '$schedule', \$\$CALL logscore_rollup_run('scores_minute')\$\$)");
like($jobid, qr/^\d+$/, "cron.schedule gives job $jobid");

ok( $node->poll_query_until(
		'postgres', 'SELECT behind = 0 AND rolled_up = 300 FROM rollup_lag'),
	'the pg_cron job rolls up the first 300 events');
my $first_watermark = $node->safe_psql('postgres',
	"SELECT watermark FROM logscore_rollups WHERE name = 'public.scores_minute'");
isnt($first_watermark, '', "the run set the watermark ($first_watermark)");

# new events, and late ones within the lateness window (10 minutes)
$node->safe_psql(
	'postgres', q{
INSERT INTO events
SELECT now() - (i % 2) * interval '4 minutes', (ARRAY['api', 'db', 'queue'])[1 + i % 3], 1000 + i
FROM generate_series(1, 60) i;
});
ok( $node->poll_query_until(
		'postgres', 'SELECT behind = 0 AND rolled_up = 360 FROM rollup_lag'),
	'a later run picks up new and late events');
ok( $node->safe_psql(
		'postgres',
		"SELECT watermark > '$first_watermark' FROM logscore_rollups WHERE name = 'public.scores_minute'"
	) eq 't',
	'the watermark advanced');

my $runs = $node->safe_psql(
	'postgres',
	"SELECT count(*) FILTER (WHERE status = 'succeeded') || ' ' || count(*) FILTER (WHERE status = 'failed')
	 FROM cron.job_run_details WHERE jobid = $jobid");
my ($succeeded, $failed) = split / /, $runs;
cmp_ok($succeeded, '>=', 2, "cron.job_run_details shows $succeeded succeeded runs");
is($failed, '0', 'and no failed run');
note(
	'last run: ',
	$node->safe_psql(
		'postgres',
		"SELECT status || ': ' || coalesce(return_message, '') FROM cron.job_run_details
		 WHERE jobid = $jobid ORDER BY runid DESC LIMIT 1"));

is($node->safe_psql('postgres', "SELECT cron.unschedule('scores-rollup')"),
	't', 'cron.unschedule removes the job');
is($node->safe_psql('postgres', 'SELECT count(*) FROM cron.job'),
	'0', 'no job is left');

$node->stop;
done_testing();
