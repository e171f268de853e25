"""What free text typed while a question is open most likely means, before it is stored as the board's
answer: a command with a small typo («hjelp»), a wish to stop messages («afmeld»), a question to the bot
(«hvornår er fristen?»), or the answer itself. Exact commands are read before this (dialogs/commands.py,
dialogs/overview.py, dialogs/links_chat.py); this module only looks at what they let through."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, replace
from enum import StrEnum

from dialogs import answers
from dialogs.cleaning import clean_text, fold
from dialogs.commands import LANGUAGES, WORDS
from dialogs.context import Turn
from dialogs.messages import Choice
from dialogs.moves import prompt
from dialogs.reminders.render import long_date
from dialogs.state import State


class Kind(StrEnum):
    ANSWER = "answer"
    LIKELY = "likely"  # close to a command: ask «did you mean …?»
    STOP = "stop"  # pause/unsubscribe wording
    QUESTION = "question"  # a question to the bot


@dataclass(frozen=True, slots=True)
class Intent:
    kind: Kind
    command: str = ""  # LIKELY: the command as it is written when run


_MESSAGES = r"(?:påmindelser(?:ne)?|paamindelser(?:ne)?|reminders?|beskeder(?:ne)?|messages|notifikationer|mails?)"
_STOP = re.compile(
    rf"^(?:stop|stands|afmeld|afmeld\s+mig|frameld|frameld\s+mig|unsubscribe|opt\s+out|"
    rf"ingen\s+flere|no\s+more)(?:\s+(?:med\s+)?{_MESSAGES})?(?:\s+(?:fra|off))?(?:\s+(?:tak|please))?$"
)
# what a leader (of an institution or more) may also write, besides the board commands
LEADER_WORDS = ("hvem mangler", "who is missing", "dækning", "coverage", "opfølgning")
LINK_WORDS = ("statusside", "status page", "eksport", "export")
MAX_WORDS = 3  # longer text is an answer even when it resembles a command
CUTOFF = 0.8


def _display(word: str) -> str:
    """A command word as the bot writes it: the first spelling of its command («hjaelp» is «hjælp»)."""
    if word in WORDS:
        return next(w for w, cmd in WORDS.items() if cmd == WORDS[word])
    if word in LANGUAGES:
        return next(w for w, loc in LANGUAGES.items() if loc == LANGUAGES[word])
    return word


def classify(text: str, *, leader: bool = False) -> Intent:
    """The likely meaning of `text` (typed while a question is open and not an exact command)."""
    folded = fold(clean_text(text))
    if _STOP.match(folded.rstrip(".!")):
        return Intent(Kind.STOP)
    if len(folded.split()) <= MAX_WORDS and len(folded) >= 3:
        words = [*WORDS, *LANGUAGES, *LINK_WORDS, *(LEADER_WORDS if leader else ())]
        close = difflib.get_close_matches(folded, [w for w in words if len(w) >= 4], n=1, cutoff=CUTOFF)
        if close:
            return Intent(Kind.LIKELY, _display(close[0]))
    if text.strip().endswith("?"):
        return Intent(Kind.QUESTION)
    return Intent(Kind.ANSWER)


def on_stray(turn: Turn, text: str) -> Turn | None:
    """The turn that answers `text` here and asks the open question again when it is not the board's
    answer; None when it is the answer, to be stored."""
    found = classify(text, leader=any(b.role == "leader" for b in turn.ctx.boards))
    t = turn.t
    if found.kind == Kind.ANSWER:
        return None
    if found.kind == Kind.LIKELY:
        pending = replace(turn.state.pending, stray=text, stray_command=found.command)
        return turn.update(pending=pending).say(
            t("Did you mean «{command}», or is it your answer?", command=found.command),
            choices=(
                Choice("stray:run", t("Yes, «{command}»", command=found.command)),
                Choice("stray:keep", t("No, it is our answer")),
            ),
        )
    if found.kind == Kind.STOP:
        turn = turn.say(
            t(
                "I have not saved that as your answer. To pause reminders, write for example «pause until "
                "1 December». To stop for now, write «pause»; you can pick up again later with «continue»."
            )
        )
    else:
        lines = [t("I cannot answer questions here, so I have not saved that as your answer.")]
        deadline = turn.s.deadline
        if deadline is not None and deadline >= turn.ctx.today:
            lines.append(t("The deadline is {date}.", date=long_date(t, deadline)))
        lines.append(
            t("Write «help» to see what I can do. If it was your answer, send it again without the question mark.")
        )
        turn = turn.say(" ".join(lines))
    return prompt(turn)


def keep(turn: Turn) -> Turn:
    """«No, it is our answer»: the text that looked like a command is stored after all."""
    text = turn.state.pending.stray
    turn = turn.update(pending=replace(turn.state.pending, stray="", stray_command=""))
    return answers.on_answer(turn, text) if text else prompt(turn)


def run_command(state: State) -> tuple[str, State] | None:
    """«Yes, <command>»: the command the text looked like, and the state without it (None: nothing
    waits to be run)."""
    command = state.pending.stray_command
    if not command:
        return None
    return command, replace(state, pending=replace(state.pending, stray="", stray_command=""))
