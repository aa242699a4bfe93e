"""Word segmentation for triage (jieba, with the dictionary bundled in its package only).

The tokenizer is built once per process, at service start (``warm_up``) or on first use;
jieba's own start-up chatter is kept out of the logs (its records go through the standard
logging tree at WARNING and above). Nothing is downloaded: jieba ships its dictionary.
"""

from __future__ import annotations

import logging
import threading
from functools import lru_cache

import jieba

Token = tuple[str, int, int]
"""A word and its start and end offsets in the text that was cut."""

_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None
_learned: set[str] = set()


def _quiet_jieba() -> None:
    logger = logging.getLogger("jieba")
    logger.removeHandler(jieba.log_console)
    logger.setLevel(logging.WARNING)


def tokenizer() -> jieba.Tokenizer:
    """The process's tokenizer, its dictionary loaded (about a second the first time)."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                _quiet_jieba()
                built = jieba.Tokenizer()
                built.initialize()
                _tokenizer = built
    return _tokenizer


def warm_up() -> None:
    tokenizer()


def learn(words: list[str]) -> None:
    """Add a rule set's words to the dictionary, so that jieba cuts them whole where the text
    allows (不存在, 动过手) and still cuts 气死|了 where it does not."""
    known = tokenizer()
    new = [word for word in words if word not in _learned]
    for word in new:
        known.add_word(word)
        _learned.add(word)
    if new:
        tokens.cache_clear()


@lru_cache(maxsize=4096)
def tokens(clause: str) -> tuple[Token, ...]:
    """The words of ``clause`` with their offsets (dictionary words only, no HMM guessing)."""
    return tuple(tokenizer().tokenize(clause, HMM=False))
