"""Place a free-text address (a 12345 work order's 地址) on the organisation tree.

The deepest unit whose name appears in the address wins, preferring one whose ancestors'
names appear too (village names repeat across townships). ``None`` when nothing matches.
"""

from __future__ import annotations

from shared.org.models import Unit
from shared.org.tree import OrgTree


def locate(address: str, tree: OrgTree) -> Unit | None:
    named = [u for u in tree.units() if u.parent_code is not None and u.name in address]
    if not named:
        return None

    def score(unit: Unit) -> tuple[int, int, int]:
        ancestors = [a for a in tree.ancestors(unit.code) if a.parent_code is not None]
        agreeing = sum(1 for a in ancestors if a.name in address)
        return (agreeing - len(ancestors), unit.level.rank * -1, len(unit.name))

    return max(named, key=score)
