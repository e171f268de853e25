"""Status for leaders and the administration: overall, per area, per institution, "hvem mangler?",
coverage, and the follow-up of measurements ("opfølgning": what is waiting for an answer, and the
latest answers). An institution's own view lists its follow-ups too.

Scoped by role: an admin sees everything, an area leader the area, an institution leader the
institution, a board member only their own board. A name outside a person's scope gets the same
answer as an unknown name, so a refusal never reveals what exists."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass

from dialogs import approval_views
from dialogs.cleaning import clean_text, fold
from dialogs.meetings.agreement_lines import agreements_reply
from dialogs.messages import Choice, Reply
from dialogs.reach import unreachable_reply
from dialogs.reminders.render import answer_label, long_date
from dialogs.strategy import Strategy, parse_strategy
from dialogs.texts import Texts, texts
from storage import followups, meetings, policy, progress, strategies
from storage.db import Database
from storage.followups import FollowUpRecord
from storage.progress import InstitutionProgress

DONE = ("submitted", "approved")
MAX_FACTS = 15  # follow-up lines per reply; the rest are counted
MAX_ROWS = 25  # more institutions than this: totals and the furthest behind, not a line each
WORST = 10  # how many of the furthest behind a short answer names
BEHIND = {"not_started": 0, "returned": 1, "draft": 2, "submitted": 3, "approved": 4}  # furthest behind first


@dataclass(frozen=True, slots=True)
class LeaderQuery:
    kind: str  # status | missing | coverage | followups | queue
    target: str | None = None


_MISSING = {
    "hvem mangler",
    "hvem-mangler",
    "mangler",
    "who is missing",
    "whos missing",
    "missing",
    "hvem mangler endnu",
}
_COVERAGE = {"dækning", "daekning", "coverage"}
_FOLLOWUPS = {
    "opfølgning",
    "opfølgninger",
    "opfoelgning",
    "opfolgning",
    "opfølgning på målinger",
    "status på opfølgning",
    "follow-up",
    "follow-ups",
    "follow up",
    "follow ups",
    "followup",
    "followups",
    "follow-up status",
}
_QUEUE = {  # the registrations awaiting a decision (dialogs/approval_views.py)
    "til godkendelse",
    "til godkendelser",
    "afventer godkendelse",
    "venter på godkendelse",
    "venter paa godkendelse",
    "godkendelseskø",
    "godkendelseskoe",
    "godkendelser",
    "kø",
    "awaiting approval",
    "waiting for approval",
    "pending approval",
    "approval queue",
    "to approve",
}
_STATUS = re.compile(r"^(?:status|vis|show)\b\s*:?(?:\s*(?:for|på|af|of)\b)?\s*:?\s*(.*)$", re.IGNORECASE)
BOT_PREFIX = re.compile(r"^(?:/maal|maal|målbot|maalbot)\s+", re.IGNORECASE)  # "/maal status", "maalbot godkend"


def parse_leader_query(text: str) -> LeaderQuery | None:
    """A leader's question, if the message is one ("status", "status Område Nord", "vis Solsikken",
    "hvem mangler?", "dækning", "opfølgning")."""
    cleaned = BOT_PREFIX.sub("", " ".join(clean_text(text).split()).strip(" .!?,;:«»\"'"))
    folded = fold(cleaned)
    if folded in _MISSING:
        return LeaderQuery("missing")
    if folded in _COVERAGE:
        return LeaderQuery("coverage")
    if folded in _FOLLOWUPS:
        return LeaderQuery("followups")
    if folded in _QUEUE or (len(folded) >= 8 and difflib.get_close_matches(folded, _QUEUE, n=1, cutoff=0.9)):
        return LeaderQuery("queue")  # «til godkendlse»: a small typo in a long phrase is forgiven
    match = _STATUS.match(cleaned)  # the original spelling, so a reply can repeat the name as written
    if match:
        return LeaderQuery("status", match.group(1).strip() or None)
    return None


def _norm(name: str) -> str:
    name = name.casefold()
    for a, b in (("æ", "ae"), ("ø", "oe"), ("å", "aa"), ("é", "e")):
        name = name.replace(a, b)
    return " ".join(re.sub(r"[^a-z0-9]+", " ", name).split())


def match_names(query: str, names: list[str]) -> list[str]:
    """Names matching `query` forgivingly: case, æøå spelled ae/oe/aa, a word or two, small typos."""
    return find_names(query, names)[0]


def find_names(query: str, names: list[str]) -> tuple[list[str], bool]:
    """Names matching `query`, best kind first: the exact name; else the names that begin with it, have it
    as a word or contain it; and only when none of these, merely similar names. The flag says whether the match is
    sure (not merely similar: «Område Syd» is similar to «Område Nord» and must not be taken for it)."""
    q = _norm(query)
    by_norm = {_norm(n): n for n in names}
    if q in by_norm:
        return [by_norm[q]], True
    prefix = [n for k, n in by_norm.items() if q and (k.startswith(q) or f" {q}" in f" {k}")]
    partial = [n for k, n in by_norm.items() if q and (q in k or k in q) and n not in prefix]
    if prefix or partial:  # several: the person chooses among them, in alphabetical order
        return sorted(prefix + partial, key=str.casefold), True
    close = difflib.get_close_matches(q, list(by_norm), n=4, cutoff=0.75)
    return [by_norm[k] for k in close], False


class Overview:
    def __init__(self, db: Database, *, default_locale: str = "da") -> None:
        self.db = db
        self.default_locale = default_locale
        # person id -> a personal link to the status page (set by the web app when links are signed)
        self.status_link: Callable[[int], str | None] | None = None

    async def answer(self, person_id: int, query: LeaderQuery, locale: str | None) -> list[Reply]:
        if query.kind == "missing":
            return await self.missing(person_id, locale)
        if query.kind == "coverage":
            return await self.coverage(person_id, locale)
        if query.kind == "followups":
            return await self.followups(person_id, locale)
        if query.kind == "queue":
            return await approval_views.queue(self.db, self._t(locale), person_id)
        return await self.status(person_id, query.target, locale)

    async def _load(self, person_id: int) -> tuple[Strategy | None, list[InstitutionProgress], progress.Scope]:
        async with self.db.read() as s:  # only reads: never waits behind writers (see `Database.read`)
            row = await strategies.active_strategy(s)
            scope = await progress.scope_of(s, person_id)
            if row is None:
                return None, [], scope
            rows = await progress.progress(s, row.id, scope)
            return parse_strategy(row.definition), rows, scope

    def _t(self, locale: str | None) -> Texts:
        return texts(locale or self.default_locale)

    async def status(self, person_id: int, target: str | None, locale: str | None) -> list[Reply]:
        t = self._t(locale)
        strategy, rows, scope = await self._load(person_id)
        if strategy is None:
            return [Reply(t("No strategy has been loaded yet."))]
        if not rows:
            return [Reply(t("There is nothing you have access to see."), kind="error")]
        if target is None:
            title = t("Status for «{strategy}»", strategy=strategy.title_in(t.locale))
            table = self._table(t, strategy, rows, title, person_id)
            if len(rows) == 1 and policy.sees_agreements(scope):  # a leader of one institution: its agreements
                table.extend(await self._agreements(t, rows[0]))
            return table
        areas = sorted({r.area for r in rows}, key=str.casefold)
        names = [r.name for r in rows]
        found, sure = find_names(target, areas + names)  # only what the person may see: others are unknown
        if not found:
            return [Reply(t("I cannot find «{name}» among what you have access to see.", name=target), kind="error")]
        if not sure:  # merely similar: ask, never answer for another name
            choices = tuple(Choice(f"status:{name}", name) for name in found)
            said = t("I cannot find «{name}». Did you mean one of these?", name=target)
            return [Reply(said, choices=choices, kind="question")]
        if len(found) > 1:
            choices = tuple(Choice(f"status:{name}", name) for name in found[:10])
            return [Reply(t("Which one do you mean?"), choices=choices, kind="question")]
        name = found[0]
        if name in areas and name not in names:
            area_rows = [r for r in rows if r.area == name]
            return self._table(t, strategy, area_rows, t("Status for {area}", area=name), person_id)
        row = next(r for r in rows if r.name == name)
        replies = await approval_views.institution_replies(self.db, t, strategy, row)  # status, changes, content
        records = await self._history([row.institution_id])
        if records:
            replies.append(self._institution_followups(t, strategy, records))
        if policy.sees_agreements(scope):
            replies.extend(await self._agreements(t, row))
        return replies

    async def _agreements(self, t: Texts, row: InstitutionProgress) -> list[Reply]:
        """The institution's agreements from its meetings (open first), for leaders and the administration."""
        async with self.db.read() as s:
            found = await meetings.agreements(s, institution_ids=[row.institution_id])
        reply = agreements_reply(t, found, MAX_FACTS)
        return [reply] if reply is not None else []

    def _table(
        self, t: Texts, strategy: Strategy, rows: list[InstitutionProgress], title: str, person_id: int
    ) -> list[Reply]:
        done = sum(1 for r in rows if r.status in DONE)
        text = t("{done} of {total} have submitted.", done=done, total=len(rows))
        if len(rows) > MAX_ROWS:  # a municipality: totals, the furthest behind and the way to the rest
            return self._short(t, strategy, rows, title, text, person_id)
        facts = tuple((f"{r.name} ({r.area})", self._progress_text(t, strategy, r)) for r in rows)
        return [Reply(text, facts=facts, title=title, kind="status"), self._coverage_reply(t, strategy, rows)]

    def _short(
        self, t: Texts, strategy: Strategy, rows: list[InstitutionProgress], title: str, text: str, person_id: int
    ) -> list[Reply]:
        """Totals by status, the coverage per strategic goal, the `WORST` furthest behind, and the link."""
        counts = {s: sum(1 for r in rows if r.status == s) for s in BEHIND}
        text += " " + t(
            "Approved: {approved}, submitted: {submitted}, started: {draft}, returned: {returned}, "
            "not started: {not_started}.",
            **counts,
        )
        replies = [Reply(text, title=title, kind="status"), self._coverage_reply(t, strategy, rows)]
        behind = [r for r in rows if r.status not in DONE]
        if behind:
            replies.append(self._furthest_behind(t, strategy, behind))
        return [*replies, self._rest(t, person_id)]

    def _furthest_behind(self, t: Texts, strategy: Strategy, behind: list[InstitutionProgress]) -> Reply:
        def key(r: InstitutionProgress) -> tuple[int, int, int, str]:
            covered = sum(1 for g in strategy.goals if r.goals.get(g.number))
            return (BEHIND.get(r.status, 0), covered, sum(r.goals.values()), r.name.casefold())

        worst = sorted(behind, key=key)[:WORST]
        facts = [(f"{r.name} ({r.area})", self._progress_text(t, strategy, r)) for r in worst]
        if len(behind) > len(worst):
            facts.append(("…", t("and {n} more", n=len(behind) - len(worst))))
        return Reply("", facts=tuple(facts), title=t("Furthest behind"), kind="status")

    def _rest(self, t: Texts, person_id: int) -> Reply:
        """Where the whole list is: the person's own link to the status page, or how to ask for it."""
        url = self.status_link(person_id) if self.status_link is not None else None
        if url:
            return Reply(t("The whole list is on the status page (a personal link):") + f"\n{url}", kind="status")
        return Reply(t("The whole list is on the status page: write «statusside» to get a link."), kind="status")

    def _progress_text(self, t: Texts, strategy: Strategy, row: InstitutionProgress) -> str:
        covered = sum(1 for g in strategy.goals if row.goals.get(g.number))
        text = approval_views.status_words(t, row.status, row.changed_after_submit)
        text += " · " + t("{covered} of {total} goals", covered=covered, total=len(strategy.goals))
        if row.ready_for_chair and row.status not in DONE:
            text += " · " + t("ready for the chair")
        return text

    def _coverage_reply(self, t: Texts, strategy: Strategy, rows: list[InstitutionProgress]) -> Reply:
        label = strategy.goal_label.get(t.locale).capitalize()
        facts = tuple(
            (
                f"{label} {g.number}",
                t(
                    "{n} of {total} institutions have local goals",
                    n=sum(1 for r in rows if r.goals.get(g.number)),
                    total=len(rows),
                ),
            )
            for g in strategy.goals
        )
        return Reply(t("Coverage per strategic goal:"), facts=facts, kind="status")

    async def _for_leaders(self, t: Texts, person_id: int) -> tuple[Strategy, list[InstitutionProgress]] | Reply:
        """The strategy and rows a leader may see, or the reply that refuses a board member."""
        strategy, rows, scope = await self._load(person_id)
        if strategy is None:
            return Reply(t("No strategy has been loaded yet."))
        if scope.board_only or not rows:
            return Reply(t("Only leaders and the administration can see this."), kind="error")
        return strategy, rows

    async def coverage(self, person_id: int, locale: str | None) -> list[Reply]:
        t = self._t(locale)
        allowed = await self._for_leaders(t, person_id)
        if isinstance(allowed, Reply):
            return [allowed]
        strategy, rows = allowed
        return [self._coverage_reply(t, strategy, rows)]

    async def missing(self, person_id: int, locale: str | None) -> list[Reply]:
        t = self._t(locale)
        allowed = await self._for_leaders(t, person_id)
        if isinstance(allowed, Reply):
            return [allowed]
        strategy, rows = allowed
        behind = [r for r in rows if r.status not in DONE]
        if not behind:
            return [Reply(t("Everyone has submitted. 🎉"), kind="status")]
        if len(behind) > MAX_ROWS:
            text = t.plural("{n} board has not submitted yet.", "{n} boards have not submitted yet.", len(behind))
            return [
                Reply(text, title=t("Who is missing?"), kind="status"),
                self._furthest_behind(t, strategy, behind),
                self._rest(t, person_id),
            ]
        facts = []
        for r in behind:
            value = self._progress_text(t, strategy, r)
            if r.chairs:
                value += " · " + t("chair: {names}", names=", ".join(r.chairs))
            facts.append((f"{r.name} ({r.area})", value))
        text = t.plural("{n} board has not submitted yet:", "{n} boards have not submitted yet:", len(behind))
        unreached = await unreachable_reply(self.db, t, [(r.institution_id, r.name) for r in behind])
        return [Reply(text, facts=tuple(facts), title=t("Who is missing?"), kind="status"), *filter(None, [unreached])]

    # -- follow-up of measurements ---------------------------------------------------------------------
    async def _history(self, institution_ids: list[int]) -> list[FollowUpRecord]:
        """The follow-ups of these institutions' local goals in the active strategy."""
        if not institution_ids:
            return []
        async with self.db.transaction() as s:
            row = await strategies.active_strategy(s)
            if row is None:
                return []
            return await followups.history(s, strategy_id=row.id, institution_ids=institution_ids)

    def _institution_followups(self, t: Texts, strategy: Strategy, records: list[FollowUpRecord]) -> Reply:
        """One institution's follow-ups, by goal and date: the answer, or that it is waiting."""
        label = strategy.goal_label.get(t.locale).capitalize()
        facts = [
            (
                f"{label} {r.goal_number} · {long_date(t, r.measurement_date)}",
                f"{r.local_goal_text}: {followup_state(t, r)}",
            )
            for r in records
        ]
        return Reply("", facts=_capped(t, facts), title=t("Follow-up on measurements"), kind="status")

    async def followups(self, person_id: int, locale: str | None) -> list[Reply]:
        """Follow-ups asked and not answered, and the latest answer of every local goal, in scope."""
        t = self._t(locale)
        strategy, rows, _scope = await self._load(person_id)
        if strategy is None:
            return [Reply(t("No strategy has been loaded yet."))]
        if not rows:
            return [Reply(t("There is nothing you have access to see."), kind="error")]
        records = await self._history([r.institution_id for r in rows])
        waiting = [r for r in records if r.answered_at is None and r.asked_at is not None]
        latest: dict[int, FollowUpRecord] = {}
        for r in records:  # by local goal and date: a later answer replaces an earlier one
            if r.answered_at is not None and r.answer is not None:
                latest[r.local_goal_id] = r
        if not waiting and not latest:
            return [Reply(t("No board has been asked about a measurement yet."), kind="status")]
        counts = {a: sum(1 for r in latest.values() if r.answer == a) for a in ("on_track", "partly", "off_track")}
        text = t(
            "Latest answers: {on_track} on track, {partly} partly, {off_track} not on track.",
            on_track=counts["on_track"],
            partly=counts["partly"],
            off_track=counts["off_track"],
        )
        text += " " + t.plural(
            "{n} follow-up is waiting for an answer.", "{n} follow-ups are waiting for an answer.", len(waiting)
        )
        label = strategy.goal_label.get(t.locale)
        waiting_facts = [
            (f"{r.institution_name} · {label} {r.goal_number}", f"{r.local_goal_text}: {followup_state(t, r)}")
            for r in waiting
        ]
        replies = [Reply(text, facts=_capped(t, waiting_facts), title=t("Follow-up on measurements"), kind="status")]
        if latest:
            answered = sorted(
                latest.values(), key=lambda r: (r.institution_name.casefold(), r.goal_number, r.local_goal_id)
            )
            facts = [
                (
                    f"{r.institution_name} · {label} {r.goal_number}",
                    f"{r.local_goal_text} ({long_date(t, r.measurement_date)}): {followup_state(t, r)}",
                )
                for r in answered
            ]
            replies.append(Reply("", facts=_capped(t, facts), title=t("Latest answers"), kind="status"))
        return replies


def followup_state(t: Texts, r: FollowUpRecord) -> str:
    """A follow-up in a few words: "On track – what it showed (who)", or that it waits for an answer."""
    if r.answered_at is None or r.answer is None:
        if r.asked_at is None:
            return t("no answer yet")
        return t("asked {date}, no answer yet", date=long_date(t, r.asked_at.date()))
    text = answer_label(t, r.answer)
    if r.text:
        text += f" – {r.text}"
    if r.answered_by:
        text += f" ({r.answered_by})"
    return text


def _capped(t: Texts, facts: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """At most `MAX_FACTS` lines, then how many more there are (a chat message has room for so much)."""
    if len(facts) <= MAX_FACTS:
        return tuple(facts)
    rest = len(facts) - MAX_FACTS + 1
    return (*facts[: MAX_FACTS - 1], ("…", t("and {n} more", n=rest)))
