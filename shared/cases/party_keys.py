"""Parties recognised across cases without holding their phone or ID numbers in clear.

A party key is an HMAC-SHA256 (keyed hash) of a normalised phone or ID number, as hex,
prefixed with what it hashes: ``phone:<64 hex>`` or ``id:<64 hex>``. The same number,
however it was written (``+86 138-1234-5678``, ``13812345678``; an old 15-digit ID number
and its 18-digit form, a lower-case ``x``), gives the same key; without the secret
(``FQ_PARTY_KEY_SECRET``) a key cannot be turned back into a number, nor checked against a
guessed one. Keys are what the history read model stores and what a URL names.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from typing import Any

from shared.cases.catalogue.intake import Party

PHONE = "phone"
ID_NUMBER = "id"
KEY_PATTERN = r"^(phone|id):[0-9a-f]{64}$"
"""What a party key looks like (a party reference in a URL must match it)."""
KEY_MAX = 70
"""The longest key (``phone:`` and 64 hex digits): the width of a column that holds one."""

_COUNTRY = re.compile(r"^(?:\+|00)86")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def normalise_phone(phone: str) -> str:
    """Digits only, without the mainland country code (+86 / 0086); a leading + of another
    country stays, so +44… and 44… remain different numbers."""
    compact = re.sub(r"[\s()-]", "", phone)
    compact = _COUNTRY.sub("", compact)
    plus = "+" if compact.startswith(("+", "00")) else ""
    return plus + re.sub(r"\D", "", compact.removeprefix("00"))


def normalise_id_number(id_number: str) -> str:
    """The 18-character resident ID (upper-case X); an old 15-digit one gains its century
    (19) and check character, as GB 11643 defines, so both forms of one person match."""
    compact = re.sub(r"\s", "", id_number).upper()
    if len(compact) == 15 and compact.isdigit():
        body = compact[:6] + "19" + compact[6:]
        total = sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS, strict=True))
        return body + _ID_CHECK[total % 11]
    return compact


def _key(kind: str, value: str, secret: bytes) -> str:
    digest = hmac.new(secret, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()
    return f"{kind}:{digest}"


def _field(party: Party | Mapping[str, Any], name: str) -> str | None:
    value = party.get(name) if isinstance(party, Mapping) else getattr(party, name)
    return str(value) if value else None


def party_keys(parties: Iterable[Party | Mapping[str, Any]], *, secret: bytes) -> frozenset[str]:
    """The keys of every phone and ID number the parties give (a party as the event's
    model or as its payload mapping); a party with neither gives none."""
    if not secret:
        raise ValueError("a party key needs a secret")
    keys: set[str] = set()
    for party in parties:
        phone = _field(party, "phone")
        if phone and (number := normalise_phone(phone)):
            keys.add(_key(PHONE, number, secret))
        id_number = _field(party, "id_number")
        if id_number and (number := normalise_id_number(id_number)):
            keys.add(_key(ID_NUMBER, number, secret))
    return frozenset(keys)
