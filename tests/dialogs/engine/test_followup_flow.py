"""The measurement follow-up, a flow run by the engine (`engine.offer` with `followup.flow`): which
message it takes, what it answers and which answer it asks to store, phase by phase. No database."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest

from dialogs.changes import FollowUpAnswer
from dialogs.engine import Step, offer
from dialogs.followup import Phase, flow, followup_context, phase
from dialogs.messages import Inbound
from dialogs.state import State
from storage.followups import FollowUpContext

DAY = date(2026, 3, 1)
ME, OTHER = 5, 6
OPEN = FollowUpContext(7, DAY, 1, "Solsikken", 2, "Ven", "Måling", None, None, None, None, None)
CHOSEN = replace(OPEN, answer="partly", answered_by_id=ME, answered_by_name="Søren")
CHOSEN_BY_OTHER = replace(CHOSEN, answered_by_id=OTHER, answered_by_name="Fatima")
ANSWERED = replace(CHOSEN, text="Better", answered_at=datetime(2026, 3, 2, 10))
ASK_WORDS = "Thank you: «{}». In a few words, what did the measurement show?"
SAVED = "Saved in the local goal's follow-up history. I have told the institution's leader. Thank you!"


def send(followup: FollowUpContext | None, text: str | None = None, choice: str | None = None) -> Step | None:
    ctx = followup_context(followup, ME, "en", DAY)
    return offer(ctx, State(), Inbound("test", "U1", text=text, choice=choice), flow)


@pytest.mark.parametrize(
    ("followup", "phase_"),
    [(OPEN, Phase.OPEN), (CHOSEN, Phase.CHOSEN), (CHOSEN_BY_OTHER, Phase.OPEN), (ANSWERED, Phase.ANSWERED)],
)
def test_the_phase_is_read_from_the_follow_up_and_who_chose(followup: FollowUpContext, phase_: Phase) -> None:
    assert phase(followup, ME) is phase_


# (follow-up, text, choice) -> the reply's start (None: not for this flow), the change to store
OFF_TRACK = "followup:7:2026-03-01:off_track"
SCRIPT = [
    (OPEN, None, OFF_TRACK, ASK_WORDS.format("Not on track"), FollowUpAnswer(7, DAY, "off_track")),
    (OPEN, "on track", None, ASK_WORDS.format("On track"), FollowUpAnswer(7, DAY, "on_track")),
    (OPEN, "delvist", None, ASK_WORDS.format("Partly"), FollowUpAnswer(7, DAY, "partly")),  # either language
    (OPEN, "2", None, None, None),  # a number answers the registration flow's choices
    (OPEN, "we would like some help", None, None, None),
    (OPEN, None, "followup-skip:7:2026-03-01", "Please choose first whether the local goal is on track.", None),
    (OPEN, None, "board:3", None, None),  # another flow's button
    (OPEN, None, "followup:8:2026-03-01:partly", None, None),  # another follow-up's button
    (CHOSEN, "It went better", None, SAVED, FollowUpAnswer(7, DAY, "partly", "It went better", complete=True)),
    (CHOSEN, "spring over", None, SAVED, FollowUpAnswer(7, DAY, "partly", None, complete=True)),
    (CHOSEN, None, "followup-skip:7:2026-03-01", SAVED, FollowUpAnswer(7, DAY, "partly", None, complete=True)),
    (CHOSEN, "not on track", None, ASK_WORDS.format("Not on track"), FollowUpAnswer(7, DAY, "off_track")),
    (CHOSEN, "status", None, None, None),  # a command: the registration flow answers, the follow-up waits
    (CHOSEN, "help", None, None, None),
    (CHOSEN, "Barnets cpr er 010203-1234", None, "Your answer looks like it contains a CPR number", None),
    (CHOSEN_BY_OTHER, "Something else", None, None, None),  # not the chooser: not their words
    (ANSWERED, None, "followup:7:2026-03-01:on_track", "Søren already answered this follow-up on March 2, 2026", None),
    (ANSWERED, "More words", None, None, None),
    (None, None, "followup:7:2026-03-01:on_track", "That follow-up is no longer open.", None),
    (None, "on track", None, None, None),
]  # fmt: skip


@pytest.mark.parametrize(("followup", "text", "choice", "said", "change"), SCRIPT)
def test_one_message_about_a_follow_up(
    followup: FollowUpContext | None, text: str | None, choice: str | None, said: str | None, change: object
) -> None:
    step = send(followup, text, choice)
    if said is None:
        assert step is None
        return
    assert step is not None and step.replies[0].text.startswith(said), step and step.replies[0].text
    assert step.changes == ((change,) if change else ())
    assert step.state.place == State().place  # the follow-up's phase lives in its row, not in the person's state


def test_the_question_for_words_offers_skip() -> None:
    step = send(OPEN, choice="followup:7:2026-03-01:partly")
    assert step is not None
    assert [(c.id, c.label) for c in step.replies[0].choices] == [("followup-skip:7:2026-03-01", "Skip")]
