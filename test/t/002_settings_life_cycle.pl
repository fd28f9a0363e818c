# logscore.pipeline across a server's life: values that arrive before the
# library is loaded (SET, ALTER ROLE/DATABASE, postgresql.conf), reloads, and
# session_preload_libraries.  A bad value must never be scored with silently;
# nor must a bad logscore.on_overflow or logscore.alert_* value be replaced
# by the default silently.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('settings');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION logscore');

my ($ret, $stdout, $stderr, $log_offset);

# --- without any preload ---

# SET before the library is loaded cannot be checked then; scoring must
# refuse rather than fall back to the default pipeline
($ret, $stdout, $stderr) = $node->psql('postgres',
	"SET logscore.pipeline = 'scale(2) | nope'; SELECT logscore(1);");
isnt($ret, 0, 'a bad value set before the library loaded: scoring fails');
like($stderr, qr/WARNING:.*invalid logscore pipeline: unknown stage "nope"/,
	'the load reports the rejected value');
like($stderr, qr/ERROR:  logscore.pipeline was set to an invalid value before logscore was loaded/,
	'and logscore() refuses to use the default in its place');
is($node->safe_psql('postgres',
	"SET logscore.pipeline = 'scale(2) | nope'; SELECT logscore(0, 'seed'); SET logscore.pipeline = 'square'; SELECT logscore(7);"),
	"0\n49", 'a valid SET clears the refusal');

# ALTER DATABASE ... SET from a session that has loaded the library is checked
($ret, $stdout, $stderr) = $node->psql('postgres',
	"SELECT logscore(1); ALTER DATABASE postgres SET logscore.pipeline = 'bucket(0)';");
like($stderr, qr/ERROR:  invalid logscore pipeline: bucket: width w must be greater than zero/,
	'ALTER DATABASE SET with a bad value fails');
# and a good one reaches new sessions
$node->safe_psql('postgres',
	"SELECT logscore(1); ALTER DATABASE postgres SET logscore.pipeline = 'shift(1000)';");
is($node->safe_psql('postgres', 'SELECT logscore(7)'), '1007', 'ALTER DATABASE SET reaches a new session');
$node->safe_psql('postgres', 'ALTER DATABASE postgres RESET logscore.pipeline');

# a bad value stored while unchecked (a session that never loaded logscore)
$node->safe_psql('postgres', "ALTER ROLE CURRENT_USER SET logscore.pipeline = 'square | square(2)'");
($ret, $stdout, $stderr) = $node->psql('postgres', 'SELECT logscore(3)');
isnt($ret, 0, 'a bad ALTER ROLE value stored unchecked: scoring fails in new sessions');
like($stderr, qr/invalid value before logscore was loaded/, 'with the reason');
$node->safe_psql('postgres', 'ALTER ROLE CURRENT_USER RESET logscore.pipeline');
is($node->safe_psql('postgres', 'SELECT logscore(3)'), '11', 'after RESET the default pipeline scores again');

# the same for logscore.on_overflow: PostgreSQL rejects the stored value at
# load with only a WARNING and would keep the default (error) in its place;
# the functions that read the setting refuse instead
$node->safe_psql('postgres', "ALTER ROLE CURRENT_USER SET logscore.on_overflow = 'sometimes'");
($ret, $stdout, $stderr) = $node->psql('postgres', 'SELECT logscore(3)');
isnt($ret, 0, 'a bad ALTER ROLE on_overflow stored unchecked: scoring fails in new sessions');
like($stderr, qr/WARNING:  invalid value for parameter "logscore.on_overflow": "sometimes"/,
	'the load reports the rejected value');
like($stderr, qr/ERROR:  logscore.on_overflow was set to an invalid value before logscore was loaded\nDETAIL:  The value "sometimes" was rejected, and logscore does not use the default in its place.\nHINT:  Set logscore.on_overflow to a valid value/,
	'logscore() names the setting and the value');
($ret, $stdout, $stderr) = $node->psql('postgres', "SELECT logscore_array(ARRAY[1, 2], 'seed')");
like($stderr, qr/ERROR:  logscore.on_overflow was set to an invalid value before logscore was loaded/,
	'so do the batch functions, even with an explicit pipeline');
is($node->safe_psql('postgres', "SELECT logscore(3, 'seed'), logscore_severity(4)"), "11|warning",
	'functions that do not read it are unaffected');
is($node->safe_psql('postgres',
	"SELECT logscore(3, 'seed'); SET logscore.on_overflow = 'null'; SELECT logscore(3)"), "11\n11",
	'a valid SET clears the refusal');
$node->safe_psql('postgres', 'ALTER ROLE CURRENT_USER RESET logscore.on_overflow');
is($node->safe_psql('postgres', 'SELECT logscore(3)'), '11', 'after RESET the default scores again');

# and for the alert settings: a threshold out of range, stored the same way
$node->safe_psql('postgres', "ALTER ROLE CURRENT_USER SET logscore.alert_warning = '-1'");
($ret, $stdout, $stderr) = $node->psql('postgres', 'SELECT logscore_severity(4)');
isnt($ret, 0, 'a bad ALTER ROLE alert_warning stored unchecked: logscore_severity fails');
like($stderr, qr/WARNING:  -1 is outside the valid range for parameter "logscore.alert_warning"/,
	'the load reports the rejected value');
like($stderr, qr/ERROR:  logscore.alert_warning was set to an invalid value before logscore was loaded\nDETAIL:  The value "-1" was rejected/,
	'logscore_severity names the setting and the value');
($ret, $stdout, $stderr) = $node->psql('postgres',
	'SELECT logscore_alert_state(z) FROM (VALUES (1.0::float8)) v(z)');
like($stderr, qr/ERROR:  logscore.alert_warning was set to an invalid value before logscore was loaded/,
	'so does logscore_alert_state');
is($node->safe_psql('postgres', 'SELECT logscore(3), logscore_severity(4, 3, 5)'), "11|warning",
	'scoring and explicit thresholds are unaffected');
is($node->safe_psql('postgres',
	'SELECT logscore_severity(4, 3, 5); SET logscore.alert_warning = 3.5; SELECT logscore_severity(4)'),
	"warning\nwarning", 'a valid SET clears the refusal');
$node->safe_psql('postgres', 'ALTER ROLE CURRENT_USER RESET logscore.alert_warning');
is($node->safe_psql('postgres', 'SELECT logscore_severity(4)'), 'warning', 'after RESET the default thresholds apply');

# a database-level value that does not parse: only the function that reads it refuses
$node->safe_psql('postgres', "ALTER DATABASE postgres SET logscore.alert_exit_after = 'often'");
($ret, $stdout, $stderr) = $node->psql('postgres',
	'SELECT logscore_alert_state(z) FROM (VALUES (1.0::float8)) v(z)');
like($stderr, qr/ERROR:  logscore.alert_exit_after was set to an invalid value before logscore was loaded\nDETAIL:  The value "often" was rejected/,
	'a bad ALTER DATABASE alert_exit_after: logscore_alert_state refuses');
is($node->safe_psql('postgres', 'SELECT logscore_severity(4)'), 'warning',
	'logscore_severity, which does not read it, is unaffected');
$node->safe_psql('postgres', 'ALTER DATABASE postgres RESET logscore.alert_exit_after');
is($node->safe_psql('postgres', 'SELECT logscore_alert_state(z) FROM (VALUES (1.0::float8)) v(z)'), 'ok',
	'after RESET the default applies');

# --- without a preload, postgresql.conf values are not checked on reload ---

# the server takes the value as it is; a session that loads logscore
# afterwards refuses it, and a fixed file reloaded ends the refusal
$log_offset = -s $node->logfile;
$node->append_conf('postgresql.conf', "logscore.on_overflow = 'sometimes'\n");
$node->reload;
$node->wait_for_log(qr/parameter "logscore.on_overflow" changed to "sometimes"/, $log_offset);
pass('without a preload, the server takes a bad value on reload');
($ret, $stdout, $stderr) = $node->psql('postgres', 'SELECT logscore(3)');
like($stderr, qr/ERROR:  logscore.on_overflow was set to an invalid value before logscore was loaded/,
	'a session that loads logscore afterwards refuses it');
is($node->safe_psql('postgres',
	"SELECT error FROM pg_file_settings WHERE name = 'logscore.on_overflow' AND NOT applied"),
	'', 'pg_file_settings shows no error in a session that has not loaded logscore');
like($node->safe_psql('postgres',
	"LOAD 'logscore'; SELECT error FROM pg_file_settings WHERE name = 'logscore.on_overflow' AND NOT applied"),
	qr/setting could not be applied/, 'but does once it is loaded');
$node->append_conf('postgresql.conf', "logscore.on_overflow = 'null'\n");
$node->reload;
$node->poll_query_until('postgres', "SELECT current_setting('logscore.on_overflow', true) = 'null'")
  or die 'the fixed value did not arrive';
is($node->safe_psql('postgres', 'SELECT logscore(3)'), '11', 'a fixed file reloaded ends the refusal');

# --- shared_preload_libraries: postgresql.conf values are checked on reload ---

$node->append_conf('postgresql.conf', "shared_preload_libraries = 'logscore'\nlogscore.pipeline = 'scale(3)'\n");
$node->restart;
is($node->safe_psql('postgres', 'SHOW logscore.pipeline'), 'scale(3)', 'postgresql.conf sets the pipeline');
is($node->safe_psql('postgres', 'SELECT logscore(7)'), '21', 'and sessions score with it');

$log_offset = -s $node->logfile;
$node->append_conf('postgresql.conf', "logscore.pipeline = 'scale(3) | clamp(9, 1)'\n");
$node->reload;
$node->wait_for_log(qr/invalid logscore pipeline: clamp: lower bound lo is greater than upper bound hi/, $log_offset);
pass('a bad value on reload is reported in the server log');
is($node->safe_psql('postgres', 'SELECT logscore(7)'), '21', 'and the previous pipeline stays in force');
like($node->safe_psql('postgres',
	"SELECT error FROM pg_file_settings WHERE name = 'logscore.pipeline' AND NOT applied AND error IS NOT NULL"),
	qr/setting could not be applied/, 'pg_file_settings shows the value was not applied');

# with the library preloaded, SHOW works and a bad SET fails at once
($ret, $stdout, $stderr) = $node->psql('postgres', "SET logscore.pipeline = 'nope'");
like($stderr, qr/ERROR:  invalid logscore pipeline: unknown stage "nope"/, 'preloaded: a bad SET fails where it is set');

$node->stop;
done_testing();
