# A rollup kept fresh by a pg_cron job: the job runs
# CALL logscore_rollup_run(...), and the rollup's counts catch up with the
# source's each time events arrive.  pg_cron's own run is waited for once,
# the proof that it fires the job in a background worker (up to a minute on
# pg_cron 1.4; the test command runs other tests meanwhile); the later runs
# execute the job's command, as pg_cron stored it, directly.
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

# the first run is pg_cron's: nothing else runs the rollup until it is done
ok( $node->poll_query_until(
		'postgres', 'SELECT behind = 0 AND rolled_up = 300 FROM rollup_lag'),
	'the pg_cron job rolls up the first 300 events');
ok( $node->poll_query_until(
		'postgres',
		"SELECT count(*) > 0 FROM cron.job_run_details WHERE jobid = $jobid AND status = 'succeeded'"),
	'cron.job_run_details records the run as succeeded');
my $first_watermark = $node->safe_psql('postgres',
	"SELECT watermark FROM logscore_rollups WHERE name = 'public.scores_minute'");
isnt($first_watermark, '', "the run set the watermark ($first_watermark)");

# the job's command, as pg_cron runs it; then the job goes, so that the runs
# below are the only ones
my $command = $node->safe_psql('postgres', "SELECT command FROM cron.job WHERE jobid = $jobid");
is($command, "CALL logscore_rollup_run('scores_minute')", 'the job stores the command given');
is($node->safe_psql('postgres', "SELECT cron.unschedule('scores-rollup')"),
	't', 'cron.unschedule removes the job');
is($node->safe_psql('postgres', 'SELECT count(*) FROM cron.job'),
	'0', 'no job is left');
ok(CronNode::wait_idle($node), 'no run of the job is left running');
is( $node->safe_psql(
		'postgres',
		"SELECT count(*) FROM cron.job_run_details WHERE jobid = $jobid AND status = 'failed'"),
	'0',
	'and no run of it failed');
note(
	'last run: ',
	$node->safe_psql(
		'postgres',
		"SELECT status || ': ' || coalesce(return_message, '') FROM cron.job_run_details
		 WHERE jobid = $jobid ORDER BY runid DESC LIMIT 1"));

# new events, and late ones within the lateness window (10 minutes)
$node->safe_psql(
	'postgres', q{
INSERT INTO events
SELECT now() - (i % 2) * interval '4 minutes', (ARRAY['api', 'db', 'queue'])[1 + i % 3], 1000 + i
FROM generate_series(1, 60) i;
});
$node->safe_psql('postgres', $command);
is($node->safe_psql('postgres', 'SELECT behind || \' \' || rolled_up FROM rollup_lag'),
	'0 360', 'a later run picks up new and late events');
ok( $node->safe_psql(
		'postgres',
		"SELECT watermark > '$first_watermark' FROM logscore_rollups WHERE name = 'public.scores_minute'"
	) eq 't',
	'the watermark advanced');
$node->safe_psql('postgres', $command);
is($node->safe_psql('postgres', 'SELECT behind || \' \' || rolled_up FROM rollup_lag'),
	'0 360', 'a run with nothing new changes nothing');

$node->stop;
done_testing();
