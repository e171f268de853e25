"""`plan(now, snapshot)`: everything that is due now, pure and deterministic; `PlanMemory`: which rounds
an earlier tick has planned completely, so a tick does not plan them again while nothing they depend on
has changed; and for a round not known complete (a fresh process, a changed organisation), `Recorder`
leaves out the recipients whose item of that round the outbox already holds, so only who is missing is
planned (a newcomer on one board: their items, not the municipality's)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Container, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from dialogs.reminders import model as m
from dialogs.reminders.model import DueItem, Snapshot
from dialogs.reminders.rules import Rules

Skip = Callable[[str, str], bool]
Round = tuple[str, str]  # (rule, period)

# The rules whose round (rule, period) opens for everyone at once and whose recipients, for a fixed
# organisation, pauses and day, can only shrink as boards submit: the boards not done and who sits on them.
# They are also the expensive ones (a DM to every member of every board behind). Digests, the admins'
# digest and follow-ups are planned every tick (a few hundred items at most).
SKIPPABLE = frozenset({m.NUDGE, m.ESCALATION, m.OVERDUE})


def plan(now: datetime, snapshot: Snapshot, skip: Skip | None = None) -> list[DueItem]:
    """The due items at `now` (aware), one per unique key, sorted by due time and key.

    Planning again at a later moment gives the same keys for the same occurrences, so the outbox's
    insert-or-ignore turns repeated planning into one message each. `skip(rule, period)` may leave out a
    round whose items are known to be in the outbox already (see `PlanMemory`); a `Recorder` as `skip`
    also leaves out the recipients it knows to be in the outbox (`Recorder.present`)."""
    if now.tzinfo is None:
        raise ValueError("plan() needs an aware datetime")
    if snapshot.strategy is None:
        return []
    found: dict[tuple[str, str, str], DueItem] = {}
    if isinstance(skip, Recorder):
        rules = Rules(now, snapshot, snapshot.strategy, skip, skip.present, skip.take)
    else:
        rules = Rules(now, snapshot, snapshot.strategy, skip) if skip else Rules(now, snapshot, snapshot.strategy)
    for item in rules.all():
        found.setdefault(item.key, item)
    return sorted(found.values(), key=lambda i: (i.due_at, i.key))


def open_rounds(now: datetime, snapshot: Snapshot) -> list[Round]:
    """The rounds of `SKIPPABLE` rules open at `now` (cheap: no recipient is looked at)."""
    if snapshot.strategy is None:
        return []
    return Rules(now, snapshot, snapshot.strategy).open_rounds()


def done_institutions(snapshot: Snapshot) -> frozenset[int]:
    return frozenset(i.id for i in snapshot.institutions if i.done)


@dataclass
class PlanMemory:
    """The rounds (rule, period) of `SKIPPABLE` rules that an earlier tick of this process planned and saw
    in the outbox, with how many items each had.

    A round planned on a `basis` (the snapshot's generation: organisation and pauses; and the day, since
    a pause ends at midnight) when the boards in `done` had submitted has, as long as the basis is the
    same and every board in `done` is still done, no recipient that it did not have then: more boards
    done can only remove recipients. So while that holds and the outbox still holds at least as many
    rows of the round (one count per round), the round is skipped. Anything else (a new board member, a
    board reopened, a pause lifted, a new day, a fresh process) plans the round again, but only for the
    recipients the outbox holds no row of (`unknown`, then `Recorder.present`), and the outbox's unique
    key keeps what was sent: a reminder is never sent twice and never missed."""

    basis: Hashable | None = None
    done: frozenset[int] = frozenset()
    complete: dict[tuple[str, str], int] = field(default_factory=dict)
    skipped: int = 0  # rounds skipped by the last tick

    def holds(self, basis: Hashable, done: frozenset[int]) -> bool:
        return self.basis == basis and self.done <= done

    def rounds(self, basis: Hashable, done: frozenset[int]) -> list[tuple[str, str]]:
        """The rounds worth counting in the outbox before planning (none unless the memory holds)."""
        return list(self.complete) if self.holds(basis, done) else []

    def skipper(
        self,
        basis: Hashable,
        done: frozenset[int],
        in_outbox: dict[Round, int],
        present: Mapping[Round, frozenset[str]] | None = None,
    ) -> Recorder:
        """The `skip` for `plan`; `in_outbox` is the outbox's count for each of `rounds(...)`, `present` the
        recipients the outbox holds for rounds not known complete (see `unknown`)."""
        known = self.complete if self.holds(basis, done) else {}
        return Recorder({r: n for r, n in known.items() if in_outbox.get(r, 0) >= n}, dict(present or {}))

    def unknown(
        self, basis: Hashable, done: frozenset[int], in_outbox: dict[Round, int], open_now: Iterable[Round]
    ) -> list[Round]:
        """Of the rounds open now, those the memory cannot skip: their recipients in the outbox are worth
        reading (`storage.reminder_reads.round_recipients`), so that only who is missing is planned."""
        known = self.complete if self.holds(basis, done) else {}
        return [r for r in dict.fromkeys(open_now) if not (r in known and in_outbox.get(r, 0) >= known[r])]

    def remember(self, basis: Hashable, done: frozenset[int], recorder: Recorder, planned: Iterable[DueItem]) -> None:
        """After every item planned with `recorder` is in the outbox: the rounds it asked about are complete.
        `done` becomes the current set (a superset of the one each known round was planned at, so the
        check stays on the safe side); rounds not asked about this tick have closed and are forgotten."""
        counts = Counter((i.rule, i.period) for i in planned if i.rule in SKIPPABLE)
        self.basis, self.done = basis, done
        self.complete = {
            r: recorder.known.get(r, counts[r] + len(recorder.existing.get(r, ())))
            for r in recorder.asked
            if r not in recorder.cut  # cut short by the budget: the rest is planned by the next ticks
        }
        self.skipped = len(recorder.skipped)


@dataclass
class Recorder:
    """`skip(rule, period)` for one plan: skips the known-complete rounds and records what was asked."""

    known: dict[Round, int]
    existing: dict[Round, frozenset[str]] = field(default_factory=dict)  # recipients in the outbox per round
    asked: set[Round] = field(default_factory=set)
    skipped: set[Round] = field(default_factory=set)
    # at most this many items of the rounds above are made (None: all); the rest of a round cut short is
    # missing from the outbox on the next tick, so that tick plans it (`take`)
    budget: int | None = None
    cut: set[Round] = field(default_factory=set)
    cut_count: int = 0  # recipients left for the next ticks by the budget

    def take(self, rule: str, period: str) -> bool:
        """Whether the rules may make one more item of (rule, period) within the budget."""
        if self.budget is None:
            return True
        if self.budget > 0:
            self.budget -= 1
            return True
        self.cut.add((rule, period))
        self.cut_count += 1
        return False

    def present(self, rule: str, period: str) -> Container[str]:
        """The recipients whose item of (rule, period) the outbox holds: the rules do not plan them again."""
        return self.existing.get((rule, period), frozenset())

    def __call__(self, rule: str, period: str) -> bool:
        key = (rule, period)
        if rule not in SKIPPABLE:
            return False
        self.asked.add(key)
        if key in self.known:
            self.skipped.add(key)
            return True
        return False
