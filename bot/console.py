"""`maalbot chat`: the conversation in a terminal, over the same engine and database as Slack and Teams."""

from __future__ import annotations

import asyncio
import sys
from typing import TextIO

from dialogs.commands import Cmd, parse_command
from dialogs.messages import Inbound, Reply, cut_label
from dialogs.service import ConversationService

PLATFORM = "console"


def render_reply(reply: Reply) -> str:
    """A reply as plain lines: heading, text, facts as «label: value», each choice as «N) label»."""
    lines: list[str] = []
    if reply.title:
        lines.append(f"== {reply.title} ==")
    if reply.text:
        lines.append(reply.text)
    for label, value in reply.facts:
        first, *rest = value.split("\n") or [""]
        lines.append(f"  {label}: {first}")
        lines.extend(f"    {more}" for more in rest)
    for n, choice in enumerate(reply.choices, start=1):
        lines.append(f"{n}) {cut_label(choice.label)}")
    return "\n".join(lines)


async def run_console(service: ConversationService, email: str, stdin: TextIO, stdout: TextIO) -> int:
    """Talk to the bot as `email` until end of input. Returns the process exit code."""
    person = await service.identify(PLATFORM, email.strip().casefold(), email=email)
    if person is None:
        print(render_reply(service.unknown_user()), file=stdout)
        return 1
    user_key = email.strip().casefold()
    interactive = stdin.isatty()

    last: list[Reply] = []

    def show(replies: list[Reply]) -> None:
        for reply in replies:
            print(render_reply(reply), file=stdout)
            print(file=stdout)
        stdout.flush()

    async def send(text: str) -> None:
        last[:] = await service.handle(Inbound(PLATFORM, user_key, text=text))
        show(last)

    await send("start")  # the console opens the conversation itself
    opened = True
    while True:
        if interactive:
            print("> ", end="", file=stdout, flush=True)
        line = await asyncio.to_thread(stdin.readline)
        if not line:
            break
        text = line.rstrip("\n")
        if opened and _is_start(text) and last and last[-1].kind == "question":
            show(last[-1:])  # «start» was said already: the question again, not a second greeting
        else:
            await send(text)
        opened = False
    return 0


def _is_start(text: str) -> bool:
    command = parse_command(text)
    return command is not None and command.cmd is Cmd.START


def main_console(service: ConversationService, email: str) -> int:
    return asyncio.run(run_console(service, email, sys.stdin, sys.stdout))
