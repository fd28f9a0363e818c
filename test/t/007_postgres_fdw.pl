# Through postgres_fdw, a query that reads a logscore setting gives the
# answer it gives on one node, under the local session's settings.  The
# foreign server lists logscore among its extensions, so postgres_fdw ships
# IMMUTABLE logscore calls and aggregates to the remote server, where the
# remote session's settings are not the local one's.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $remote = PostgreSQL::Test::Cluster->new('fdw_remote');
$remote->init;
$remote->start;
# the local server preloads logscore, as the README recommends: its planner
# hook must see the first query of a session
my $local = PostgreSQL::Test::Cluster->new('fdw_local');
$local->init;
$local->append_conf('postgresql.conf', "session_preload_libraries = 'logscore'");
$local->start;

my $events = q{
SELECT g AS id, (g % 1000) - 300 AS value, 'svc' || (g % 5) AS service,
       sqrt(g) * 1.3 + (g % 11) - 8 AS z
FROM generate_series(1, 20000) g};
$remote->safe_psql('postgres', "CREATE EXTENSION logscore; CREATE TABLE events AS $events");
$local->safe_psql('postgres', qq{
CREATE EXTENSION logscore;
CREATE EXTENSION postgres_fdw;
CREATE SERVER remote FOREIGN DATA WRAPPER postgres_fdw
  OPTIONS (host '@{[ $remote->host ]}', port '@{[ $remote->port ]}', dbname 'postgres',
           extensions 'logscore');
CREATE USER MAPPING FOR CURRENT_USER SERVER remote;
CREATE FOREIGN TABLE events_remote (id int, value int, service text, z float8)
  SERVER remote OPTIONS (table_name 'events');
CREATE TABLE events_local AS $events;
});

# the same query against the foreign table and the local copy, in one session
sub same_answer
{
	my ($name, $settings, $query) = @_;
	my $over_fdw = $local->safe_psql('postgres', $settings . ($query =~ s/\{events\}/events_remote/gr));
	my $one_node = $local->safe_psql('postgres', $settings . ($query =~ s/\{events\}/events_local/gr));
	is($over_fdw, $one_node, $name);
	return $one_node;
}

my $scores = 'SELECT sum(logscore(value::bigint)) FROM {events}';
my $default = same_answer('logscore(value) with the default pipeline', '', $scores);
my $tripled = same_answer('logscore(value) after SET logscore.pipeline',
	"SET logscore.pipeline = 'scale(3) | square';", $scores);
isnt($tripled, $default, 'the setting changes the answer');
same_answer('logscore_array(vals) after SET logscore.pipeline',
	"SET logscore.pipeline = 'shift(2)';",
	'SELECT service, logscore_array(array_agg(value::bigint ORDER BY id)) FROM {events} GROUP BY 1 ORDER BY 1');
same_answer('logscore_severity(z) after SET logscore.alert_*',
	"SET logscore.alert_warning = 1.5; SET logscore.alert_critical = 2.5;",
	'SELECT logscore_severity(z), count(*) FROM {events} GROUP BY 1 ORDER BY 1');
my $states = 'SELECT service, logscore_alert_state(z ORDER BY id) FROM {events} GROUP BY 1 ORDER BY 1';
my $default_states = same_answer('logscore_alert_state(z) as an aggregate', '', $states);
my $set_states = same_answer('logscore_alert_state(z) as an aggregate after SET logscore.alert_*',
	"SET logscore.alert_warning = 200; SET logscore.alert_critical = 300; SET logscore.alert_clear = 100;",
	$states);
isnt($set_states, $default_states, 'the alert settings change the answer');

# thresholds that do not fit together fail over postgres_fdw as on one node
for my $table ('events_remote', 'events_local')
{
	my ($ret, $out, $err) = $local->psql('postgres', qq{
SET logscore.alert_warning = 9; SET logscore.alert_critical = 4;
SELECT service, logscore_alert_state(z ORDER BY id) FROM $table GROUP BY 1});
	like($err, qr/ERROR:  logscore.alert_warning \(9\) must not be above logscore.alert_critical \(4\)/,
		"misordered alert settings fail over $table");
}

# How: in a database with postgres_fdw, logscore writes the settings into
# the query as the explicit forms, which are IMMUTABLE and so shipped with
# the values in them.  Without that, postgres_fdw would ship the aggregate
# logscore_alert_state(z) (an aggregate has no volatility) to be decided by
# the remote server's thresholds.
sub remote_sql
{
	my ($settings, $query) = @_;
	my $plan = $local->safe_psql('postgres', "$settings EXPLAIN (VERBOSE, COSTS OFF) $query");
	return $plan =~ /Remote SQL: (.*)/ ? $1 : $plan;
}
like(remote_sql(q{SET logscore.pipeline = 'scale(3)';}, q{
SELECT id FROM events_remote WHERE logscore(value::bigint) > 100}),
	qr/WHERE \(\(public\.logscore\(value::bigint, 'scale\(3\)'::text\) > 100\)\)/,
	'logscore(value) is shipped with the session pipeline written in');
like(remote_sql(q{SET logscore.alert_warning = 200; SET logscore.alert_critical = 300;}, q{
SELECT service, logscore_alert_state(z ORDER BY id) FROM events_remote GROUP BY 1}),
	qr/logscore_alert_state\(z, 200::double precision, 300::double precision, 2::double precision, 2, 3 ORDER BY id/,
	'logscore_alert_state(z) is shipped with the session thresholds written in');

# logscore_alert_onset reads the same settings, in three forms (no cool-down,
# one in rows, one in time): over the foreign table its aggregate answers as
# on one node, and as a window function on the local copy (rewritten here,
# where postgres_fdw is installed) it answers as the remote server does
# without any rewrite, under the same settings
my $onset_settings = 'SET logscore.alert_warning = 20; SET logscore.alert_critical = 60; '
  . 'SET logscore.alert_clear = 15; SET logscore.alert_enter_after = 1; SET logscore.alert_exit_after = 1;';
for my $form ('logscore_alert_onset(z', 'logscore_alert_onset(z, 7',
	"logscore_alert_onset(z, timestamptz '2026-01-01 00:00+00' + id * interval '1 minute', '45 minutes'")
{
	same_answer("$form ...) as an aggregate after SET logscore.alert_*", $onset_settings,
		"SELECT service, $form ORDER BY id) FROM {events} WHERE id % 97 <> 0 GROUP BY 1 ORDER BY 1");
	my $windows = "SELECT service, count(onset) AS onsets, string_agg(id || ':' || onset, ',' ORDER BY id) AS rows
FROM (SELECT service, id, $form) OVER (PARTITION BY service ORDER BY id) AS onset FROM TABLE) s
GROUP BY 1 ORDER BY 1";
	my $rewritten = $local->safe_psql('postgres', $onset_settings . ($windows =~ s/TABLE/events_local/r));
	is($rewritten, $remote->safe_psql('postgres', $onset_settings . ($windows =~ s/TABLE/events/r)),
		"$form ...) as a window function, rewritten, answers as without the rewrite");
	like($rewritten, qr/svc0\|[1-9]/, "$form ...) finds onsets to compare");
}
like(remote_sql(q{SET logscore.alert_warning = 200; SET logscore.alert_critical = 300;}, q{
SELECT service, logscore_alert_onset(z, 5 ORDER BY id) FROM events_remote GROUP BY 1}),
	qr/logscore_alert_onset\(z, 200::double precision, 300::double precision, 2::double precision, 2, 3, 5 ORDER BY id/,
	'logscore_alert_onset(z, cooldown_rows) is shipped with the thresholds written in before the cool-down');

done_testing();
