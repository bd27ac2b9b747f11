#!/bin/sh
# Run a command against a throwaway PostgreSQL cluster, then delete the cluster.
#
# initdb into a temporary directory, start the server listening only on a Unix socket in that
# directory (no TCP port taken, nothing else touched), create the database kontrol_test, export
# TEST_DATABASE_URL for it, run the command, and stop and delete the cluster whatever the
# outcome. Needs PostgreSQL's server binaries (Debian: apt-get install postgresql). initdb
# refuses to run as root, so as root the cluster runs as the postgres user.
set -eu

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bindir" ]; then
    bindir=$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/initdb)")
fi
if [ ! -x "$bindir/initdb" ]; then
    echo "test-postgres needs PostgreSQL's server binaries (apt-get install postgresql)." >&2
    exit 2
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/kontrol-pg.XXXXXX")
as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; fi
cleanup() {
    as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

as_owner "$bindir/initdb" -D "$dir/data" -U kontrol -A trust --no-sync >/dev/null
as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-c listen_addresses='' -k $dir -c fsync=off -c full_page_writes=off" start >/dev/null
as_owner "$bindir/createdb" -h "$dir" -U kontrol kontrol_test
echo "Throwaway PostgreSQL ($("$bindir/postgres" --version)) on the socket in $dir"

TEST_DATABASE_URL="postgresql+psycopg://kontrol@/kontrol_test?host=$dir"
export TEST_DATABASE_URL
"$@"
