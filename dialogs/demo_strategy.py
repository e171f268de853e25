"""The strategy `maalbot demo` loads: the default strategy (dialogs/strategies/almen.yaml) with a period
and a deadline around the day the demo is set up, so that a demo shows what a board sees in a running
period (a deadline ahead, measurement dates that are still to come, weekly reminders).

The default file keeps the seed's own 2022–23 time plan and stays loadable as it is
(`maalbot strategy load dialogs/strategies/almen.yaml`); the demo's copy has its own key, so the two
never overwrite each other."""

from __future__ import annotations

from datetime import date, timedelta

from dialogs.strategy import DEFAULT_STRATEGY_FILE, Strategy, load_strategy_file, parse_strategy

DEMO_KEY = "almen-demo"
DEADLINE_WEEKS = 6  # the boards' deadline: six weeks after the demo is set up
PERIOD_YEARS = 4  # as the default strategy's four-year horizon


def school_year_start(today: date) -> date:
    """1 August of the school year `today` is in (the Danish school year starts in August)."""
    return date(today.year if today.month >= 8 else today.year - 1, 8, 1)


def demo_strategy(today: date) -> Strategy:
    """The default strategy with a period from the start of this school year, four school years long, a
    deadline six weeks from `today`, and a time plan of its two steps that matter to a board: set the
    local goals (until the deadline), then the committee approves them."""
    default = load_strategy_file(DEFAULT_STRATEGY_FILE)
    start = school_year_start(today)
    end = date(start.year + PERIOD_YEARS, 7, 31)
    deadline = today + timedelta(weeks=DEADLINE_WEEKS)
    span = next(m for m in default.milestones if m.end is not None)  # "Alle bestyrelser … fastsætte lokale mål."
    last = default.milestones[-1]  # "Udvalget godkender det færdige styringskoncept – med de lokale mål. …"
    data = default.model_dump(mode="json")
    data.update(
        key=DEMO_KEY,
        period={"start": start.isoformat(), "end": end.isoformat()},
        deadline=deadline.isoformat(),
        milestones=[
            {"date": start.isoformat(), "end": deadline.isoformat(), "text": span.text},
            {"date": (deadline + timedelta(days=1)).isoformat(), "text": last.text},
        ],
    )
    return parse_strategy(data, f"demo strategy ({DEMO_KEY})")
