#!/usr/bin/env bash
# Debian's PostgreSQL for development and tests.   deploy/local/postgres.sh install|start|stop|status
# Creates role fengqiao (password fengqiao, CREATEDB for per-test databases) and the
# databases fengqiao and fengqiao_test.
# Raises max_connections to FQ_PG_MAX_CONNECTIONS (300) when lower, restarting the server once.
set -euo pipefail
PORT="${FQ_PG_PORT:-5432}"
CONNECTIONS="${FQ_PG_MAX_CONNECTIONS:-300}"

install() {
  if ! command -v pg_ctlcluster >/dev/null || [ -z "$(ls /usr/lib/postgresql 2>/dev/null)" ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
}

ready() { for _ in $(seq 1 50); do pg_isready -q -h 127.0.0.1 -p "$PORT" && break; sleep 0.2; done; }

cluster() { pg_lsclusters --no-header | awk '{print $1" "$2}' | head -n 1; }

psql_admin() { su postgres -c "psql -p $PORT -v ON_ERROR_STOP=1 -tAc \"$1\""; }

start() {
  install
  read -r version name <<<"$(cluster)"
  if [ -z "${version:-}" ]; then
    version="$(ls /usr/lib/postgresql | sort -n | tail -n 1)"; name=main
    pg_createcluster "$version" "$name" -p "$PORT" >/dev/null
  fi
  pg_ctlcluster "$version" "$name" status >/dev/null 2>&1 || pg_ctlcluster "$version" "$name" start
  ready
  # The suite runs several test files at once, each with engines of its own, beside whatever
  # else a developer runs: the server's default of 100 connections leaves too little room.
  if [ "$(psql_admin "show max_connections")" -lt "$CONNECTIONS" ]; then
    psql_admin "alter system set max_connections = $CONNECTIONS" >/dev/null
    pg_ctlcluster "$version" "$name" restart
    ready
  fi
  if [ "$(psql_admin "select 1 from pg_roles where rolname='fengqiao'")" != "1" ]; then
    psql_admin "create role fengqiao login createdb password 'fengqiao'" >/dev/null
  fi
  # Tests drop their throwaway databases WITH (FORCE); an autovacuum worker still in one
  # belongs to no role, and only pg_signal_backend lets a non-superuser end it.
  psql_admin "grant pg_signal_backend to fengqiao" >/dev/null 2>&1
  for db in fengqiao fengqiao_test; do
    if [ "$(psql_admin "select 1 from pg_database where datname='$db'")" != "1" ]; then
      su postgres -c "createdb -p $PORT -O fengqiao $db"
    fi
  done
  echo "postgresql+asyncpg://fengqiao:fengqiao@127.0.0.1:$PORT/fengqiao"
}

stop() {
  read -r version name <<<"$(cluster)"
  [ -n "${version:-}" ] && pg_ctlcluster "$version" "$name" stop || true
}

case "${1:-start}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  status) pg_isready -h 127.0.0.1 -p "$PORT" ;;
  *) echo "usage: $0 install|start|stop|status" >&2; exit 2 ;;
esac
