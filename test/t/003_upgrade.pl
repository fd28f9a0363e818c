# Every upgrade path ends where a fresh install does: CREATE EXTENSION at an
# old version, ALTER EXTENSION UPDATE, and compare every member object's
# definition with a fresh CREATE EXTENSION of the current version.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $root = $ENV{LS_SOURCE_DIR} // '.';
my ($current) = slurp_file("$root/Makefile") =~ /^EXTVERSION\s*=\s*(\S+)/m;

# what describes the extension's objects, independent of OIDs
my $describe = q{
SELECT string_agg(description, E'\n' ORDER BY description) FROM (
  SELECT pg_describe_object(d.classid, d.objid, 0) || ' | ' ||
         CASE d.classid
           WHEN 'pg_proc'::regclass THEN
             coalesce((SELECT pg_get_functiondef(p.oid) FROM pg_proc p
                       WHERE p.oid = d.objid AND p.prokind <> 'a'),
                      (SELECT format('aggregate (%s) sfunc=%s stype=%s combine=%s final=%s/%s init=%s '
                                     'msfunc=%s minvfunc=%s mstype=%s mfinal=%s/%s minit=%s parallel=%s',
                                     pg_get_function_arguments(p.oid), a.aggtransfn, format_type(a.aggtranstype, NULL),
                                     a.aggcombinefn, a.aggfinalfn, a.aggfinalmodify, a.agginitval,
                                     a.aggmtransfn, a.aggminvtransfn, format_type(a.aggmtranstype, NULL),
                                     a.aggmfinalfn, a.aggmfinalmodify, a.aggminitval, p.proparallel)
                       FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
                       WHERE a.aggfnoid = d.objid))
           WHEN 'pg_type'::regclass THEN
             (SELECT format('type len=%s align=%s storage=%s in=%s out=%s recv=%s send=%s category=%s preferred=%s',
                            t.typlen, t.typalign, t.typstorage, t.typinput, t.typoutput,
                            t.typreceive, t.typsend, t.typcategory, t.typispreferred)
              FROM pg_type t WHERE t.oid = d.objid)
           WHEN 'pg_class'::regclass THEN
             (SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum)
              FROM pg_attribute a WHERE a.attrelid = d.objid AND a.attnum > 0 AND NOT a.attisdropped)
           ELSE ''
         END || ' | ' || coalesce(obj_description(d.objid, d.classid::regclass::text), '(no comment)')
         AS description
  FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
  WHERE e.extname = 'logscore' AND d.deptype = 'e'
) s};

my $node = PostgreSQL::Test::Cluster->new('upgrade');
$node->init;
$node->start;

my @versions = map { /logscore--([0-9.]+)\.sql$/ ? $1 : () } glob("$root/sql/logscore--*.sql");
@versions = grep { !/--/ && $_ ne $current } @versions;
ok(scalar(@versions) >= 1, 'there is at least one earlier version to upgrade from: ' . join(', ', @versions));

$node->safe_psql('postgres', 'CREATE DATABASE fresh');
$node->safe_psql('fresh', 'CREATE EXTENSION logscore');
my $fresh = $node->safe_psql('fresh', $describe);
like($fresh, qr/logscore/, 'the fresh install has objects to compare');

foreach my $old (@versions)
{
	my $db = "from_" . ($old =~ s/\./_/gr);
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	$node->safe_psql($db, "CREATE EXTENSION logscore VERSION '$old'");
	# a rollup made before the update keeps running after it, now bound
	my $has_rollups = $node->safe_psql($db,
		"SELECT count(*) FROM pg_proc WHERE proname = 'logscore_rollup_run'");
	if ($has_rollups)
	{
		$node->safe_psql(
			$db, q{
CREATE SCHEMA app;
CREATE TABLE app.events (ts timestamptz, service text, value bigint);
INSERT INTO app.events SELECT '2024-01-01 12:00:00+00'::timestamptz + i * interval '7 seconds',
  (ARRAY['api', 'db'])[1 + i % 2], i FROM generate_series(0, 99) i;
SET search_path = app, public;
SELECT logscore_rollup_create('events_minute', 'events', 'ts', 'logscore(value)', '1 minute', '{service}');
CALL logscore_rollup_run('events_minute');
});
	}
	# a view on the accessors keeps working, with the same answers, when an
	# update names their arguments in place (0.6.0) or adds overloads
	my $view_sql;
	if ($node->safe_psql($db, "SELECT count(*) FROM pg_proc WHERE proname = 'logscore_ewm_mean'"))
	{
		$view_sql = q{CREATE VIEW accessors AS
SELECT logscore_quantile(s, 0.9) AS p90, logscore_count(s) AS n, logscore_mean(s) AS mean,
       logscore_ewm_mean(e) AS ewm_mean, logscore_ewm_zscore(e, 3) AS ewm_z
FROM (SELECT logscore_sketch(x) AS s,
             logscore_ewm(x, '2024-01-01 00:00:00+00'::timestamptz + x * interval '1 minute', '1 hour') AS e
      FROM generate_series(1, 100) x) t};
	}
	elsif ($node->safe_psql($db, "SELECT count(*) FROM pg_proc WHERE proname = 'logscore_quantile'"))
	{
		$view_sql = q{CREATE VIEW accessors AS
SELECT logscore_quantile(s, 0.9) AS p90, logscore_count(s) AS n, logscore_mean(s) AS mean
FROM (SELECT logscore_sketch(x) AS s FROM generate_series(1, 100) x) t};
	}
	my $view_before;
	if ($view_sql)
	{
		$node->safe_psql($db, $view_sql);
		$view_before = $node->safe_psql($db, 'SELECT * FROM accessors');
	}
	$node->safe_psql($db, 'ALTER EXTENSION logscore UPDATE');
	if ($view_sql)
	{
		is($node->safe_psql($db, 'SELECT * FROM accessors'),
			$view_before, "a view on the accessors made with $old answers the same after the update");
		$node->safe_psql($db, 'DROP VIEW accessors');
	}
	if ($has_rollups)
	{
		$node->safe_psql($db, q{
INSERT INTO app.events VALUES ('2024-01-01 12:30:00+00', 'web', 5);
SELECT logscore_rollup_reset('app.events_minute');
CALL logscore_rollup_run('events_minute');
});
		is( $node->safe_psql(
				$db,
				q{SELECT name || ' ' || owner || ' ' || input || ' ' || array_to_string(source_columns, ',')
				  || ' ' || (SELECT sum(logscore_count(sketch)) FROM app.events_minute)
				  FROM logscore_rollups}),
			'app.events_minute postgres app.events_minute_input ts,service,value 101',
			"a rollup made with $old is bound, owned and keeps running after the update");
		is( $node->safe_psql(
				$db,
				q{SELECT count(*) FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
				  WHERE d.objid = 'app.events_minute_input'::regclass AND d.deptype = 'e'}),
			'0', 'its input view belongs to its owner, not to the extension');
		$node->safe_psql($db, "SELECT logscore_rollup_drop('app.events_minute'); DROP SCHEMA app CASCADE");
	}
	is($node->safe_psql($db, "SELECT extversion FROM pg_extension WHERE extname = 'logscore'"),
		$current, "$old updates to $current");
	my $updated = $node->safe_psql($db, $describe);
	is($updated, $fresh, "$old updated to $current has the same objects as a fresh install");
	is($node->safe_psql($db, 'SELECT sum(logscore(x)) FROM generate_series(0, 999999) x'),
		'190478476194285708', "the founding check after updating from $old");
}

$node->stop;
done_testing();
