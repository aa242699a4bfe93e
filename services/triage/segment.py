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


def _quiet_jieba() -> None:
    logger = logging.getLogger("jieba")
    logger.removeHandler(jieba.log_console)
    logger.setLevel(logging.WARNING)


def tokenizer() -> jieba.Tokenizer:
    """The process's base tokenizer, jieba's dictionary loaded (about a second the first
    time). It learns no rule set's words: each rule set cuts with a copy (``Segmenter``)."""
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


class Segmenter:
    """jieba's dictionary plus one rule set's words, so that jieba cuts them whole where the
    text allows (不存在, 动过手) and still cuts 气死|了 where it does not.

    One per rule set: the words a rule set learns change how a text is cut (jieba suggests
    each new word's frequency from the dictionary as it stands), so a released version must
    cut the same whichever other versions the process has loaded. The words are learned in
    the rule set's order, as a process that loads that rule set alone would."""

    def __init__(self, words: tuple[str, ...]) -> None:
        base = tokenizer()
        own = jieba.Tokenizer()
        own.FREQ = dict(base.FREQ)
        own.total = base.total
        own.initialized = True
        for word in words:  # in order, repeats too: each add moves the total the next sees
            own.add_word(word)
        self._tokenizer = own
        self.tokens = lru_cache(maxsize=4096)(self._tokens)

    def _tokens(self, clause: str) -> tuple[Token, ...]:
        """The words of ``clause`` with their offsets (dictionary words only, no guessing)."""
        return tuple(self._tokenizer.tokenize(clause, HMM=False))


@lru_cache(maxsize=8)
def segmenter(words: tuple[str, ...]) -> Segmenter:
    """The segmenter of a rule set's words (shared by rule sets that learn the same)."""
    return Segmenter(words)
