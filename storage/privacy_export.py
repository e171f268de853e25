"""Everything stored about one person (GDPR art. 15), as plain values for JSON and Markdown."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import audit, outbox_bodies, privacy
from storage.models import (
    Area,
    ConversationRef,
    ConversationState,
    Identity,
    Institution,
    Membership,
    Notice,
    OutboxItem,
    Person,
    Registration,
    ReminderPause,
    Strategy,
    WebMessage,
)


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


async def person_data(session: AsyncSession, person: Person) -> dict[str, Any]:
    pid = person.id
    identities = (await session.scalars(select(Identity).where(Identity.person_id == pid))).all()
    roles = (
        await session.execute(
            select(Membership.role, Institution.name, Area.name)
            .outerjoin(Institution, Institution.id == Membership.institution_id)
            .outerjoin(Area, Area.id == Membership.area_id)
            .where(Membership.person_id == pid)
            .order_by(Membership.id)
        )
    ).all()
    goals, follow_ups = await privacy.wrote(session, pid)
    places = dict(
        (
            await session.execute(
                select(Registration.id, Institution.name + " / " + Strategy.key)
                .join(Institution, Institution.id == Registration.institution_id)
                .join(Strategy, Strategy.id == Registration.strategy_id)
            )
        ).all()
    )
    by, about = await audit.by_or_about(session, pid)
    states = (await session.scalars(select(ConversationState).where(ConversationState.person_id == pid))).all()
    notices = (await session.scalars(select(Notice).where(Notice.person_id == pid).order_by(Notice.id))).all()
    refs = (await session.scalars(select(ConversationRef).where(ConversationRef.person_id == pid))).all()
    messages = (
        await session.scalars(
            select(OutboxItem).where(OutboxItem.recipient == privacy.recipient_of(pid)).order_by(OutboxItem.id)
        )
    ).all()
    payloads = await outbox_bodies.resolved(session, messages)  # shared reminder texts filled in (issue 18)
    pause = await session.scalar(select(ReminderPause.until).where(ReminderPause.person_id == pid))
    web = (await session.scalars(select(WebMessage).where(WebMessage.person_id == pid).order_by(WebMessage.id))).all()
    goal_of = {lg.id: lg for lg in goals}
    return {
        "person": {"name": person.name, "email": person.email, "language": person.locale or "(the bot's default)"},
        "identities": [{"platform": i.platform, "user_id": i.user_key} for i in identities],
        "roles": [{"role": r, "institution": inst, "area": area} for r, inst, area in roles],
        "reminders_paused_until": _iso(pause),
        "local_goals_written": [
            {
                "registration": places.get(lg.registration_id, ""),
                "goal": lg.goal_number,
                "position": lg.position,
                "text": lg.text,
                "answers": lg.answers,
                "updated_at": _iso(lg.updated_at),
            }
            for lg in goals
        ],
        "follow_up_answers": [
            {
                "local_goal_id": fu.local_goal_id,
                "local_goal": goal_of[fu.local_goal_id].text if fu.local_goal_id in goal_of else None,
                "measurement_date": _iso(fu.measurement_date),
                "answer": fu.answer,
                "text": fu.text,
                "answered_at": _iso(fu.answered_at),
            }
            for fu in follow_ups
        ],
        "audit_by_them": [line.as_dict() for line in by],
        "audit_about_them": [line.as_dict() for line in about],
        "conversation_states": [
            {"platform": st.platform, "state": st.data, "updated_at": _iso(st.updated_at)} for st in states
        ],
        "notices": [
            {"kind": n.kind, "params": n.params, "created_at": _iso(n.created_at), "delivered_at": _iso(n.delivered_at)}
            for n in notices
        ],
        "chat_references": [{"platform": r.platform, "kind": r.kind, "usable": r.usable} for r in refs],
        "messages": [
            {
                "rule": m.rule,
                "status": m.status,
                "due_at": _iso(m.due_at),
                "sent_at": _iso(m.sent_at),
                "payload": payload,
            }
            for m, payload in zip(messages, payloads, strict=True)
        ],
        "web_chat": [{"direction": w.direction, "body": w.body, "at": _iso(w.created_at)} for w in web],
    }


def as_markdown(data: dict[str, Any]) -> str:
    """The export as Markdown: one section per kind of data, a table or a list in each."""
    p = data["person"]
    out = [f"# Data about {p['name']}", "", f"- Email: {p['email']}", f"- Language: {p['language']}"]
    if data["reminders_paused_until"]:
        out.append(f"- Reminders paused until: {data['reminders_paused_until']}")
    sections = [
        ("Identities on chat platforms", data["identities"]),
        ("Roles", data["roles"]),
        ("Local goals they wrote or last changed", data["local_goals_written"]),
        ("Follow-up answers", data["follow_up_answers"]),
        ("Audit log: changes they made", data["audit_by_them"]),
        ("Audit log: entries about them", data["audit_about_them"]),
        ("Conversation state", data["conversation_states"]),
        ("Notices", data["notices"]),
        ("Chat references", data["chat_references"]),
        ("Messages to them (pending and sent)", data["messages"]),
        ("Web chat", data["web_chat"]),
    ]
    for title, rows in sections:
        out += ["", f"## {title}", ""]
        if not rows:
            out.append("(none)")
            continue
        columns = list(rows[0])
        out.append("| " + " | ".join(columns) + " |")
        out.append("|" + "---|" * len(columns))
        for row in rows:
            out.append("| " + " | ".join(_cell(row[c]) for c in columns) + " |")
    return "\n".join(out) + "\n"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else _json(value)
    return text.replace("|", "\\|").replace("\n", " ")


def _json(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False, default=str)
