"""An event told of other people or of another time is no event of this dispute (rule set
v3, ``elsewhere`` of ``[reading]``): in 邻村前几天出了车祸死了人, 去年有个人因为征地喝农药,
看新闻里有人讨薪跳楼, the words before the mention in its clause place it elsewhere, so the
mention of an ``elsewhere_rules`` rule is set aside (docs/triage.md, "Someone else's story")."""

from __future__ import annotations

import re
from functools import lru_cache

from services.triage.context import Clause, Mention, Reading


@lru_cache(maxsize=8)
def _compiled(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    return re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None


def elsewhere(reading: Reading, text: str, clause: Clause, mention: Mention) -> str | None:
    """The words that place ``mention`` in other people's story, or None."""
    if mention.rule not in reading.elsewhere_rules:
        return None
    regex = _compiled(tuple(reading.elsewhere))
    found = regex.search(text, clause.start, mention.start) if regex else None
    return found.group(0) if found else None
