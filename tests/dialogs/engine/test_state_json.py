"""The saved state: typed in memory, the same JSON shape on disk as before (so a state saved by an
older version loads, and the other way round)."""

from __future__ import annotations

from dialogs.state import Mode, Pending, Place, State

OLD = {  # as main wrote it before `Mode` was an enum and `pending` was typed
    "mode": "confirm_dates",
    "registration_id": 3,
    "goal": 1,
    "position": 2,
    "question": "measurement",
    "pending": {"method": "Survey", "when": "March 2027", "dates": ["2027-03-01"], "single": True, "carry": 0},
    "offered": [["dates:yes", "Yes"], ["dates:no", "No"]],
    "history": [{"mode": "ask", "goal": 1, "position": 2, "question": "interventions"}],
    "paused_at": None,
    "to_review": True,
    "seen_version": 7,
}


def test_an_old_state_loads_typed_and_is_written_back_the_same() -> None:
    state = State.from_json(OLD)
    assert state.mode is Mode.CONFIRM_DATES
    assert state.pending == Pending("Survey", "March 2027", ("2027-03-01",), single=True, carry=0)
    assert state.history == (Place(Mode.ASK, 1, 2, "interventions"),)
    assert state.to_json() == OLD
    assert State.from_json(state.to_json()) == state


def test_stray_text_round_trips_and_an_empty_pending_is_an_empty_object() -> None:
    state = State(Mode.ASK, 1, 1, None, "local_goal", Pending(stray="hjelp", stray_command="hjælp"))
    assert state.to_json()["pending"] == {"stray": "hjelp", "stray_command": "hjælp"}
    assert State.from_json(state.to_json()) == state
    assert State().to_json()["pending"] == {}


def test_an_unreadable_or_unknown_state_starts_over() -> None:
    assert State.from_json(None) == State()
    assert State.from_json({**OLD, "mode": "pick_language"}) == State()  # the mode that was never entered
    assert State.from_json({**OLD, "history": [{"goal": 1}]}) == State()
    assert State.from_json({**OLD, "pending": {"carry": "x"}}) == State()
