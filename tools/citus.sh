# tools/citus.sh: a PostgreSQL installation with Citus in it, for the Citus
# suite and the scale-out benchmark.  Sourced, after tools/common.sh.
#
# Citus is not served by Debian, and the machine's own PostgreSQL must not
# receive anything but logscore, so Citus is built from the vendored source
# into a relocated copy of the PostgreSQL installation, in a cache folder that
# outlives one test run:
#
#   ${LS_CACHE:-$TMPDIR/logscore-cache}/citus-13.2.2-pg15.N/usr/lib/postgresql/15/bin
#
# ls_citus_prepare prints that bin folder (its pg_config selects the copy) or
# fails with the reason on stderr; ls_citus_source is empty when no vendored
# source is present (a user's fresh clone), which the suite reports as skipped.

LS_CITUS_VERSION=13.2.2
LS_CITUS_TARBALL=${LS_CITUS_TARBALL:-$LS_ROOT/../shared/vendor/citus-$LS_CITUS_VERSION.tar.gz}
LS_CITUS_SHA256=c8fc76dc8294636a52b1a0dd75a20d8b4a36937df6443e30ca84d8d0464a6bb9
LS_CITUS_PACKAGES=(liblz4-dev libzstd-dev libkrb5-dev libssl-dev libselinux1-dev libxslt1-dev
	libpam0g-dev libreadline-dev flex bison)

ls_citus_source() {
	[ -f "$LS_CITUS_TARBALL" ] && echo "$LS_CITUS_TARBALL"
}

# ls_citus_prepare: builds once, then reuses the cache.
ls_citus_prepare() {
	local tarball=$LS_CITUS_TARBALL
	ls_check_source "Citus" "$tarball" "$LS_CITUS_SHA256" || return 1
	local pg_version
	pg_version=$(/usr/lib/postgresql/$PG_MAJOR/bin/pg_config --version | awk '{print $2}')
	local cache=${LS_CACHE:-${TMPDIR:-/tmp}/logscore-cache}
	local prefix=$cache/citus-$LS_CITUS_VERSION-pg$pg_version
	local bindir=$prefix/usr/lib/postgresql/$PG_MAJOR/bin
	if [ -f "$prefix/.complete" ]; then
		echo "$bindir"
		return 0
	fi
	ls_install_packages "${LS_CITUS_PACKAGES[@]}" >&2 || return 1
	say "building Citus $LS_CITUS_VERSION into $prefix (once; about 7 minutes)"
	rm -rf "$prefix"
	mkdir -p "$prefix/usr/lib/postgresql" "$prefix/usr/share/postgresql" "$prefix/usr/include" &&
		cp -a /usr/lib/postgresql/$PG_MAJOR "$prefix/usr/lib/postgresql/" &&
		cp -a /usr/share/postgresql/$PG_MAJOR "$prefix/usr/share/postgresql/" &&
		cp -a /usr/include/postgresql "$prefix/usr/include/" || return 1
	local build=$prefix/build
	mkdir -p "$build" && tar -xzf "$tarball" -C "$build" --strip-components=1 || return 1
	# Debian's 15.20 headers export have_createdb_privilege(), which Citus's
	# compatibility header also defines; give Citus's copy its own name.
	local at
	at=$(grep -n '^have_createdb_privilege(void)$' "$build/src/include/pg_version_compat.h" | cut -d: -f1)
	[ -n "$at" ] && sed -i "$((at - 1))i #define have_createdb_privilege citus_compat_have_createdb_privilege" \
		"$build/src/include/pg_version_compat.h"
	(cd "$build" && ./configure --without-libcurl PG_CONFIG="$bindir/pg_config" &&
		make -j"$(nproc)" && make install) >"$prefix/build.log" 2>&1 ||
		{ tail -n 40 "$prefix/build.log" >&2; return 1; }
	rm -rf "$build"
	[ "$(id -u)" -eq 0 ] && chown -R "$LS_RUN_USER" "$prefix"
	touch "$prefix/.complete"
	echo "$bindir"
}
