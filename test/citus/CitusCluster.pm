# A Citus cluster on loopback for the Citus suite and the scale-out
# benchmark: a coordinator and workers of the PostgreSQL installation named
# by LS_CITUS_INSTALL (test/run.sh builds one from the vendored source), each
# loading citus and then logscore, the workers added to the coordinator and
# logscore created (Citus propagates it to them).
package CitusCluster;
use strict;
use warnings;
use PostgreSQL::Test::Cluster;

# node NAME [EXTRA_CONF]: one started node with the citus extension
sub node
{
	my ($name, $extra_conf) = @_;
	my $node = PostgreSQL::Test::Cluster->new($name, install_path => $ENV{LS_CITUS_INSTALL});
	$node->init;
	# nodes reach each other by TCP on loopback; the harness keeps its socket
	$node->append_conf('postgresql.conf', qq{
listen_addresses = '127.0.0.1'
shared_preload_libraries = 'citus,logscore'
max_connections = 100
citus.shard_count = 4
citus.log_remote_commands = off
} . ($extra_conf // ''));
	$node->start;
	$node->safe_psql('postgres', 'CREATE EXTENSION citus');
	return $node;
}

# start WORKERS [EXTRA_CONF]: the coordinator and that many workers
sub start
{
	my ($workers, $extra_conf) = @_;
	my $coord = node('coordinator', $extra_conf);
	my @workers = map { node("worker$_", $extra_conf) } 1 .. $workers;
	$coord->safe_psql('postgres',
		"SELECT citus_set_coordinator_host('127.0.0.1', " . $coord->port . ")");
	$coord->safe_psql('postgres', "SELECT citus_add_node('127.0.0.1', " . $_->port . ")")
	  for @workers;
	$coord->safe_psql('postgres', 'CREATE EXTENSION logscore');
	return ($coord, @workers);
}

1;
