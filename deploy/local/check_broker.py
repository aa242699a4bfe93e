"""Exit 0 once a Kafka metadata request to BOOTSTRAP succeeds within --timeout seconds."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time


async def ready(bootstrap: str) -> bool:
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=3000)
    try:
        await admin.start()
        await admin.list_topics()
        return True
    except Exception:
        return False
    finally:
        await admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("bootstrap")
    parser.add_argument("--timeout", type=float, default=30)
    args = parser.parse_args()
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        if asyncio.run(ready(args.bootstrap)):
            sys.exit(0)
        time.sleep(0.3)
    sys.exit(1)


if __name__ == "__main__":
    main()
