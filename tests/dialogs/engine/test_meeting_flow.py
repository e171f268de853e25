"""The meeting conversation as a flow run by the engine (`engine.offer` with `meetings.chat.flow`): scripts
of messages → the meeting flow's place, what the person reads and what it asks to store. No database:
the facts are given (`meeting_script.py`)."""

from __future__ import annotations

import ast
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from dialogs.meetings import agreements, chat, moves, plan_chat, prepare
from dialogs.meetings.facts import Fact, Missing, Need, PlanCells, PlanCheck
from dialogs.meetings.planning import PlanRow
from dialogs.meetings.writes import AddAgendaPoint, AddAgreement, AgreementWords, FollowUpAgreement, PlanMeeting
from dialogs.meetings.writes import SaveMeetingAnswer as Answer
from dialogs.messages import Inbound
from dialogs.state import MeetingMode, MeetingPending, Pending, State
from storage.meeting_models import AgreementStatus, ParticipantRole
from storage.models import Institution
from tests.dialogs.engine.meeting_script import (
    ANNE,
    COMING,
    FATIMA,
    HELD,
    LONE,
    TEMPLATES,
    MeetingRun,
    Say,
    agreement,
    facts,
    play,
    prepared,
)

PREPARER = Need(Fact.UPCOMING, ParticipantRole.PREPARER)
ATTENDEE = Need(Fact.UPCOMING, ParticipantRole.ATTENDEE)
Q = "Dialogue meeting between the leadership team and the administration on December 15, 2026: question {} of 16"
UNSURE = "your answer, or was it meant for me?"


def preparing() -> MeetingRun:
    return MeetingRun.new(facts((PREPARER, [COMING]), (Need(Fact.PREPARED, COMING.id), prepared())))


def test_a_leader_prepares_a_meeting_question_by_question() -> None:
    run = play(
        preparing(),
        Say("forbered møde", ("prepare", ""), (Q.format(1), "What do our data say about the children?")),
        Say("Language screenings show progress", ("prepare", ""), (Q.format(2),),
            (Answer(COMING.id, "i11/data_children", "Language screenings show progress"),)),
        Say("spring over", ("prepare", ""), (Q.format(3),)),
        Say("help", ("prepare", ""), ("Write your answer. You can also write «spring over»",)),
        Say("<meeting:skip>", ("prepare", ""), (Q.format(4),)),
        Say("pause", (None, ""), ("Saved. Write «forbered møde» or «ny aftale»",)),
    )  # fmt: skip
    assert run.state.pending == Pending()  # nothing of the meeting is left in the person's state
    play(  # on again: the skipped questions come back, the answered one does not
        run,
        Say("<meeting:prepare:3>", ("prepare", ""), (Q.format(2), "What do our data say about the staff?")),
    )
    assert [c.label for c in run.choices] == ["Skip", "Pause"]


def test_the_last_answer_thanks_and_says_what_was_skipped() -> None:
    every = [f"i11/{k}" for k in ("data_children", "data_staff", "data_parents")]
    known = facts((PREPARER, [COMING]))
    rest = [key for key in _keys() if key not in every]
    run = MeetingRun.new(known.with_fact(Need(Fact.PREPARED, COMING.id), prepared(COMING, *rest)))
    play(
        run,
        Say("forbered møde", ("prepare", ""), (Q.format(1),)),
        Say("<meeting:skip>", ("prepare", ""), (Q.format(2),)),
        Say("Staff", ("prepare", ""), (Q.format(3),), (Answer(COMING.id, every[1], "Staff"),)),
        Say("Parents", (None, ""), ("Thank you! You skipped 1 questions",), (Answer(COMING.id, every[2], "Parents"),)),
    )
    run2 = MeetingRun.new(known.with_fact(Need(Fact.PREPARED, COMING.id), prepared(COMING, *_keys()[1:])))
    play(
        run2,
        Say("forbered møde"),
        Say(
            "Children",
            (None, ""),
            ("Every question for «Dialogue meeting",),
            (Answer(COMING.id, every[0], "Children"),),
        ),
    )


def _keys() -> list[str]:
    from dialogs.meetings.units import answer_key

    unit = prepared().unit
    return [answer_key(unit, q, i) for q, i in TEMPLATES["dialogmoede"].questions_for("dagtilbud")]


@pytest.mark.parametrize("said", ["hvem mangler?", "status", "afmeld", "When is the meeting?"])
def test_words_meant_for_the_bot_are_not_saved_without_asking(said: str) -> None:
    run = play(preparing(), Say("forbered møde"), Say(said, ("prepare", ""), (f"Is «{said}» {UNSURE}",)))
    assert run.state.pending.meeting is not None and run.state.pending.meeting.unsure == said
    play(run, Say("<meeting:drop>", ("prepare", ""), ("Not saved.",)))
    assert run.state.pending.meeting.unsure == ""
    play(
        run,
        Say(said, ("prepare", ""), (UNSURE,)),
        Say("<meeting:keep>", ("prepare", ""), (Q.format(2),), (Answer(COMING.id, "i11/data_children", said),)),
    )
    assert run.state.pending.meeting.unsure == ""


def test_an_agreement_is_recorded_with_its_owner_and_date() -> None:
    known = facts((Need(Fact.RECENT, 60), [HELD]), (Need(Fact.MEETING, HELD.id), HELD))
    play(
        MeetingRun.new(known, person_id=ANNE),
        Say("ny aftale", ("agree", "text"), ("What has been agreed?",)),
        Say("Evaluate the language work", ("agree", "owner"), ("Who is responsible for it?",)),
        Say("Søren", ("agree", "owner"), ("I could not tell who «Søren» is",)),
        Say("lone", ("agree", "due"), ("By when?",)),
        Say("last year", ("agree", "due"), ("I could not read «last year» as a coming date.",)),
        Say("2026-11-01", ("agree", "due"), ("as a coming date",)),  # passed
        Say("2027-06-01", (None, ""), ("The agreement is saved: «Evaluate the language work», Lone Bæk is",),
            (AddAgreement(HELD.id, "Evaluate the language work", LONE, date(2027, 6, 1)),)),
    )  # fmt: skip


def test_the_owner_is_picked_by_button_only_among_the_participants() -> None:
    known = facts((Need(Fact.RECENT, 60), [HELD]), (Need(Fact.MEETING, HELD.id), HELD))
    run = play(MeetingRun.new(known), Say("ny aftale"), Say("Evaluate"))
    assert [c.id for c in run.choices] == [f"meeting:owner:{p}" for p in (LONE, ANNE, FATIMA)]
    play(
        run,
        Say("<meeting:owner:99>", ("agree", "owner"), ("Please pick one of the options.",)),
        Say(f"<meeting:owner:{FATIMA}>", ("agree", "due"), ("By when?",)),
    )


def test_two_recent_meetings_are_offered_to_choose_from() -> None:
    other = replace(HELD, id=4, held_on=date(2026, 11, 10))
    known = facts((Need(Fact.RECENT, 60), [HELD, other]), (Need(Fact.MEETING, 4), other))
    run = play(MeetingRun.new(known), Say("ny aftale", (None, ""), ("Which meeting is the agreement from?",)))
    assert [c.id for c in run.choices] == ["meeting:agree:2", "meeting:agree:4"]
    play(run, Say("<meeting:agree:4>", ("agree", "text")), Say("Something", ("agree", "owner")))
    assert run.state.pending.meeting is not None and run.state.pending.meeting.meeting == 4


def test_the_owner_follows_an_agreement_up_once() -> None:
    known = facts((Need(Fact.AGREEMENT, 9), agreement(9)))
    run = play(
        MeetingRun.new(known),
        Say("<agreement:9:partly>", ("words", ""), ("Saved: Partly. In a few words, how did it go?",),
            (FollowUpAgreement(9, AgreementStatus.PARTLY),)),
        Say("Three of four rooms have started", (None, ""), ("Thank you. The answer is saved.",),
            (AgreementWords(9, "Three of four rooms have started"),)),
        Say("<agreement:9:kept>", (None, ""), ("The agreement has already been followed up: Partly.",)),
    )  # fmt: skip
    assert run.saved[-1] == AgreementWords(9, "Three of four rooms have started")
    play(
        MeetingRun.new(known),
        Say("<agreement:9:kept>", ("words", ""), stores=(FollowUpAgreement(9, AgreementStatus.KEPT),)),
        Say("<meeting:skip>", (None, ""), ("Thank you. The answer is saved.",)),
    )


@pytest.mark.parametrize("choice", ["agreement:9:kept", "agreement:9:maybe", "agreement:x:kept", "agreement:8:kept"])
def test_an_agreement_that_is_not_yours_or_a_garbled_button_is_refused(choice: str) -> None:
    known = facts((Need(Fact.AGREEMENT, 9), agreement(9, owner=FATIMA)), (Need(Fact.AGREEMENT, 0), None))
    known = known.with_fact(Need(Fact.AGREEMENT, 8), None)
    run = MeetingRun.new(known).press(choice).expect("That agreement is not yours to follow up, or it is gone.")
    assert run.changes == () and run.state == State()


def test_an_agenda_point_goes_on_the_soonest_meeting_taken_part_in() -> None:
    later = replace(COMING, id=5, held_on=date(2027, 1, 10))
    known = facts((PREPARER, [later]), (ATTENDEE, [COMING]))
    play(
        MeetingRun.new(known),
        Say("dagsordenspunkt: Language for all", (None, ""), ("«Language for all» is on the list of agenda points",
            "December 15, 2026"), (AddAgendaPoint(COMING.id, "Language for all"),)),
        Say("dagsordenspunkt:", (None, ""), ("Write the point after the colon",)),
        Say("<meeting:agenda:5>", ("agenda", ""), ("Write your point for the agenda.",)),
        Say("Playground", (None, ""), ("January 10, 2027",), (AddAgendaPoint(5, "Playground"),)),
    )  # fmt: skip
    nobody = facts((PREPARER, []), (ATTENDEE, []))
    play(
        MeetingRun.new(nobody), Say("dagsordenspunkt: X", (None, ""), ("You are not taking part in a planned meeting",))
    )


def test_the_administration_plans_a_meeting_step_by_step() -> None:
    cells = PlanCells("dialogmoede", "2027-03-15", "Solsikken", "fatima.ali@example.dk")
    row = PlanRow(None, TEMPLATES["dialogmoede"], date(2027, 3, 15), None, Institution(id=11, name="Solsikken"), None,
                  (FATIMA,))  # fmt: skip
    known = facts(
        (Need(Fact.ADMIN), True),
        (Need(Fact.PLACE, ("institution", "Nowhere")), False),
        (Need(Fact.PLACE, ("institution", "Solsikken")), True),
        (Need(Fact.PLAN, replace(cells, participants="nobody@example.dk")), PlanCheck(None, ("nobody is known.",))),
        (Need(Fact.PLAN, cells), PlanCheck(row, ())),
    )
    play(
        MeetingRun.new(known, person_id=ANNE),
        Say("planlæg møde", ("plan", "template"), ("Which meeting do you want to plan?",)),
        Say("<meeting:plan:dialogmoede>", ("plan", "place"), ("Which institution is the meeting with?",)),
        Say("Nowhere", ("plan", "place"), ("and I do not know «Nowhere»", "Which institution")),
        Say("Solsikken", ("plan", "date"), ("Which day is the meeting?",)),
        Say("the 31st", ("plan", "date"), ("«the 31st» is not a date",)),
        Say("2026-11-01", ("plan", "date"), ("has passed",)),
        Say("15-03-2027", ("plan", "people"), ("Who else takes part?",)),
        Say("nobody@example.dk", ("plan", "people"), ("Nobody is known.", "Who else takes part?")),
        Say("fatima.ali@example.dk", (None, ""), ("Planned: «Dialogue meeting between the leadership team and "
            "the administration» for Solsikken on March 15, 2027.",), (PlanMeeting(row),)),
    )  # fmt: skip


def test_planning_is_for_the_administration_only_and_pause_stops_it() -> None:
    refused = facts((Need(Fact.ADMIN), False))
    for sent in ("planlæg møde", "<meeting:plan:dialogmoede>"):
        play(MeetingRun.new(refused), Say(sent, (None, ""), ("Only the administration plans meetings.",)))
    admin = facts((Need(Fact.ADMIN), True))
    play(
        MeetingRun.new(admin),
        Say("plan meeting", ("plan", "template")),
        Say("Collaboration meeting across the areas", ("plan", "date")),  # the whole municipality: no place
        Say("pause", (None, ""), ("Stopped. Nothing is planned.",)),
    )


@pytest.mark.parametrize(
    ("text", "choice"),
    [("Every child has a friend", None), ("1", None), ("status", None), (None, "board:1"), (None, "followup:1:x")],
)
def test_messages_for_other_flows_are_declined_without_reading_anything(text: str | None, choice: str | None) -> None:
    assert MeetingRun.new(facts()).offer(Inbound("test", "U1", text=text, choice=choice)) is None


@pytest.mark.parametrize(
    ("state", "sent", "need"),
    [
        (None, "forbered møde", PREPARER),
        (None, "ny aftale", Need(Fact.RECENT, 60)),
        (None, "<agreement:9:kept>", Need(Fact.AGREEMENT, 9)),
        (None, "aftaler", Need(Fact.OPEN_AGREEMENTS)),
        (MeetingPending(MeetingMode.PREPARE, meeting=3, asking="i11/x"), "An answer", Need(Fact.PREPARED, 3)),
        (MeetingPending(MeetingMode.AGREE, meeting=2, step="owner"), "lone", Need(Fact.MEETING, 2)),
        (MeetingPending(MeetingMode.PLAN, step="date"), "2027-01-01", Need(Fact.ADMIN)),
    ],
)
def test_the_flow_asks_for_the_one_fact_its_path_needs(state: MeetingPending | None, sent: str, need: Need) -> None:
    run = MeetingRun.new(facts(), state=State(pending=Pending(meeting=state)))
    inbound = Inbound("test", "U1", choice=sent[1:-1]) if sent.startswith("<") else Inbound("test", "U1", text=sent)
    with pytest.raises(Missing) as missing:
        run.offer(inbound)
    assert missing.value.need == need


def test_help_pause_and_an_empty_message_change_nothing_stored() -> None:
    run = play(preparing(), Say("forbered møde"))
    before = run.state
    play(run, Say("<meeting:keep>", ("prepare", ""), ("I did not get an answer.",)))  # nothing was unsure
    assert run.state == before and run.changes == ()


def test_the_meeting_replies_leave_the_registrations_offered_buttons_alone() -> None:
    offered = (("more:yes", "Yes"), ("more:no", "No"))
    run = MeetingRun.new(facts((PREPARER, [COMING]), (Need(Fact.PREPARED, COMING.id), prepared())),
                         state=State(offered=offered))  # fmt: skip
    run.say("forbered møde").say("An answer")
    assert run.state.offered == offered  # «1» still answers the registration's question afterwards


def test_the_meeting_place_is_typed_and_reads_what_older_versions_wrote() -> None:
    old = {"mode": "prepare", "meeting": 3, "skipped": ["i11/data_staff"], "asking": "i11/data_parents"}
    place = MeetingPending.from_json(old)
    assert place == MeetingPending(MeetingMode.PREPARE, 3, "i11/data_parents", ("i11/data_staff",))
    assert place.to_json() == old
    agree = {"mode": "agree", "meeting": 2, "step": "due", "text": "Evaluate", "owner": 5}
    assert MeetingPending.from_json(agree) == MeetingPending(MeetingMode.AGREE, 2, step="due", text="Evaluate", owner=5)
    for unreadable in ({"mode": "dance"}, {"mode": "agree", "meeting": "x"}, {}, "prepare", None):
        assert MeetingPending.from_json(unreadable) is None
    state = State(pending=Pending(meeting=place))
    assert State.from_json(state.to_json()) == state
    assert state.to_json()["pending"] == {"meeting": old}


def test_every_mode_has_a_phase_and_the_flow_modules_do_no_io() -> None:
    assert set(chat.PHASES) == set(MeetingMode)
    assert set(plan_chat.STEPS) | {"template"} == {"template", "place", "date", "people"}
    for module in (chat, prepare, agreements, plan_chat, moves):  # reads and writes are the edge's
        tree = ast.parse(Path(str(module.__file__)).read_text(encoding="utf-8"))
        io = [n for n in ast.walk(tree) if isinstance(n, (ast.AsyncFunctionDef, ast.Await))]
        imports = [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]
        names = {a.name for n in imports for a in n.names} | {getattr(n, "module", "") or "" for n in imports}
        assert io == [], f"{module.__name__} awaits"
        assert not any(n.startswith("sqlalchemy") for n in names), f"{module.__name__} imports sqlalchemy"
