# A node for the tests that schedule pg_cron jobs: started, with pg_cron
# preloaded and running jobs in background workers (no TCP connection
# needed), and the pg_cron and logscore extensions created.
package CronNode;
use strict;
use warnings;
use PostgreSQL::Test::Cluster;

sub start
{
	my ($name) = @_;
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

1;
