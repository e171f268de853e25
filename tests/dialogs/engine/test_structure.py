"""The shape of the engine, checked: no import cycle inside dialogs/, a turn is never edited in place
(handlers return new turns), every mode has a prompt and a text handler, and only stale or garbled
buttons are answered «That button belongs to an earlier question» (a bug is not hidden behind it)."""

from __future__ import annotations

import ast
import dataclasses
import functools
from pathlib import Path

import pytest

from dialogs import engine, prompts
from dialogs.context import Turn
from dialogs.state import Mode, State
from tests.dialogs.engine.script import Run

DIALOGS = Path(engine.__file__).resolve().parent
STALE = "That button belongs to an earlier question. Here is where we are now:"


def module_name(path: Path) -> str:
    parts = path.relative_to(DIALOGS.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@functools.cache
def syntax_tree(path: Path) -> ast.Module:  # each module parsed once for all the checks here
    return ast.parse(path.read_text(encoding="utf-8"))


@functools.cache
def import_graph() -> dict[str, set[str]]:
    """Every module in dialogs/ (and its packages) and the dialogs modules it imports, counting imports
    under `if TYPE_CHECKING:` and inside functions too: a cycle there is still a cycle in the design."""
    modules = {module_name(p): p for p in DIALOGS.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(syntax_tree(path)):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")
                    base = ".".join([*parts[: len(parts) - node.level + 1], base]).strip(".")
                targets = [f"{base}.{a.name}" for a in node.names] + [base]
            for target in targets:
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != name and target != "dialogs":
                    graph[name].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import cycles (strongly connected components with more than one module), Tarjan's way."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycle_inside_dialogs() -> None:
    graph = import_graph()
    assert "dialogs.engine" in graph["dialogs.service"]  # the graph is read (a sanity check)
    assert cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_engine_is_imported_only_by_the_service_and_the_follow_up_flow_it_runs() -> None:
    graph = import_graph()  # the handlers (answers, navigation, ...) depend on moves and prompts, not on it
    assert {m for m, deps in graph.items() if "dialogs.engine" in deps} == {"dialogs.service", "dialogs.followup"}


def test_a_turn_is_never_edited_in_place() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        Run.new().say("start").last.state.mode = Mode.DONE  # type: ignore[misc,union-attr]
    turn = Turn.begin(Run.new().ctx, State())
    with pytest.raises(dataclasses.FrozenInstanceError):
        turn.state = State(mode=Mode.DONE)  # type: ignore[misc]
    for path in DIALOGS.rglob("*.py"):  # and no module tries: no `turn.<field> = ...` anywhere
        for node in ast.walk(syntax_tree(path)):
            if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    assert not (
                        isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)
                        and target.value.id == "turn"
                    ), f"{path.name}:{node.lineno} edits a turn"  # fmt: skip


def test_every_mode_has_a_prompt_and_a_text_handler() -> None:
    assert set(prompts.RENDERERS) == set(Mode)
    assert set(engine.TEXT) == set(Mode)


@pytest.mark.parametrize(
    "choice",
    ["edit:x", "edit:1.x", "board:x", "add:9", "add:x", "nonsense", "more:yes", "q:local_goal", "del:yes"],
)
def test_a_garbled_unknown_or_not_offered_button_is_an_earlier_question(choice: str) -> None:
    run = Run.new().say("start").at("ask", 1, None, "local_goal")
    run.press(choice).expect(STALE, "Which local goals are needed to reach goal 1?").at("ask", 1, None, "local_goal")
    assert run.changes == ()


def test_a_bug_behind_a_button_is_not_taken_for_an_earlier_question(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(turn: Turn, arg: str) -> Turn:
        raise KeyError("a bug")

    run = Run.new().say("start")
    monkeypatch.setitem(engine.ANYTIME, "review", broken)
    with pytest.raises(KeyError, match="a bug"):  # reaches the service's error path (logged, «not saved»)
        run.press("review")
    run.say("Every child has a friend").say("Buddy benches").choice("Done")

    def garbled(turn: Turn, arg: str) -> Turn:
        return turn.update(goal=int("not a number"))

    monkeypatch.setitem(engine.OFFERED, "done", garbled)
    with pytest.raises(ValueError):  # a ValueError is not a stale button either
        run.choose("Done")
