#!/usr/bin/env bash
# Production mode on one machine: PostgreSQL, the Kafka-protocol broker and each service
# as its own process.   deploy/local/stack.sh start|stop|status
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
RUN="$ROOT/.local/run"
LOGS="$ROOT/.local/log"
PY="$ROOT/.venv/bin/python"
mkdir -p "$RUN" "$LOGS"

# name:port for every service that has its own entry point.
SERVICES=(intake:8000 triage:8001 escalation:8002 notify:8003 lifecycle:8004)

export FQ_ENVIRONMENT="${FQ_ENVIRONMENT:-development}"
export FQ_LOG_BACKEND=kafka
export FQ_KAFKA_BOOTSTRAP="${FQ_KAFKA_BOOTSTRAP:-127.0.0.1:${FQ_KAFKA_PORT:-9092}}"
FQ_DATABASE_URL_GIVEN="${FQ_DATABASE_URL:-}"
export FQ_DATABASE_URL="${FQ_DATABASE_URL:-postgresql+asyncpg://fengqiao:fengqiao@127.0.0.1:${FQ_PG_PORT:-5432}/fengqiao}"
export FQ_KAFKA_IDEMPOTENCE="${FQ_KAFKA_IDEMPOTENCE:-false}"  # the local broker has no InitProducerId

has_entry_point() { [ -f "$ROOT/services/$1/main.py" ] && [ -f "$ROOT/services/$1/__main__.py" ]; }

# The sandbox receiver stands in for contacts' webhooks, the SMS gateway and 12345
# (the sample county points at :8900); FQ_SANDBOX=false leaves it out.
start_sandbox() {
  [ "${FQ_SANDBOX:-true}" = "true" ] || return 0
  if [ -f "$RUN/sandbox.pid" ] && kill -0 "$(cat "$RUN/sandbox.pid")" 2>/dev/null; then return 0; fi
  cd "$ROOT"
  nohup "$PY" -m services.sandbox 8900 </dev/null >"$LOGS/sandbox.log" 2>&1 &
  echo $! >"$RUN/sandbox.pid"
  echo "sandbox receiver on http://127.0.0.1:8900/inbox"
}

# The local broker keeps nothing across restarts (memory storage). Consumer positions and
# the event store in PostgreSQL would then point past an empty topic, so a freshly started
# broker gets a fresh database too. With a durable broker this step does not apply.
fresh_database() {
  local db="${FQ_STACK_DATABASE:-fengqiao}" port="${FQ_PG_PORT:-5432}"
  su postgres -c "dropdb -p $port --if-exists --force $db" 2>/dev/null || true
  su postgres -c "createdb -p $port -O fengqiao $db"
  echo "fresh database $db (the local broker started empty)"
}

start() {
  "$ROOT/deploy/local/postgres.sh" start
  if ! "$ROOT/deploy/local/kafka.sh" status >/dev/null 2>&1; then
    "$ROOT/deploy/local/kafka.sh" start
    [ -n "${FQ_DATABASE_URL_GIVEN:-}" ] || fresh_database
  fi
  start_sandbox
  for entry in "${SERVICES[@]}"; do
    name="${entry%%:*}"; port="${entry##*:}"
    has_entry_point "$name" || { echo "skip $name (no entry point yet)"; continue; }
    if [ -f "$RUN/$name.pid" ] && kill -0 "$(cat "$RUN/$name.pid")" 2>/dev/null; then
      echo "$name already running (pid $(cat "$RUN/$name.pid"))"; continue
    fi
    cd "$ROOT"
    PORT="$port" FQ_JSON_LOGS=true nohup "$PY" -m "services.$name" serve \
      </dev/null >"$LOGS/$name.log" 2>&1 &
    echo $! >"$RUN/$name.pid"
    for _ in $(seq 1 100); do
      curl -fsS -m 2 "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
      kill -0 "$(cat "$RUN/$name.pid")" 2>/dev/null || { echo "$name failed:"; tail -20 "$LOGS/$name.log"; exit 1; }
      sleep 0.2
    done
    echo "$name on http://127.0.0.1:$port (log: .local/log/$name.log)"
  done
}

stop() {
  for entry in "${SERVICES[@]}" sandbox:8900; do
    name="${entry%%:*}"
    if [ -f "$RUN/$name.pid" ]; then
      kill "$(cat "$RUN/$name.pid")" 2>/dev/null || true
      rm -f "$RUN/$name.pid"
      echo "stopped $name"
    fi
  done
}

status() {
  for entry in "${SERVICES[@]}"; do
    name="${entry%%:*}"; port="${entry##*:}"
    if curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then echo "$name ready on $port"
    else echo "$name not ready"; fi
  done
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
