# tools/common.sh: what the demo and the test command share.  Sourced, not run.
#
# Installs Debian packages (as root), builds and installs the extension, and
# runs PostgreSQL pieces as an unprivileged user, since PostgreSQL refuses to
# run as root.  Servers listen on a Unix socket in a scratch folder only.

PG_MAJOR=15
# PG_CONFIG=/path/to/pg_config selects another PostgreSQL 15 installation (a
# relocated copy, say, so that two checkouts can be tested side by side);
# by default, Debian's.
if [ -n "${PG_CONFIG:-}" ]; then
	PG_BINDIR=$("$PG_CONFIG" --bindir)
else
	PG_CONFIG=pg_config
	PG_BINDIR=/usr/lib/postgresql/$PG_MAJOR/bin
fi
export PG_CONFIG
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

# The packages every build and server needs.
LS_BASE_PACKAGES=(build-essential postgresql-$PG_MAJOR postgresql-server-dev-$PG_MAJOR
	clang-14 llvm-14-dev)

# ls_build_install: compiles the extension and installs it into PostgreSQL.
ls_build_install() {
	say "building and installing logscore"
	make -C "$LS_ROOT" -s >/dev/null
	make -C "$LS_ROOT" -s install >/dev/null
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
