"""The commands a person can give at any point: start, resume, back, skip, pause, edit, status, submit,
language, and choosing a board."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from dialogs import answers, views
from dialogs.changes import MarkReady, SetLocale, Submit
from dialogs.messages import Choice
from dialogs.state import Mode, Outcome, Place, State

if TYPE_CHECKING:
    from dialogs.engine import Turn


def show_help(turn: Turn) -> None:
    turn.replies.append(views.help_reply(turn.t))
    turn.prompt()


def back(turn: Turn) -> None:
    if turn.state.mode in (Mode.WHEN, Mode.CONFIRM_DATES):
        turn.state = replace(turn.state, mode=Mode.ASK, offered=(), pending={})
        turn.prompt()
        return
    if not turn.state.history:
        turn.say(turn.t("We are at the beginning, there is nothing to go back to."))
        turn.prompt()
        return
    *rest, last = turn.state.history
    turn.state = turn.state.at(last, history=tuple(rest), offered=(), pending={})
    turn.prompt()


def skip(turn: Turn) -> None:
    mode, goal = turn.state.mode, turn.state.goal
    if mode == Mode.ASK and goal is not None:
        q = answers.question(turn)
        if q.key == turn.s.first_question.key and turn.state.position is None:
            turn.say(
                turn.t(
                    "Skipped. You can come back to {label} {goal} later with «edit goal {goal}».",
                    label=turn.label(),
                    goal=goal,
                )
            )
            turn.after_goal(goal)
            return
        if q.required:
            turn.say(turn.t("Skipped. The question is shown as unanswered in the review."))
        turn.next_question()
    elif mode == Mode.WHEN:
        turn.state = replace(turn.state, pending={**turn.state.pending, "when": "", "dates": []})
        answers.save_measurement(turn, confirmed=False)
    elif mode == Mode.CONFIRM_DATES:
        answers.save_measurement(turn, confirmed=False)
    elif mode == Mode.MORE and goal is not None:
        turn.after_goal(goal)
    else:
        turn.say(turn.t("There is nothing to skip here."))
        turn.prompt()


def pause(turn: Turn) -> None:
    if turn.state.mode in (Mode.IDLE, Mode.PAUSED):
        turn.say(turn.t("Fine. Write «start» when you want to begin."))
        return
    place = turn.state.place if turn.state.mode != Mode.DONE else None
    turn.state = replace(turn.state, mode=Mode.PAUSED, paused_at=place, offered=())
    turn.say(
        turn.t(
            "Everything is saved. Write «resume» when you want to go on. You can also close the chat: "
            "I will remember where you were."
        )
    )
    turn.outcome = Outcome.PAUSED


def resume(turn: Turn) -> None:
    paused = turn.state.paused_at
    if paused is not None and turn.board is not None:
        turn.state = turn.state.at(paused, paused_at=None, offered=())
        turn.say(turn.t("Welcome back! We continue where you left off."))
        turn.prompt()
    else:
        start(turn)


def start(turn: Turn) -> None:
    if turn.state.mode == Mode.PAUSED and turn.state.paused_at is not None and turn.board is not None:
        resume(turn)
        return
    boards = turn.ctx.boards
    if not boards:
        turn.say(
            turn.t(
                "Hello {name}! You are not on any board I know of, so there is nothing for you to register. "
                "You can ask me for «status», «status Område Nord», «vis Solsikken» or «hvem mangler?».",
                name=turn.ctx.person_name,
            )
        )
        return
    if turn.board is not None and turn.state.mode not in (Mode.IDLE, Mode.DONE):
        resume_registration(turn, greet=True)
    elif len(boards) == 1:
        choose_board(turn, boards[0].registration_id)
    elif turn.board is not None:
        choose_board(turn, turn.board.registration_id)
    else:
        pick_board(turn)


def pick_board(turn: Turn) -> None:
    if len(turn.ctx.boards) > 1:
        turn.state = replace(turn.state, mode=Mode.PICK_BOARD, offered=())
        turn.prompt()
    elif turn.board is not None:
        turn.say(turn.t("You are only on one board."))
        turn.prompt()
    else:
        start(turn)


def choose_board(turn: Turn, registration_id: int) -> None:
    if registration_id not in {b.registration_id for b in turn.ctx.boards}:
        turn.say(turn.t("You are not on that board."), kind="error")
        pick_board(turn)
        return
    turn.state = State(registration_id=registration_id, seen_version=turn.state.seen_version)
    resume_registration(turn, greet=True)


def resume_registration(turn: Turn, greet: bool) -> None:
    draft, board = turn.draft, turn.board
    assert draft is not None and board is not None
    if greet:
        turn.say(
            turn.t(
                "Hello {name}! Let us work on the local goals of {institution} for «{strategy}».",
                name=turn.ctx.person_name,
                institution=board.institution_name,
                strategy=turn.s.title,
            )
        )
    if turn.state.mode not in (Mode.IDLE, Mode.DONE, Mode.PICK_BOARD):
        turn.prompt()
        return
    if draft.status in ("submitted", "approved"):
        turn.go(Place(Mode.REVIEW))
        return
    if not draft.local_goals:
        turn.say(
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
        turn.enter_goal(turn.s.goals[0].number)
        return
    for goal in turn.s.goals:
        if not draft.goals_under(goal.number):
            turn.say(
                turn.t(
                    "Your board has already started. We continue with {label} {goal}.",
                    label=turn.label(),
                    goal=goal.number,
                )
            )
            turn.enter_goal(goal.number)
            return
    turn.go(Place(Mode.REVIEW))


def status(turn: Turn) -> None:
    if turn.draft is None:
        if len(turn.ctx.boards) == 1:
            turn.state = replace(turn.state, registration_id=turn.ctx.boards[0].registration_id)
        else:
            pick_board(turn)
            return
    assert turn.draft is not None
    turn.replies.append(views.status_reply(turn.t, turn.s, turn.draft))
    turn.prompt()


def edit(turn: Turn, goal: int | None, position: int | None) -> None:
    if turn.board is None:
        pick_board(turn)
        return
    if not turn.writable():
        return
    if goal is not None and goal not in {g.number for g in turn.s.goals}:
        turn.say(turn.t("There is no {label} {goal}.", label=turn.label(), goal=goal), kind="error")
        goal = None
    if goal is None:
        turn.go(Place(Mode.EDIT_GOAL))
    elif position is None:
        turn.go(Place(Mode.EDIT_GOAL, goal))
    elif turn.draft is not None and turn.draft.local_goal(goal, position) is None:
        turn.say(
            turn.t("There is no local goal {goal}.{position}.", goal=goal, position=position),
            kind="error",
        )
        turn.go(Place(Mode.EDIT_GOAL, goal))
    else:
        turn.go(Place(Mode.EDIT_LOCAL, goal, position))


def submit(turn: Turn) -> None:
    draft, board = turn.draft, turn.board
    if draft is None or board is None:
        pick_board(turn)
        return
    if not turn.writable():
        return
    missing = views.missing_items(turn.t, turn.s, draft)
    if missing:
        turn.say(turn.t("Not quite done yet:") + "\n" + "\n".join(f"• {m}" for m in missing), kind="error")
        turn.go(Place(Mode.REVIEW))
        return
    if board.can_submit:
        if draft.status == "submitted":
            turn.say(turn.t("The registration is already submitted; your changes are saved in it."))
        else:
            turn.change(Submit(draft.registration_id))
            turn.say(
                turn.t(
                    "Thank you! The registration for {institution} has been submitted to the "
                    "administration. The board has been told.",
                    institution=board.institution_name,
                )
            )
        turn.outcome = Outcome.DONE
    else:
        turn.change(MarkReady(draft.registration_id))
        turn.say(turn.t("Thank you! I have told the chair that the registration is ready to be submitted."))
        turn.outcome = Outcome.DONE
    turn.state = replace(turn.state, mode=Mode.DONE, offered=(), history=())


def language(turn: Turn, locale: str | None) -> None:
    if locale not in ("da", "en"):
        turn.say(turn.t("Which language?"), choices=(Choice("lang:da", "Dansk"), Choice("lang:en", "English")))
        return
    turn.change(SetLocale(locale))
    turn.say(turn.t("I will write in English from now on."))
    turn.prompt()
