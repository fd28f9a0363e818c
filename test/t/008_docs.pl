# The documentation runs: every ```sql block of README.md, CONTRIBUTING.md
# and docs/*.md is executed, page by page and in order, in a fresh database,
# and where a page shows a block's output (an ```output block right after
# it) the output is compared.  A block that is not meant to run carries a
# visible marker right above it; docs/reference.md names every object of the
# extension; the README's performance figures are the generator's output.
#
# Markers, on the line above a block (blank lines may separate them):
#   <!-- not run: why -->          a fragment, shown but not run
#   <!-- alert-path: NAME -->      run by test/t/005_alert_cron.pl
#   <!-- citus-path: NAME -->      run by test/citus/001_distributed.pl
#   <!-- pipeline: NAME -->        run by test/t/009_continuous_pipeline.pl
#   <!-- pipeline-dashboard: NAME --> run by it too, and by the soak benchmark
#   <!-- needs pg_cron -->         run, where pg_cron is installed
# An ```output block whose first line starts with "ERROR:" says the block
# fails with those ERROR, DETAIL and HINT lines; the page goes on after it.
#
# LS_DOCS_UPDATE=DIR writes each page, its output blocks replaced by what the
# blocks printed, into DIR (to fill in a new output block: see CONTRIBUTING.md).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use File::Basename qw(basename);

my $root = $ENV{LS_SOURCE_DIR} // '.';
my @pages = grep { -e "$root/$_" }
  ('README.md', 'CONTRIBUTING.md', map { 'docs/' . basename($_) } sort glob("$root/docs/*.md"));

# --- reading the pages ---

# blocks PAGE: the fenced blocks of a page, each a hash of lang, text, line,
# marker (the HTML comment just above, if any) and output (the text of an
# ```output block that follows it).
sub blocks
{
	my ($page) = @_;
	my @lines = split /\n/, slurp_file("$root/$page"), -1;
	my (@blocks, $open, $marker, $last_sql);
	for (my $i = 0; $i < @lines; $i++)
	{
		my $line = $lines[$i];
		if ($open)
		{
			if ($line =~ /^```\s*$/)
			{
				if ($open->{lang} eq 'output')
				{
					die "$page line $open->{line}: an output block must follow an sql block\n"
					  unless $last_sql && !defined $last_sql->{output};
					$last_sql->{output} = $open->{text};
					$last_sql->{output_line} = $open->{line};
				}
				else
				{
					push @blocks, $open;
				}
				$last_sql = $open->{lang} eq 'sql' ? $open : undef;
				undef $open;
			}
			else
			{
				$open->{text} .= "$line\n";
			}
			next;
		}
		if ($line =~ /^```(\S*)\s*$/)
		{
			$open = { lang => $1, text => '', line => $i + 1, marker => $marker };
			undef $marker;
		}
		elsif ($line =~ /^<!--\s*(.*?)\s*-->\s*$/)
		{
			$marker = $1;
			undef $last_sql;
		}
		elsif ($line =~ /\S/)
		{
			undef $marker;
			undef $last_sql;
		}
	}
	die "$page: a block opened at line $open->{line} is not closed\n" if $open;
	return @blocks;
}

my %count = (run => 0, covered => 0, 'opted out' => 0, 'not run here' => 0);
my %plan;
foreach my $page (@pages)
{
	foreach my $b (blocks($page))
	{
		# every block says what it is, so that SQL cannot hide in a bare one
		ok(length $b->{lang}, "$page line $b->{line}: the block names its language")
		  or next;
		next unless $b->{lang} eq 'sql';
		my $m = $b->{marker} // '';
		if ($m =~ /^not run: \S/)
		{
			$count{'opted out'}++;
		}
		elsif ($m =~ /^(alert|citus)-path: [\w-]+$/ || $m =~ /^pipeline(-dashboard)?: [\w-]+$/)
		{
			$count{covered}++;
		}
		elsif ($m eq '' || $m eq 'needs pg_cron')
		{
			push @{ $plan{$page} }, $b;
		}
		else
		{
			fail("$page line $b->{line}: unknown marker <!-- $m -->");
		}
	}
}

# --- running them ---

my $node = PostgreSQL::Test::Cluster->new('docs');
$node->init;
my $have_cron = -e $node->config_data('--pkglibdir') . '/pg_cron.so';
$node->append_conf(
	'postgresql.conf', ($have_cron ? "shared_preload_libraries = 'pg_cron,logscore'\n" : "shared_preload_libraries = 'logscore'\n") . q{
timezone = 'UTC'
cron.use_background_workers = on
max_worker_processes = 20
});
$node->start;

my $update = $ENV{LS_DOCS_UPDATE};
my $n = 0;
foreach my $page (@pages)
{
	my @run = @{ $plan{$page} // [] };
	next unless @run;
	if (grep { ($_->{marker} // '') eq 'needs pg_cron' } @run)
	{
		if (!$have_cron)
		{
			$count{'not run here'} += @run;
			note("$page: not run, pg_cron is not installed");
			next;
		}
	}
	my $db = 'docs_' . ++$n;
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	if (grep { ($_->{marker} // '') eq 'needs pg_cron' } @run)
	{
		# pg_cron lives in one database, named at server start
		$node->append_conf('postgresql.conf', "cron.database_name = '$db'\n");
		$node->restart;
	}
	# a page that shows CREATE EXTENSION logscore creates it itself
	$node->safe_psql($db, 'CREATE EXTENSION logscore')
	  unless grep { $_->{text} =~ /CREATE EXTENSION (IF NOT EXISTS )?logscore/i } @run;

	# One session for the page: markers on both streams split what each
	# block printed; a block expected to fail runs with ON_ERROR_STOP off.
	my $script = "\\pset format aligned\n\\pset tuples_only off\n\\pset pager off\n";
	for my $i (0 .. $#run)
	{
		my $fails = defined $run[$i]{output} && $run[$i]{output} =~ /^ERROR:/;
		$script .= "\\echo '\@\@block $i\@\@'\n\\warn '\@\@block $i\@\@'\n";
		$script .= "\\set ON_ERROR_STOP 0\n" if $fails;
		$script .= $run[$i]{text};
		$script .= "\\set ON_ERROR_STOP 1\n" if $fails;
	}
	$script .= "\\echo '\@\@end\@\@'\n";
	my ($out, $err) = ('', '');
	my $rc = $node->psql($db, $script, stdout => \$out, stderr => \$err);
	my %stdout = split_blocks($out);
	my %stderr = split_blocks($err);
	my $reached = $out =~ /\@\@end\@\@/;
	my @replace;    # [output line, new text], for LS_DOCS_UPDATE

	for my $i (0 .. $#run)
	{
		my $b = $run[$i];
		my $what = "$page line $b->{line}";
		my ($o, $e) = ($stdout{$i} // '', $stderr{$i} // '');
		if (!exists $stdout{$i})
		{
			fail("$what: not reached (an earlier block failed)");
			next;
		}
		my $failed_here = !$reached && !exists $stdout{ $i + 1 };
		if (defined $b->{output} && $b->{output} =~ /^ERROR:/)
		{
			my $got = join '', map { s/^psql:[^:]*:\d+: //r . "\n" } grep { /^(psql:[^:]*:\d+: )?(ERROR|DETAIL|HINT):/ } split /\n/, $e;
			is($got, $b->{output}, "$what fails as the page shows");
			push @replace, [ $b->{output_line}, $got ];
			next;
		}
		if ($failed_here || $e =~ /^(psql:[^:]*:\d+: )?ERROR:/m)
		{
			fail("$what runs");
			diag("psql exited with $rc:\n$e");
			next;
		}
		if (defined $b->{output})
		{
			is(normalize($o), normalize($b->{output}), "$what runs and prints what the page shows");
			push @replace, [ $b->{output_line}, normalize($o) ];
		}
		else
		{
			pass("$what runs");
		}
		$count{run}++;
	}
	if ($update)
	{
		# from the bottom up, so that the line numbers above stay right
		my $text = slurp_file("$root/$page");
		$text = replace_output($text, @$_) foreach sort { $b->[0] <=> $a->[0] } @replace;
		my $file = "$update/" . ($page =~ s{/}{_}gr);
		open my $fh, '>', $file or die "$file: $!";
		print $fh $text;
		close $fh;
		note("wrote $file");
	}
}

# split_blocks TEXT: what followed each "@@block N@@" marker, up to the next
sub split_blocks
{
	my ($text) = @_;
	my %seg;
	my $cur;
	foreach my $line (split /\n/, $text)
	{
		if ($line =~ /^\@\@block (\d+)\@\@$/) { $cur = $1; $seg{$cur} = ''; next; }
		if ($line eq '@@end@@') { undef $cur; next; }
		$seg{$cur} .= "$line\n" if defined $cur;
	}
	return %seg;
}

# normalize OUTPUT: without trailing blanks on a line and blank lines at the ends
sub normalize
{
	my ($s) = @_;
	$s =~ s/[ \t]+$//mg;
	$s =~ s/^\n+//;
	$s =~ s/\n*$/\n/;
	return $s;
}

sub replace_output
{
	my ($text, $start, $new) = @_;    # $start: the ```output line, 1-based
	my @lines = split /\n/, $text, -1;
	my $end = $start;
	$end++ while $lines[$end] !~ /^```\s*$/;
	splice @lines, $start, $end - $start, split /\n/, $new;
	return join "\n", @lines;
}

note(sprintf('sql blocks: %d run, %d covered by other suites, %d opted out, %d not run here',
	$count{run}, $count{covered}, $count{'opted out'}, $count{'not run here'}));
cmp_ok($count{run}, '>', 0, 'some blocks ran');

# --- the reference names every object of the extension ---

my $reference = slurp_file("$root/docs/reference.md");
my $flat = $reference =~ s/\s+//gr;
$node->safe_psql('postgres', 'CREATE EXTENSION logscore');
my @missing;
foreach my $row (split /\n/, $node->safe_psql('postgres', q{
SELECT d.classid::regclass || '|' || coalesce(p.proname, t.typname, c.relname, oc.opcname, of.opfname, '')
       || '|' || coalesce((SELECT string_agg(a.name, ',' ORDER BY a.n)
                           FROM unnest(p.proargnames, p.proargmodes) WITH ORDINALITY AS a(name, mode, n)
                           WHERE coalesce(a.mode, 'i') IN ('i', 'b', 'v')), '')
       || '|' || pg_describe_object(d.classid, d.objid, 0)
FROM pg_depend d
LEFT JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND p.oid = d.objid
LEFT JOIN pg_type t ON d.classid = 'pg_type'::regclass AND t.oid = d.objid
LEFT JOIN pg_class c ON d.classid = 'pg_class'::regclass AND c.oid = d.objid
LEFT JOIN pg_opclass oc ON d.classid = 'pg_opclass'::regclass AND oc.oid = d.objid
LEFT JOIN pg_opfamily of ON d.classid = 'pg_opfamily'::regclass AND of.oid = d.objid
WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
  AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'logscore')
  -- a type's array type, a member too since PostgreSQL 16, is named with it
  AND NOT coalesce(t.typcategory = 'A' AND t.typelem <> 0, false)
ORDER BY 1}))
{
	my ($class, $name, $args, $desc) = split /\|/, $row, 4;
	my $found;
	if ($class eq 'pg_proc')
	{
		# written as a call with its input arguments' own names, in order,
		# so that what the page shows works in named notation
		my $pattern = join('\b[^)]*?\b', map { quotemeta } split /,/, $args);
		$pattern = length $args ? "\\s*$pattern\\b[^)]*" : '\\s*';
		$found = $reference =~ /\b\Q$name\E\($pattern\)/;
		$desc .= " (written as $name(" . ($args =~ s/,/, /gr) . ' ...))' unless $found;
	}
	elsif ($class eq 'pg_operator' || $class eq 'pg_cast')
	{
		# "=(logscore_sketch, logscore_sketch)", "cast from a to b"
		my $key = $desc =~ s/^operator //r =~ s/\s+//gr;
		$found = index($flat, $key) >= 0;
	}
	elsif (length $name)
	{
		$found = $reference =~ /\b\Q$name\E\b/;
	}
	push @missing, $desc unless $found;
}
is(join("\n", @missing), '', 'docs/reference.md names every member of the extension');

my @gucs = split /\n/, $node->safe_psql('postgres',
	"LOAD 'logscore'; SELECT name FROM pg_settings WHERE name LIKE 'logscore.%' ORDER BY 1");
cmp_ok(scalar @gucs, '>', 0, 'logscore has settings');
is(join(' ', grep { $reference !~ /\Q$_\E\b/ } @gucs), '', 'docs/reference.md names every setting');

# Every SQLSTATE that src/ and the install script raise, by its code.
SKIP:
{
	skip 'no src/ beside the tests', 1 unless -d "$root/src";
	my %code;
	open my $fh, '<', $node->config_data('--includedir-server') . '/utils/errcodes.h' or die $!;
	while (<$fh>)
	{
		next unless /^#define (ERRCODE_\w+)\s+MAKE_SQLSTATE\((.*)\)/;
		my ($name, $chars) = ($1, $2);
		$code{$name} = join '', $chars =~ /'(.)'/g;
	}
	close $fh;
	my %raised;
	foreach my $file (glob("$root/src/*.c"), "$root/sql/logscore.sql")
	{
		my $src = slurp_file($file);
		$raised{$1} = 1 while $src =~ /(?:errcode|GUC_check_errcode)\((ERRCODE_\w+)\)/g;
		$raised{ 'ERRCODE_' . uc $1 } = 1 while $src =~ /ERRCODE = '([a-z_]+)'/g;
	}
	my @unnamed = grep { !exists $code{$_} || $reference !~ /\b$code{$_}\b/ } sort keys %raised;
	is(join(' ', map { "$_ (" . ($code{$_} // 'not in errcodes.h') . ")" } @unnamed), '', 'docs/reference.md names every SQLSTATE logscore raises');
}

# --- the README's performance figures are generated ---

my ($gen_out, $gen_err) = ('', '');
my $gen_ok = IPC::Run::run([ 'perl', "$root/test/bench/readme_tables.pl", '--check', $root ],
	'>', \$gen_out, '2>', \$gen_err);
ok($gen_ok, 'README.md and docs/performance.md hold the tables test/bench/readme_tables.pl makes of the results')
  or diag($gen_out . $gen_err);

$node->stop;
done_testing();
