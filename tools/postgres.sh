# tools/postgres.sh: a PostgreSQL server built from source, for testing
# logscore on a major version Debian 12 does not package.  Sourced, after
# tools/common.sh.
#
# Debian 12 packages PostgreSQL 15 only; 18 is built upstream-style from the
# vendored source into a relocatable prefix in a cache folder that outlives
# one test run, keyed on the tarball's checksum and the configure flags so a
# changed tarball or flag builds afresh, and only the first run pays:
#
#   ${LS_CACHE:-$TMPDIR/logscore-cache}/postgresql-18.6-<key>/bin
#
# pg_cron (which the TAP tests need) is built into the same prefix, since
# Debian's pg_cron package serves its PostgreSQL 15 only.
# ls_pg_prepare 18 prints that bin folder (its pg_config selects the server)
# or fails with the reason on stderr.

LS_PG18_VERSION=18.6
LS_PG18_TARBALL=${LS_PG18_TARBALL:-$LS_ROOT/../shared/vendor/postgresql-18_$LS_PG18_VERSION.orig.tar.bz2}
LS_PG18_SHA256=555610c24d53e4316da5b7d3fc25c279d96856d5e0e23ee308c328c5fa881d9f
LS_PG_CRON_VERSION=1.6.7
LS_PG_CRON_TARBALL=${LS_PG_CRON_TARBALL:-$LS_ROOT/../shared/vendor/pg_cron-$LS_PG_CRON_VERSION.tar.gz}
LS_PG_CRON_SHA256=070bbdb9c951727b8c7963e12466b3f88d3a27f0cc92d8373481ddfb07dbbbbb
# ICU is left out as Debian's 15 build of the tests never relies on it; TAP
# support lets the server's own Perl test modules (PostgreSQL::Test::Cluster)
# be installed for test/t.
LS_PG_CONFIGURE_FLAGS=(--without-icu --enable-tap-tests)
# The contrib modules the tests (postgres_fdw) and the benchmark (pg_prewarm,
# pg_buffercache) create; an upstream make install leaves contrib out.
LS_PG_CONTRIB=(postgres_fdw pg_prewarm pg_buffercache)
LS_PG_PACKAGES=(build-essential bison flex libreadline-dev zlib1g-dev libipc-run-perl)

# ls_pg_prepare MAJOR: builds once, then reuses the cache.
ls_pg_prepare() {
	local major=$1
	if [ "$major" != 18 ]; then
		echo "ls_pg_prepare: only PostgreSQL 18 is built from source (15 comes from Debian)" >&2
		return 1
	fi
	local tarball=$LS_PG18_TARBALL
	local key
	key=$(printf '%s %s %s %s' "$LS_PG18_SHA256" "${LS_PG_CONFIGURE_FLAGS[*]}" "${LS_PG_CONTRIB[*]}" \
		"$LS_PG_CRON_SHA256" |
		sha256sum | cut -c1-12)
	local cache=${LS_CACHE:-${TMPDIR:-/tmp}/logscore-cache}
	local prefix=$cache/postgresql-$LS_PG18_VERSION-$key
	if [ -f "$prefix/.complete" ]; then
		echo "$prefix/bin"
		return 0
	fi
	ls_check_source "PostgreSQL $LS_PG18_VERSION" "$tarball" "$LS_PG18_SHA256" || return 1
	ls_check_source "pg_cron" "$LS_PG_CRON_TARBALL" "$LS_PG_CRON_SHA256" || return 1
	ls_install_packages "${LS_PG_PACKAGES[@]}" >&2 || return 1
	say "building PostgreSQL $LS_PG18_VERSION and pg_cron $LS_PG_CRON_VERSION into $prefix (once; about 5 minutes)"
	rm -rf "$prefix"
	mkdir -p "$prefix" || return 1
	local build=$prefix/build
	mkdir -p "$build/pg" "$build/cron" &&
		tar -xjf "$tarball" -C "$build/pg" --strip-components=1 &&
		tar -xzf "$LS_PG_CRON_TARBALL" -C "$build/cron" --strip-components=1 || return 1
	(cd "$build/pg" && ./configure --prefix="$prefix" "${LS_PG_CONFIGURE_FLAGS[@]}" &&
		make -j"$(nproc)" && make install &&
		for module in "${LS_PG_CONTRIB[@]}"; do
			make -C "contrib/$module" -j"$(nproc)" install || exit 1
		done &&
		cd "$build/cron" && make PG_CONFIG="$prefix/bin/pg_config" -j"$(nproc)" &&
		make PG_CONFIG="$prefix/bin/pg_config" install) >"$prefix/build.log" 2>&1 ||
		{ tail -n 40 "$prefix/build.log" >&2; return 1; }
	rm -rf "$build"
	[ "$(id -u)" -eq 0 ] && chown -R "$LS_RUN_USER" "$prefix"
	touch "$prefix/.complete"
	echo "$prefix/bin"
}
