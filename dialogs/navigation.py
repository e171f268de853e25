"""The commands a person can give at any point: start, resume, back, skip, pause, edit, status, submit,
language, and choosing a board. Each takes the turn and returns the next one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from dialogs import answers, approval_changes, dates, role_help, views
from dialogs.changes import MarkReady, SetLocale, Submit
from dialogs.context import Turn
from dialogs.messages import Choice
from dialogs.moves import after_goal, enter_goal, go, next_missing, next_question, prompt, refuse_locked
from dialogs.state import Mode, Pending, Place, State
from storage import policy


def who(turn: Turn) -> role_help.Who:
    """The person's roles, as the help and the greeting need them."""
    boards = tuple((b.institution_name, b.role) for b in turn.ctx.boards)
    return role_help.Who(boards, turn.ctx.roles)


def show_help(turn: Turn) -> Turn:
    turn = turn.show(role_help.help_reply(turn.t, who(turn), views.privacy_note(turn.t)))
    return prompt(turn) if turn.ctx.boards else turn  # no board: nothing is asked, so nothing to repeat


def back(turn: Turn) -> Turn:
    if turn.state.mode in (Mode.WHEN, Mode.CONFIRM_DATES):  # the measurement's question again, not the one before
        return prompt(turn.update(mode=Mode.ASK, offered=(), pending=Pending()))
    if not turn.state.history:
        return prompt(turn.say(turn.t("We are at the beginning, there is nothing to go back to.")))
    *rest, last = turn.state.history
    return prompt(turn.with_state(turn.state.at(last, history=tuple(rest), offered=(), pending=Pending())))


def skip(turn: Turn) -> Turn:
    mode, goal = turn.state.mode, turn.state.goal
    if mode is Mode.ASK and turn.state.pending.fill:  # filling in what is missing: on to the next gap
        return next_missing(turn)
    if mode is Mode.ASK and goal is not None:
        q = turn.question
        if q.key == turn.s.first_question.key and turn.state.position is None:  # a new local goal: none here
            turn = turn.say(
                turn.t(
                    "Skipped. You can come back to {label} {goal} later with «edit goal {goal}».",
                    label=turn.label(),
                    goal=goal,
                )
            )
            return after_goal(turn, goal)
        if q.required:
            turn = turn.say(turn.t("Skipped. The question is shown as unanswered in the review."))
        return next_question(turn)
    if mode is Mode.WHEN:
        turn = turn.update(pending=replace(turn.state.pending, when="", dates=()))
        return answers.save_measurement(turn, confirmed=False)
    if mode is Mode.CONFIRM_DATES:
        return answers.save_measurement(turn, confirmed=False)
    if mode is Mode.MORE and goal is not None:
        return after_goal(turn, goal)
    return prompt(turn.say(turn.t("There is nothing to skip here.")))


def pause(turn: Turn) -> Turn:
    if turn.state.mode in (Mode.IDLE, Mode.PAUSED):
        return turn.say(turn.t("Fine. Write «start» when you want to begin."))
    place = turn.state.place if turn.state.mode is not Mode.DONE else None
    return turn.update(mode=Mode.PAUSED, paused_at=place, offered=()).say(
        turn.t(
            "Everything is saved. Write «resume» when you want to go on. You can also close the chat: "
            "I will remember where you were."
        )
    )


def resume(turn: Turn) -> Turn:
    paused = turn.state.paused_at
    if paused is not None and turn.board is not None:
        turn = turn.with_state(turn.state.at(paused, paused_at=None, offered=()))
        return prompt(turn.say(turn.t("Welcome back! We continue where you left off.")))
    return start(turn, as_leader=False)  # «fortsæt» means the registration, also for a leader


def start(turn: Turn, *, as_leader: bool = True) -> Turn:
    if turn.state.mode is Mode.PAUSED and turn.state.paused_at is not None and turn.board is not None:
        return resume(turn)
    boards = turn.ctx.boards
    if not boards:
        turn = turn.say(turn.t("Hello {name}!", name=turn.ctx.person_name))
        return turn.show(role_help.help_reply(turn.t, who(turn)))
    if turn.board is not None and turn.state.mode not in (Mode.IDLE, Mode.DONE):
        return resume_registration(turn, greet=True)
    first_contact = turn.state.mode is Mode.IDLE and turn.state.registration_id is None
    if as_leader and first_contact and all(b.role == policy.LEADER for b in boards):
        return greet_leader(turn)
    if len(boards) == 1:
        return choose_board(turn, boards[0].registration_id)
    if turn.board is not None:
        return choose_board(turn, turn.board.registration_id)
    return pick_board(turn)


def greet_leader(turn: Turn) -> Turn:
    """An institution's leader is greeted as a leader: what they can follow and ask, and a button to work
    on the board's registration themselves (they can submit it)."""
    turn = turn.say(turn.t("Hello {name}!", name=turn.ctx.person_name))
    turn = turn.show(role_help.help_reply(turn.t, who(turn)))
    boards = turn.ctx.boards
    choices = tuple(
        Choice(
            f"board:{b.registration_id}",
            turn.t("Work on the registration of {institution}", institution=b.institution_name),
        )
        for b in turn.ctx.boards
    )
    turn = turn.update(registration_id=boards[0].registration_id)  # a next «start» goes on to the registration
    return turn.say(turn.t("Do you want to work on the board's registration yourself?"), choices=choices)


def pick_board(turn: Turn) -> Turn:
    if len(turn.ctx.boards) > 1:
        return prompt(turn.update(mode=Mode.PICK_BOARD, offered=()))
    if turn.board is not None:
        return prompt(turn.say(turn.t("You are only on one board.")))
    return start(turn)


def with_board(turn: Turn, then: Callable[[Turn], Turn]) -> Turn:
    """`then`, when the person has chosen a board; else the choice of a board."""
    return pick_board(turn) if turn.board is None else then(turn)


def choose_board(turn: Turn, registration_id: int) -> Turn:
    if registration_id not in {b.registration_id for b in turn.ctx.boards}:
        return pick_board(turn.say(turn.t("You are not on that board."), kind="error"))
    turn = turn.with_state(State(registration_id=registration_id, seen_version=turn.state.seen_version))
    return resume_registration(turn, greet=True)


def resume_registration(turn: Turn, greet: bool) -> Turn:
    draft, board = turn.draft, turn.board
    assert draft is not None and board is not None
    if greet:
        turn = turn.say(
            turn.t(
                "Hello {name}! Let us work on the local goals of {institution} for «{strategy}».",
                name=turn.ctx.person_name,
                institution=board.institution_name,
                strategy=turn.s.title_in(turn.t.locale),
            )
            + _deadline(turn)
        )
        if turn.ctx.roles & {policy.AREA_LEADER, policy.ADMIN}:  # several roles: say the others exist
            turn = turn.say(turn.t("You can also ask me as a leader: write «help» to see how."))
    if turn.state.mode not in (Mode.IDLE, Mode.DONE, Mode.PICK_BOARD):
        return prompt(turn)
    if draft.status in ("submitted", "approved"):
        return go(turn, Place(Mode.REVIEW))
    if not draft.local_goals:
        turn = turn.say(
            turn.t.plural(
                "There is {n} strategic goal. For each, I ask for your local goals, what you will do, and how "
                "and when you measure the effect. Write «help» at any time.",
                "There are {n} strategic goals. For each, I ask for your local goals, what you will do, and how "
                "and when you measure the effect. Write «help» at any time.",
                len(turn.s.goals),
            )
            + "\n"
            + views.privacy_note(turn.t)
        )
        return enter_goal(turn, turn.s.goals[0].number)
    for goal in turn.s.goals:
        if not draft.goals_under(goal.number):
            turn = turn.say(
                turn.t(
                    "Your board has already started. We continue with {label} {goal}.",
                    label=turn.label(),
                    goal=goal.number,
                )
            )
            return enter_goal(turn, goal.number)
    return go(turn, Place(Mode.REVIEW))


def status(turn: Turn) -> Turn:
    if turn.draft is None:
        if len(turn.ctx.boards) != 1:
            return pick_board(turn)
        turn = turn.update(registration_id=turn.ctx.boards[0].registration_id)
    assert turn.draft is not None
    reply = views.status_reply(turn.t, turn.s, turn.draft)
    return prompt(turn.show(replace(reply, text=reply.text + _deadline(turn))))


def _deadline(turn: Turn) -> str:
    """« Fristen er ….» (or «Fristen var ….», once passed) to end the greeting and the status; "" without one."""
    sentence = dates.deadline_sentence(turn.t, turn.s, turn.ctx.today)
    return " " + sentence if sentence else ""


def review(turn: Turn) -> Turn:
    return with_board(turn, lambda on: go(on, Place(Mode.REVIEW), return_to=None))


RETURNABLE = (Mode.ASK, Mode.WHEN, Mode.CONFIRM_DATES, Mode.MORE, Mode.CARRY)  # places in the flow


def return_from_edit(turn: Turn) -> Turn:
    """«Back to where we were» from the edit menus: the place before «ret mål N», else the review."""
    back = turn.state.return_to
    if back is None:
        return review(turn)
    return go(turn.update(return_to=None), back)


def edit(turn: Turn, goal: int | None, position: int | None) -> Turn:
    if turn.board is None:
        return pick_board(turn)
    if (refused := refuse_locked(turn)) is not None:
        return refused
    state = turn.state
    if state.mode in RETURNABLE and state.return_to is None:  # remember where we were, to come back after
        here = state.place
        if state.mode in (Mode.WHEN, Mode.CONFIRM_DATES):  # a half-given measurement is asked again
            here = Place(Mode.ASK, state.goal, state.position, state.question)
        turn = turn.update(return_to=here, pending=Pending(carry=state.pending.carry))
    if goal is not None and goal not in {g.number for g in turn.s.goals}:
        turn = turn.say(turn.t("There is no {label} {goal}.", label=turn.label(), goal=goal), kind="error")
        goal = None
    if goal is None:
        return go(turn, Place(Mode.EDIT_GOAL))
    if position is None:
        return go(turn, Place(Mode.EDIT_GOAL, goal))
    if turn.draft is not None and turn.draft.local_goal(goal, position) is None:
        turn = turn.say(
            turn.t("There is no local goal {goal}.{position}.", goal=goal, position=position),
            kind="error",
        )
        return go(turn, Place(Mode.EDIT_GOAL, goal))
    return go(turn, Place(Mode.EDIT_LOCAL, goal, position))


def submit(turn: Turn) -> Turn:
    draft, board = turn.draft, turn.board
    if draft is None or board is None:
        return pick_board(turn)
    if (refused := refuse_locked(turn)) is not None:
        return refused
    missing = views.missing_items(turn.t, turn.s, draft)
    if missing:
        turn = turn.say(turn.t("Not quite done yet:") + "\n" + "\n".join(f"• {m}" for m in missing), kind="error")
        return go(turn, Place(Mode.REVIEW))
    undated = dates.undated_note(turn.t, turn.s, draft)
    if undated and board.can_submit and draft.status != "submitted" and turn.state.mode is not Mode.REVIEW:
        return go(turn, Place(Mode.REVIEW))  # the review lists them above «Submit»: seen before sending in
    if not board.can_submit:
        turn = turn.change(MarkReady(draft.registration_id))
        turn = turn.say(turn.t("Thank you! I have told the chair that the registration is ready to be submitted."))
    elif draft.status == "submitted" and not draft.changed_after_submit:
        turn = turn.say(turn.t("The registration is already submitted; your changes are saved in it."))
    elif (ask := approval_changes.confirm_unchanged(turn)) is not None:  # approval: returned, and not changed
        return ask
    else:
        turn = turn.change(Submit(draft.registration_id))
        turn = turn.say(
            turn.t(
                "Thank you! The registration for {institution} has been submitted to the "
                "administration. The board has been told.",
                institution=board.institution_name,
            )
        )
    return turn.update(mode=Mode.DONE, offered=(), history=())


def language(turn: Turn, locale: str | None) -> Turn:
    if locale not in ("da", "en"):
        return turn.say(turn.t("Which language?"), choices=(Choice("lang:da", "Dansk"), Choice("lang:en", "English")))
    turn = turn.change(SetLocale(locale))
    return prompt(turn.say(turn.t("I will write in English from now on.")))
