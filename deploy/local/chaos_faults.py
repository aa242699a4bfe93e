"""The faults of a chaos run on this machine: kill -9 and restart, pause the broker.

``run``: ``make run``'s process (``python -m services.all_in_one``: embedded log, SQLite)
killed and started again; the sandbox receiver runs as a process of its own so that what it
received survives. ``stack``: ``deploy/local/stack.sh``'s four services killed in turn and
restarted by ``stack.sh start``, and the broker paused (SIGSTOP) and resumed (SIGCONT).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_ORIGIN = "http://127.0.0.1:8900"
STACK_SERVICES = ("intake", "triage", "escalation", "notify")
READY_WITHIN = 90.0  # seconds a restarted process may take to answer /readyz


@dataclass
class Faults:
    kills: int = 0
    pauses: int = 0
    unrecovered: str = ""
    """Why a restart failed (the faults stop there; the check still runs)."""


def sandbox_env(directory: Path, sandbox_port: int) -> dict[str, str]:
    """The sample county's contacts, the SMS gateway and 12345 on the sandbox's port."""
    text = (ROOT / "shared/org/data/sample_county.json").read_text(encoding="utf-8")
    org = directory / "org.json"
    org.write_text(text.replace(SAMPLE_ORIGIN, f"http://127.0.0.1:{sandbox_port}"), "utf-8")
    base = f"http://127.0.0.1:{sandbox_port}"
    return {
        "FQ_ORG_FILE": str(org),
        "FQ_NOTIFY_SMS_GATEWAY_URL": f"{base}/sms",
        "FQ_NOTIFY_HOTLINE_CALLBACK_URL": f"{base}/hotline/feedback",
    }


def spawn(module: str, env: dict[str, str], log: Path, *args: str) -> subprocess.Popen[bytes]:
    """A process of its own session, its output appended to ``log`` (a crash's cause stays)."""
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", module, *args],
            cwd=ROOT,
            env={**os.environ, **env},
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


async def ready(url: str, *, within: float = READY_WITHIN) -> None:
    deadline = time.monotonic() + within
    async with httpx.AsyncClient(timeout=2) as client:
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get(url)).status_code == 200:
                    return
            await asyncio.sleep(0.2)
    raise TimeoutError(f"{url} did not answer 200 within {within:g} s")


class EmbeddedTarget:
    """``make run`` as one process on ``port``; its files in ``directory``."""

    def __init__(self, directory: Path, *, port: int, sandbox_port: int, env: dict[str, str]):
        self.directory, self.port, self.sandbox_port = directory, port, sandbox_port
        self.env = {
            "PORT": str(port),
            "FQ_LOG_BACKEND": "embedded",
            "FQ_LOG_URL": f"sqlite+aiosqlite:///{directory}/log.db",
            "FQ_DATABASE_URL": f"sqlite+aiosqlite:///{directory}/app.db",
            **sandbox_env(directory, sandbox_port),
            **env,
        }
        self.app: subprocess.Popen[bytes] | None = None
        self.sandbox: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def receiver_url(self) -> str:
        return f"http://127.0.0.1:{self.sandbox_port}"

    async def start(self) -> None:
        log = self.directory / "sandbox.log"
        self.sandbox = spawn("services.sandbox", {}, log, str(self.sandbox_port))
        await ready(f"{self.receiver_url}/inbox")
        await self._start_app()

    async def _start_app(self) -> None:
        self.app = spawn("services.all_in_one", self.env, self.directory / "app.log")
        await ready(f"{self.base_url}/readyz")

    async def fault(self, n: int, faults: Faults, *, pause_seconds: float) -> str:
        assert self.app is not None
        self.app.send_signal(signal.SIGKILL)
        await asyncio.to_thread(self.app.wait)
        faults.kills += 1
        await self._start_app()
        return "kill -9 make run"

    def stop(self) -> None:
        for process in (self.app, self.sandbox):
            if process is not None and process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


class StackTarget:
    """``make stack``'s processes; ports and database from the environment (see stack.sh)."""

    def __init__(self, *, env: dict[str, str]):
        self.env = {**os.environ, **env}
        self.base = int(self.env.get("FQ_PORT_BASE", "8000"))
        self.sandbox_port = int(self.env.get("FQ_SANDBOX_PORT", "8900"))
        self.kafka_port = self.env.get("FQ_KAFKA_PORT", "9092")

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.base}"

    @property
    def receiver_url(self) -> str:
        return f"http://127.0.0.1:{self.sandbox_port}"

    def _script(self, *args: str) -> None:
        done = subprocess.run(args, cwd=ROOT, env=self.env, capture_output=True, text=True)
        if done.returncode != 0:  # stack.sh says which service failed, with its log's tail
            tail = (done.stdout + done.stderr).strip().splitlines()[-3:]
            raise subprocess.CalledProcessError(done.returncode, args, output=" | ".join(tail))

    async def start(self) -> None:
        await asyncio.to_thread(self._script, "deploy/local/stack.sh", "start")

    async def fault(self, n: int, faults: Faults, *, pause_seconds: float) -> str:
        """Each service killed in turn, then the broker paused; then again."""
        turn = n % (len(STACK_SERVICES) + 1)
        if turn == len(STACK_SERVICES):
            await asyncio.to_thread(self._script, "deploy/local/kafka.sh", "pause")
            try:
                await asyncio.sleep(pause_seconds)
            finally:
                await asyncio.to_thread(self._script, "deploy/local/kafka.sh", "resume")
            faults.pauses += 1
            return f"broker paused {pause_seconds:g} s"
        name = STACK_SERVICES[turn]
        pid = int((ROOT / ".local/run" / f"{name}.pid").read_text())
        os.kill(pid, signal.SIGKILL)
        faults.kills += 1
        with contextlib.suppress(ProcessLookupError):
            for _ in range(200):  # not our child: poll until the pid is gone (10 s at most)
                os.kill(pid, 0)
                await asyncio.sleep(0.05)
        await self.start()
        return f"kill -9 {name}"

    def stop(self) -> None:
        self._script("deploy/local/stack.sh", "stop")


@contextlib.contextmanager
def stopped_at_exit(target: EmbeddedTarget | StackTarget) -> Iterator[None]:
    try:
        yield
    finally:
        target.stop()
