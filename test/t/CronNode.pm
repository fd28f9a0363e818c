# A node for the tests that schedule pg_cron jobs: started, with pg_cron
# preloaded and running jobs in background workers (no TCP connection
# needed), and the pg_cron and logscore extensions created.  Where pg_cron
# is not installed, the test calling start is skipped, saying so.
package CronNode;
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use Test::More;

# skip_unless_installed: skips the whole test (plan skip_all), saying why,
# where the installation tested, the pg_config first in PATH, has no pg_cron.
# A test with checks that need no node calls it before them.
sub skip_unless_installed
{
	my ($libdir, $sharedir) = map {
		my $dir = `pg_config $_`;
		chomp $dir;
		$dir
	} qw(--pkglibdir --sharedir);
	plan skip_all => "pg_cron is not installed ($libdir/pg_cron.so)"
	  unless -f "$libdir/pg_cron.so" && -f "$sharedir/extension/pg_cron.control";
	return;
}

sub start
{
	my ($name) = @_;
	skip_unless_installed();
	my $node = PostgreSQL::Test::Cluster->new($name);
	$node->init;
	$node->append_conf(
		'postgresql.conf', q{
shared_preload_libraries = 'pg_cron'
cron.database_name = 'postgres'
cron.use_background_workers = on
max_worker_processes = 20
});
	$node->start;
	$node->safe_psql('postgres', 'CREATE EXTENSION pg_cron');
	$node->safe_psql('postgres', 'CREATE EXTENSION logscore');
	return $node;
}

# wait_idle NODE: waits until no pg_cron job is starting or running, so that
# what follows runs alone.
sub wait_idle
{
	my ($node) = @_;
	return $node->poll_query_until('postgres',
		q{SELECT count(*) = 0 FROM cron.job_run_details WHERE status IN ('starting', 'running')});
}

1;
