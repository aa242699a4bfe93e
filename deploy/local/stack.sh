#!/usr/bin/env bash
# Production mode on one machine: PostgreSQL, the Kafka-protocol broker and each service
# as its own process.   deploy/local/stack.sh start|stop|status
# Ports: FQ_PORT_BASE (8000: intake, +1 triage, +2 escalation, +3 notify), FQ_SANDBOX_PORT
# (8900), FQ_KAFKA_PORT (9092), FQ_PG_PORT (5432); database FQ_STACK_DATABASE (fengqiao).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
RUN="$ROOT/.local/run"
LOGS="$ROOT/.local/log"
PY="$ROOT/.venv/bin/python"
mkdir -p "$RUN" "$LOGS"

BASE="${FQ_PORT_BASE:-8000}"
SANDBOX_PORT="${FQ_SANDBOX_PORT:-8900}"
STACK_DATABASE="${FQ_STACK_DATABASE:-fengqiao}"
# name:port for every service that has its own entry point.
SERVICES=("intake:$BASE" "triage:$((BASE + 1))" "escalation:$((BASE + 2))" "notify:$((BASE + 3))")

export FQ_ENVIRONMENT="${FQ_ENVIRONMENT:-development}"
export FQ_LOG_BACKEND=kafka
export FQ_KAFKA_BOOTSTRAP="${FQ_KAFKA_BOOTSTRAP:-127.0.0.1:${FQ_KAFKA_PORT:-9092}}"
FQ_DATABASE_URL_GIVEN="${FQ_DATABASE_URL:-}"
export FQ_DATABASE_URL="${FQ_DATABASE_URL:-postgresql+asyncpg://fengqiao:fengqiao@127.0.0.1:${FQ_PG_PORT:-5432}/$STACK_DATABASE}"
export FQ_BROKER="${FQ_BROKER:-noida}"  # deploy/local/kafka.sh: noida or tansu
# Tansu has no InitProducerId, so the idempotent producer is on with noida-db only.
if [ "$FQ_BROKER" = "noida" ]; then idempotence=true; else idempotence=false; fi
export FQ_KAFKA_IDEMPOTENCE="${FQ_KAFKA_IDEMPOTENCE:-$idempotence}"

# The sample county's contacts point at the sandbox on :8900; elsewhere, a copy points at
# the sandbox's own port.
if [ "$SANDBOX_PORT" != "8900" ]; then
  sed "s#http://127.0.0.1:8900#http://127.0.0.1:$SANDBOX_PORT#g" \
    "$ROOT/shared/org/data/sample_county.json" >"$RUN/org-$SANDBOX_PORT.json"
  export FQ_ORG_FILE="${FQ_ORG_FILE:-$RUN/org-$SANDBOX_PORT.json}"
  export FQ_NOTIFY_SMS_GATEWAY_URL="${FQ_NOTIFY_SMS_GATEWAY_URL:-http://127.0.0.1:$SANDBOX_PORT/sms}"
  export FQ_NOTIFY_HOTLINE_CALLBACK_URL="${FQ_NOTIFY_HOTLINE_CALLBACK_URL:-http://127.0.0.1:$SANDBOX_PORT/hotline/feedback}"
fi

# A restarted process writes a fresh log; the previous one (a crash's cause) is kept as .1.
fresh_log() {
  local log="$LOGS/$1.log"
  if [ -s "$log" ]; then mv -f "$log" "$log.1"; fi
  echo "$log"
}


# The sandbox receiver stands in for contacts' webhooks, the SMS gateway and 12345
# (the sample county points at :8900); FQ_SANDBOX=false leaves it out.
start_sandbox() {
  [ "${FQ_SANDBOX:-true}" = "true" ] || return 0
  if [ -f "$RUN/sandbox.pid" ] && kill -0 "$(cat "$RUN/sandbox.pid")" 2>/dev/null; then return 0; fi
  cd "$ROOT"
  nohup "$PY" -m services.sandbox "$SANDBOX_PORT" </dev/null >"$(fresh_log sandbox)" 2>&1 &
  echo $! >"$RUN/sandbox.pid"
  echo "sandbox receiver on http://127.0.0.1:$SANDBOX_PORT/inbox"
}

# Tansu keeps nothing across restarts (memory storage). Consumer positions and the event
# store in PostgreSQL would then point past an empty topic, so a freshly started Tansu
# gets a fresh database too. noida-db keeps its data, so this step does not apply to it.
fresh_database() {
  local db="$STACK_DATABASE" port="${FQ_PG_PORT:-5432}"
  su postgres -c "dropdb -p $port --if-exists --force $db" 2>/dev/null || true
  su postgres -c "createdb -p $port -O fengqiao $db"
  echo "fresh database $db (the local broker started empty)"
}

start() {
  "$ROOT/deploy/local/postgres.sh" start
  if ! "$ROOT/deploy/local/kafka.sh" status >/dev/null 2>&1; then
    "$ROOT/deploy/local/kafka.sh" start
    [ -n "${FQ_DATABASE_URL_GIVEN:-}" ] || [ "$FQ_BROKER" != "tansu" ] || fresh_database
  fi
  start_sandbox
  cd "$ROOT"
  # Each service applies the migrations at start-up (FQ_MIGRATIONS=apply); run them once
  # first so the four do not queue on the migration lock.
  "$PY" -m services.migrate
  local started=()
  for entry in "${SERVICES[@]}"; do
    name="${entry%%:*}"; port="${entry##*:}"
    if [ -f "$RUN/$name.pid" ] && kill -0 "$(cat "$RUN/$name.pid")" 2>/dev/null; then
      echo "$name already running (pid $(cat "$RUN/$name.pid"))"; continue
    fi
    PORT="$port" FQ_JSON_LOGS=true nohup "$PY" -m services.processes "$name" serve \
      </dev/null >"$(fresh_log "$name")" 2>&1 &
    echo $! >"$RUN/$name.pid"
    started+=("$entry")
  done
  # Ready = broker and database answer, migrations at head, consumers assigned (/readyz).
  for entry in "${started[@]}"; do
    name="${entry%%:*}"; port="${entry##*:}"
    for _ in $(seq 1 300); do
      curl -fsS -m 3 "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
      kill -0 "$(cat "$RUN/$name.pid")" 2>/dev/null || { echo "$name failed:"; tail -20 "$LOGS/$name.log"; exit 1; }
      sleep 0.2
    done
    curl -fsS -m 3 "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 \
      || { echo "$name not ready: $(curl -sS -m 3 "http://127.0.0.1:$port/readyz")"; exit 1; }
    echo "$name ready on http://127.0.0.1:$port (log: .local/log/$name.log)"
  done
}

stop() {
  # SIGTERM: each service drains within FQ_SHUTDOWN_GRACE_SECONDS (20) and leaves its group.
  for entry in "${SERVICES[@]}" "sandbox:$SANDBOX_PORT"; do
    name="${entry%%:*}"
    if [ -f "$RUN/$name.pid" ]; then
      pid="$(cat "$RUN/$name.pid")"
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
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
