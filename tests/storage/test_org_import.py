"""Organisation files: parsing (YAML, CSV), validation with line numbers, and idempotent import."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from sqlalchemy import func, select

from storage.db import Database
from storage.models import Area, AreaChannel, Institution, Membership, Person, Role
from storage.org import import_org
from storage.org_file import (
    MembershipEntry,
    OrgFile,
    OrgFileError,
    PersonEntry,
    parse_org_csv,
    parse_org_file,
    parse_org_yaml,
)

# The behaviour below is the same SQL on both backends (status rules, numbering, versions decided in
# Python): it runs on SQLite only. Locks, concurrency, constraints, JSON and case folding stay on both.
SQLITE_ONLY = pytest.mark.parametrize("db", ["sqlite"], indirect=True)

DEMO = Path(__file__).parents[2] / "bot" / "data" / "demo_org.yaml"

GOOD_YAML = """\
municipality: Testkommune
admins:
  - {name: Anne Admin, email: admin@x.dk}
areas:
  - name: Område Nord
    slack_channel: "#nord"
    leaders: [{name: Mette Nørgaard, email: mette@x.dk}]
    institutions:
      - name: Solsikken
        kind: dagtilbud
        leaders: [{name: Lone Bæk, email: lone@x.dk}]
        board:
          - {name: Søren Østergaard, email: Soren@X.dk, role: chair}
          - {name: Anna Hansen, email: Anna@X.dk}
      - name: Ærøvej Skole
        kind: skole
        leaders: [{name: Kasper Åberg, email: kasper@x.dk}]
        board:
          - {name: Jens Præst, email: jens@x.dk, role: formand}
          - {name: Anna Hansen, email: anna@x.dk, role: member}
"""

GOOD_CSV = """\
area,institution,kind,name,email,role
Område Syd,Åbrinken,dagtilbud,Rikke Bødker,rikke@x.dk,formand
Område Syd,Åbrinken,dagtilbud,Ole Fjeldsø,ole@x.dk,medlem
Område Syd,Åbrinken,dagtilbud,Tove Jørgensen,tove@x.dk,leder
Område Syd,Bøgeskov Skole,skole,Trine Løvgren,trine@x.dk,chair
Område Syd,Bøgeskov Skole,skole,Ole Fjeldsø,OLE@x.dk,member
Område Syd,,,Henrik Søgaard,henrik@x.dk,områdeleder
,,,Anne Admin,admin@x.dk,administrator
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


async def count(db: Database, model: type[object]) -> int:
    async with db.transaction() as s:
        return int(await s.scalar(select(func.count()).select_from(model)) or 0)


async def row_counts(db: Database) -> tuple[int, int, int, int]:
    return (
        await count(db, Area),
        await count(db, Institution),
        await count(db, Person),
        await count(db, Membership),
    )


def problems_of(text: str, kind: str) -> list[str]:
    with pytest.raises(OrgFileError) as caught:
        (parse_org_yaml if kind == "yaml" else parse_org_csv)(text, f"test.{kind}")
    return caught.value.problems


# --- good files ----------------------------------------------------------------------------------


async def test_yaml_file_imports(db: Database, tmp_path: Path) -> None:
    org = parse_org_file(write(tmp_path, "org.yaml", GOOD_YAML))
    assert org.municipality == "Testkommune"
    report = await import_org(db, org)
    assert (report.areas.created, report.institutions.created, report.people.created) == (1, 2, 7)
    assert report.memberships.created == 8
    assert await row_counts(db) == (1, 2, 7, 8)
    assert "1 new" in report.summary()
    async with db.transaction() as s:
        area = await s.scalar(select(Area))
        anna = await s.scalar(select(Person).where(Person.email_key == "anna@x.dk"))
        admin_roles = (await s.scalars(select(Membership).where(Membership.role == Role.ADMIN))).all()
    assert area is not None and area.channel_map() == {"slack": "#nord"} and area.name_key == "område nord"
    assert anna is not None and anna.email == "Anna@X.dk"  # the first spelling is kept for display
    assert [(m.institution_id, m.area_id) for m in admin_roles] == [(None, None)]


@SQLITE_ONLY
async def test_csv_file_imports_with_danish_roles(db: Database, tmp_path: Path) -> None:
    org = parse_org_file(write(tmp_path, "org.csv", GOOD_CSV))
    report = await import_org(db, org)
    assert await row_counts(db) == (1, 2, 6, 7)
    assert report.people.created == 6  # ole@x.dk and OLE@x.dk are one person
    roles = {(m.email_key, m.role, m.institution, m.area) for m in org.memberships}
    assert ("henrik@x.dk", Role.AREA_LEADER, None, "Område Syd") in roles
    assert ("admin@x.dk", Role.ADMIN, None, None) in roles
    assert ("rikke@x.dk", Role.CHAIR, "Åbrinken", None) in roles
    assert ("tove@x.dk", Role.LEADER, "Åbrinken", None) in roles


def test_csv_with_semicolons_and_bom_and_blank_lines() -> None:
    text = "\ufeffArea;Institution;Kind;Name;Email;Role\n\nNord;Solsikken;dagtilbud;  Anna  Hansen ;a@x.dk;\n"
    org = parse_org_csv(text)
    assert org.people == (PersonEntry("Anna Hansen", "a@x.dk"),)
    assert org.memberships == (MembershipEntry("a@x.dk", Role.MEMBER, "Solsikken"),)


def test_names_are_nfc_normalised() -> None:
    decomposed = unicodedata.normalize("NFD", "Åbrinken")
    org = parse_org_csv(f"area,institution,kind,name,email,role\nSyd,{decomposed},dagtilbud,A,a@x.dk,member\n")
    assert org.institutions[0].name == "Åbrinken"


# --- re-import -----------------------------------------------------------------------------------


@SQLITE_ONLY
async def test_reimport_is_idempotent(db: Database, tmp_path: Path) -> None:
    path = write(tmp_path, "org.yaml", GOOD_YAML)
    await import_org(db, parse_org_file(path))
    before = await row_counts(db)
    again = await import_org(db, parse_org_file(path))
    assert await row_counts(db) == before
    assert not again.changed
    assert (again.areas.unchanged, again.institutions.unchanged, again.people.unchanged) == (1, 2, 7)
    assert (again.memberships.created, again.memberships.unchanged) == (0, 8)
    assert "nothing changed" in again.summary()


@SQLITE_ONLY
async def test_reimport_with_changed_names_updates_and_keeps_locale(db: Database, tmp_path: Path) -> None:
    await import_org(db, parse_org_yaml(GOOD_YAML))
    async with db.transaction() as s:
        anna = await s.scalar(select(Person).where(Person.email_key == "anna@x.dk"))
        assert anna is not None
        anna.locale = "en"
    changed = GOOD_YAML.replace("Anna Hansen", "Anna Hansen-Berg").replace("Ærøvej Skole", "ÆRØVEJ SKOLE")
    report = await import_org(db, parse_org_yaml(changed))
    assert (report.people.updated, report.institutions.updated, report.memberships.created) == (1, 1, 0)
    assert await row_counts(db) == (1, 2, 7, 8)
    async with db.transaction() as s:
        anna = await s.scalar(select(Person).where(Person.email_key == "anna@x.dk"))
        school = await s.scalar(select(Institution).where(Institution.name_key == "ærøvej skole"))
    assert anna is not None and (anna.name, anna.locale) == ("Anna Hansen-Berg", "en")
    assert school is not None and school.name == "ÆRØVEJ SKOLE"


async def test_email_case_is_ignored_across_files(db: Database) -> None:
    await import_org(db, parse_org_yaml(GOOD_YAML))
    csv = CSV_HEAD + "Område Nord,Solsikken,dagtilbud,anna hansen,ANNA@x.DK,member\n"
    report = await import_org(db, parse_org_csv(csv))
    assert (report.people.updated, report.memberships.unchanged, report.memberships.created) == (1, 1, 0)
    assert await count(db, Person) == 7


@SQLITE_ONLY
async def test_reimport_adds_but_never_removes(db: Database) -> None:
    await import_org(db, parse_org_yaml(GOOD_YAML))
    csv = "area,institution,kind,name,email,role\nOmråde Nord,Solsikken,dagtilbud,Anna Hansen,anna@x.dk,chair\n"
    report = await import_org(db, parse_org_csv(csv))
    assert report.memberships.created == 1
    assert await row_counts(db) == (1, 2, 7, 9)


# --- broken files --------------------------------------------------------------------------------

CSV_HEAD = "area,institution,kind,name,email,role\n"
CSV_OK = "Nord,Solsikken,dagtilbud,Anna Hansen,anna@x.dk,member\n"


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("Nord,Solsikken,dagtilbud,,b@x.dk,member", "line 3: missing name"),
        ("Nord,Solsikken,dagtilbud,Bo,,member", "line 3: missing email"),
        ("Nord,Solsikken,dagtilbud,Bo,bo@x,member", "line 3: invalid email 'bo@x'"),
        ("Nord,Solsikken,vuggestue,Bo,bo@x.dk,member", "line 3: unknown kind 'vuggestue'"),
        ("Nord,Solsikken,dagtilbud,Bo,bo@x.dk,kasserer", "line 3: unknown role 'kasserer'"),
        (
            "Syd,Solsikken,dagtilbud,Bo,bo@x.dk,member",
            "line 3: institution 'Solsikken' is listed under two areas",
        ),
        (
            "Nord,Solsikken,dagtilbud,Anne Hansen,ANNA@x.dk,leader",
            "line 3: ANNA@x.dk is called 'Anne Hansen'",
        ),
        ("Nord,Solsikken,skole,Bo,bo@x.dk,member", "line 3: institution 'Solsikken' is a skole here"),
        ("Nord,,,Bo,bo@x.dk,chair", "line 3: a chair row needs an institution"),
        (",,,Bo,bo@x.dk,områdeleder", "line 3: an area_leader row needs an area"),
        ("Nord,solsikken,dagtilbud,Anna Hansen,anna@x.dk,formand", "line 3: anna@x.dk is on the board"),
    ],
)
def test_csv_problem_names_its_line(row: str, expected: str) -> None:
    problems = problems_of(CSV_HEAD + CSV_OK + row + "\n", "csv")
    assert len(problems) == 1 and problems[0].startswith(expected), problems


def test_csv_missing_columns() -> None:
    assert problems_of("area,name,email\n", "csv") == [
        "line 1: missing column(s) institution, kind, role (expected area,institution,kind,name,email,role)"
    ]


YAML_OK = """\
areas:
  - name: Nord
    institutions:
      - name: Solsikken
        kind: dagtilbud
        board:
          - {name: Anna Hansen, email: anna@x.dk}
"""


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            "          - {email: bo@x.dk}",
            "line 8, areas[0].institutions[0].board[1].name: missing name",
        ),
        (
            "          - {name: Bo}",
            "line 8, areas[0].institutions[0].board[1].email: missing email",
        ),
        (
            "          - {name: Bo, email: bo.x.dk}",
            "line 8, areas[0].institutions[0].board[1].email: invalid email 'bo.x.dk'",
        ),
        (
            "          - {name: Bo, email: bo@x.dk, role: kasserer}",
            "line 8, areas[0].institutions[0].board[1].role: unknown board role 'kasserer'",
        ),
        (
            "        leaders: [{name: Anne Hansen, email: Anna@x.dk}]",
            "line 8, areas[0].institutions[0].leaders[0].name: Anna@x.dk is called 'Anne Hansen' here "
            "but 'Anna Hansen' on line 7",
        ),
        (
            "      - {name: Mælkebøtten, kind: vuggestue}",
            "line 8, areas[0].institutions[1].kind: unknown kind 'vuggestue'",
        ),
        (
            "      - {name: SOLSIKKEN, kind: dagtilbud}",
            "line 8, areas[0].institutions[1].name: institution 'SOLSIKKEN' is listed twice (also on line 4)",
        ),
        (
            "  - name: Syd\n    institutions: [{name: solsikken, kind: dagtilbud}]",
            "line 9, areas[1].institutions[0].name: institution 'solsikken' is listed under two areas: "
            "'Nord' (line 4) and 'Syd'",
        ),
        ("  - name: NORD", "line 8, areas[1].name: area 'NORD' is listed twice (also on line 2)"),
        ("        leader: []", "line 8, areas[0].institutions[0].leader: unknown key 'leader'"),
        ("nonsense: [", "line 9: not valid YAML"),
    ],
)
def test_yaml_problem_names_its_line_and_path(extra: str, expected: str) -> None:
    problems = problems_of(YAML_OK + extra + "\n", "yaml")
    assert len(problems) == 1 and problems[0].startswith(expected), problems


def test_several_problems_are_reported_at_once_in_line_order() -> None:
    text = CSV_HEAD + CSV_OK + "Nord,Solsikken,dagtilbud,,,member\nNord,X,hus,Bo,bo@x,boss\n"
    problems = problems_of(text, "csv")
    assert [p.split(":")[0] for p in problems] == ["line 3"] * 2 + ["line 4"] * 3
    message = str(OrgFileError("test.csv", problems))
    assert message.startswith("test.csv: 5 problems:") and "unknown kind 'hus'" in message


def test_empty_and_unknown_files(tmp_path: Path) -> None:
    assert problems_of("", "yaml") == ["the file is empty"]
    assert problems_of(CSV_HEAD, "csv") == ["the file lists nobody: nothing to import"]
    with pytest.raises(OrgFileError, match="unknown file type"):
        parse_org_file(write(tmp_path, "org.xlsx", ""))
    (tmp_path / "latin1.csv").write_bytes((CSV_HEAD + "Nord,Ærø,skole,Bo,bo@x.dk,member\n").encode("latin-1"))
    with pytest.raises(OrgFileError, match="not UTF-8"):
        parse_org_file(tmp_path / "latin1.csv")


# --- all or nothing ------------------------------------------------------------------------------


async def test_broken_last_row_imports_nothing(db: Database, tmp_path: Path) -> None:
    path = write(tmp_path, "org.csv", GOOD_CSV + "Område Syd,Åbrinken,dagtilbud,Bo,not-an-email,member\n")
    with pytest.raises(OrgFileError) as caught:
        await import_org(db, parse_org_file(path))
    assert caught.value.problems == ["line 9: invalid email 'not-an-email'"]
    assert await row_counts(db) == (0, 0, 0, 0)


async def test_failure_during_import_rolls_everything_back(db: Database) -> None:
    good = parse_org_yaml(GOOD_YAML)
    dangling = MembershipEntry("anna@x.dk", Role.MEMBER, institution="Ikke Her")
    broken = OrgFile(**{**good.__dict__, "memberships": (*good.memberships, dangling)})
    with pytest.raises(ValueError, match="Ikke Her"):
        await import_org(db, broken)
    assert await row_counts(db) == (0, 0, 0, 0)


# --- the demo municipality -----------------------------------------------------------------------


async def test_demo_file_parses_and_imports(db: Database) -> None:
    org = parse_org_file(DEMO)
    assert org.municipality == "Demo Kommune"
    assert {i.kind.value for i in org.institutions} == {"dagtilbud", "skole"}
    assert all(p.email.endswith("@demo.maalbot.dk") for p in org.people)
    report = await import_org(db, org)
    assert (report.areas.created, report.institutions.created) == (2, 6)
    async with db.transaction() as s:
        admins = (await s.scalars(select(Membership).where(Membership.role == Role.ADMIN))).all()
        seats = (
            await s.execute(
                select(Membership.person_id, func.count())
                .where(Membership.role.in_([Role.MEMBER, Role.CHAIR]))
                .group_by(Membership.person_id)
                .having(func.count() > 1)
            )
        ).all()
        chairs = await s.scalar(select(func.count()).select_from(Membership).where(Membership.role == Role.CHAIR))
        areas = {a.name: a.channel_map().get("slack") for a in await s.scalars(select(Area))}
    assert len(admins) == 1
    assert [n for _, n in seats] == [2]  # one parent sits on two boards
    assert chairs == 6
    assert areas == {"Område Nord": "#maal-nord", "Område Syd": "#maal-syd"}
    again = await import_org(db, parse_org_file(DEMO))
    assert not again.changed


# --- aliases (the «billion laughs») --------------------------------------------------------------

LAUGHS = """\
municipality: Lattermild
b0: &b0 [{name: Ha Ha, email: ha@x.dk}]
b1: &b1 [*b0, *b0, *b0, *b0, *b0, *b0, *b0, *b0, *b0, *b0]
b2: &b2 [*b1, *b1, *b1, *b1, *b1, *b1, *b1, *b1, *b1, *b1]
b3: &b3 [*b2, *b2, *b2, *b2, *b2, *b2, *b2, *b2, *b2, *b2]
b4: &b4 [*b3, *b3, *b3, *b3, *b3, *b3, *b3, *b3, *b3, *b3]
b5: &b5 [*b4, *b4, *b4, *b4, *b4, *b4, *b4, *b4, *b4, *b4]
b6: &b6 [*b5, *b5, *b5, *b5, *b5, *b5, *b5, *b5, *b5, *b5]
areas:
  - name: Nord
    institutions:
      - {name: Solsikken, kind: dagtilbud, board: *b6}
"""


async def test_yaml_aliases_are_refused_before_anything_is_built(db: Database, tmp_path: Path) -> None:
    with pytest.raises(OrgFileError) as caught:
        parse_org_file(write(tmp_path, "org.yaml", LAUGHS))
    (problem,) = caught.value.problems
    assert problem.startswith("line 3: the file repeats a part of itself with a YAML alias (*b0)")
    assert await row_counts(db) == (0, 0, 0, 0)


def test_an_ordinary_file_has_no_alias_problem() -> None:
    assert len(parse_org_yaml(GOOD_YAML).memberships) == 8


CHANNELS_YAML = """\
areas:
  - name: Område Nord
    slack_channel: "#nord"
    channels: {teams: "19:nord@thread.tacv2"}
    leaders: [{name: Mette Nørgaard, email: mette@x.dk}]
  - name: Område Syd
    channels:
      slack: "#syd"
"""


@SQLITE_ONLY
async def test_area_channels_are_rows_read_from_old_and_new_keys(db: Database) -> None:
    """`channels:` names a channel per platform; the older `slack_channel`/`teams_channel` keys still work.
    A second file that names only one platform changes that one and keeps the others."""
    await import_org(db, parse_org_yaml(CHANNELS_YAML, "org.yaml"))
    await import_org(
        db,
        parse_org_yaml(
            'areas:\n  - {name: Område Nord, channels: {slack: "#nord-ny"},\n'
            "     leaders: [{name: Mette Nørgaard, email: mette@x.dk}]}\n",
            "b.yaml",
        ),
    )
    async with db.transaction() as s:
        areas = {a.name: a.channel_map() for a in await s.scalars(select(Area))}
        rows = (await s.execute(select(AreaChannel.platform, AreaChannel.channel).order_by(AreaChannel.id))).all()
    assert areas == {
        "Område Nord": {"slack": "#nord-ny", "teams": "19:nord@thread.tacv2"},
        "Område Syd": {"slack": "#syd"},
    }
    assert len(rows) == 3


def test_channels_must_be_a_mapping_of_platforms() -> None:
    with pytest.raises(OrgFileError) as caught:
        parse_org_yaml('areas:\n  - {name: Nord, channels: ["#nord"]}\n', "bad.yaml")
    assert "expected a mapping of platform to channel" in str(caught.value)
