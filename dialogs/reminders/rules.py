"""The reminder rules. Each turns (now, snapshot) into the items that are due now, with unique keys.

An item is due when its send time (the nominal time moved to a working moment by the calendar) has
come and its window has not closed. The key's period names the nominal occurrence (an ISO week, a
deadline, a measurement date), so every later tick, a restart after downtime, or a second instance
plans the same key again and the outbox keeps one: a missed digest goes out once on catch-up, and
one whose week is over is not planned at all."""

from __future__ import annotations

from collections.abc import Callable, Container, Hashable, Iterable, Sequence
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import lru_cache, partial
from typing import Any

from croniter import croniter

from dialogs.messages import Reply
from dialogs.reminders import model as m
from dialogs.reminders import render
from dialogs.reminders.calendar import Calendar
from dialogs.reminders.model import Body, DueItem, InstitutionInfo, Parts, PersonInfo, Snapshot, person_recipient
from dialogs.strategy import ReminderSettings, Strategy, clock
from dialogs.texts import Texts, texts
from storage.outbox_bodies import placeholder
from storage.policy import Occasion

NAME = "to_name"  # a shared text's placeholder of the recipient's name (the row's own `to_name`)

ADMIN_TABLE_ROWS = 60  # more institutions: the admins' digest is a summary, not a table of every one


def _one(make: Callable[..., Reply], *args: Any) -> list[Reply]:
    return [make(*args)]


@lru_cache(maxsize=256)  # a tick asks once per area (100 at 5,000 institutions), mostly the same cron
def last_occurrence(cron: str, now: datetime, tz: tzinfo) -> datetime:
    """The latest time at or before `now` that `cron` names, read as local wall-clock time in `tz`
    (so "0 9 * * MON" is 09:00 in Copenhagen in winter and in summer)."""
    local = now.astimezone(tz).replace(tzinfo=None, microsecond=0) + timedelta(seconds=1)
    previous: datetime = croniter(cron, local).get_prev(datetime)
    return previous.replace(tzinfo=tz)


def week_end(nominal: datetime, tz: tzinfo) -> datetime:
    """Monday 00:00 local after the ISO week of `nominal`, in UTC."""
    local = nominal.astimezone(tz)
    monday = local.date() - timedelta(days=local.weekday()) + timedelta(days=7)
    return datetime(monday.year, monday.month, monday.day, tzinfo=tz).astimezone(UTC)


def iso_week(moment: datetime, tz: tzinfo) -> str:
    year, week, _ = moment.astimezone(tz).isocalendar()
    return f"{year}-W{week:02d}"


class Rules:
    """The rules over one snapshot at one moment."""

    def __init__(
        self,
        now: datetime,
        snap: Snapshot,
        strategy: Strategy,
        skip: Callable[[str, str], bool] = lambda r, p: False,
        present: Callable[[str, str], Container[str]] = lambda r, p: (),
        take: Callable[[str, str], bool] = lambda r, p: True,
    ) -> None:
        self.skip = skip  # (rule, period) -> its items are known to be in the outbox (see planner.PlanMemory)
        # (rule, period) -> the recipients whose item of that round the outbox already holds: not planned again
        # (the round's expensive part, a `DueItem` per recipient, is then made only for who is missing)
        self.present = present
        # (rule, period) -> whether one more item of that round may be made this tick (a budget: the rest of
        # the round is missing from the outbox afterwards, so a later tick plans it)
        self.take = take
        self.now = now
        self.snap = snap
        self.strategy = strategy
        self.settings: ReminderSettings = strategy.reminders
        self.cal = Calendar.from_settings(self.settings)
        self.today = self.cal.local(now).date()
        self.send_at = clock(self.settings.send_time)
        self.by_id = {i.id: i for i in snap.institutions}
        self._bodies: dict[Hashable, Body] = {}  # each distinct text rendered once (see `body`)
        self._texts: dict[str, Texts] = {}

    # -- helpers ---------------------------------------------------------------------------------
    def t(self, person: PersonInfo | None = None) -> Texts:
        locale = (person.locale if person else None) or self.snap.default_locale
        found = self._texts.get(locale)
        if found is None:
            found = self._texts[locale] = texts(locale)  # one translator per language, not per recipient
        return found

    def window(self, nominal: datetime, expires: datetime) -> datetime | None:
        """The send time if the item is due now (sent, moved past holidays, and not expired)."""
        due = self.cal.send_time(nominal)
        return due if due <= self.now < expires and due < expires else None

    def reachable(self, people: Iterable[PersonInfo]) -> list[PersonInfo]:
        return [p for p in people if not p.paused_on(self.today)]

    def body(self, key: Hashable, replies: Callable[[], Sequence[Reply]]) -> Body:
        """The shared text of `key` (rule, language and what the text is about: the same boards, area,
        measurement...), made once however many recipients get it; rendered only when first asked for."""
        found = self._bodies.get(key)
        if found is None:
            found = self._bodies[key] = Body(lambda: [render.reply_to_json(r) for r in replies()])
        return found

    def to_person(
        self, rule: str, person: PersonInfo, period: str, due: datetime, expires: datetime | None,
        text: tuple[Hashable, Callable[[], Sequence[Reply]]], why: str, **extra: object,
    ) -> DueItem:  # fmt: skip
        """A DM. `text` is the shared text's key and how to render it (`body`); the row's own part is who,
        their name (`NAME` in a shared text) and why. Nothing is rendered until the parts are asked for."""
        key, replies = text

        def parts() -> Parts:
            own: dict[str, Any] = {"to": {"person_id": person.id}, "to_name": person.name, "why": why, **extra}
            return Parts(own, self.body(key, replies))

        return DueItem(rule, person_recipient(person.id), period, due, expires, parts, why)

    def not_done(self, institutions: Iterable[InstitutionInfo]) -> list[InstitutionInfo]:
        return sorted((i for i in institutions if not i.done), key=lambda i: i.name.casefold())

    def grouped(self, occasion: Occasion, institutions: Sequence[InstitutionInfo]) -> dict[int, list[InstitutionInfo]]:
        """person id -> the given institutions where they are told on `occasion` (the policy's table)."""
        out: dict[int, list[InstitutionInfo]] = {}
        for inst in institutions:
            for person_id in self.snap.told_ids(occasion, inst.id):
                out.setdefault(person_id, []).append(inst)
        return out

    # -- rules -----------------------------------------------------------------------------------
    def digests(self) -> list[DueItem]:
        items: list[DueItem] = []
        overrides = {name.casefold(): o for name, o in self.settings.areas.items()}
        for area in self.snap.areas:
            override = overrides.get(area.name.casefold())
            cron = (override.digest if override else None) or self.settings.digest
            nominal = last_occurrence(cron, self.now, self.cal.tz)
            expires = week_end(nominal, self.cal.tz)
            due = self.window(nominal, expires)
            rows = self.snap.institutions_in(area.id)
            if due is None or not rows:
                continue
            period = iso_week(nominal, self.cal.tz)
            why = f"weekly digest for {area.name} ({period}, cron {cron!r})"
            for platform, channel in area.channels:
                parts = partial(self._channel_digest, platform, channel, area.id, area.name, rows, why)
                items.append(DueItem(m.DIGEST, f"area:{area.id}:{platform}", period, due, expires, parts, why))
            if not area.channels:  # no channel: the area's leaders get it in a DM
                for leader in self.reachable(self.snap.audience(Occasion.AREA_DIGEST, area.id)):
                    t = self.t(leader)
                    text = (
                        (m.DIGEST, t.locale, area.id),
                        partial(render.digest_replies, t, self.strategy, area.name, rows, self.today),
                    )
                    items.append(
                        self.to_person(m.DIGEST, leader, f"{period}:area:{area.id}", due, expires, text,
                                       why + " (the area has no channel)")
                    )  # fmt: skip
        return items

    def admin_digests(self) -> list[DueItem]:
        nominal = last_occurrence(self.settings.digest, self.now, self.cal.tz)
        expires = week_end(nominal, self.cal.tz)
        due = self.window(nominal, expires)
        if due is None:
            return []
        period = iso_week(nominal, self.cal.tz)
        items = []
        if not self.snap.unreachable and not any(self.snap.institutions_in(a.id) for a in self.snap.areas):
            return []
        for admin in self.reachable(self.snap.audience(Occasion.ADMIN_DIGEST)):
            why = f"weekly digest for the administration ({period})"
            t = self.t(admin)
            text = (m.ADMIN_DIGEST, t.locale), partial(self._admin_digest, t)
            items.append(self.to_person(m.ADMIN_DIGEST, admin, period, due, expires, text, why))
        return items

    def _channel_digest(
        self, platform: str, channel: str, area_id: int, area_name: str, rows: list[InstitutionInfo], why: str
    ) -> Parts:
        t = self.t()
        replies = partial(render.digest_replies, t, self.strategy, area_name, rows, self.today)
        own = {"to": {"platform": platform, "channel": channel}, "to_name": f"{channel} ({area_name})", "why": why}
        return Parts(own, self.body((m.DIGEST, t.locale, area_id), replies))

    def _admin_digest(self, t: Texts) -> list[Reply]:
        replies: list[Reply] = []
        if len(self.snap.institutions) > ADMIN_TABLE_ROWS:  # a large municipality: one short summary
            areas = [(a.name, self.snap.institutions_in(a.id)) for a in self.snap.areas]
            replies.append(render.municipality_summary(t, self.strategy, [a for a in areas if a[1]], self.today))
            if self.snap.unreachable:
                replies.append(render.unreachable_reply(t, self.snap.unreachable))
            return replies
        for area in sorted(self.snap.areas, key=lambda a: a.name.casefold()):
            rows = self.snap.institutions_in(area.id)
            if rows:
                title = t("Weekly status for {area}, {date}", area=area.name, date=render.long_date(t, self.today))
                replies += render.progress_table(t, self.strategy, title, rows)
        if self.snap.unreachable:
            replies.append(render.unreachable_reply(t, self.snap.unreachable))
        return replies

    def nudges(self) -> list[DueItem]:
        if self.today < self.strategy.period.start or self.today > self.strategy.period.end:
            return []
        nominal = last_occurrence(self.settings.nudge, self.now, self.cal.tz)
        expires = week_end(nominal, self.cal.tz)
        due = self.window(nominal, expires)
        if due is None:
            return []
        period = iso_week(nominal, self.cal.tz)
        if self.skip(m.NUDGE, period):
            return []
        items = []
        present = self.present(m.NUDGE, period)
        for person_id, boards in sorted(self.grouped(Occasion.NUDGE, self.not_done(self.snap.institutions)).items()):
            person = self.snap.people[person_id]
            if person.paused_on(self.today) or person_recipient(person_id) in present:
                continue
            if not self.take(m.NUDGE, period):
                continue
            t = self.t(person)
            # the same text for everyone on the same boards, but for the name: a placeholder of the row's to_name
            text = (
                (m.NUDGE, t.locale, tuple(b.id for b in boards), self.today),
                partial(_one, render.nudge_reply, t, self.strategy, placeholder(NAME), boards, self.today),
            )
            why = f"{', '.join(b.name for b in boards)} not submitted ({period})"
            items.append(self.to_person(m.NUDGE, person, period, due, expires, text, why))
        return items

    def _targets(self, t: Texts) -> list[tuple[str, date, str]]:
        targets = []
        if self.strategy.deadline is not None:
            targets.append(("deadline", self.strategy.deadline, t("The deadline for local goals")))
        for milestone in self.strategy.milestones:
            if milestone.remind:
                day = milestone.end or milestone.date
                targets.append(("milestone", day, t("The milestone «{text}»", text=milestone.text)))
        return targets

    def _escalation(self, t: Texts, kind: str, target: date, boards: list[InstitutionInfo]) -> list[Reply]:
        what = next(w for k, day, w in self._targets(t) if (k, day) == (kind, target))
        return [render.escalation_reply(t, self.strategy, (target - self.today).days, what, target, boards)]

    def escalations(self) -> list[DueItem]:
        days = self.settings.escalation_days  # largest first
        items = []
        for kind, target, _what in self._targets(self.t()):
            for i, d in enumerate(days):
                nominal = self.cal.at(target - timedelta(days=d), self.send_at)
                if i + 1 < len(days):
                    expires = self.cal.at(target - timedelta(days=days[i + 1]), self.send_at)
                else:
                    expires = self.cal.at(target + timedelta(days=1), clock("00:00"))
                due = self.window(nominal, expires)
                if due is None:
                    continue
                period = f"{kind}:{target.isoformat()}:-{d}"
                if self.skip(m.ESCALATION, period):
                    continue
                missing = self.not_done(self.snap.institutions)
                present = self.present(m.ESCALATION, period)
                for person_id, boards in sorted(self.grouped(Occasion.ESCALATION, missing).items()):
                    person = self.snap.people[person_id]
                    if person.paused_on(self.today) or person_recipient(person_id) in present:
                        continue
                    if not self.take(m.ESCALATION, period):
                        continue
                    t = self.t(person)
                    text = (
                        (m.ESCALATION, period, t.locale, tuple(b.id for b in boards)),
                        partial(self._escalation, t, kind, target, boards),
                    )
                    why = f"{d} days before the {kind} {target}: {', '.join(b.name for b in boards)} not submitted"
                    items.append(self.to_person(m.ESCALATION, person, period, due, expires, text, why))
        return items

    def overdue(self) -> list[DueItem]:
        deadline = self.strategy.deadline
        if deadline is None:
            return []
        nominal = self.cal.at(deadline + timedelta(days=1), self.send_at)
        due = self.cal.send_time(nominal)
        expires = due + timedelta(days=self.settings.overdue_days)
        if not due <= self.now < expires:
            return []
        period = f"deadline:{deadline.isoformat()}"
        missing = [] if self.skip(m.OVERDUE, period) else self.not_done(self.snap.institutions)
        if not missing:
            return []
        area_name = {a.id: a.name for a in self.snap.areas}
        pairs = sorted(
            ((area_name[i.area_id], i) for i in missing), key=lambda p: (p[0].casefold(), p[1].name.casefold())
        )
        in_area: dict[int, list[tuple[str, InstitutionInfo]]] = {}
        for pair in pairs:
            in_area.setdefault(pair[1].area_id, []).append(pair)
        readers: dict[int, list[tuple[str, InstitutionInfo]]] = {}
        for area in sorted(self.snap.areas, key=lambda a: a.name.casefold()):  # in the order of `pairs`
            for reader in self.snap.audience(Occasion.OVERDUE, area.id):  # its leaders, and the administration
                readers.setdefault(reader.id, []).extend(in_area.get(area.id, ()))
        items = []
        present = self.present(m.OVERDUE, period)
        for person_id, rows in sorted(readers.items()):
            person = self.snap.people[person_id]
            if not rows or person.paused_on(self.today) or person_recipient(person_id) in present:
                continue
            if not self.take(m.OVERDUE, period):
                continue
            t = self.t(person)
            text = (
                (m.OVERDUE, period, t.locale, tuple(i.id for _, i in rows)),
                partial(render.overdue_replies, t, self.strategy, deadline, rows),
            )
            why = f"the deadline {deadline} has passed: {len(rows)} boards missing (one list)"
            items.append(self.to_person(m.OVERDUE, person, period, due, expires, text, why))
        return items

    def followups(self) -> list[DueItem]:
        items = []
        for meas in self.snap.measurements:
            inst = self.by_id.get(meas.institution_id)
            if inst is None:
                continue
            for day in meas.dates:
                if (meas.local_goal_id, day) in self.snap.answered_followups:
                    continue
                due = self.cal.send_time(self.cal.at(day, self.send_at))
                expires = due + timedelta(days=self.settings.followup_days)
                if not due <= self.now < expires:
                    continue
                askees = self.snap.told(Occasion.FOLLOWUP, inst.id)  # the chair, else the rest of the board
                period = f"lg:{meas.local_goal_id}:{day.isoformat()}"
                extra = {"followup": {"local_goal_id": meas.local_goal_id, "date": day.isoformat()}}
                for person in self.reachable(askees):
                    t = self.t(person)
                    text = (
                        (m.FOLLOWUP, period, t.locale),
                        partial(_one, render.followup_reply, t, self.strategy, inst.name, meas, day),
                    )
                    why = f"measurement date {day} of a local goal of {inst.name}"
                    items.append(self.to_person(m.FOLLOWUP, person, period, due, expires, text, why, **extra))
        return items

    def open_rounds(self) -> list[tuple[str, str]]:
        """The rounds (rule, period) of the rules that ask `skip` which are open now, without planning them."""
        asked: list[tuple[str, str]] = []

        def record(rule: str, period: str) -> bool:
            asked.append((rule, period))
            return True

        skip, self.skip = self.skip, record
        try:
            self.nudges()
            self.escalations()
            self.overdue()
        finally:
            self.skip = skip
        return asked

    def all(self) -> list[DueItem]:
        # the rounds that share a budget (`take`) in order of urgency: the deadline's before the week's nudges
        rules: tuple[Callable[[], list[DueItem]], ...] = (
            self.digests, self.admin_digests, self.followups, self.overdue, self.escalations, self.nudges,
        )  # fmt: skip
        return [item for rule in rules for item in rule()]
