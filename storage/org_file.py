"""Organisation files (YAML or CSV): areas, institutions, people and their roles, parsed into plain
frozen dataclasses. No database here; `storage.org.import_org` applies an `OrgFile`.

Every problem in a file is collected (with its line) and reported at once in one `OrgFileError`."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from storage.models import InstitutionKind, Role

CSV_COLUMNS = ("area", "institution", "kind", "name", "email", "role")
KINDS = {"dagtilbud": InstitutionKind.DAGTILBUD, "daycare": InstitutionKind.DAGTILBUD}
KINDS |= {"skole": InstitutionKind.SKOLE, "school": InstitutionKind.SKOLE}
ROLES = {r.value: r for r in Role} | {
    "medlem": Role.MEMBER,
    "bestyrelsesmedlem": Role.MEMBER,
    "formand": Role.CHAIR,
    "leder": Role.LEADER,
    "områdeleder": Role.AREA_LEADER,
    "omraadeleder": Role.AREA_LEADER,
    "administrator": Role.ADMIN,
}
INSTITUTION_ROLES = (Role.MEMBER, Role.CHAIR, Role.LEADER)
EMAIL_RE = re.compile(r"[^@\s,;<>\"]+@[^@\s,;<>\"]+\.[^@\s,;<>\".]+")
_NULL_TAG = "tag:yaml.org,2002:null"
# libyaml's parser when PyYAML has it (its wheels do): some 10 times faster than the pure-Python one
# (benchmarks/README.md, «Organisation import»), with the same nodes, line numbers and errors.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def clean(text: str) -> str:
    """Strip, NFC-normalise and collapse inner whitespace."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def name_key(name: str) -> str:
    """The key names are unique by (`Area.name_key`, `Institution.name_key`)."""
    return clean(name).casefold()


@dataclass(frozen=True)
class AreaEntry:
    name: str
    # (platform, channel) for each platform the file names; a platform it does not name keeps what is stored
    channels: tuple[tuple[str, str], ...] = ()

    @property
    def key(self) -> str:
        return name_key(self.name)


@dataclass(frozen=True)
class InstitutionEntry:
    name: str
    kind: InstitutionKind
    area: str  # the area's name

    @property
    def key(self) -> str:
        return name_key(self.name)


@dataclass(frozen=True)
class PersonEntry:
    name: str
    email: str  # as written, for display

    @property
    def key(self) -> str:
        return self.email.casefold()


@dataclass(frozen=True)
class MembershipEntry:
    email_key: str  # `PersonEntry.key`
    role: Role
    institution: str | None = None  # name, for member/chair/leader
    area: str | None = None  # name, for area_leader; admins have neither


@dataclass(frozen=True)
class OrgFile:
    source: str
    municipality: str | None
    areas: tuple[AreaEntry, ...]
    institutions: tuple[InstitutionEntry, ...]
    people: tuple[PersonEntry, ...]
    memberships: tuple[MembershipEntry, ...]
    channels: tuple[tuple[str, str], ...] = ()  # (email key, platform): where to write to them first


# a person's `channel:` in the YAML file: where reminders reach them first (the platform's name)
CHANNELS = {"slack": "slack", "teams": "teams", "email": "web", "web": "web"}


class OrgFileError(ValueError):
    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        noun = "problem" if len(problems) == 1 else "problems"
        super().__init__(f"{source}: {len(problems)} {noun}:\n" + "\n".join(f"  {p}" for p in problems))


class _Loc(NamedTuple):
    line: int
    path: str = ""

    def __str__(self) -> str:
        return f"line {self.line}, {self.path}" if self.path else f"line {self.line}"


class _Builder:
    """Collects entries and problems; the checks that span the whole file live here."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[tuple[int, str]] = []  # (line, problem), sorted by line at the end
        self.areas: dict[str, tuple[AreaEntry, int]] = {}
        self.institutions: dict[str, tuple[InstitutionEntry, int]] = {}
        self.people: dict[str, tuple[PersonEntry, _Loc]] = {}  # earliest mention in the file
        self.memberships: dict[MembershipEntry, None] = {}  # ordered set
        self.boards: dict[tuple[str, str], int] = {}  # (institution key, email key) -> line
        self.channels: dict[str, str] = {}  # email key -> platform (a person's `channel:`)

    def problem(self, loc: _Loc, message: str) -> None:
        self.problems.append((loc.line, f"{loc}: {message}"))

    def person(self, name: str, name_loc: _Loc, email: str, email_loc: _Loc) -> str | None:
        before = len(self.problems)
        if not name:
            self.problem(name_loc, "missing name")
        if not email:
            self.problem(email_loc, "missing email")
        elif not EMAIL_RE.fullmatch(email):
            self.problem(email_loc, f"invalid email {email!r}")
        if len(self.problems) > before:
            return None
        entry = PersonEntry(name, email)
        known = self.people.setdefault(entry.key, (entry, name_loc))
        # YAML is not read top to bottom (leaders before boards): compare by line, keep the earliest
        (first, first_loc), (later, later_loc) = sorted([known, (entry, name_loc)], key=lambda e: e[1].line)
        self.people[entry.key] = (first, first_loc)
        if first.name.casefold() != later.name.casefold():
            self.problem(
                later_loc,
                f"{later.email} is called {later.name!r} here but {first.name!r} on line {first_loc.line}",
            )
        return entry.key

    def area(self, loc: _Loc, area: AreaEntry, *, once: bool) -> None:
        if area.key not in self.areas:
            self.areas[area.key] = (area, loc.line)
        elif once:
            line = self.areas[area.key][1]
            self.problem(loc, f"area {area.name!r} is listed twice (also on line {line})")

    def institution(self, loc: _Loc, inst: InstitutionEntry, *, once: bool) -> None:
        if inst.key not in self.institutions:
            self.institutions[inst.key] = (inst, loc.line)
            return
        known, line = self.institutions[inst.key]
        if name_key(known.area) != name_key(inst.area):
            self.problem(
                loc,
                f"institution {inst.name!r} is listed under two areas: {known.area!r} (line {line}) and {inst.area!r}",
            )
        elif once:
            self.problem(loc, f"institution {inst.name!r} is listed twice (also on line {line})")
        elif known.kind != inst.kind:
            self.problem(loc, f"institution {inst.name!r} is a {inst.kind} here but a {known.kind} on line {line}")

    def board_seat(self, loc: _Loc, institution: str, email_key: str) -> bool:
        """False (and a problem) if this person already has a seat on this board."""
        seat = (name_key(institution), email_key)
        if seat in self.boards:
            line = self.boards[seat]
            self.problem(loc, f"{email_key} is on the board of {institution!r} twice (also on line {line})")
            return False
        self.boards[seat] = loc.line
        return True

    def result(self, municipality: str | None) -> OrgFile:
        if not self.problems and not self.people:
            raise OrgFileError(self.source, ["the file lists nobody: nothing to import"])
        if self.problems:
            raise OrgFileError(self.source, [p for _, p in sorted(self.problems, key=lambda lp: lp[0])])
        return OrgFile(
            source=self.source,
            municipality=municipality,
            areas=tuple(a for a, _ in self.areas.values()),
            institutions=tuple(i for i, _ in self.institutions.values()),
            people=tuple(p for p, _ in self.people.values()),
            memberships=tuple(self.memberships),
            channels=tuple(self.channels.items()),
        )


def parse_org_file(path: Path) -> OrgFile:
    """Parse a `.yaml`/`.yml` or `.csv` organisation file; raises `OrgFileError`."""
    suffix = path.suffix.casefold()
    if suffix not in (".yaml", ".yml", ".csv"):
        raise OrgFileError(path.name, [f"unknown file type {path.suffix!r}: use .yaml, .yml or .csv"])
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise OrgFileError(path.name, ["the file is not UTF-8 text (in Excel: save as 'CSV UTF-8')"]) from None
    if suffix == ".csv":
        return parse_org_csv(text, path.name)
    return parse_org_yaml(text, path.name)


# --- CSV ---------------------------------------------------------------------------------------


def parse_org_csv(text: str, source: str = "<csv>") -> OrgFile:
    """One row per role: `area,institution,kind,name,email,role` (`;` also works as separator)."""
    b = _Builder(source)
    text = text.removeprefix("\ufeff")
    first = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text), delimiter=";" if first.count(";") > first.count(",") else ",")
    try:
        header = next(reader, None)
        columns = {clean(h).casefold(): i for i, h in enumerate(header or [])}
        missing = [c for c in CSV_COLUMNS if c not in columns]
        if missing:
            expected = ",".join(CSV_COLUMNS)
            raise OrgFileError(source, [f"line 1: missing column(s) {', '.join(missing)} (expected {expected})"])
        end = reader.line_num
        for row in reader:
            loc, end = _Loc(end + 1), reader.line_num
            cells = {c: clean(row[i]) if i < len(row) else "" for c, i in columns.items()}
            if any(cells.values()):
                _csv_row(b, loc, cells)
    except csv.Error as exc:
        b.problem(_Loc(reader.line_num), f"unreadable CSV: {exc}")
    return b.result(None)


def _csv_row(b: _Builder, loc: _Loc, cells: dict[str, str]) -> None:
    role_text = cells["role"] or "member"
    role = _role(role_text)
    if role is None:
        b.problem(loc, f"unknown role {role_text!r} (use member, chair, leader, area_leader or admin)")
    email_key = b.person(cells["name"], loc, cells["email"], loc)
    area, institution = cells["area"], cells["institution"]
    if area:
        b.area(loc, AreaEntry(area), once=False)
    if institution:
        kind = _kind(b, loc, cells["kind"])
        if not area:
            b.problem(loc, f"institution {institution!r} has no area")
        elif kind is not None:
            b.institution(loc, InstitutionEntry(institution, kind, area), once=False)
    if role in INSTITUTION_ROLES and not institution:
        b.problem(loc, f"a {role} row needs an institution")
    elif role is Role.AREA_LEADER and not area:
        b.problem(loc, "an area_leader row needs an area")
    elif role is not None and email_key is not None:
        if role in (Role.MEMBER, Role.CHAIR) and not b.board_seat(loc, institution, email_key):
            return
        target = {"institution": institution} if role in INSTITUTION_ROLES else {}
        target |= {"area": area} if role is Role.AREA_LEADER else {}
        b.memberships[MembershipEntry(email_key, role, **target)] = None


def _role(text: str) -> Role | None:
    return ROLES.get(text.casefold().replace(" ", "_").replace("-", "_"))


def _kind(b: _Builder, loc: _Loc, text: str) -> InstitutionKind | None:
    if not text:
        b.problem(loc, "missing kind (dagtilbud or skole)")
        return None
    kind = KINDS.get(text.casefold())
    if kind is None:
        b.problem(loc, f"unknown kind {text!r} (use dagtilbud or skole)")
    return kind


# --- YAML --------------------------------------------------------------------------------------


def parse_org_yaml(text: str, source: str = "<yaml>") -> OrgFile:
    """The nested shape: municipality, admins, areas → leaders, institutions → leaders, board."""
    b = _Builder(source)
    try:
        _refuse_aliases(text, source)
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        parts = [getattr(exc, "context", None), getattr(exc, "problem", None)]
        problem = ", ".join(p for p in parts if p) or exc
        raise OrgFileError(source, [f"{where}not valid YAML: {problem}"]) from None
    if root is None:
        raise OrgFileError(source, ["the file is empty"])
    top = _YamlMap(b, root, "", ("municipality", "admins", "areas"))
    for path, node in top.items("admins"):
        _yaml_person(b, node, path, Role.ADMIN)
    for path, node in top.items("areas"):
        _yaml_area(b, _YamlMap(b, node, path, AREA_KEYS))
    return b.result(top.text("municipality") or None)


def _refuse_aliases(text: str, source: str) -> None:
    """An alias (`*name`) repeats a part of the file wherever it is used, so a file of a few lines can
    stand for millions of entries (the «billion laughs»). An organisation file has no need for them:
    every area, institution and person is written out, and a file with an alias is refused before
    anything is built from it."""
    for event in yaml.parse(text, Loader=_LOADER):
        if isinstance(event, yaml.AliasEvent):
            line = event.start_mark.line + 1 if event.start_mark is not None else 0
            raise OrgFileError(
                source,
                [
                    f"line {line}: the file repeats a part of itself with a YAML alias (*{event.anchor}); "
                    "write every area, institution and person out in full"
                ],
            )


def _yaml_area(b: _Builder, m: _YamlMap) -> None:
    name = m.text("name")
    if not name:
        return b.problem(m.loc("name"), "missing area name") if m.ok else None
    b.area(
        m.loc("name"),
        AreaEntry(name, _channels(b, m)),
        once=True,
    )
    for path, node in m.items("leaders"):
        _yaml_person(b, node, path, Role.AREA_LEADER, area=name)
    for path, node in m.items("institutions"):
        inst = _YamlMap(b, node, path, ("name", "kind", "leaders", "board"))
        if not (inst_name := inst.text("name")):
            if inst.ok:
                b.problem(inst.loc("name"), "missing institution name")
            continue
        if kind := _kind(b, inst.loc("kind"), inst.text("kind")):
            b.institution(inst.loc("name"), InstitutionEntry(inst_name, kind, name), once=True)
        for p, n in inst.items("leaders"):
            _yaml_person(b, n, p, Role.LEADER, institution=inst_name)
        for p, n in inst.items("board"):
            _yaml_person(b, n, p, None, institution=inst_name)


def _yaml_person(
    b: _Builder,
    node: Node,
    path: str,
    role: Role | None,
    *,
    institution: str | None = None,
    area: str | None = None,
) -> None:
    """`role=None`: a board seat, whose `role` key says chair or member (the default)."""
    m = _YamlMap(
        b, node, path, ("name", "email", "channel") if role is not None else ("name", "email", "role", "channel")
    )
    if not m.ok:
        return None
    key = b.person(m.text("name"), m.loc("name"), m.text("email"), m.loc("email"))
    if key is not None and (channel := m.text("channel")):
        if channel.casefold() not in CHANNELS:
            return b.problem(m.loc("channel"), f"unknown channel {channel!r} (use {', '.join(CHANNELS)})")
        b.channels[key] = CHANNELS[channel.casefold()]
    if role is None and institution:
        role = _role(role_text := m.text("role") or "member")
        if role not in (Role.MEMBER, Role.CHAIR):
            return b.problem(m.loc("role"), f"unknown board role {role_text!r} (use chair or member)")
        if key is not None and not b.board_seat(_YamlMap.line(node, path), institution, key):
            return None
    if key is not None and role is not None:
        b.memberships[MembershipEntry(key, role, institution, area)] = None
    return None


AREA_KEYS = ("name", "channels", "slack_channel", "teams_channel", "leaders", "institutions")
PLATFORM_RE = re.compile(r"^[a-z][a-z0-9_]{0,19}$")


def _channels(b: _Builder, m: _YamlMap) -> tuple[tuple[str, str], ...]:
    """`channels: {slack: "#maal-nord", teams: "19:..."}`, and the older keys `slack_channel` and
    `teams_channel` (still read; `channels` wins where both name a platform)."""
    found: dict[str, str] = {}
    for platform in ("slack", "teams"):
        if channel := m.text(f"{platform}_channel"):
            found[platform] = channel
    node = m._value("channels")
    if node is None:
        return tuple(found.items())
    if not isinstance(node, MappingNode):
        b.problem(m.loc("channels"), 'expected a mapping of platform to channel, e.g. slack: "#maal-nord"')
        return tuple(found.items())
    for key_node, value in node.value:
        platform = str(key_node.value).strip().casefold() if isinstance(key_node, ScalarNode) else ""
        if not PLATFORM_RE.match(platform):
            b.problem(_YamlMap.line(key_node, f"{m.loc('channels').path}"), "expected a platform name (slack, teams)")
            continue
        if not isinstance(value, ScalarNode) or value.tag == _NULL_TAG:
            continue
        if channel := clean(str(value.value)):
            found[platform] = channel
    return tuple(found.items())


class _YamlMap:
    """One YAML mapping node with its path (`areas[0].institutions[2]`); reports its own problems."""

    def __init__(self, b: _Builder, node: Node, path: str, allowed: tuple[str, ...]) -> None:
        self.b, self.node, self.path = b, node, path
        self.fields: dict[str, Node] = {}
        self.ok = isinstance(node, MappingNode)
        if not isinstance(node, MappingNode):
            b.problem(self.line(node, path or "top level"), f"expected a mapping with {', '.join(allowed)}")
            return
        for key_node, value in node.value:
            key = str(key_node.value) if isinstance(key_node, ScalarNode) else "?"
            if key not in allowed:
                b.problem(self.loc(key, key_node), f"unknown key {key!r} (expected {', '.join(allowed)})")
            elif key in self.fields:
                b.problem(self.loc(key, key_node), f"key {key!r} appears twice")
            else:
                self.fields[key] = value

    @staticmethod
    def line(node: Node, path: str) -> _Loc:
        return _Loc(node.start_mark.line + 1, path)

    def loc(self, key: str, node: Node | None = None) -> _Loc:
        if node is None:
            node = self.fields.get(key, self.node)
        return self.line(node, f"{self.path}.{key}" if self.path else key)

    def _value(self, key: str) -> Node | None:
        node = self.fields.get(key)
        return None if isinstance(node, ScalarNode) and node.tag == _NULL_TAG else node

    def text(self, key: str) -> str:
        """The cleaned text, or "" when missing or null."""
        node = self._value(key)
        if node is None:
            return ""
        if not isinstance(node, ScalarNode):
            self.b.problem(self.loc(key), "expected text")
            return ""
        return clean(str(node.value))

    def items(self, key: str) -> list[tuple[str, Node]]:
        node = self._value(key)
        if node is None:
            return []
        if not isinstance(node, SequenceNode):
            self.b.problem(self.loc(key), "expected a list")
            return []
        return [(f"{self.loc(key).path}[{i}]", item) for i, item in enumerate(node.value)]
