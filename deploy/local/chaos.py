"""Chaos run (``make chaos``): faults under load, then the invariants checked.

Reports are sent at ``--rate`` a second for ``--seconds`` (each retried with its
Idempotency-Key until acknowledged) while faults are injected every ``--every`` seconds:

    --target run     kill -9 ``make run``'s process and start it again (embedded log, SQLite)
    --target stack   kill -9 intake, triage, escalation, notify in turn, then pause the broker
                     (SIGSTOP ``--pause`` s, SIGCONT); ports and database as for stack.sh
    --target url     no faults: load ``--base-url`` (with ``--key``) and check; the faults of
                     a staging cluster are the operator's (kubectl delete pod --force ...)

Then, within ``--catch-up`` s, every acknowledged report must be in the log once, each effect
once, nothing stuck (see chaos_check.py). Prints the counts; exits 1 when an invariant fails.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from chaos_check import Verdict, check
from chaos_faults import ROOT, EmbeddedTarget, Faults, StackTarget, stopped_at_exit
from chaos_load import IN_FLIGHT, Sent, load

from bench.common import free_port

GRID = "330681106001001"  # a grid of the sample county
CHAOS_ENV = {
    # A killed instance's deliveries are leased: another instance (or the restarted one)
    # takes them over after the lease, so the run waits the lease, not the 120 s default.
    "FQ_NOTIFY_LEASE_SECONDS": "10",
    "FQ_NOTIFY_RETRY_INITIAL_SECONDS": "0.2",
    "FQ_NOTIFY_RETRY_MAX_SECONDS": "2",
    # Every report is still checked for duplicates (合并工单), its index written and
    # recovered like the rest; but the drill's reports tell one incident in one grid, told
    # apart only by a building number and the run's code, so none may fold or be proposed:
    # each must run its own clock and send its own order for the check to count them.
    "FQ_DUPLICATES_FOLD_THRESHOLD": "1.0",
    "FQ_DUPLICATES_PROPOSE_THRESHOLD": "1.0",
}


async def inject(
    target: EmbeddedTarget | StackTarget, faults: Faults, args: argparse.Namespace, end: float
) -> None:
    started = time.monotonic()
    n = 0
    while time.monotonic() + args.every < end:
        await asyncio.sleep(args.every)
        began = time.monotonic() - started
        try:
            what = await target.fault(n, faults, pause_seconds=args.pause)
        except (subprocess.CalledProcessError, TimeoutError) as exc:
            said = getattr(exc, "output", None) or ""
            faults.unrecovered = f"{exc} {said} (at {began:.1f} s; see the logs)"
            print(f"  {began:6.1f} s  no recovery: {faults.unrecovered}", flush=True)
            return
        recovered = time.monotonic() - started
        print(f"  {began:6.1f} s  {what} (recovered at {recovered:.1f} s)", flush=True)
        n += 1


async def loaded_and_checked(
    args: argparse.Namespace,
    sent: Sent,
    base_url: str,
    receiver_url: str | None,
    faults_task: asyncio.Task[None] | None = None,
) -> tuple[Verdict, float]:
    """The load, the faults' end, then the check; (verdict, seconds from the faults' end)."""
    headers = {"Authorization": f"Bearer {args.key}"}
    limits = httpx.Limits(max_connections=IN_FLIGHT)
    since = datetime.now(UTC)
    async with (
        httpx.AsyncClient(base_url=base_url, headers=headers, timeout=30, limits=limits) as api,
        httpx.AsyncClient(base_url=receiver_url or base_url, timeout=10) as receiver,
    ):
        await load(
            api,
            sent,
            rate=args.rate,
            seconds=args.seconds,
            unit_code=args.unit,
            retry_for=args.catch_up,
        )
        if faults_task is not None:
            await faults_task
        faults_over = time.monotonic()
        verdict = await check(
            api,
            sent,
            unit_code=args.unit,
            since=since,
            receiver=receiver if receiver_url else None,
            within=args.catch_up,
        )
    return verdict, time.monotonic() - faults_over


async def chaos(args: argparse.Namespace) -> int:
    faults = Faults()
    sent = Sent(run=uuid.uuid4().hex[:8])
    env = {**CHAOS_ENV, **({"FQ_KAFKA_PORT": str(args.kafka_port)} if args.kafka_port else {})}
    if args.target == "url":
        verdict, caught_up = await loaded_and_checked(args, sent, args.base_url, args.receiver)
        return report(args, sent, verdict, faults, caught_up)
    directory = ROOT / ".local" / "chaos" / sent.run  # kept when an invariant fails
    directory.mkdir(parents=True)
    target: EmbeddedTarget | StackTarget
    if args.target == "run":
        port, sandbox = args.port or free_port(), args.sandbox_port or free_port()
        target = EmbeddedTarget(directory, port=port, sandbox_port=sandbox, env=env)
    else:
        target = StackTarget(env=env)
    with stopped_at_exit(target):
        await target.start()
        end = time.monotonic() + args.seconds
        faults_task = asyncio.create_task(inject(target, faults, args, end))
        verdict, caught_up = await loaded_and_checked(
            args, sent, target.base_url, target.receiver_url, faults_task
        )
    code = report(args, sent, verdict, faults, caught_up)
    if code == 0:
        shutil.rmtree(directory)
    else:
        print(f"the run's files and logs: {directory}")
    return code


def report(
    args: argparse.Namespace, sent: Sent, verdict: Verdict, faults: Faults, caught_up: float
) -> int:
    answers = ", ".join(f"{k}: {v}" for k, v in sorted(sent.answers.items()))
    received = "n/a" if verdict.received is None else str(verdict.received)
    resent = "n/a" if verdict.resent_same_key is None else str(verdict.resent_same_key)
    lines = [
        f"target:                 {args.target} ({args.rate:g} reports/s for {args.seconds:g} s)",
        f"reports sent:           {sent.reports} ({sent.attempts} requests; {answers})",
        f"reports acknowledged:   {len(sent.acknowledged)}"
        f" (given up: {len(sent.unacknowledged)}, refused for good: {len(sent.refused_for_good)})",
        f"faults:                 {faults.kills} kills, {faults.pauses} broker pauses",
        f"cases in the log:       {verdict.cases} (missing: {len(verdict.missing)},"
        f" extra: {verdict.extra_cases}, wrong ids: {verdict.wrong_ids})",
        f"dispatch orders:        {verdict.orders} notices, {verdict.deliveries} deliveries",
        f"at the receiver:        {received} planned deliveries received"
        f" (re-sent with the same key: {resent})",
        f"duplicates:             {verdict.duplicates}",
        f"stuck:                  {len(verdict.stuck)}"
        f" (checked {caught_up:.1f} s after the faults)",
    ]
    answered = not sent.unacknowledged and not sent.refused_for_good
    lines.append(f"invariants:             {'hold' if verdict.holds else 'BROKEN'}")
    lines.append(
        f"all reports answered:   {'yes' if answered else 'NO'}"
        f" ({len(sent.unacknowledged)} not acknowledged within --catch-up s of the load's end)"
    )
    if faults.unrecovered:
        lines.append(f"a fault not recovered:  {faults.unrecovered}")
    ok = verdict.holds and answered and not faults.unrecovered
    if verdict.stuck:
        lines.append(f"stuck cases (first 5):  {verdict.stuck[:5]}")
    print("\n".join(lines), flush=True)
    return 0 if ok else 1


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=(__doc__ or "").split("\n\n", 1)[1],
    )
    parser.add_argument("--target", choices=("run", "stack", "url"), default="run")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long the load lasts")
    parser.add_argument("--rate", type=float, default=50.0, help="new reports per second")
    parser.add_argument("--every", type=float, default=8.0, help="seconds between faults")
    parser.add_argument("--pause", type=float, default=10.0, help="seconds the broker pauses")
    parser.add_argument("--catch-up", type=float, default=90.0, help="deadline after the load")
    parser.add_argument("--unit", default=GRID, help="grid unit the reports are made to")
    parser.add_argument("--key", default=os.environ.get("FQ_CHAOS_KEY", "dev"))
    parser.add_argument("--base-url", help="--target url: the deployment's API")
    parser.add_argument("--receiver", help="--target url: a sandbox receiver's base URL")
    parser.add_argument("--port", type=int, help="--target run: API port (default: a free one)")
    parser.add_argument("--sandbox-port", type=int, help="--target run: the receiver's port")
    parser.add_argument("--kafka-port", type=int, help="--target stack: FQ_KAFKA_PORT")
    args = parser.parse_args()
    if args.target == "url" and not args.base_url:
        parser.error("--target url needs --base-url")
    return args


if __name__ == "__main__":
    sys.exit(asyncio.run(chaos(arguments())))
