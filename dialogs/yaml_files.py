"""YAML files that hold data (strategies, meeting templates): read them, keep each value's line, and
turn a pydantic validation error into one message that names the field and its line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from yaml.nodes import MappingNode, Node, SequenceNode

# libyaml's parser when PyYAML has it (its wheels do), as storage/org_file.py: the same nodes and lines,
# some ten times faster than the pure-Python parser.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
LineMap = dict[tuple[str | int, ...], int]  # a value's place in the file (keys and indexes) -> its line (1-based)


def read_yaml_mapping[E: Exception](path: Path, error: type[E]) -> tuple[dict[str, Any], LineMap]:
    """The file's top mapping and the line of every value in it; `error` for a missing or broken file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{path}: file not found") from None
    loader = _LOADER(text)
    try:  # one parse: the node tree gives the lines, the same tree is constructed into the data
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.YAMLError as exc:
        raise error(f"{path}: not valid YAML: {exc}") from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise error(f"{path}: expected a mapping at the top")
    lines: LineMap = {}
    if root is not None:
        _walk(root, (), lines)
    return data, lines


def _walk(node: Node, path: tuple[str | int, ...], lines: LineMap) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, MappingNode):
        for key, value in node.value:
            _walk(value, (*path, str(key.value)), lines)
            lines.setdefault((*path, str(key.value)), key.start_mark.line + 1)
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), lines)


def line_of(lines: LineMap, loc: tuple[str | int, ...]) -> int | None:
    """The line of the deepest part of `loc` that is in the file (a missing field: its parent's line)."""
    for end in range(len(loc), -1, -1):
        line = lines.get(tuple(loc[:end]))
        if line is not None:
            return line
    return None


def validate[M: BaseModel, E: Exception](
    model: type[M], data: Any, source: str, error: type[E], lines: LineMap | None = None
) -> M:
    """`model` from `data`, or `error` listing every problem as «source: field: message (line N)»."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(p for p in err["loc"] if isinstance(p, (str, int)))
            where = ".".join(str(p) for p in loc) or "(top)"
            line = line_of(lines, loc) if lines else None
            problems.append(f"{source}: {where}: {err['msg']}" + (f" (line {line})" if line else ""))
        raise error("\n".join(problems)) from None
