"""A week of ticks over the demo municipality produces exactly the expected outbox."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from tests.reminders.conftest import Demo, local

BOARD_PEOPLE = 20  # board seats (members and chairs) in the demo; Camilla Dahl sits on two boards


async def test_a_week_of_ticks_gives_one_digest_per_channel_and_one_nudge_per_person(demo: Demo) -> None:
    # every six hours from Monday 03:00 to Sunday 21:00 (28 ticks: two in the quiet hours and two in working
    # time each day, the first of those at 09:00 on Monday); each tick plans from scratch, so it is the
    # outbox's keys that keep the later ticks from sending anything twice
    await demo.ticks(local(2026, 3, 2, 3, 0), local(2026, 3, 8, 21, 0), timedelta(hours=6))
    rows = await demo.rows()
    assert all(status == "sent" for *_, status in rows)
    by_rule = Counter(rule for rule, *_ in rows)
    assert by_rule == {"digest": 3, "admin_digest": 1, "nudge": BOARD_PEOPLE}
    digests = sorted((recipient, period) for rule, recipient, period, _ in rows if rule == "digest")
    assert [p for _, p in digests] == ["2026-W10"] * 3
    assert sorted(s.target for s in demo.slack.sent if s.kind == "channel") == ["#maal-nord", "#maal-syd"]
    assert [s.target for s in demo.teams.sent] == ["19:demo-omraade-nord@thread.tacv2"]
    camilla = await demo.person_id("camilla.dahl@demo.maalbot.dk")
    nudge = demo.slack.to(f"U{camilla}")
    assert len(nudge) == 1
    assert "Solsikken" in nudge[0].replies[0].text and "Ærøvej Skole" in nudge[0].replies[0].text
    assert {c.label for c in nudge[0].replies[0].choices} == {
        "Fortsæt med Solsikken",
        "Fortsæt med Ærøvej Skole",
    }


async def test_the_digest_is_sent_at_nine_local_time_on_monday(demo_sqlite: Demo) -> None:
    demo = demo_sqlite
    await demo.tick(local(2026, 3, 2, 8, 59))
    assert await demo.rows() == []
    report = await demo.tick(local(2026, 3, 2, 9, 0))
    assert report.sent == 3 + 1 + BOARD_PEOPLE
    digest = next(s for s in demo.slack.sent if s.target == "#maal-nord")
    table = digest.replies[0]
    assert table.title == "Ugentlig status for Område Nord, 2. marts 2026"
    assert "✓ færdig · ◐ i gang · ✗ mangler" in table.text
    assert dict(table.facts)["Solsikken"] == "1 ✗  2 ✗  3 ✗  4 ✗ · ikke startet"
    assert dict(table.facts)["I alt"].startswith("0 af 3 har sendt ind")


async def test_a_board_submitting_stops_its_nudges(demo_sqlite: Demo) -> None:
    demo = demo_sqlite
    await demo.tick(local(2026, 3, 2, 9, 0))
    await demo.set_status("Solsikken", "submitted")
    demo.slack.sent.clear()
    await demo.tick(local(2026, 3, 9, 9, 0))
    soeren = await demo.person_id("soeren.oestergaard@demo.maalbot.dk")
    fatima = await demo.person_id("fatima.ali@demo.maalbot.dk")
    camilla = await demo.person_id("camilla.dahl@demo.maalbot.dk")
    assert demo.slack.to(f"U{soeren}") == [] and demo.slack.to(f"U{fatima}") == []
    (camilla_nudge,) = demo.slack.to(f"U{camilla}")
    assert "Ærøvej Skole" in camilla_nudge.replies[0].text
    assert "Solsikken" not in camilla_nudge.replies[0].text
    week11 = [r for r in await demo.rows("nudge") if r[2] == "2026-W11"]
    assert len(week11) == BOARD_PEOPLE - 3  # Søren, Fatima and Peter sit only on Solsikken's board
    table = next(s for s in demo.slack.sent if s.target == "#maal-nord").replies[0]
    assert dict(table.facts)["Solsikken"] == "1 ✓  2 ✗  3 ✗  4 ✗ · sendt ind"


async def test_downtime_of_three_days_catches_up_once(demo_sqlite: Demo) -> None:
    demo = demo_sqlite
    await demo.tick(local(2026, 2, 27, 12, 0))  # Friday of week 9; then down until Wednesday
    demo.slack.sent.clear()
    await demo.ticks(local(2026, 3, 4, 10, 0), local(2026, 3, 6, 16, 0), timedelta(hours=6))  # 10 ticks
    rows = [r for r in await demo.rows() if r[2] == "2026-W10"]
    assert Counter(r[0] for r in rows) == {"digest": 3, "admin_digest": 1, "nudge": BOARD_PEOPLE}
    assert {r[3] for r in rows} == {"sent"}
    assert len(demo.slack.to("#maal-nord")) == 1
    assert len(demo.slack.sent) == 2 + 1 + BOARD_PEOPLE  # two Slack channels, the admin, the boards


async def test_a_digest_whose_week_is_over_is_skipped(demo_sqlite: Demo) -> None:
    demo = demo_sqlite
    await demo.tick(local(2026, 2, 27, 12, 0))  # Friday of week 9
    await demo.tick(local(2026, 3, 9, 10, 0))  # down for the whole of week 10
    periods = {r[2] for r in await demo.rows("digest")}
    assert periods == {"2026-W09", "2026-W11"}


async def test_an_item_planned_but_not_sent_before_its_week_ended_is_skipped(demo_sqlite: Demo) -> None:
    demo = demo_sqlite
    await demo.tick(local(2026, 3, 1, 12, 0))  # Sunday of week 9: planned, but no sending at weekends
    assert {(r[2], r[3]) for r in await demo.rows("digest")} == {("2026-W09", "pending")}
    await demo.tick(local(2026, 3, 2, 8, 30))
    assert {(r[2], r[3]) for r in await demo.rows("digest")} == {("2026-W09", "skipped")}
    assert demo.slack.to("#maal-nord") == []


async def test_nothing_is_sent_in_quiet_hours_and_it_goes_out_in_the_morning(demo_sqlite: Demo) -> None:
    demo = demo_sqlite
    report = await demo.tick(local(2026, 3, 4, 19, 0))  # back after downtime on Wednesday evening
    assert report.held == "outside working time" and report.sent == 0
    assert {status for *_, status in await demo.rows()} == {"pending"}
    report = await demo.tick(local(2026, 3, 5, 8, 0))
    assert report.sent == 3 + 1 + BOARD_PEOPLE
