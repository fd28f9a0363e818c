# One version everywhere: the Makefile, the control file, META.json, the
# install script's name, and what CREATE EXTENSION installs.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $root = $ENV{LS_SOURCE_DIR} // '.';

my ($makefile_version) = slurp_file("$root/Makefile") =~ /^EXTVERSION\s*=\s*(\S+)/m;
my ($control_version) = slurp_file("$root/logscore.control") =~ /^default_version\s*=\s*'([^']+)'/m;
my $meta = slurp_file("$root/META.json");
my ($meta_version) = $meta =~ /^   "version":\s*"([^"]+)"/m;
my ($provides_version) = $meta =~ /"provides".*?"version":\s*"([^"]+)"/s;

ok(defined $makefile_version, "Makefile names EXTVERSION ($makefile_version)");
is($control_version, $makefile_version, 'logscore.control default_version agrees');
is($meta_version, $makefile_version, 'META.json version agrees');
is($provides_version, $makefile_version, 'META.json provides.logscore.version agrees');
ok(-f "$root/sql/logscore--$makefile_version.sql", 'the install script for that version exists');

my $node = PostgreSQL::Test::Cluster->new('version');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION logscore');
is($node->safe_psql('postgres', "SELECT extversion FROM pg_extension WHERE extname = 'logscore'"),
	$makefile_version, 'CREATE EXTENSION installs that version');
is($node->safe_psql('postgres', "SELECT default_version FROM pg_available_extensions WHERE name = 'logscore'"),
	$makefile_version, 'the installed control file offers that version');
$node->stop;

done_testing();
