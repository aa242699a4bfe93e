"""``python -m services.sandbox [PORT]``: run the sandbox receiver on its own (default 8900)."""

from __future__ import annotations

import asyncio
import sys

from services.sandbox.receiver import Receiver


async def main(port: int) -> None:
    receiver = await Receiver().start(port)
    print(f"sandbox receiver on {receiver.url} (GET /inbox to see what arrived)", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 8900))
