# test/bench/scaleout.pl: the scale-out section of the benchmark (issue 10),
# run by `bash test/bench/run.sh --scaleout` on a coordinator and two Citus
# workers on loopback (test/citus/CitusCluster.pm).
#
# Three servers on two cores cannot be faster than one, so this measures the
# quantities that decide how a logscore query scales on Citus, and models
# the speed-up from them:
#
#   t_row     a worker's time per row on one shard, beside the same query's
#             time per row on a one-node copy of the same rows
#   t_merge   the coordinator's cost per partial state: Citus ships a partial
#             sketch as text, so the merge parses the text form and combines
#   bytes     the size of one partial state as shipped (text) and as stored
#   t_task    what one distributed query costs beyond its rows: a query on
#             a distributed table of a few rows
#
# Each candidate runs in a fresh psql session: a warm-up execution, then the
# timed one (psql's \timing); candidates interleave A B C ... per round, and
# the median over ROUNDS rounds is kept.  Writes scaleout-results.csv and
# scaleout-results.md into LS_BENCH_OUT.
use strict;
use warnings;
# PostgreSQL::Test::Utils sends STDOUT and STDERR to its log file: keep the
# terminal for progress, failures and the report
our $terminal;
BEGIN { open $terminal, '>&', \*STDERR or die $!; }
use FindBin;
use lib "$FindBin::RealBin/../citus";
use PostgreSQL::Test::Utils;
use CitusCluster;
use List::Util qw(sum max min);
use POSIX qw(floor);

my $rows = $ENV{LS_BENCH_ROWS} // 2_000_000;
my $rounds = $ENV{LS_BENCH_ROUNDS} // 5;
my $out = $ENV{LS_BENCH_OUT} or die "LS_BENCH_OUT is not set\n";
my $root = "$FindBin::RealBin/../..";
my $shards = 8;
my $partials = 1000;    # partial states the coordinator merges in one query

my ($coord, @workers) = CitusCluster::start(2, q{
shared_buffers = 1GB
jit = off
max_parallel_workers_per_gather = 0
autovacuum = off
});

sub note_line { print $terminal "==> @_\n"; }
$SIG{__DIE__} = sub { print $terminal "scaleout.pl: @_" unless $^S; };

# run NODE SQL: stdout of one psql session fed SQL on stdin
sub run
{
	my ($node, $sql) = @_;
	my ($ret, $stdout, $stderr) = $node->psql('postgres', $sql, on_error_stop => 1);
	die "psql failed: $stderr\n$sql\n" if $ret != 0;
	return $stdout;
}

# timed NODE SQL: milliseconds of the second of two executions in a session
sub timed
{
	my ($node, $query) = @_;
	my $out = run($node, "\\timing on\n$query \\g /dev/null\n$query \\g /dev/null\n");
	my @times = $out =~ /^Time: ([0-9.]+) ms/mg;
	die "no timing for $query:\n$out\n" unless @times == 2;
	return $times[1];
}

sub median
{
	my @s = sort { $a <=> $b } @_;
	return @s % 2 ? $s[$#s / 2] : ($s[@s / 2 - 1] + $s[@s / 2]) / 2;
}

# --- data -----------------------------------------------------------------

note_line("generating $rows events on the coordinator (tools/generate_events.sql)");
run($coord, qq{
CREATE TABLE events_local (id bigint, ts timestamptz, service text, value bigint);
SELECT setseed(0.42) \\g /dev/null
SELECT 'events_local' AS tbl, 1 AS lo, $rows AS hi, $rows AS rows,
       timestamptz '2024-06-03 00:00:00+00' AS start, interval '24 hours' AS span \\gset
\\i $root/tools/generate_events.sql
ALTER TABLE events_local ADD COLUMN latency float8;
UPDATE events_local SET latency = value / 1000.0;
VACUUM (FREEZE, ANALYZE) events_local;
SET citus.shard_count = $shards;
CREATE TABLE events (LIKE events_local);
SELECT create_distributed_table('events', 'id');
CREATE TABLE events_by_service (LIKE events_local);
SELECT create_distributed_table('events_by_service', 'service', colocate_with => 'none');
INSERT INTO events SELECT * FROM events_local;
INSERT INTO events_by_service SELECT * FROM events_local;
VACUUM (FREEZE, ANALYZE) events;
VACUUM (FREEZE, ANALYZE) events_by_service;
CREATE TABLE few (LIKE events_local);
SELECT create_distributed_table('few', 'id', colocate_with => 'events');
INSERT INTO few SELECT * FROM events_local WHERE id <= 8;
});

# the shards of events: name, the node that holds it, its rows
my %rows_by_shard = map { split /\|/ } split /\n/, run($coord, q{
SELECT get_shard_id_for_distribution_column('events', id), count(*) FROM events_local GROUP BY 1});
my %node_by_port = map { ($_->port => $_) } @workers;
my @shard = map {
	my ($id, $name, $port) = split /\|/;
	+{ name => $name, node => $node_by_port{$port}, rows => $rows_by_shard{$id} // 0 }
} split /\n/, run($coord, q{
SELECT shardid, shard_name, nodeport FROM citus_shards WHERE table_name = 'events'::regclass ORDER BY shardid});
die "expected $shards shards, found " . scalar(@shard) . "\n" unless @shard == $shards;
my @service_rows = split /\n/, run($coord, q{
SELECT count(*) FROM events_local
GROUP BY get_shard_id_for_distribution_column('events_by_service', service) ORDER BY 1});

# the partial states as Citus ships them: one per shard, as text, repeated
# to make $partials rows for the coordinator's merge
run($coord, qq{
CREATE TABLE shard_partials AS
  SELECT get_shard_id_for_distribution_column('events', id) AS shard,
         logscore_sketch(latency) AS sketch
  FROM events_local GROUP BY 1;
CREATE TABLE partials_text AS
  SELECT p.sketch::text AS state FROM shard_partials p, generate_series(1, $partials / $shards);
CREATE TABLE partials_binary AS
  SELECT p.sketch FROM shard_partials p, generate_series(1, $partials / $shards);
VACUUM ANALYZE partials_text;
VACUUM ANALYZE partials_binary;
CREATE TABLE minute_partials_text AS
  SELECT date_trunc('minute', ts) AS minute, logscore_sketch(latency)::text AS state
  FROM events_local GROUP BY get_shard_id_for_distribution_column('events', id), 1;
VACUUM ANALYZE minute_partials_text;
});
my ($minute_states, $minute_groups, $minute_bytes) = split /\|/, run($coord, q{
SELECT count(*), count(DISTINCT minute), round(avg(octet_length(state))) FROM minute_partials_text});
my ($text_bytes, $stored_bytes, $buckets) = split /\|/, run($coord, q{
SELECT round(avg(octet_length(sketch::text))), round(avg(pg_column_size(sketch))),
       round(avg(length(regexp_replace(sketch::text, '[^,]', '', 'g'))))
FROM shard_partials});

# --- timings --------------------------------------------------------------

my $sketch = 'SELECT logscore_sketch(latency) FROM';
my $score = 'SELECT sum(logscore(value)) FROM';
my %t;
for my $round (0 .. $rounds)
{
	note_line("round $round of $rounds" . ($round == 0 ? ' (warm-up, discarded)' : ''));
	my %r;
	$r{one_node_sketch} = timed($coord, "$sketch events_local");
	$r{one_node_score} = timed($coord, "$score events_local");
	for my $s (@shard)
	{
		$r{shard_sketch} += timed($s->{node}, "$sketch $s->{name}");
		$r{shard_score} += timed($s->{node}, "$score $s->{name}");
	}
	$r{distributed_sketch} = timed($coord, "$sketch events");
	$r{distributed_sketch_by_service} =
	  timed($coord, "SELECT service, logscore_sketch(latency) FROM events_by_service GROUP BY 1");
	$r{distributed_score} = timed($coord, "$score events");
	$r{few_rows} = timed($coord, "$sketch few");
	$r{merge_text} = timed($coord, 'SELECT logscore_merge(state::logscore_sketch) FROM partials_text');
	$r{merge_binary} = timed($coord, 'SELECT logscore_merge(sketch) FROM partials_binary');
	$r{read_text} = timed($coord, 'SELECT count(state) FROM partials_text');
	$r{merge_minutes} = timed($coord,
		'SELECT minute, logscore_merge(state::logscore_sketch) FROM minute_partials_text GROUP BY 1');
	next if $round == 0;
	push @{ $t{$_} }, $r{$_} for keys %r;
}
my %m = map { ($_ => median(@{ $t{$_} })) } keys %t;

# --- figures and the model ------------------------------------------------

my $ns = sub { $_[0] * 1e6 / $_[1] };    # ms over n -> ns each
my %f;
$f{one_node_sketch_ns_per_row} = $ns->($m{one_node_sketch}, $rows);
$f{shard_sketch_ns_per_row} = $ns->($m{shard_sketch}, $rows);
$f{one_node_score_ns_per_row} = $ns->($m{one_node_score}, $rows);
$f{shard_score_ns_per_row} = $ns->($m{shard_score}, $rows);
$f{merge_text_us_per_state} = ($m{merge_text} - $m{read_text}) * 1000 / $partials;
$f{merge_binary_us_per_state} = $m{merge_binary} * 1000 / $partials;
$f{task_ms} = $m{few_rows};
$f{merge_minute_us_per_state} = $m{merge_minutes} * 1000 / $minute_states;
$f{minute_state_bytes} = $minute_bytes;
$f{text_bytes} = $text_bytes;
$f{stored_bytes} = $stored_bytes;
$f{buckets} = $buckets;
$f{shard_imbalance_by_id} = max(map { $_->{rows} } @shard) / ($rows / $shards);
$f{shard_imbalance_by_service} = max(@service_rows) / ($rows / $shards);

# T(W) = R t_row / (W C) + S t_merge + S bytes / B + t_task, against one
# node's R t_row / C: C cores a node, each scanning its own shards in
# parallel; S shards, at least two per core; B the network's bytes a second.
my ($R, $C, $B) = (100_000_000, 2, 125e6);
# project STATES_PER_SHARD MERGE_US BYTES: the model's rows for 1 to 64 workers
sub project
{
	my ($states, $merge_us, $bytes) = @_;
	my @rows;
	for my $w (1, 4, 16, 64)
	{
		my $s = max(32, 2 * $w * $C);
		my %p = (workers => $w, shards => $s,
			scan => $R * $f{shard_sketch_ns_per_row} / 1e9 / ($w * $C),
			merge => $s * $states * $merge_us / 1e6,
			ship => $s * $states * $bytes / $B,
			fixed => $f{task_ms} / 1000);
		$p{total} = $p{scan} + $p{merge} + $p{ship} + $p{fixed};
		$p{speedup} = $R * $f{one_node_sketch_ns_per_row} / 1e9 / $C / $p{total};
		push @rows, \%p;
	}
	return @rows;
}
my @model = project(1, $f{merge_text_us_per_state}, $f{text_bytes});

# The same query grouped by minute over a day (G = 1440 groups, a column
# that is not the distribution column): every shard sends a partial state
# per group, and the coordinator merges S·G of them.
my $G = 1440;
my @grouped = project($G, $f{merge_minute_us_per_state}, $f{minute_state_bytes});

# --- results --------------------------------------------------------------

my $pg = run($coord, 'SELECT version()') =~ s/\n//r;
my $citus = run($coord, "SELECT extversion FROM pg_extension WHERE extname = 'citus'") =~ s/\n//r;
my $logscore = run($coord, "SELECT extversion FROM pg_extension WHERE extname = 'logscore'") =~ s/\n//r;
my $date = `date -u '+%Y-%m-%d %H:%M UTC'` =~ s/\n//r;
my $git = $ENV{LS_BENCH_GIT} // '?';
my $cpu = `lscpu | sed -n 's/^Model name: *//p' | head -n1` =~ s/\n//r;

open my $csv, '>', "$out/scaleout-results.csv" or die $!;
print $csv "kind,name,value\n";
print $csv "meta,$_\n" for ("date,$date", "git,$git", "rows,$rows", "rounds,$rounds", "shards,$shards",
	"citus,$citus", "logscore,$logscore");
print $csv "median_ms,$_,$m{$_}\n" for sort keys %m;
print $csv "figure,$_,$f{$_}\n" for sort keys %f;
for my $p (@model)
{
	print $csv "model,${_}_$p->{workers}_workers,$p->{$_}\n" for qw(shards scan merge ship fixed total speedup);
}
for my $p (@grouped)
{
	print $csv "model_by_minute,${_}_$p->{workers}_workers,$p->{$_}\n" for qw(shards scan merge ship fixed total speedup);
}
close $csv;

# model_table DIGITS ROWS: the model's rows as a table, merge and ship to
# DIGITS decimals
sub model_table
{
	my ($digits, @rows) = @_;
	my $table = "| workers | shards | scan, s | merge, s | ship, s | floor, s | total, s | speed-up |\n"
	  . "|---:|---:|---:|---:|---:|---:|---:|---:|\n";
	$table .= sprintf "| %d | %d | %.3f | %.${digits}f | %.${digits}f | %.3f | %.3f | %.1f× |\n",
	  @$_{qw(workers shards scan merge ship fixed total speedup)}
	  for @rows;
	return $table;
}

my $fmt = sub { sprintf($_[0] < 10 ? '%.2f' : '%.1f', $_[0]) };
my $md = <<"MD";
# logscore benchmark: scale-out on Citus

- Date: $date; command: `bash test/bench/run.sh --scaleout` (logscore $logscore, commit $git, Citus $citus)
- Machine: $cpu, 2 cores; a coordinator and two workers on loopback, all on those 2 cores
- PostgreSQL: $pg; `jit = off`, `max_parallel_workers_per_gather = 0` (one core a query, as a Citus task)
- Data: $rows events from `tools/generate_events.sql` (50 services, lognormal latencies, traffic ~ 1/rank), `latency = value / 1000.0`; one copy on the coordinator (`events_local`), one distributed by `id` in $shards shards (`events`), one distributed by `service` (`events_by_service`)
- Each time: a fresh psql session, one warm-up execution, then the timed one (`\\timing`); the candidates interleave, $rounds rounds after a discarded one; medians

## Work per row: a worker's shard against one node

| query | one node, ns/row | the $shards shards on their workers, ns/row | shard / one node |
|---|---:|---:|---:|
| `logscore_sketch(latency)` | @{[ $fmt->($f{one_node_sketch_ns_per_row}) ]} | @{[ $fmt->($f{shard_sketch_ns_per_row}) ]} | @{[ sprintf '%.2f', $f{shard_sketch_ns_per_row} / $f{one_node_sketch_ns_per_row} ]} |
| `sum(logscore(value))` | @{[ $fmt->($f{one_node_score_ns_per_row}) ]} | @{[ $fmt->($f{shard_score_ns_per_row}) ]} | @{[ sprintf '%.2f', $f{shard_score_ns_per_row} / $f{one_node_score_ns_per_row} ]} |

A shard's rows cost a worker what they cost one node: the work per row does
not change when Citus splits the table (the shard queries are the same
plans over fewer rows).

## What the coordinator adds

| quantity | measured |
|---|---:|
| one partial state as Citus ships it (text form), bytes | $f{text_bytes} |
| the same state as stored (binary), bytes | $f{stored_bytes} |
| its buckets (positive and negative stores) | $f{buckets} |
| coordinator merge per partial state, text (parse + combine), µs | @{[ $fmt->($f{merge_text_us_per_state}) ]} |
| merge per state from binary (parallel workers, stored sketches), µs | @{[ $fmt->($f{merge_binary_us_per_state}) ]} |
| a distributed `logscore_sketch` over 8 rows in $shards shards (the per-query floor), ms | @{[ $fmt->($f{task_ms}) ]} |
| largest shard / mean shard, distributed by `id` | @{[ sprintf '%.2f', $f{shard_imbalance_by_id} ]} |
| largest shard / mean shard, distributed by `service` | @{[ sprintf '%.2f', $f{shard_imbalance_by_service} ]} |

Whole queries on this machine (three servers sharing 2 cores, so these are
not a speed-up): one node @{[ $fmt->($m{one_node_sketch}) ]} ms, distributed
ungrouped @{[ $fmt->($m{distributed_sketch}) ]} ms, distributed and grouped by
the distribution column @{[ $fmt->($m{distributed_sketch_by_service}) ]} ms for `logscore_sketch`;
one node @{[ $fmt->($m{one_node_score}) ]} ms, distributed @{[ $fmt->($m{distributed_score}) ]} ms for `sum(logscore(value))`.

## Projected speed-up of an ungrouped `logscore_sketch` over 100M rows

Model: T(W) = R·t_row / (W·C) + S·t_merge + S·bytes / B + t_floor, against
one node's R·t_row / C, with R = 100M rows, C = 2 cores a node (each core
scans its own shards), S = max(32, 2·W·C) shards, B = 1 Gbit/s, t_row and
t_merge the shard and text-merge figures above, t_floor the per-query floor
measured here on loopback. It assumes balanced shards (distribute by a
high-cardinality column: by `service`, the largest shard above holds
@{[ sprintf '%.1f', $f{shard_imbalance_by_service} ]}× the mean, and the slowest shard sets the pace), one
partial state per shard (ungrouped; grouped by a column that is not the
distribution column, multiply S by the groups), and no other load.

MD
$md .= model_table(4, @model);
$md .= <<"MD";

The scan dominates to 64 workers: the coordinator's share (merge and
shipping, S partial states of about @{[ sprintf '%.1f', $f{text_bytes} / 1024 ]} kB) stays in milliseconds, so an
ungrouped sketch scales with the workers until the per-query floor takes
over. Grouped by the distribution column, each group's sketch is finished
on its worker and nothing is merged on the coordinator.

## The same, grouped by minute over a day

`GROUP BY date_trunc('minute', ts)` is not the distribution column, so each
shard sends a partial state per minute: S·G states for G = $G minutes. A
minute's partial state from one shard (measured: $minute_states of them, for
$minute_groups minutes × $shards shards of the data above) is $f{minute_state_bytes} bytes of text, and the
coordinator merges it in @{[ $fmt->($f{merge_minute_us_per_state}) ]} µs (`logscore_merge` over text states,
grouped by minute). Same model otherwise:

MD
$md .= model_table(3, @grouped);
$md .= <<"MD";

Grouped by minute,
the coordinator's merge grows with the shards while the scan shrinks, and
past some tens of workers it is the whole cost: a per-minute dashboard over
a day should read a rollup (`logscore_rollup_create(..., distributed =>
true)`, one row per service and minute, already merged on the workers)
rather than the raw events.
MD
open my $mdf, '>', "$out/scaleout-results.md" or die $!;
print $mdf $md;
close $mdf;
print $terminal $md;
$_->stop('fast') for ($coord, @workers);
