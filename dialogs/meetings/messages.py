"""What the bot sends about meetings and agreements, as neutral replies in the reader's language (the
schedule in `dialogs.meetings.schedule` puts them in the outbox)."""

from __future__ import annotations

from datetime import date

from dialogs.meetings.templates import MeetingTemplate
from dialogs.messages import Choice, Reply
from dialogs.reminders.render import followup_choices, long_date
from dialogs.texts import Texts

AGREEMENT_ANSWERS = ("kept", "partly", "not_kept")


def when_text(t: Texts, day: date, start_time: str | None) -> str:
    if start_time:
        return t("{date} at {time}", date=long_date(t, day), time=start_time)
    return long_date(t, day)


def questions_reply(
    t: Texts, template: MeetingTemplate, meeting_id: int, day: date, start_time: str | None, questions: int
) -> Reply:
    text = t(
        "Before «{title}» on {when}, we ask you to answer {n} questions, so the meeting has a good starting point. "
        "Write «forbered møde» to begin. You can stop at any time and go on later.",
        title=template.title.get(t.locale),
        when=when_text(t, day, start_time),
        n=questions,
    )
    return Reply(text, choices=(Choice(f"meeting:prepare:{meeting_id}", t("Start preparing")),), kind="question")


def agenda_reply(t: Texts, template: MeetingTemplate, meeting_id: int, day: date, start_time: str | None) -> Reply:
    text = t(
        "Do you have points for the agenda of «{title}» on {when}? Write «dagsordenspunkt:» followed by your point, "
        "for example «dagsordenspunkt: Fælles indsats for sprog».",
        title=template.title.get(t.locale),
        when=when_text(t, day, start_time),
    )
    return Reply(text, choices=(Choice(f"meeting:agenda:{meeting_id}", t("Add an agenda point")),), kind="question")


def meeting_reminder_reply(
    t: Texts, template: MeetingTemplate, meeting_id: int, day: date, start_time: str | None, unanswered: int | None
) -> Reply:
    lines = [
        t("Reminder: «{title}» is on {when}.", title=template.title.get(t.locale), when=when_text(t, day, start_time))
    ]
    choices: tuple[Choice, ...] = ()
    if unanswered:
        lines.append(
            t("{n} of your questions are not answered yet. Write «forbered møde» to answer them.", n=unanswered)
        )
        choices = (Choice(f"meeting:prepare:{meeting_id}", t("Start preparing")),)
    return Reply("\n".join(lines), choices=choices, kind="reminder")


def agreement_reminder_reply(t: Texts, text: str, meeting_title: str, due_on: date) -> Reply:
    return Reply(
        t(
            "Reminder: the agreement «{text}» from «{meeting}» is due on {date}.",
            text=text,
            meeting=meeting_title,
            date=long_date(t, due_on),
        ),
        kind="reminder",
    )


def agreement_followup_reply(t: Texts, agreement_id: int, text: str, meeting_title: str, due_on: date) -> Reply:
    return Reply(
        t(
            "Has the agreement been kept? «{text}» (from «{meeting}», due on {date}).",
            text=text,
            meeting=meeting_title,
            date=long_date(t, due_on),
        ),
        choices=tuple(Choice(f"agreement:{agreement_id}:{a}", agreement_label(t, a)) for a in AGREEMENT_ANSWERS),
        title=t("Agreement"),
        kind="question",
    )


def agreement_label(t: Texts, status: str) -> str:
    labels = {
        "kept": t("Yes, it has been kept"),
        "partly": t("Partly"),
        "not_kept": t("No, not kept"),
        "open": t("open"),
    }
    return labels.get(status, status)


def rhythm_reply(
    t: Texts, point: str, evaluation: bool, institution: str, goal_label: str, goal: int, local_goal: str,
    local_goal_id: int, day: date,
) -> Reply:  # fmt: skip
    lines = [t("{point} for {institution}: how is this local goal going, and is it on track?", point=point,
               institution=institution)]  # fmt: skip
    if evaluation:
        lines.append(
            t(
                "It is also the time of year to revise: write «ret mål {goal}» to change the local goals under "
                "{label} {goal}.",
                goal=goal,
                label=goal_label,
            )
        )
    return Reply(
        "\n".join(lines),
        choices=followup_choices(t, local_goal_id, day),
        facts=((f"{goal_label.capitalize()} {goal}", local_goal),),
        title=point,
        kind="question",
    )
