"""Generate a sample county from a seed file, deterministically.

    python -m shared.org.generate shared/org/data/sample_seed.json \
        > shared/org/data/sample_county.json

Names and contacts are invented; phone numbers use the 170/171 virtual-operator ranges.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path
from typing import Any

import orjson


def _person(rng: random.Random, seed: dict[str, Any]) -> str:
    given = "".join(rng.choice(seed["given"]) for _ in range(rng.choice((1, 2))))
    return str(rng.choice(seed["surnames"])) + given


def _contacts(rng: random.Random, seed: dict[str, Any], code: str) -> dict[str, Any]:
    def contact(suffix: str) -> dict[str, Any]:
        channels = rng.choice((["webhook", "sms"], ["sms"], ["sms", "webhook"]))
        return {
            "name": _person(rng, seed),
            "phone": f"17{rng.choice('01')}{rng.randrange(10**8):08d}",
            "webhook_url": f"{seed['webhook_base']}{code}{suffix}",
            "channels": channels,
        }

    return {"primary": contact(""), "backup": contact("-backup")}


def _unit(rng: random.Random, seed: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {**fields, **_contacts(rng, seed, fields["code"])}


def generate(seed: dict[str, Any]) -> list[dict[str, Any]]:
    rng = random.Random(seed["seed"])
    county = seed["county"]
    teams = seed["teams"]
    units = [
        _unit(
            rng,
            seed,
            code=county["code"],
            name=county["name"],
            level="county",
            parent_code=None,
            team=county["team"],
        )
    ]
    low, high = seed["grids_per_village"]
    for township in seed["townships"]:
        t_code = f"{county['code']}{township['suffix']}000"
        units.append(
            _unit(
                rng,
                seed,
                code=t_code,
                name=township["name"],
                level="township",
                parent_code=county["code"],
                team=teams["township"],
            )
        )
        used: set[str] = set()
        for v in range(1, township["villages"] + 1):
            name = ""
            while not name or name in used:
                name = (
                    rng.choice(seed["village_first"])
                    + rng.choice(seed["village_second"])
                    + rng.choice(seed["village_kind"])
                )
            used.add(name)
            v_code = f"{t_code[:9]}{v:03d}"
            units.append(
                _unit(
                    rng,
                    seed,
                    code=v_code,
                    name=name,
                    level="village",
                    parent_code=t_code,
                    team=teams["village"],
                )
            )
            for g in range(1, rng.randint(low, high) + 1):
                units.append(
                    _unit(
                        rng,
                        seed,
                        code=f"{v_code}{g:03d}",
                        name=f"{name}第{g}网格",
                        level="grid",
                        parent_code=v_code,
                        team=teams["grid"],
                    )
                )
    return units


def main() -> None:
    seed = orjson.loads(Path(sys.argv[1]).read_bytes())
    sys.stdout.write(orjson.dumps({"units": generate(seed)}, option=orjson.OPT_INDENT_2).decode())
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
