"""The management information (ledelsesinformation) before a collaboration meeting (seed 004): for an
area meeting the area's institutions, for a cross-area meeting every area. Coverage, who is missing,
follow-ups on and off track, new or changed local goals, and the agreements that fall due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.meetings.messages import when_text
from dialogs.meetings.templates import MeetingTemplate
from dialogs.messages import Reply
from dialogs.reminders.render import long_date
from dialogs.strategy import Strategy
from dialogs.texts import Texts
from storage import meetings, progress
from storage.meeting_models import AgreementStatus
from storage.meetings import AgreementView, LocalGoalLine, MeetingView

NEW_SINCE_DAYS = 182  # «new or changed local goals»: in the half year before the meeting
AGREEMENTS_AHEAD_DAYS = 92  # agreements due up to about a quarter after the meeting


@dataclass(frozen=True, slots=True)
class PackData:
    rows: list[progress.InstitutionProgress]
    goals: list[LocalGoalLine]
    agreements: list[AgreementView]
    since: date


async def pack_data(session: AsyncSession, meeting: MeetingView, strategy_id: int | None) -> PackData:
    everything = meeting.area_id is None
    scope = progress.Scope(
        everything, frozenset() if everything else frozenset({meeting.area_id or 0}), frozenset(), board_only=False
    )
    rows = await progress.progress(session, strategy_id, scope) if strategy_id is not None else []
    ids = [r.institution_id for r in rows]
    goals = await meetings.local_goal_lines(session, strategy_id, ids) if strategy_id is not None else []
    found = await meetings.agreements(
        session,
        status=AgreementStatus.OPEN.value,
        due_to=meeting.held_on + timedelta(days=AGREEMENTS_AHEAD_DAYS),
        area_ids=None if everything else [meeting.area_id or 0],
    )
    return PackData(rows, goals, found, meeting.held_on - timedelta(days=NEW_SINCE_DAYS))


def pack_reply(
    t: Texts, template: MeetingTemplate, meeting: MeetingView, strategy: Strategy | None, data: PackData
) -> Reply:
    title = t(
        "Management information for «{title}» on {when}",
        title=template.title.get(t.locale),
        when=when_text(t, meeting.held_on, meeting.start_time),
    )
    lines: list[str] = []
    done = [r for r in data.rows if r.status in ("submitted", "approved")]
    if strategy is not None:
        lines.append(
            t(
                "{done} of {total} institutions have submitted their local goals for «{strategy}».",
                done=len(done),
                total=len(data.rows),
                strategy=strategy.title,
            )
        )
    missing = [r.name for r in data.rows if r not in done]
    lines.append(t("Missing: {names}.", names=", ".join(missing)) if missing else t("Every institution has submitted."))
    if meeting.area_id is None:
        areas: dict[str, list[progress.InstitutionProgress]] = {}
        for r in data.rows:
            areas.setdefault(r.area, []).append(r)
        for area, rows in areas.items():
            lines.append(
                t(
                    "• {area}: {done} of {total} submitted",
                    area=area,
                    done=sum(1 for r in rows if r in done),
                    total=len(rows),
                )
            )
    latest = [g.followups[-1][1] for g in data.goals if g.followups]
    counts = {answer: latest.count(answer) for answer in ("on_track", "partly", "off_track")}
    lines.append(
        t(
            "Follow-ups (the latest answer per local goal): {on_track} on track, {partly} partly, "
            "{off_track} not on track.",
            **counts,
        )
    )
    since = datetime.combine(data.since, time(0), tzinfo=UTC)
    fresh = [g for g in data.goals if g.updated_at >= since]
    lines.append(t("{n} local goals are new or changed since {date}.", n=len(fresh), date=long_date(t, data.since)))
    if data.agreements:
        lines.append(t("Agreements that fall due:"))
        lines += [f"• {a.text} ({a.owner_name or '-'}, {long_date(t, a.due_on)})" for a in data.agreements]
    else:
        lines.append(t("No open agreements fall due."))
    return Reply("\n".join(lines), title=title, kind="summary")
