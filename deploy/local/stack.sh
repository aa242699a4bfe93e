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
SERVICES=(intake:8000 triage:8001 escalation:8002 notify:8003)

export FQ_ENVIRONMENT="${FQ_ENVIRONMENT:-development}"
export FQ_LOG_BACKEND=kafka
export FQ_KAFKA_BOOTSTRAP="${FQ_KAFKA_BOOTSTRAP:-127.0.0.1:${FQ_KAFKA_PORT:-9092}}"
export FQ_DATABASE_URL="${FQ_DATABASE_URL:-postgresql+asyncpg://fengqiao:fengqiao@127.0.0.1:${FQ_PG_PORT:-5432}/fengqiao}"
export FQ_KAFKA_IDEMPOTENCE="${FQ_KAFKA_IDEMPOTENCE:-false}"  # the local broker has no InitProducerId

has_entry_point() { [ -f "$ROOT/services/$1/main.py" ] && [ -f "$ROOT/services/$1/__main__.py" ]; }

start() {
  "$ROOT/deploy/local/postgres.sh" start
  "$ROOT/deploy/local/kafka.sh" start
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
  for entry in "${SERVICES[@]}"; do
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
