# Fengqiao case escalation: the commands of the README.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8000
# Runtime + dev pins (make venv) and runtime pins alone (the image); `make lock` writes both,
# and the bench lock below.
LOCK := requirements-dev.lock
RUNTIME_LOCK := requirements.lock
# The peer event store bench/peers.py compares against: bench-only, outside .venv's locked set.
BENCH_LOCK := requirements-bench.lock
BENCH_PEERS := eventsourcing[postgres]==9.5.6
BENCH_TARGET := $(VENV)/bench-peers
UV_VERSION := 0.13.8
UV := $(VENV)/lock-tool/bin/uv
LOCK_FLAGS := --universal --python-version 3.11 --generate-hashes --quiet \
	--custom-compile-command 'make lock'

.PHONY: lock run test test-unit lint stack stack-stop outage-drill chaos migrate venv bench bench-capacity bench-notify bench-timers bench-replay bench-peers bench-duplicates bench-duplicates-lookup bench-console replay demo clean

# Installs exactly the hashed pins of the lock (re-run when it changes), then the project
# itself without resolving anything, and removes what the lock no longer names.
$(STAMP): pyproject.toml $(LOCK)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps -e .
	$(PY) deploy/lockfile.py $(LOCK) --prune
	touch $(STAMP)

venv: $(STAMP) ## Create .venv and install the locked dependencies, dev tools and the project

lock: ## Re-pin the locks from pyproject.toml (ARGS=--upgrade, or ARGS='--upgrade-package NAME')
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	test -x $(UV) || $(PY) -m pip install --quiet --target $(VENV)/lock-tool uv==$(UV_VERSION)
	$(UV) pip compile pyproject.toml --extra dev $(LOCK_FLAGS) $(ARGS) -o $(LOCK)
	$(UV) pip compile pyproject.toml -c $(LOCK) $(LOCK_FLAGS) -o $(RUNTIME_LOCK)
	echo '$(BENCH_PEERS)' | $(UV) pip compile - -c $(LOCK) $(LOCK_FLAGS) $(ARGS) -o $(BENCH_LOCK)

run: $(STAMP) ## All four services in one process on PORT (8000): embedded log + SQLite
	PORT=$(PORT) FQ_NOTIFY_SANDBOX_PORT=$${FQ_NOTIFY_SANDBOX_PORT:-8900} $(PY) -m services.all_in_one

TEST_WORKERS ?= 3
test: $(STAMP) ## The whole suite: TEST_WORKERS test files at a time, then the tests marked `alone` one by one (TEST_WORKERS=0: all in one process)
ifeq ($(TEST_WORKERS),0)
	$(PY) -m pytest -q
else
	$(PY) -m pytest -q -m "not alone" -n $(TEST_WORKERS) --dist loadfile
	$(PY) -m pytest -q -m alone
endif

test-unit: $(STAMP)
	$(PY) -m pytest -q tests/unit

lint: $(STAMP) ## ruff and mypy
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy services shared

stack: $(STAMP) ## Kafka + PostgreSQL + the four services as separate processes
	deploy/local/stack.sh start

stack-stop:
	deploy/local/stack.sh stop

outage-drill: $(STAMP) ## With make stack up: pause the broker 30 s under a trickle of reports
	$(PY) deploy/local/outage_drill.py $(ARGS)

chaos: $(STAMP) ## kill -9 loops under load (ARGS='--target run|stack|url --seconds 60 --rate 50'), then the invariants
	$(PY) deploy/local/chaos.py $(ARGS)

.PHONY: kafka-smoke
kafka-smoke: $(STAMP) ## Check a Kafka cluster for the services (BOOTSTRAP=host:port; topics from FQ_KAFKA_*)
	$(PY) -m services.kafka_smoke $(BOOTSTRAP)

migrate: $(STAMP) ## Bring FQ_DATABASE_URL to the head migration (what a Kubernetes Job runs)
	$(PY) -m services.migrate

bench: $(STAMP) ## Intake throughput and latency (embedded; add ARGS=--kafka with the stack up)
	$(PY) bench/intake.py $(ARGS)

bench-capacity: $(STAMP) ## The highest report rate with report-to-order p99 <= 500 ms, CPU per case and per stage (embedded)
	$(PY) bench/capacity.py $(ARGS)

bench-notify: $(STAMP) ## Dispatch orders: deliveries/s and report-to-receiver latency (embedded)
	$(PY) bench/notify.py $(ARGS)

bench-timers: $(STAMP) ## 1,000,000 pending timers: schedule, index memory, rebuild, lateness of 10,000 due at once
	$(PY) bench/timers.py $(ARGS)

bench-duplicates: $(STAMP) ## Duplicate reports: precision and recall of folding and proposing on the labelled pairs, pairs/s
	$(PY) bench/duplicates.py $(ARGS)

bench-duplicates-lookup: $(STAMP) ## 1,000,000 cases in the duplicate index: candidate lookup p99 and memory (PostgreSQL: FQ_TEST_DATABASE_URL)
	$(PY) bench/duplicates_lookup.py $(ARGS)

bench-replay: $(STAMP) ## Rebuild all read models from 1,000,000 events in PostgreSQL (ARGS=--events N)
	$(PY) bench/replay.py $(ARGS)

bench-console: $(STAMP) ## The console with 10,000 open cases in a unit and a case of 500 events: server time and first render in chromium, p95 (ARGS='--samples N')
	$(PY) bench/console.py $(ARGS)

# The peer store goes into its own directory (when missing or its lock changed), put on the
# path of bench/peers.py alone: .venv keeps exactly the pins of $(LOCK).
$(BENCH_TARGET)/.installed: $(BENCH_LOCK)
	rm -rf $(BENCH_TARGET)
	$(PY) -m pip install --quiet --require-hashes --target $(BENCH_TARGET) -r $(BENCH_LOCK)
	touch $@

bench-peers: $(STAMP) $(BENCH_TARGET)/.installed ## This log beside eventsourcing 9.5.6: appends, reads, a projection rebuild, SQLite and PostgreSQL (ARGS=--streams N)
	PYTHONPATH=$(BENCH_TARGET) $(PY) bench/peers.py $(ARGS)

replay: $(STAMP) ## Rebuild every read model into fresh tables and swap them in (services may run)
	$(PY) -m services.replay

demo: $(STAMP) ## A simulated year for the sample county in data/demo (ARGS='DIR --cases N')
	$(PY) -m services.year_demo $(ARGS)

clean:
	rm -rf data .local/run
