# Rollups as a hostile role would try them.  A superuser's pg_cron job runs
# rollups unattended; mallory holds CREATE on one schema (and on the
# database), INSERT on the events table and owns a table of her own.  Each
# attack that used to make her a superuser, stall a rollup or silence a run
# is performed here and must fail cleanly while the victim's rollups keep
# running.  alice and bob are ordinary roles: alice runs the whole life
# cycle of her own rollup with no grant on the catalog; bob sees none of it.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use FindBin;
use lib $FindBin::RealBin;
use CronNode;

my $node = CronNode::start('rollup_security');

# The superuser's own statements name logscore's functions with their schema:
# mallory plants look-alikes on the default search_path below.
sub sql { return $node->safe_psql('postgres', "SET search_path = public;\n$_[0]"); }

# psql logged in as ROLE: (exit code, stdout, stderr)
sub as_role
{
	my ($role, $query) = @_;
	my ($stdout, $stderr);
	my $rc = $node->psql('postgres', $query,
		stdout => \$stdout, stderr => \$stderr, on_error_stop => 1,
		extra_params => [ '-U', $role ]);
	return ($rc, $stdout, $stderr);
}

sub mallory_is_superuser
{
	return sql("SELECT rolsuper FROM pg_roles WHERE rolname = 'mallory'");
}

sql(q{
CREATE ROLE mallory LOGIN;
CREATE ROLE alice LOGIN;
CREATE ROLE bob LOGIN;
GRANT CREATE ON DATABASE postgres TO mallory;
CREATE SCHEMA shared;
GRANT USAGE, CREATE ON SCHEMA shared TO mallory;
CREATE SCHEMA alice AUTHORIZATION alice;
CREATE TABLE events (ts timestamptz NOT NULL, service text NOT NULL, value bigint NOT NULL);
INSERT INTO events SELECT '2024-01-01 12:00:00+00'::timestamptz + i * interval '1 second',
  (ARRAY['api', 'db'])[1 + i % 2], i FROM generate_series(0, 599) i;
GRANT SELECT, INSERT ON events TO mallory;
GRANT SELECT ON events TO alice;
});

# the superuser's rollups: one made with shared on its search_path, one with
# the default "$user", public
sql(q{
SET search_path = shared, public;
SELECT logscore_rollup_create('public.events_minute', 'events', 'ts', 'logscore(value)', '1 minute', '{service}');
});
sql(q{SELECT logscore_rollup_create('events_hourly', 'events', 'ts', 'logscore(value)', '1 hour')});
is(sql(q{SELECT string_agg(name || ' ' || owner, ', ' ORDER BY name) FROM logscore_rollups}),
	'public.events_hourly postgres, public.events_minute postgres',
	'the rollups are named schema.table and owned by their creator');

# --- 1. a function planted on the creator's search_path ------------------------
my $escalate = q{LANGUAGE plpgsql AS $f$
BEGIN
  EXECUTE 'ALTER ROLE mallory SUPERUSER';
  RETURN $1;
END $f$};
my ($rc, $out, $err) = as_role('mallory', qq{
CREATE FUNCTION shared.logscore(bigint) RETURNS bigint $escalate;
CREATE SCHEMA postgres;
CREATE FUNCTION postgres.logscore(bigint) RETURNS bigint $escalate;
});
is($rc, 0, 'mallory plants logscore(bigint) in shared and in a schema named after the runner');

sql(q{CALL logscore_rollup_run('public.events_minute'); CALL logscore_rollup_run('events_hourly');});
is(mallory_is_superuser(), 'f',
	'a superuser\'s runs do not execute functions planted on the creator\'s search_path or in "$user"');
is( sql(q{SELECT (SELECT sum(logscore_count(sketch)) FROM events_minute) || ' ' ||
                 (SELECT logscore_sum(logscore_merge(sketch)) FROM events_minute) || ' ' ||
                 (SELECT sum(public.logscore(value)) FROM public.events)}),
	'600 ' . sql(q{SELECT sum(public.logscore(value)) FROM events}) . ' '
	  . sql(q{SELECT sum(public.logscore(value)) FROM events}),
	'and the rollup holds what the bound expression gives');

# --- 2. a source owned by a less trusted role -----------------------------------
($rc, $out, $err) = as_role('mallory', q{
CREATE TABLE shared.mallory_events (ts timestamptz, value bigint);
INSERT INTO shared.mallory_events SELECT '2024-01-01 12:00:00+00'::timestamptz + i * interval '1 minute', i
FROM generate_series(1, 10) i;
CREATE TYPE shared.mallory_num AS (v bigint);
CREATE FUNCTION shared.mallory_num_float(shared.mallory_num) RETURNS float8 LANGUAGE plpgsql AS $f$
BEGIN
  EXECUTE 'ALTER ROLE mallory SUPERUSER';
  RETURN ($1).v;
END $f$;
CREATE CAST (shared.mallory_num AS float8) WITH FUNCTION shared.mallory_num_float(shared.mallory_num);
CREATE VIEW shared.mallory_view AS SELECT ts, value FROM shared.mallory_events;
});
is($rc, 0, 'mallory owns a table, a type with a cast to float8 that escalates, and a view');
sql(q{SELECT logscore_rollup_create('public.mallory_minute', 'shared.mallory_events', 'ts', 'value', '1 minute')});
($rc, $out, $err) = as_role('mallory',
	q{ALTER TABLE shared.mallory_events ALTER COLUMN value TYPE shared.mallory_num USING ROW(value)});
like($err, qr/cannot alter type of a column used by a view or rule/,
	'she cannot change the type of a column a rollup is bound to');
sql(q{CALL logscore_rollup_run('public.mallory_minute')});
is(mallory_is_superuser(), 'f', 'the run reads her table without running her code');
($rc, $out, $err) = $node->psql('postgres',
	q{SELECT logscore_rollup_create('public.mallory_view_minute', 'shared.mallory_view', 'ts', 'value', '1 minute')});
like($err, qr/is a view owned by a role without your privileges/,
	'a rollup over a view another role can redefine is refused');
($rc, $out, $err) = as_role('mallory', q{
ALTER TABLE shared.mallory_events DROP COLUMN value CASCADE;
ALTER TABLE shared.mallory_events ADD COLUMN value shared.mallory_num;
});
is($rc, 0, 'dropping the column with CASCADE and adding one of her type is hers to do');
($rc, $out, $err) = $node->psql('postgres', q{CALL logscore_rollup_run('public.mallory_minute')});
like($err, qr/the input view of rollup "public.mallory_minute" does not exist/,
	'but the next run stops with a clear error');
is(mallory_is_superuser(), 'f', 'and still runs none of her code');
sql(q{SELECT logscore_rollup_drop('public.mallory_minute')});

# --- 3. owners: alice's life cycle, bob's view of it ---------------------------
($rc, $out, $err) = as_role('alice', q{
CREATE TABLE alice.audit (cu name, su name, PRIMARY KEY (cu, su));
CREATE FUNCTION alice.probe(v bigint) RETURNS float8 LANGUAGE plpgsql AS $f$
BEGIN
  INSERT INTO alice.audit VALUES (current_user, session_user) ON CONFLICT DO NOTHING;
  RETURN v;
END $f$;
SELECT logscore_rollup_create('alice.events_minute', 'public.events', 'ts', 'alice.probe(value)', '1 minute', '{service}');
CALL logscore_rollup_run('alice.events_minute');
SELECT logscore_rollup_alter('alice.events_minute', lateness => '1 hour');
SELECT logscore_rollup_reset('alice.events_minute');
CALL logscore_rollup_run('events_minute_input');
});
like($err, qr/rollup "events_minute_input" does not exist/, 'names that are no rollup are refused');
($rc, $out, $err) = as_role('alice', q{
CALL logscore_rollup_run('alice.events_minute');
SELECT name || ' ' || owner || ' ' || lateness FROM logscore_rollups;
SELECT sum(logscore_count(sketch)) FROM alice.events_minute;
});
is($rc, 0, 'alice creates, runs, alters and resets her own rollup with no grant on the catalog');
is($out, "alice.events_minute alice 01:00:00\n600", 'she sees only her own rollup, and it holds every event');
is( sql(q{SELECT has_table_privilege('alice', 'logscore_rollups', 'INSERT, UPDATE, DELETE, TRUNCATE')}),
	'f', 'alice holds no write privilege on the catalog');

for my $attempt (
	[ q{CALL logscore_rollup_run('alice.events_minute')}, 'run' ],
	[ q{SELECT logscore_rollup_drop('alice.events_minute')}, 'drop' ],
	[ q{SELECT logscore_rollup_reset('alice.events_minute')}, 'reset' ],
	[ q{SELECT logscore_rollup_alter('alice.events_minute', on_error => 'stop')}, 'alter' ],
	[ q{UPDATE logscore_rollups SET value_expr = 'x'}, 'update the catalog' ],
	[ q{DELETE FROM logscore_rollups}, 'delete from the catalog' ],
	[ q{INSERT INTO logscore_rollup_rejects VALUES (1, now(), NULL, NULL, NULL, 1, 'x', 'x')}, 'write a dead letter' ],
	[ q{SELECT FROM logscore_rollups FOR UPDATE}, 'lock catalog rows' ],
	[ q{BEGIN; LOCK TABLE logscore_rollups IN EXCLUSIVE MODE; COMMIT;}, 'lock the catalog' ])
{
	($rc, $out, $err) = as_role('bob', $attempt->[0]);
	like($err, qr/must be owner of rollup|permission denied/, "bob cannot $attempt->[1] alice's rollup");
}
($rc, $out, $err) = as_role('mallory', q{
SELECT logscore_rollup_register('public.events_daily', 'shared.mallory_events', 'public.events',
  'shared.mallory_events', 'ts', 'value', '1 day', '{}', '0', 'skip', '{}', '{}')});
like($err, qr/a rollup's name must be its table's qualified name, shared.mallory_events/,
	'mallory cannot register a rollup of hers under another name, to take it from its creator');
($rc, $out, $err) = as_role('bob', q{
SELECT (SELECT count(*) FROM logscore_rollups) || ' ' || (SELECT count(*) FROM logscore_rollup_health)
       || ' ' || (SELECT count(*) FROM logscore_rollup_rejects) || ' ' || (SELECT count(*) FROM logscore_rollup_skips);
});
is($out, '0 0 0 0', 'bob sees no rollup, health row, dead letter or skip of anyone else');
is(sql(q{SELECT count(*) FROM logscore_rollups}), '3', 'a superuser sees every rollup');

# a superuser's run of alice's rollup runs as alice, and cannot be turned
# back into the superuser's from inside
sql(q{SELECT logscore_rollup_reset('alice.events_minute'); CALL logscore_rollup_run('alice.events_minute')});
is(sql(q{SELECT string_agg(cu || '/' || su, ' ' ORDER BY cu, su) FROM alice.audit}),
	'alice/alice alice/postgres',
	'a superuser running alice\'s rollup executes its expression as alice');
($rc, $out, $err) = as_role('mallory', q{
CREATE FUNCTION shared.unset_role(v bigint) RETURNS float8 LANGUAGE plpgsql AS $f$
BEGIN
  EXECUTE 'RESET ROLE';
  EXECUTE 'ALTER ROLE mallory SUPERUSER';
  RETURN v;
END $f$;
SELECT logscore_rollup_create('shared.mallory_reset', 'public.events', 'ts', 'shared.unset_role(value)', '1 hour');
});
is($rc, 0, 'mallory makes a rollup whose expression tries RESET ROLE');
($rc, $out, $err) = $node->psql('postgres', q{CALL logscore_rollup_run('shared.mallory_reset')});
like($err, qr/cannot set parameter "role" within security-(restricted operation|definer function)/,
	'a superuser\'s run of it fails: the run is security-restricted');
is(mallory_is_superuser(), 'f', 'and mallory is not a superuser');

# --- 5. spoofed and colliding locks -------------------------------------------
# a session in the background, logged in as ROLE, fed through $$in
sub background
{
	my ($role, $in, $out) = @_;
	my $timer = IPC::Run::timeout($PostgreSQL::Test::Utils::timeout_default);
	my $h = IPC::Run::start(
		[ 'psql', '-XAtq', '-d', $node->connstr('postgres') . " user=$role", '-f', '-' ],
		'<', $in, '>', $out, '2>', \my $err, $timer);
	return ($h, $timer);
}

my ($in, $bg_out) = ('', '');
my ($bg, $timer) = background('mallory', \$in, \$bg_out);
$in .= q{BEGIN;
SELECT pg_advisory_lock(hashtext('logscore_rollup_run'), hashtext(n))
FROM unnest(ARRAY['events_minute', 'public.events_minute', 'r56050', 'r70850']) n;
SELECT 'held';
};
pump_until($bg, $timer, \$bg_out, qr/held/);
($rc, $out, $err) = $node->psql('postgres', q{CALL logscore_rollup_run('public.events_minute')});
like($err, qr/NOTICE:.*buckets/, 'advisory locks mallory holds do not make a run skip');
is(sql(q{SELECT runs_skipped FROM logscore_rollup_health WHERE name = 'public.events_minute'}),
	'0', 'and no skip is counted');
$in .= "COMMIT;\n\\q\n";
$bg->finish;

sql(q{SELECT logscore_rollup_create('r56050', 'events', 'ts', 'value', '1 hour');
      SELECT logscore_rollup_create('r70850', 'events', 'ts', 'value', '1 hour');});
is(sql(q{SELECT hashtext('r56050') = hashtext('r70850')}), 't', 'r56050 and r70850 have one 32-bit hash');
($in, $bg_out) = ('', '');
($bg, $timer) = background('postgres', \$in, \$bg_out);
$in .= q{BEGIN;
CALL logscore_rollup_run('r56050');
SELECT 'running';
};
pump_until($bg, $timer, \$bg_out, qr/running/);
($rc, $out, $err) = $node->psql('postgres', q{CALL logscore_rollup_run('r70850')});
like($err, qr/NOTICE:.*r70850\): 1 buckets/, 'a run of r56050 in progress does not block r70850');
($rc, $out, $err) = $node->psql('postgres', q{CALL logscore_rollup_run('r56050')});
like($err, qr/WARNING:.*r56050\): skipped/, 'a second run of r56050 skips with a WARNING');
is( sql(q{SELECT string_agg(name || ' ' || runs_skipped, ', ' ORDER BY name) FROM logscore_rollup_health
          WHERE name LIKE 'public.r%'}),
	'public.r56050 1, public.r70850 0', 'and the skip is counted where it happened');
$in .= "COMMIT;\n\\q\n";
$bg->finish;

# --- the pg_cron route --------------------------------------------------------
sql(q{INSERT INTO events VALUES ('2024-01-01 12:59:00+00', 'web', 1)});
sql(q{SELECT logscore_rollup_reset('public.events_hourly'); SELECT logscore_rollup_reset('alice.events_minute');
      TRUNCATE alice.audit;});
my $jobs = sql(q{SELECT cron.schedule('hourly', '* * * * *', $$CALL logscore_rollup_run('public.events_hourly')$$) || ' ' ||
                        cron.schedule('alice', '* * * * *', $$CALL logscore_rollup_run('alice.events_minute')$$)});
ok( $node->poll_query_until(
		'postgres', q{SELECT count(DISTINCT jobid) = 2 FROM cron.job_run_details WHERE status IN ('succeeded', 'failed')}),
	"the superuser's pg_cron jobs ($jobs) ran");
is( sql(q{SELECT string_agg(status, ' ' ORDER BY jobid) FROM (SELECT DISTINCT ON (jobid) jobid, status
          FROM cron.job_run_details ORDER BY jobid, runid) d}),
	'succeeded succeeded', 'both succeeded');
is(mallory_is_superuser(), 'f', 'the cron run executed none of the functions mallory planted');
is(sql(q{SELECT sum(logscore_count(sketch)) FROM events_hourly}), '601', 'and rolled up every event');
is(sql(q{SELECT string_agg(cu || '/' || su, ' ') FROM alice.audit}), 'alice/postgres',
	'the cron job ran alice\'s rollup as alice');
sql(q{SELECT cron.unschedule('hourly'); SELECT cron.unschedule('alice')});

$node->stop;
done_testing();
