# tools/common.sh: what the demo, the benchmark and the test command share.
# Sourced, not run.
#
# Installs Debian packages (as root), builds and installs the extension, and
# runs PostgreSQL pieces as an unprivileged user, since PostgreSQL refuses to
# run as root.  Servers listen on a Unix socket in a scratch folder only.
# Then the small things the demo and the benchmark both need: timing, psql,
# and cleaning up after themselves.

# PG_CONFIG=/path/to/pg_config selects the PostgreSQL installation: another
# PostgreSQL 15 (a relocated copy, say, so that two checkouts can be tested
# side by side) or another major version (tools/postgres.sh builds 18); by
# default, Debian's 15.  ls_use_pg_config sets PG_CONFIG, PG_BINDIR and
# PG_MAJOR (the major version, which pg_config reports) from it.
ls_use_pg_config() {
	if [ -n "${1:-}" ]; then
		PG_CONFIG=$1
		PG_BINDIR=$("$PG_CONFIG" --bindir)
		PG_MAJOR=$("$PG_CONFIG" --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')
	else
		# Debian's, which may not be installed yet: ls_install_packages
		# installs it from LS_BASE_PACKAGES
		PG_CONFIG=pg_config
		PG_MAJOR=15
		PG_BINDIR=/usr/lib/postgresql/$PG_MAJOR/bin
	fi
	export PG_CONFIG
	# The packages every build and server needs.  Debian 12 packages
	# PostgreSQL 15 only; another major version brings its own server and
	# headers (tools/postgres.sh), and is built without LLVM, so no bitcode.
	LS_BASE_PACKAGES=(build-essential)
	[ "$PG_MAJOR" = 15 ] &&
		LS_BASE_PACKAGES+=(postgresql-$PG_MAJOR postgresql-server-dev-$PG_MAJOR clang-14 llvm-14-dev)
	return 0
}
ls_use_pg_config "${PG_CONFIG:-}"
LS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# The unprivileged account servers and tests run as when we are root.
LS_RUN_USER=${LS_RUN_USER:-postgres}

say() { printf '==> %s\n' "$*" >&2; }

# ls_install_packages PKG...: installs the Debian packages that are missing.
ls_install_packages() {
	local missing=()
	local pkg
	for pkg in "$@"; do
		dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$pkg")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		echo "missing Debian packages: ${missing[*]} (run as root to install them)" >&2
		return 1
	fi
	say "installing ${missing[*]}"
	apt-get update -q >/dev/null
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		"${missing[@]}" >/dev/null
}

# ls_build_install: compiles the extension and installs it into PostgreSQL.
ls_build_install() {
	say "building and installing logscore"
	make -C "$LS_ROOT" -s >/dev/null
	make -C "$LS_ROOT" -s install >/dev/null
}

# ls_check_source WHAT TARBALL SHA256: fails, saying why on stderr, unless
# the vendored source TARBALL is there with that checksum.
ls_check_source() {
	[ -f "$2" ] || { echo "no $1 source at $2" >&2; return 1; }
	echo "$3  $2" | sha256sum -c --quiet - >&2 || { echo "$2: checksum mismatch" >&2; return 1; }
}

# ls_as_user CMD...: runs CMD as the unprivileged account when we are root.
ls_as_user() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u "$LS_RUN_USER" -- env PATH="$PG_BINDIR:$PATH" "$@"
	else
		env PATH="$PG_BINDIR:$PATH" "$@"
	fi
}

# ls_scratch: prints a new scratch folder in the system's temporary folder
# that the unprivileged account owns.
ls_scratch() {
	local dir
	dir=$(mktemp -d "${TMPDIR:-/tmp}/logscore.XXXXXX")
	[ "$(id -u)" -eq 0 ] && chown "$LS_RUN_USER" "$dir"
	echo "$dir"
}

# ls_cluster_start DIR [NAME=VALUE...]: a throwaway cluster in DIR, reachable
# only through the socket in DIR.  Each NAME=VALUE is one more server setting
# (e.g. shared_buffers=4GB); values must not contain a single quote.  Sets
# PGHOST, PGPORT, PGDATABASE for what follows.
ls_cluster_start() {
	local dir=$1
	shift
	ls_as_user initdb -D "$dir/data" -U postgres --no-sync -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
		{ cat "$dir/initdb.log" >&2; return 1; }
	# a libpq service or options from the caller's environment would override
	# the cluster's connection and settings
	unset PGSERVICE PGOPTIONS
	export PGHOST=$dir PGPORT=${LS_PGPORT:-54329} PGUSER=postgres PGDATABASE=postgres
	local opts="-c listen_addresses='' -c unix_socket_directories='$dir' -p $PGPORT -c fsync=off"
	local setting
	for setting in "$@"; do
		opts+=" -c '$setting'"
	done
	ls_as_user pg_ctl -D "$dir/data" -l "$dir/server.log" -w start -o "$opts" >/dev/null ||
		{ cat "$dir/server.log" >&2; return 1; }
}

# ls_cluster_stop DIR: stops the cluster ls_cluster_start started in DIR.
ls_cluster_stop() {
	local dir=$1
	[ -f "$dir/data/postmaster.pid" ] && ls_as_user pg_ctl -D "$dir/data" -m fast -w stop >/dev/null 2>&1
	return 0
}

# ls_build_or_use_installed SCRIPT: builds and installs logscore when we may
# write into the installation (root may); otherwise uses the logscore
# installed earlier, or fails, telling to run SCRIPT once as root.
ls_build_or_use_installed() {
	if [ "$(id -u)" -eq 0 ] || [ -w "$("$PG_BINDIR/pg_config" --pkglibdir)" ]; then
		ls_build_install
	elif [ -f "$("$PG_BINDIR/pg_config" --sharedir)/extension/logscore.control" ]; then
		say "not root: using the logscore already installed (run as root to rebuild it)"
	else
		echo "logscore is not installed; run 'bash $1' once as root" >&2
		return 1
	fi
}

# ls_cleanup_on_exit VAR [MESSAGE]: when the script ends, however it ends
# (signals become an ordinary exit, so the EXIT trap is the one cleanup
# path), stops the cluster in the folder the variable VAR names, if set, and
# removes the folder; a failed run then prints MESSAGE with its status.
ls_cleanup_on_exit() {
	_ls_cleanup_var=$1
	_ls_cleanup_message=${2:-}
	trap _ls_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
}
_ls_cleanup() {
	local rc=$?
	trap - EXIT INT TERM HUP
	local dir=${!_ls_cleanup_var:-}
	if [ -n "$dir" ]; then
		ls_cluster_stop "$dir"
		cd /   # not inside the folder we remove
		rm -rf "$dir"
	fi
	[ "$rc" -ne 0 ] && [ -n "$_ls_cleanup_message" ] && echo "$_ls_cleanup_message (exit $rc)" >&2
	exit "$rc"
}

# ls_psql ARGS...: psql on the cluster ls_cluster_start started, stopping at
# the first error.  It talks to the socket directly: root may, and no runuser
# is needed.
ls_psql() {
	"$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 "$@"
}

# now_us: microseconds since the epoch; stripping the separator keeps it
# locale-proof.
now_us() { echo "${EPOCHREALTIME//[!0-9]/}"; }

# elapsed T0 [DECIMALS]: the time since T0 (from now_us), e.g. "3.1 s", with
# DECIMALS (1 or 2; 1 by default) digits after the point.
elapsed() {
	local us=$(($(now_us) - $1))
	if [ "${2:-1}" -eq 2 ]; then
		printf '%d.%02d s' $((us / 1000000)) $((us % 1000000 / 10000))
	else
		printf '%d.%01d s' $((us / 1000000)) $((us % 1000000 / 100000))
	fi
}

# took T0 [DECIMALS]: "    (3.1 s)" on stderr, after what a step printed
took() {
	printf '    (%s)\n' "$(elapsed "$@")" >&2
}
