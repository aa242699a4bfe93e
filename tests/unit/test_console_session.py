"""Console sessions: a cookie stands for its key until it expires, and cannot be forged."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from shared.api.auth import KeyRing
from shared.api.problems import Problem
from shared.api.session import Sessions, cookie_of
from shared.config import ApiKeySetting

KEYS = KeyRing(
    [
        ApiKeySetting(key=SecretStr("k-one"), client="one", regions=["3306"], roles=["reader"]),
        ApiKeySetting(key=SecretStr("k-two"), client="two", regions=[""], roles=["handler"]),
    ]
)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def sessions(clock: Clock, secret: bytes = b"s" * 32) -> Sessions:
    return Sessions(KEYS, secret=secret, lifetime_seconds=600, now=clock)


def test_a_cookie_stands_for_its_key_and_never_carries_it() -> None:
    opened = sessions(Clock()).open("k-two")
    assert "k-two" not in opened.cookie
    assert sessions(Clock()).principal(opened.cookie) == opened.principal
    assert opened.principal.client == "two"


def test_an_unknown_key_is_refused_at_sign_in() -> None:
    with pytest.raises(Problem) as refused:
        sessions(Clock()).open("nope")
    assert refused.value.status == 401


def test_a_cookie_ends_when_it_expires() -> None:
    clock = Clock()
    opened = sessions(clock).open("k-one")
    clock.now += 599
    assert sessions(clock).principal(opened.cookie) is not None
    clock.now += 1
    assert sessions(clock).principal(opened.cookie) is None


@pytest.mark.parametrize(
    "forge",
    [
        lambda c: c.replace(c.split(".")[1], str(int(c.split(".")[1]) + 10_000)),  # longer life
        lambda c: c[:-2] + ("AA" if not c.endswith("AA") else "BB"),  # altered signature
        lambda c: "x" + c,  # another key reference
        lambda c: c.rpartition(".")[0],  # no signature
    ],
)
def test_an_altered_cookie_is_worth_nothing(forge: object) -> None:
    opened = sessions(Clock()).open("k-one")
    assert callable(forge)
    assert sessions(Clock()).principal(forge(opened.cookie)) is None


def test_another_secret_does_not_know_the_cookie() -> None:
    opened = sessions(Clock()).open("k-one")
    assert sessions(Clock(), secret=b"t" * 32).principal(opened.cookie) is None


def test_a_change_needs_the_sessions_own_csrf_token() -> None:
    mine, other = sessions(Clock()).open("k-two"), sessions(Clock()).open("k-two")
    assert mine.csrf != other.csrf
    s = sessions(Clock())
    assert s.authenticate(mine.cookie, method="GET", csrf=None).client == "two"
    assert s.authenticate(mine.cookie, method="POST", csrf=mine.csrf).client == "two"
    for wrong in (None, "", other.csrf):
        with pytest.raises(Problem) as refused:
            s.authenticate(mine.cookie, method="POST", csrf=wrong)
        assert (refused.value.status, refused.value.slug) == (403, "csrf")


def test_the_cookie_is_found_among_others() -> None:
    assert cookie_of("a=1; fq_session=abc.def; b=2") == "abc.def"
    assert cookie_of("a=1") is None
    assert cookie_of(None) is None
