"""The values one engine step works with: what it reads (`Context`), what it builds (`Turn`), and what
it hands back to the service (`Step`). All frozen: a handler never edits a turn, it returns a new one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache
from typing import Any

from dialogs.changes import ELSEWHERE, Change, SetLocale, apply_in_memory
from dialogs.meetings.facts import MeetingFacts
from dialogs.messages import Choice, Reply, cut_label
from dialogs.state import State
from dialogs.strategy import Question, Strategy
from dialogs.texts import Texts, texts
from storage.followups import FollowUpContext
from storage.registrations import ChangeSeen, DraftData, LocalGoalData


@dataclass(frozen=True, slots=True)
class BoardInfo:
    registration_id: int
    institution_name: str
    role: str  # member | chair | leader
    can_submit: bool
    institution_kind: str = ""  # dagtilbud | skole (storage.models.InstitutionKind); "" when unknown


@dataclass(frozen=True, slots=True)
class Context:
    strategy: Strategy | None  # None only for a flow without a registration (a follow-up)
    person_name: str
    locale: str
    boards: tuple[BoardInfo, ...]
    drafts: Mapping[int, DraftData]  # by registration id, one per board
    today: date
    others: tuple[ChangeSeen, ...] = ()  # changes by others to the state's registration since last asked
    previous: Mapping[int, DraftData] = field(default_factory=dict)  # last period's draft, by this registration id
    previous_first_key: str = ""
    person_id: int | None = None
    followup: FollowUpContext | None = None  # the follow-up this message may be about (dialogs/followup.py)
    roles: frozenset[str] = frozenset()  # roles above a board (area_leader, admin), for help and greeting
    meeting: MeetingFacts | None = None  # what the meeting flow reads (dialogs/meetings/facts.py)


@dataclass(frozen=True, slots=True)
class Step:
    """What one inbound message produced: the state to save, the replies, the changes to persist."""

    state: State
    replies: tuple[Reply, ...]
    changes: tuple[Change, ...] = ()


_texts = cache(texts)


@dataclass(frozen=True, slots=True)
class Turn:
    """One step in the making: the context, the state so far, and what was said and changed so far.
    `drafts` are the boards' drafts as they will be once `changes` are saved, so the same step shows them."""

    ctx: Context
    state: State
    replies: tuple[Reply, ...] = ()
    changes: tuple[Change, ...] = ()
    drafts: Mapping[int, DraftData] = field(default_factory=dict)
    locale: str = ""
    others: tuple[ChangeSeen, ...] = ()  # conflicts not yet told (told once per step)

    @classmethod
    def begin(cls, ctx: Context, state: State) -> Turn:
        return cls(ctx, state, drafts=ctx.drafts, locale=ctx.locale, others=ctx.others)

    def step(self) -> Step:
        return Step(self.state, self.replies, self.changes)

    # -- reading -------------------------------------------------------------------------------------
    @property
    def t(self) -> Texts:
        return _texts(self.locale)

    @property
    def s(self) -> Strategy:
        assert self.ctx.strategy is not None, "the registration flow runs with a strategy"
        return self.ctx.strategy

    @property
    def draft(self) -> DraftData | None:
        reg = self.state.registration_id
        return self.drafts.get(reg) if reg is not None else None

    @property
    def board(self) -> BoardInfo | None:
        for b in self.ctx.boards:
            if b.registration_id == self.state.registration_id:
                return b
        return None

    @property
    def question(self) -> Question:
        """The strategy's question at the current place (only where one is asked)."""
        assert self.state.question is not None
        return self.s.question(self.state.question)

    @property
    def current_answer(self) -> Any:
        draft, goal, pos = self.draft, self.state.goal, self.state.position
        if draft is None or goal is None or pos is None:
            return None
        lg = draft.local_goal(goal, pos)
        return lg.answers.get(self.question.key) if lg else None

    def label(self) -> str:
        return self.s.goal_label.get(self.t.locale)

    def carry_items(self, goal: int) -> list[LocalGoalData]:
        """Last period's local goals under `goal` (year on year)."""
        reg = self.state.registration_id
        previous = self.ctx.previous.get(reg) if reg is not None else None
        return previous.goals_under(goal) if previous else []

    # -- building --------------------------------------------------------------------------------------
    def say(self, text: str, choices: tuple[Choice, ...] = (), **kw: Any) -> Turn:
        choices = tuple(replace(c, label=cut_label(c.label)) for c in choices)  # typed labels match what is shown
        turn = replace(self, replies=(*self.replies, Reply(text, choices=choices, **kw)))
        if choices:
            turn = turn.update(offered=tuple((c.id, c.label) for c in choices))
        return turn

    def show(self, *replies: Reply) -> Turn:
        """Replies that offer nothing to answer (help, status, the review's sections)."""
        return replace(self, replies=(*self.replies, *replies))

    def change(self, change: Change) -> Turn:
        turn = replace(self, changes=(*self.changes, change))
        if isinstance(change, SetLocale):
            return replace(turn, locale=change.locale)
        if isinstance(change, ELSEWHERE):  # a follow-up's or a meeting's: not the draft's
            return turn
        if change.registration_id in self.drafts:
            first_key, drafts = self.s.first_question.key, dict(self.drafts)
            drafts[change.registration_id] = apply_in_memory(
                drafts[change.registration_id], change, first_key, self.ctx.person_name
            )
            turn = replace(turn, drafts=drafts)
        return turn

    def update(self, **fields: Any) -> Turn:
        """The same turn with some fields of its state changed."""
        return replace(self, state=replace(self.state, **fields))

    def with_state(self, state: State) -> Turn:
        return replace(self, state=state)
