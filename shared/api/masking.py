"""Masking of personal data (names, phone and ID numbers) in API responses.

Fields that hold personal data (a party's name, phone, ID number) are masked whole; free
text a person typed (a description, a work order's content, a note, a result) is masked
where it carries a mobile or landline number, a resident ID number, or the name of one of
the case's parties.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from shared.runtime.logging import MOBILE, RESIDENT_ID

LANDLINE = r"0\d{2,3}-\d{7,8}"
_NUMBERS = re.compile(rf"(?<!\d)(?:(?P<id>{RESIDENT_ID})|(?P<phone>{MOBILE}|{LANDLINE}))(?![\dXx])")


def mask_name(name: str) -> str:
    """张三 -> 张*, 欧阳娜娜 -> 欧***."""
    return name[:1] + "*" * (len(name) - 1) if name else name


def mask_phone(phone: str) -> str:
    """13812345678 -> 138****5678; short numbers keep only their last two digits."""
    if len(phone) >= 11:
        return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
    return "*" * max(len(phone) - 2, 0) + phone[-2:]


def mask_id_number(number: str) -> str:
    """An 18-character resident ID keeps its first 3 and last 4 characters."""
    if len(number) <= 7:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


def _mask_number(match: re.Match[str]) -> str:
    if match.group("id"):
        return mask_id_number(match.group(0))
    return mask_phone(match.group(0))


def mask_free_text(text: str, names: Iterable[str] = ()) -> str:
    """Phone and resident ID numbers in ``text`` masked, and each of ``names`` (2+ chars)."""
    masked = _NUMBERS.sub(_mask_number, text)
    for name in sorted({n for n in names if len(n) >= 2}, key=len, reverse=True):
        masked = masked.replace(name, mask_name(name))
    return masked


def mask_strings(value: Any, names: Iterable[str] = ()) -> Any:
    """``value`` with every string inside it (dicts and lists walked) masked as free text."""
    names = tuple(names)
    if isinstance(value, str):
        return mask_free_text(value, names)
    if isinstance(value, dict):
        return {key: mask_strings(item, names) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [mask_strings(item, names) for item in value]
    return value
