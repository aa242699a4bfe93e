"""What the reading of a report works on (rule set v2): the ``[reading]`` settings of a rule
set, a mention of a signal found by the matcher, and the clause it stands in, cut into words."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from services.triage.segment import Segmenter, Token


class Reading(BaseModel):
    model_config = ConfigDict(extra="forbid")

    segment: bool = True
    negators: list[str] = Field(min_length=1)
    post_negators: list[str] = Field(default_factory=list)
    verifications: list[str] = Field(default_factory=list)
    refutations: list[str] = Field(default_factory=list)  # 纯属谣言, said of a claim
    withdrawals: list[str] = Field(default_factory=list)  # 后来想通了
    withdrawal_rules: list[str] = Field(default_factory=list)
    corrections: list[str] = Field(default_factory=list)  # 经了解只是感冒住院
    hearsay: list[str] = Field(default_factory=list)  # 网传 称 听说: a claim passed on
    deniable_category_words: list[str] = Field(default_factory=list)  # 没有人被送去医院
    answers: list[str] = Field(default_factory=list)  # 是否有人受伤：无
    cancel_before: list[str] = Field(default_factory=list)
    scope_breakers: list[str] = Field(default_factory=list)
    entity_breakers: list[str] = Field(default_factory=list)  # break a party's scope only
    conditionals: list[str] = Field(default_factory=list)
    consequence_markers: list[str] = Field(default_factory=list)
    hypotheticals: list[str] = Field(default_factory=list)
    hypothetical_rules: list[str] = Field(default_factory=list)
    entity_rules: list[str] = Field(default_factory=list)
    joiners: list[str] = Field(default_factory=list)
    list_markers: list[str] = Field(default_factory=list)  # 也没有上学的孩子
    max_gap: int = Field(default=4, ge=0, le=10)
    upper_bounds: bool = False  # 不到一万元 reads as 9,999 (v3 on; before, as 10,000)
    spoken_numbers: bool = False  # 楼上三户, 仨儿子, 四十来号工人; 402家 is a flat (v3 on)
    event_negators: list[str] = Field(default_factory=list)  # 不让工人去堵门; not 不让老人进门
    elsewhere: list[str] = Field(default_factory=list)  # 邻村…出了: an event of other people
    elsewhere_rules: list[str] = Field(default_factory=list)
    # rule set v4 (docs/triage.md, "The fifth round"); released files leave them off
    questions: list[str] = Field(default_factory=list)  # 有没有动手: asked, not stated
    compound_negators: list[str] = Field(default_factory=list)  # 矢口否认: ends in 否认
    trailing_negation: bool = False  # 一点伤都没有: the negator after the mention
    trailing_fillers: list[str] = Field(default_factory=list)  # 都 也 倒 …
    hypothetical_gap: int = Field(default=0, ge=0, le=12)  # 担心…哪天打起来: a worry's reach
    emphatic: list[tuple[str, str]] = Field(default_factory=list)  # 非…不可: must
    supposed_sentences: bool = False  # 要是当时他在场，肯定得干一架: not done
    prefix_frames: bool = False  # 防止出现, 担心会: a longer word a worry word begins
    precautions: list[str] = Field(default_factory=list)  # 为防止出现群体聚集
    precaution_rules: list[str] = Field(default_factory=list)
    retractions: list[str] = Field(default_factory=list)  # 说着玩的, 没敢, 忍住了
    retraction_rules: list[str] = Field(default_factory=list)
    mild_contacts: list[str] = Field(default_factory=list)  # 推搡: an injury only if harm is
    no_harm: list[str] = Field(default_factory=list)  # … not ruled out (无大碍, 未见外伤)
    kin_counts: bool = False  # 三兄弟, 四姐妹: siblings counted before their kin word
    quantity_negators: list[str] = Field(default_factory=list)  # 并非二十万, 不是三十户
    topic_rules: list[str] = Field(default_factory=list)
    topic_markers: list[str] = Field(default_factory=list)
    topic_quarrels: list[str] = Field(default_factory=list)
    topic_party_words: list[str] = Field(default_factory=list)
    topic_gap: int = Field(default=2, ge=0, le=6)
    clause_marks: str = "，,。；;！!？?：:…\n"
    sentence_marks: str = "。；;！!？?\n"
    _segmenter: Segmenter | None = PrivateAttr(default=None)

    def use(self, segmenter: Segmenter) -> None:
        """Cut with this rule set's own segmenter (its words learned: ``segment.py``)."""
        self._segmenter = segmenter

    def forget(self) -> None:
        """Drop the clauses cut so far (a benchmark's cold runs)."""
        if self._segmenter is not None:
            self._segmenter.tokens.cache_clear()

    def cut(self, clause: str) -> tuple[Token, ...]:
        """The clause's words, or none when this rule set does not segment."""
        if not self.segment or self._segmenter is None:
            return ()
        return self._segmenter.tokens(clause)

    @property
    def clause_pattern_split(self) -> str:
        return f"[{re.escape(self.clause_marks)}]"

    @property
    def clause_pattern(self) -> str:  # a run of text between clause marks
        return f"[^{re.escape(self.clause_marks)}]+"


class Mention(NamedTuple):
    """A word or pattern found in the text (a named tuple: every report makes dozens)."""

    start: int
    end: int
    text: str
    tag: str
    pattern: bool = False

    @property
    def rule(self) -> str:
        return self.tag.partition(":")[2]


@dataclass(frozen=True)
class Clause:
    start: int
    text: str
    words: tuple[Token, ...]

    def before(self, mention: Mention) -> list[str]:
        return [w for w, _s, e in self.words if self.start + e <= mention.start]

    def cuts_into_a_word(self, mention: Mention) -> bool:
        """A word of the text takes the mention's first character (气死|了 for 死了).

        Only the start is checked: at the end, jieba often joins the last character to
        what follows (家|暴行|为, 砸|断了腿) though the mention is meant; a mention inside
        one longer word (拆迁 in 拆迁户) and end-side traps (被打扰) are ``not_words``."""
        lo, hi = mention.start - self.start, mention.end - self.start
        return any(s < lo < e < hi for _w, s, e in self.words)
