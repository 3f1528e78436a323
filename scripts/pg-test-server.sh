#!/usr/bin/env bash
# Runs a command beside a throwaway PostgreSQL server, for the tests of the PostgreSQL
# workspace: a fresh cluster (Debian's `postgresql` package, /usr/lib/postgresql/*/bin) in a
# temporary directory, listening on 127.0.0.1 only, on a free port, with password
# (scram-sha-256) authentication for TCP. The command gets the server in
# STRIDEWISE_TEST_PG (a superuser URL with the password); the server is stopped and its
# directory removed when the command ends, however it ends.
#
# PostgreSQL refuses to run as root: as root the server runs as the `postgres` user the
# package creates (or `nobody` when there is none); the tests themselves stay as they are and
# connect over TCP.
#
# Usage: scripts/pg-test-server.sh COMMAND [ARG...]
#   e.g. scripts/pg-test-server.sh cargo test -p stridewise-core --lib store
# Durability is off (fsync, synchronous_commit): the data is thrown away after the run.
set -euo pipefail
if [ "$#" -eq 0 ]; then
  echo "usage: $0 COMMAND [ARG...] (runs COMMAND with STRIDEWISE_TEST_PG naming a throwaway PostgreSQL server)" >&2
  exit 2
fi

bindir=""
for d in /usr/lib/postgresql/*/bin; do
  [ -x "$d/initdb" ] && bindir=$d
done
if [ -z "$bindir" ]; then
  echo "error: no PostgreSQL server found under /usr/lib/postgresql/*/bin; install Debian's 'postgresql' package (scripts/setup.sh does)" >&2
  exit 2
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/stridewise-pg.XXXXXX")
as_server=()
if [ "$(id -u)" -eq 0 ]; then
  user=postgres
  id -u "$user" >/dev/null 2>&1 || user=nobody
  chown "$user" "$dir"
  as_server=(runuser -u "$user" --)
fi

started=""
cleanup() {
  if [ -n "$started" ]; then
    "${as_server[@]}" "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}
trap cleanup EXIT

password=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')
# Written by the server's user: initdb reads it as that user.
"${as_server[@]}" sh -c 'umask 077; printf "%s\n" "$1" > "$2"' sh "$password" "$dir/pwfile"
"${as_server[@]}" "$bindir/initdb" -D "$dir/data" -U stridewise --pwfile="$dir/pwfile" \
  --auth-host=scram-sha-256 --auth-local=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
  cat "$dir/initdb.log" >&2
  exit 2
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# Another process may take the free port before the server binds it: try a few.
for _ in 1 2 3 4 5; do
  port=$(free_port)
  if "${as_server[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null; then
    started=1
    break
  fi
done
if [ -z "$started" ]; then
  echo "error: the throwaway PostgreSQL server did not start; its log:" >&2
  cat "$dir/server.log" >&2 || true
  exit 2
fi

export STRIDEWISE_TEST_PG="postgres://stridewise:$password@127.0.0.1:$port/postgres"
echo "== PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') for the tests on 127.0.0.1:$port (data in $dir)"
status=0
"$@" || status=$?
exit "$status"
