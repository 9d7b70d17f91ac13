# shellcheck shell=bash
# A throwaway PostgreSQL server for the store tests (tests/test_store_postgres.py).
#
#   source .ci/postgres.sh     # from .ci/run, before ./run test
#
# Installs Debian's `postgresql` if its server binaries are missing (as root, apt only), makes a
# fresh cluster under /tmp, starts it on 127.0.0.1 (port KIT_PG_PORT, default 55432, or the next
# free one), creates the login role kit/kit with CREATEDB and exports
#   KIT_TEST_PG_URL=postgresql+psycopg://kit:kit@127.0.0.1:<port>/postgres
# The server is stopped and its folder removed when the sourcing shell exits (an EXIT trap, added
# to any trap already set), or earlier with `kit_pg_stop`.
# Must be sourced, not executed: the export and the trap belong to the caller's shell.

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  echo "usage: source ${BASH_SOURCE[0]}   (it exports KIT_TEST_PG_URL into your shell)" >&2
  exit 2
fi

_kit_pg_bindir() {  # the newest installed server's bin folder, or nothing
  local dir
  dir=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)
  if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
    echo "$dir"
  fi
}

_kit_pg_as_owner() {  # run a server program as the cluster's owner
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

_kit_pg_port_taken() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

kit_pg_stop() {
  if [ -n "${KIT_PG_DIR:-}" ] && [ -d "$KIT_PG_DIR" ]; then
    if [ -f "$KIT_PG_DIR/data/postmaster.pid" ]; then
      _kit_pg_as_owner "$KIT_PG_BINDIR/pg_ctl" -D "$KIT_PG_DIR/data" -m fast -w stop >/dev/null || true
    fi
    rm -rf "$KIT_PG_DIR"
    echo "PostgreSQL for the store tests stopped." >&2
  fi
  KIT_PG_DIR=""
}

kit_pg_start() {
  local port bindir
  bindir=$(_kit_pg_bindir)
  if [ -z "$bindir" ]; then
    if [ "$(id -u)" -ne 0 ]; then
      echo "PostgreSQL server binaries not found; install Debian's postgresql package" >&2
      return 1
    fi
    echo "Installing Debian's postgresql ..." >&2
    if declare -F apt_install >/dev/null; then  # .ci/run's helper (runs apt-get update once)
      apt_install postgresql || return 1
    else
      apt-get update -qq || return 1
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql \
        >/dev/null || return 1
    fi
    bindir=$(_kit_pg_bindir)
    [ -n "$bindir" ] || { echo "postgresql installed but no initdb found" >&2; return 1; }
  fi
  KIT_PG_BINDIR="$bindir"

  port="${KIT_PG_PORT:-55432}"
  while _kit_pg_port_taken "$port"; do
    port=$((port + 1))
  done

  KIT_PG_DIR=$(mktemp -d /tmp/kit-pg.XXXXXX)
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres:postgres "$KIT_PG_DIR"
  fi
  # Local socket: peer auth for the owner (to create the role); TCP: passwords only.
  _kit_pg_as_owner "$bindir/initdb" -D "$KIT_PG_DIR/data" -U postgres -E UTF8 --no-locale \
    --auth-local=peer --auth-host=scram-sha-256 >"$KIT_PG_DIR/initdb.log" 2>&1 || {
    cat "$KIT_PG_DIR/initdb.log" >&2
    return 1
  }
  # fsync off: the cluster is thrown away after the run, and CREATE DATABASE gets much faster.
  _kit_pg_as_owner "$bindir/pg_ctl" -D "$KIT_PG_DIR/data" -l "$KIT_PG_DIR/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$KIT_PG_DIR -c fsync=off" \
    start >/dev/null || {
    cat "$KIT_PG_DIR/server.log" >&2
    return 1
  }
  _kit_pg_as_owner "$bindir/psql" -h "$KIT_PG_DIR" -p "$port" -U postgres -d postgres -qAt \
    -v ON_ERROR_STOP=1 -c "CREATE ROLE kit LOGIN PASSWORD 'kit' CREATEDB" \
    -c "GRANT pg_signal_backend TO kit" >/dev/null || return 1
  # pg_signal_backend: the tests drop their databases WITH (FORCE), which must end whatever
  # still holds one (a store a failed test left open, a server process being stopped).

  export KIT_TEST_PG_URL="postgresql+psycopg://kit:kit@127.0.0.1:${port}/postgres"
  echo "PostgreSQL $("$bindir/pg_ctl" --version | awk '{print $3}') for the store tests on" \
    "127.0.0.1:$port (data in $KIT_PG_DIR); stopped when this shell exits, or run kit_pg_stop." >&2
}

_kit_pg_trap() {  # add kit_pg_stop to the EXIT trap, keeping one that is already set
  local previous=""
  eval "set -- $(trap -p EXIT)"
  [ $# -ge 3 ] && previous="$3"
  # shellcheck disable=SC2064  # expand now: the previous trap's text is fixed here
  trap "kit_pg_stop; ${previous}" EXIT
}

KIT_PG_DIR="${KIT_PG_DIR:-}"
if kit_pg_start; then
  _kit_pg_trap
else
  kit_pg_stop
  echo "could not start PostgreSQL for the store tests" >&2
  false
fi
