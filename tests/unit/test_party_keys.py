"""Party keys: one person's number gives one key however it was written; another person's,
or the same number under another secret, gives another; nothing in a key shows the number."""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

from shared.cases.catalogue.intake import Party
from shared.cases.party_keys import KEY_MAX, KEY_PATTERN, party_keys
from shared.config import PartySettings

SECRET = b"a-test-secret-of-the-party-keys-0123"


def keys(**party: str) -> frozenset[str]:
    return party_keys([Party(name="张三", **party)], secret=SECRET)


@pytest.mark.parametrize(
    ("written", "same_as"),
    [
        ({"phone": "+86-138-1234-5678"}, {"phone": "13812345678"}),
        ({"phone": "008613812345678"}, {"phone": "13812345678"}),
        ({"phone": "0571-88886666"}, {"phone": "057188886666"}),
        ({"id_number": "33068119900101123x"}, {"id_number": "33068119900101123X"}),
        ({"id_number": "110105491231002"}, {"id_number": "11010519491231002X"}),
    ],
)
def test_one_number_written_differently_gives_one_key(
    written: dict[str, str], same_as: dict[str, str]
) -> None:
    assert keys(**written) == keys(**same_as)


def test_other_numbers_and_other_secrets_give_other_keys() -> None:
    mine = keys(phone="13812345678")
    assert mine != keys(phone="13812345679")
    assert mine != party_keys([Party(name="张三", phone="13812345678")], secret=b"other-secret")
    assert keys(phone="440123456789") != keys(phone="+440123456789")


def test_a_key_per_phone_and_id_number_and_none_without_either() -> None:
    both = keys(phone="13812345678", id_number="330681199001011234")
    assert sorted(k.split(":")[0] for k in both) == ["id", "phone"]
    assert keys() == frozenset()
    for key in both:
        assert re.fullmatch(KEY_PATTERN, key) and len(key) <= KEY_MAX
        assert "13812345678" not in key and "330681199001011234" not in key


def test_a_payload_mapping_gives_the_same_keys_as_the_model() -> None:
    payload = {"name": "张三", "phone": "13812345678", "id_number": None, "role": "applicant"}
    assert party_keys([payload], secret=SECRET) == keys(phone="13812345678")


def test_keys_of_several_parties_are_one_set() -> None:
    parties = [Party(name="甲", phone="13812345678"), Party(name="乙", phone="13812345678")]
    assert len(party_keys(parties, secret=SECRET)) == 1


def test_production_refuses_the_development_or_a_short_secret() -> None:
    with pytest.raises(ValidationError, match="FQ_PARTY_KEY_SECRET is the development secret"):
        PartySettings(environment="production")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="shorter than 32"):
        PartySettings(environment="production", key_secret="short")  # type: ignore[arg-type]
    good = PartySettings(environment="production", key_secret="k" * 32)  # type: ignore[arg-type]
    assert good.secret == b"k" * 32 and good.repeat_months == 12
