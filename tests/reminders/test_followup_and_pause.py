"""Follow-up at a parsed measurement date, the answer stored and summarised; pause and resume."""

from __future__ import annotations

from datetime import date

from bot.delivery import SendResult
from dialogs.followup import FollowUpAnswer, handle_followup, parse_followup_choice, step, typed_answer
from dialogs.messages import Inbound
from dialogs.reminders.pause import handle_pause, parse_pause
from dialogs.texts import texts
from dialogs.when_parser import parse_when
from storage import followups
from storage.followups import FollowUpContext
from tests.reminders.conftest import Demo, local

SOEREN = "soeren.oestergaard@demo.maalbot.dk"
LONE = "lone.baek@demo.maalbot.dk"
FATIMA = "fatima.ali@demo.maalbot.dk"


async def say(demo: Demo, email: str, *, text: str | None = None, choice: str | None = None) -> list[str] | None:
    person_id = await demo.person_id(email)
    async with demo.db.transaction() as s:
        replies = await handle_followup(
            s,
            person_id,
            Inbound("slack", f"U{person_id}", text=text, choice=choice),
            locale="da",
            now=local(2026, 3, 2, 10),
        )
    return None if replies is None else [r.text for r in replies]


async def test_follow_up_is_asked_on_the_parsed_date_and_the_answer_is_stored(demo_sqlite: Demo) -> None:
    demo = demo_sqlite
    dates = parse_when("trivselsmåling i marts 2026", today=date(2026, 1, 10)).dates
    assert dates == (date(2026, 3, 1),)
    lg = await demo.add_local_goal("Solsikken", "Alle børn har en ven", "Trivselsmåling", dates)
    await demo.tick(local(2026, 2, 27, 9, 0))
    assert await demo.rows("followup") == []
    await demo.tick(local(2026, 3, 2, 9, 0))  # 1 March 2026 is a Sunday
    soeren, lone = await demo.person_id(SOEREN), await demo.person_id(LONE)
    assert await demo.rows("followup") == [("followup", f"person:{soeren}", f"lg:{lg}:2026-03-01", "sent")]
    (asked,) = [s for s in demo.slack.to(f"U{soeren}") if s.replies[0].title == "Opfølgning"]
    choice = asked.replies[0].choices[1]
    assert (choice.id, choice.label) == (f"followup:{lg}:2026-03-01:partly", "Delvist")

    assert await say(demo, SOEREN, text="hjælp") is None  # not about the follow-up: the registration flow
    assert await say(demo, SOEREN, choice=choice.id) == ["Tak: «Delvist». Hvad viste målingen? Skriv det med få ord."]
    assert await say(demo, SOEREN, text="status") is None  # a command while the words are awaited
    saved = await say(demo, SOEREN, text="Flere børn har en ven, men ikke alle")
    assert saved == ["Gemt i det lokale måls opfølgning. Jeg har givet institutionens leder besked. Tak!"]
    assert (await say(demo, FATIMA, choice=choice.id) or [""])[0].startswith(
        "Søren Østergaard har allerede besvaret denne opfølgning den 2. marts 2026"
    )

    async with demo.db.transaction() as s:
        (record,) = await followups.history(s)
    assert (record.local_goal_id, record.measurement_date, record.answer) == (lg, date(2026, 3, 1), "partly")
    assert (record.text, record.answered_by) == ("Flere børn har en ven, men ikke alle", "Søren Østergaard")
    assert record.asked_at == local(2026, 3, 2, 9, 0)

    await demo.tick(local(2026, 3, 2, 10, 1))
    (summary,) = demo.slack.to(f"U{lone}")[-1:]
    assert summary.replies[0].title == "Opfølgning besvaret"
    assert ("På sporet?", "Delvist") in summary.replies[0].facts
    await demo.tick(local(2026, 3, 3, 9, 0))
    assert len(await demo.rows("followup")) == 1  # asked once, answered: never again


async def test_a_typed_answer_counts_for_the_latest_open_follow_up(demo_sqlite: Demo) -> None:
    demo = demo_sqlite
    lg = await demo.add_local_goal("Solsikken", "Ro i garderoben", "Observation", [date(2026, 3, 2)])
    await demo.tick(local(2026, 3, 2, 9, 0))
    assert await say(demo, FATIMA, text="vi vil gerne have hjælp") is None
    assert await say(demo, FATIMA, text="på sporet") == ["Tak: «På sporet». Hvad viste målingen? Skriv det med få ord."]
    assert await say(demo, FATIMA, text="spring over") is not None
    async with demo.db.transaction() as s:
        ctx = await followups.context(s, lg, date(2026, 3, 2))
    assert ctx is not None and (ctx.answer, ctx.text, ctx.complete) == ("on_track", None, True)


def test_the_pure_step() -> None:
    t = texts("en")
    ctx = FollowUpContext(7, date(2026, 3, 1), 1, "Solsikken", 2, "Ven", "Måling", None, None, None, None, None)
    assert parse_followup_choice("followup:7:2026-03-01:off_track") == (7, date(2026, 3, 1), "off_track")
    assert parse_followup_choice("followup:x:2026-03-01:off_track") is None
    assert typed_answer("Not on track", t) == "off_track" and typed_answer("delvist", t) == "partly"
    assert typed_answer("2", t) is None  # numbers belong to the registration flow's choices
    result = step(ctx, Inbound("slack", "U1", choice="followup:7:2026-03-01:off_track"), t, 5)
    assert result is not None and result.change == FollowUpAnswer(7, date(2026, 3, 1), "off_track")
    chosen = FollowUpContext(7, date(2026, 3, 1), 1, "Solsikken", 2, "Ven", "Måling", "off_track", None, 5, "A", None)
    result = step(chosen, Inbound("slack", "U1", text="It went badly"), t, 5)
    assert result is not None
    assert result.change == FollowUpAnswer(7, date(2026, 3, 1), "off_track", "It went badly", complete=True)
    assert step(chosen, Inbound("slack", "U2", text="Something else"), t, 6) is None  # not the chooser
    assert step(ctx, Inbound("slack", "U1", choice="board:3"), t, 5) is None


def test_parse_pause() -> None:
    today = date(2026, 11, 20)
    assert parse_pause("pause indtil 1. december", today) is not None
    assert parse_pause("pause indtil 1. december", today).until == date(2026, 12, 1)  # type: ignore[union-attr]
    assert parse_pause("Pause until 2026-12-01", today).until == date(2026, 12, 1)  # type: ignore[union-attr]
    assert parse_pause("pause påmindelser til 15/1", today).until == date(2027, 1, 15)  # type: ignore[union-attr]
    assert parse_pause("genoptag påmindelser", today).until is None  # type: ignore[union-attr]
    assert parse_pause("resume reminders", today).until is None  # type: ignore[union-attr]
    assert parse_pause("pause", today) is None  # the registration flow's own pause
    assert parse_pause("genoptag", today) is None
    assert parse_pause("pause indtil i morgen", today).understood is False  # type: ignore[union-attr]


async def test_pause_until_a_date_then_resume(demo_sqlite: Demo) -> None:
    demo = demo_sqlite
    fatima = await demo.person_id(FATIMA)

    async def pause(text: str, today: date) -> str:
        async with demo.db.transaction() as s:
            replies = await handle_pause(s, fatima, Inbound("slack", "U", text=text), locale="da", today=today)
        assert replies is not None
        return replies[0].text

    assert await pause("pause indtil 16. marts", date(2026, 2, 27)) == (
        "Fint. Jeg sender dig ingen påmindelser før 16. marts 2026. "
        "Skriv «genoptag påmindelser», hvis du vil have dem igen før."
    )
    for monday in (2, 9):
        await demo.tick(local(2026, 3, monday, 9, 0))
    assert demo.slack.to(f"U{fatima}") == []
    await demo.tick(local(2026, 3, 16, 9, 0))
    assert len(demo.slack.to(f"U{fatima}")) == 1
    await pause("pause until 2026-04-01", date(2026, 3, 17))
    await demo.tick(local(2026, 3, 23, 9, 0))
    assert len(demo.slack.to(f"U{fatima}")) == 1
    assert (await pause("genoptag påmindelser", date(2026, 3, 24))).startswith("Påmindelserne er slået til igen")
    await demo.tick(local(2026, 3, 30, 9, 0))
    assert len(demo.slack.to(f"U{fatima}")) == 2


async def test_an_item_for_someone_who_paused_after_it_was_planned_is_skipped(demo_sqlite: Demo) -> None:
    demo = demo_sqlite
    fatima = await demo.person_id(FATIMA)
    demo.slack.script(f"U{fatima}", SendResult.transient("timeout"))
    await demo.tick(local(2026, 3, 2, 9, 0))
    async with demo.db.transaction() as s:
        await handle_pause(
            s, fatima, Inbound("slack", "U", text="pause til 1. april"), locale="da", today=date(2026, 3, 2)
        )
    await demo.tick(local(2026, 3, 2, 9, 5))
    rows = [r for r in await demo.rows("nudge") if r[1] == f"person:{fatima}"]
    assert rows == [("nudge", f"person:{fatima}", "2026-W10", "skipped")]
