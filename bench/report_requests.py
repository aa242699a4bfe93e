"""CPU per report request: ``POST /v1/cases`` driven straight into the ASGI application.

    .venv/bin/python bench/report_requests.py [--chunk 500] [--rounds 10] [--no-append]
        [--against DIR] [--code DIR]

No sockets and no uvicorn: the intake API (its middleware, dependencies, validation, the
command handler and the response) in this process, on the embedded log, with the case list
projection not running, 32 requests at a time. Each round posts ``--chunk`` reports and
takes the process's CPU time over them; the median of the rounds is printed.
``--no-append`` answers the log's append in memory, leaving the HTTP path alone.
``--against DIR`` runs the same in a second process on the code in DIR (an export of an
earlier commit), the two taking turns round by round, so load from elsewhere on the machine
falls on both alike (``--code DIR`` measures the code in DIR in place of this tree's).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parents[1]
CONCURRENCY = 32


def _scope(body: bytes) -> dict[str, Any]:
    headers = [
        (b"host", b"bench"),
        (b"authorization", b"Bearer dev"),
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/v1/cases",
        "raw_path": b"/v1/cases",
        "root_path": "",
        "query_string": b"",
        "headers": headers,
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }


async def post(app: Any, body: bytes) -> None:
    """One report through the whole application; a 201 expected."""
    delivered = False
    status = 0

    async def receive() -> dict[str, Any]:
        nonlocal delivered
        if delivered:  # the client stays connected until the answer is sent
            await asyncio.Event().wait()
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(_scope(body), receive, send)
    assert status == 201, status


def answer_appends_in_memory(log: Any) -> None:
    """The log's append answered without writing: the events stamped as the log would."""
    from shared.events.envelope import stamped
    from shared.log.port import AppendResult

    async def append(case_id: str, events: Sequence[Any], **_: Any) -> AppendResult:
        now = datetime.now(UTC)
        return AppendResult(
            case_id, tuple(stamped(e, i + 1, now, None) for i, e in enumerate(events))
        )

    log.append = append


async def serve_rounds(*, no_append: bool) -> None:
    """Post reports in rounds as told on stdin (a count per line); answer CPU µs per report."""
    from bench.intake import sample_body
    from services.intake.main import SERVICE as INTAKE
    from shared.org.levels import Level
    from shared.org.loader import load_org_tree
    from shared.runtime.app import create_app
    from shared.runtime.service import ServiceModule
    from tests.integration.api_client import embedded_settings

    def without_projection(context: Any) -> list[Any]:
        INTAKE.workers(context)  # its numbering and runtime, not the case list's runner
        return []

    service = ServiceModule(name="intake", routers=INTAKE.routers, workers=without_projection)
    with tempfile.TemporaryDirectory() as tmp:
        settings = embedded_settings(Path(tmp))
        app = create_app(settings=settings, services=[service])
        grids = [u.code for u in load_org_tree(settings.org_file).units(level=Level.GRID)]
        bodies = [orjson.dumps(sample_body(grids[i % len(grids)], i)) for i in range(1000)]
        async with app.router.lifespan_context(app):
            if no_append:
                answer_appends_in_memory(app.state.context.log)
            await posts(app, bodies, 200)  # warm: numbering block, caches
            print("ready", flush=True)
            for line in sys.stdin:
                count = int(line)
                started = time.process_time()
                await posts(app, bodies, count)
                print(f"{(time.process_time() - started) / count * 1e6:.1f}", flush=True)


async def posts(app: Any, bodies: list[bytes], count: int) -> None:
    numbers = iter(range(count))

    async def client() -> None:
        for i in numbers:
            await post(app, bodies[i % len(bodies)])

    await asyncio.gather(*(client() for _ in range(CONCURRENCY)))


def start(code: Path, *, no_append: bool) -> subprocess.Popen[str]:
    argv = [sys.executable, __file__, "--serve"] + (["--no-append"] if no_append else [])
    env = {**os.environ, "PYTHONPATH": str(code)}
    process = subprocess.Popen(
        argv, cwd=code, env=env, text=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert process.stdout is not None
    while process.stdout.readline().strip() != "ready":
        pass
    return process


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chunk", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--no-append", action="store_true")
    parser.add_argument("--against", type=Path, help="the code of before, exported")
    parser.add_argument("--code", type=Path, default=ROOT, help="the code of after")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        sys.path.insert(0, os.environ.get("PYTHONPATH", str(ROOT)))
        asyncio.run(serve_rounds(no_append=args.no_append))
        return
    trees = {"this code": args.code} | ({"against": args.against} if args.against else {})
    running = {name: start(code, no_append=args.no_append) for name, code in trees.items()}
    figures: dict[str, list[float]] = {name: [] for name in running}
    for round_ in range(args.rounds):
        order = list(running) if round_ % 2 == 0 else list(running)[::-1]
        for name in order:
            process = running[name]
            assert process.stdin is not None and process.stdout is not None
            process.stdin.write(f"{args.chunk}\n")
            process.stdin.flush()
            figures[name].append(float(process.stdout.readline()))
    for name, process in running.items():
        assert process.stdin is not None
        process.stdin.close()
        process.wait()
        values = figures[name]
        print(
            f"{name}: {statistics.median(values):.0f} µs CPU per report (median of "
            f"{len(values)} rounds of {args.chunk}; {min(values):.0f}–{max(values):.0f})"
        )


if __name__ == "__main__":
    main()
