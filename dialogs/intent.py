"""What free text typed while a question is open most likely means, before it is stored as the board's
answer: a command with a small typo («hjelp»), a wish to stop messages («afmeld»), a question to the bot
(«hvornår er fristen?»), or the answer itself. Exact commands are read before this (dialogs/commands.py,
dialogs/overview.py, dialogs/links_chat.py); this module only looks at what they let through."""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, replace
from enum import StrEnum

from dialogs import answers, dates
from dialogs.changes import AddLocalGoal
from dialogs.cleaning import clean_text, fold, split_items
from dialogs.commands import LANGUAGES, WORDS
from dialogs.context import Turn
from dialogs.messages import Choice
from dialogs.moves import go, prompt
from dialogs.sensitive import contains_cpr
from dialogs.state import Mode, Pending, Place, State


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
        if (deadline := dates.deadline_sentence(t, turn.s, turn.ctx.today)) is not None:
            lines.append(deadline)  # «Fristen er …», or «Fristen var …» once it has passed
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


def is_emoji(text: str) -> bool:
    """A lone emoji (👍, 🙂, ✅), perhaps with a skin tone or joiners: no letters or digits at all."""
    text = text.strip()
    return (
        0 < len(text) <= 12
        and " " not in text
        and not any(ch.isalnum() for ch in text)
        and any(unicodedata.category(ch) == "So" for ch in text)
    )


def on_emoji(turn: Turn, text: str) -> Turn | None:
    """A lone emoji is confirmed before it is stored (and before it replaces a text); None otherwise."""
    if not is_emoji(text):
        return None
    t, current = turn.t, turn.current_answer
    if isinstance(current, str) and current:
        asked = t("Should «{emoji}» replace «{answer}»?", emoji=text, answer=current)
    else:
        asked = t("Should I save «{emoji}» as your answer?", emoji=text)
    pending = replace(turn.state.pending, stray=text, stray_command="")
    return turn.update(pending=pending).say(
        asked,
        choices=(Choice("stray:keep", t("Yes, save it")), Choice("stray:again", t("No, I will write an answer"))),
        kind="question",
    )


def offer_split(turn: Turn, text: str) -> Turn | None:
    """Several lines at «Which local goals …?»: offer one local goal per line (None: not that case)."""
    state = turn.state
    if state.mode is not Mode.ASK or state.position is not None or state.question != turn.s.first_question.key:
        return None
    lines = split_items(text)
    if len(lines) < 2 or contains_cpr(text) or any(len(line) > turn.question.max_length for line in lines):
        return None
    t = turn.t
    pending = replace(state.pending, stray=text, stray_command="")
    return turn.update(pending=pending).say(
        t.plural(
            "That is {n} line. Shall I make one local goal of each line?",
            "That is {n} lines. Shall I make one local goal of each line?",
            len(lines),
        ),
        choices=(
            Choice("split:yes", t("Yes, one local goal per line")),
            Choice("split:no", t("No, it is one local goal")),
        ),
        kind="question",
    )


def split(turn: Turn, arg: str) -> Turn:
    """«split:yes»: a local goal per line, then each one's questions in turn; «split:no»: one local goal."""
    text, goal, draft = turn.state.pending.stray, turn.state.goal, turn.draft
    turn = turn.update(pending=replace(turn.state.pending, stray=""))
    if not text or goal is None or draft is None:
        return prompt(turn)
    if arg != "yes":
        return answers.on_answer(turn, text)
    first = len(draft.goals_under(goal)) + 1
    lines = split_items(text)
    for line in lines:
        turn = turn.change(AddLocalGoal(draft.registration_id, goal, line))
    turn = turn.say(turn.t.plural("I have made {n} local goal.", "I have made {n} local goals.", len(lines)))
    second = turn.s.questions[1].key if len(turn.s.questions) > 1 else None
    if second is None:
        return go(turn.update(pending=Pending()), Place(Mode.MORE, goal))
    return go(turn, Place(Mode.ASK, goal, first, second), pending=Pending(fill=True, within=True))
