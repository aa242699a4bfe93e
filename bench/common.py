"""Helpers for benchmarks: a server in a subprocess, percentiles, printing figures."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


@dataclass(frozen=True)
class Served:
    base: str
    """The application's base URL."""
    pid: int


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) process ``pid`` has used so far (Linux: /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def served(env: dict[str, str], *, module: str = "services.all_in_one") -> Iterator[Served]:
    """Start the application in a subprocess; yield its URL and pid once it answers. Its log
    goes to a file (a pipe nobody reads would stall the server once full), named on failure."""
    port = free_port()
    # The benches post the same few reports many times as separate cases: folding them as
    # duplicates (合并工单) would leave most without an order, so it is off unless asked.
    full_env = {"FQ_DUPLICATES_ENABLED": "false", **os.environ, **env, "PORT": str(port)}
    handle, name = tempfile.mkstemp(prefix="bench-server-", suffix=".log")
    os.close(handle)
    log_file = Path(name)
    with log_file.open("wb") as errors:
        process = subprocess.Popen(
            [sys.executable, "-m", module],
            cwd=ROOT,
            env=full_env,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
        try:
            base = _started(process, f"http://127.0.0.1:{port}", log_file)
            yield Served(base, process.pid)
        except BaseException:
            print(f"the server's log: {log_file}", file=sys.stderr)
            raise
        else:
            log_file.unlink()
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def _started(process: subprocess.Popen[bytes], base: str, log_file: Path) -> str:
    """``base`` once the server answers its health check (within 60 s)."""
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            tail = log_file.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"server exited: {tail}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return base
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("server did not start within 60 s")
        time.sleep(0.2)


@contextlib.contextmanager
def server(env: dict[str, str], *, module: str = "services.all_in_one") -> Iterator[str]:
    """Start the application in a subprocess and yield its base URL once it answers."""
    with served(env, module=module) as running:
        yield running.base


async def open_loop(one: Callable[[int], Awaitable[None]], *, rate: float, total: int) -> None:
    """Start ``one(i)`` every 1/rate s whether or not earlier ones answered, then await all."""
    tasks = []
    start = time.perf_counter()
    for i in range(total):
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(i)))
    await asyncio.gather(*tasks)
