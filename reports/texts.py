"""The texts of the exports people read (the committee document, the XLSX, CSV and Markdown files, the
printable page), in the reader's language: every label through the gettext catalogs (`dialogs.texts`),
and dates in the language's long format («29. november 2026», «29 November 2026»).

`report_texts(t)` builds them for a `Texts`; `report_texts_for("en")` for a locale; every writer takes
a `ReportTexts` and defaults to Danish."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from dialogs import views
from dialogs.reminders.render import long_date
from dialogs.texts import Texts, texts

DEFAULT_LOCALE = "da"


@dataclass(frozen=True, slots=True)
class ReportTexts:
    """The labels a reader sees (by key, see `report_texts`) and how a date is written, in one language."""

    labels: Mapping[str, str]
    long_date: Callable[[date], str]
    locale: str = DEFAULT_LOCALE

    def __getitem__(self, key: str) -> str:
        return self.labels[key]

    def day(self, iso: str | date | None) -> str:
        """An ISO date (or a date) in the long format; "?" when there is none."""
        if not iso:
            return "?"
        if isinstance(iso, date):
            return self.long_date(iso)
        try:
            return self.long_date(date.fromisoformat(str(iso)[:10]))
        except ValueError:
            return str(iso)

    def status(self, code: str) -> str:
        """A registration's status as a label with a capital letter («Sendt ind»)."""
        word = self.labels.get(f"status.{code}", code)
        return word[:1].upper() + word[1:]

    def status_of(self, institution: Mapping[str, Any]) -> str:
        """An institution's status in the export, with the approval's mark when the board changed its
        registration after sending it in («Sendt ind · ændret efter indsendelse»)."""
        word = self.status(str(institution["status"]))
        if institution.get("changed_after_submit"):
            word += " · " + self.labels["status.changed_after_submit"]
        return word

    def agreement(self, code: str) -> str:
        """An agreement's state: «åben», «holdt», «delvist holdt», «ikke holdt»."""
        return self.labels.get(f"agreement.{code}", code)

    def goal(self, number: int) -> str:
        """«Fælles mål 3»: a strategic goal's short name, also the name of its XLSX sheet."""
        return self.labels["goal_sheet"].format(number=number)


def report_texts_for(locale: str | None = None) -> ReportTexts:
    """The report texts in `locale` (default Danish), built once per language."""
    return _built(locale or DEFAULT_LOCALE)


@cache
def _built(locale: str) -> ReportTexts:
    return report_texts(texts(locale))


def report_texts(t: Texts) -> ReportTexts:
    labels = {
        "area": t("Area"),
        "institution": t("Institution"),
        "kind": t("Type"),
        "status": t("Status"),
        "submitted_by": t("Submitted by"),
        "submitted_at": t("Submitted"),
        "goal_number": t("Goal no."),
        "goal_title": t("Strategic goal"),
        "goal_column": t("Goal {number}"),
        "local_goal_position": t("No."),
        "local_goal": t("Local goal"),
        "interventions": t("Interventions"),
        "measurement_method": t("Measurement method"),
        "measurement_when": t("When"),
        "measurement_dates": t("Measurement dates"),
        "overview_sheet": t("Overview"),
        "period": t("Period"),
        "deadline": t("Deadline"),
        "generated_at": t("Extracted"),
        "measurement": t("Measurement"),
        "no_local_goals": t("No local goals."),
        **{f"status.{code}": views.status_label(t, code) for code in views.STATUS_CODES},
        "status.changed_after_submit": views.status_label(t, "changed_after_submit"),
        "follow_ups": t("Follow-up"),
        "follow_up.on_track": t("on track"),
        "follow_up.partly": t("partly"),
        "follow_up.off_track": t("not on track"),
        "follow_up.waiting": t("no answer yet"),
        "previous_local_goals": t("Last period"),
        "doc_title": t("The boards' local goals"),
        "municipality": t("Municipality"),
        "strategy": t("Strategy"),
        "strategic_goals": t("Common goals"),
        "time_plan": t("Time and process plan"),
        "appendix": t("Appendix: time and process plan"),
        "when": t("When"),
        "what": t("What"),
        "no_time_plan": t("The strategy has no time plan."),
        "no_institutions": t("No board has submitted its local goals yet."),
        "summary": t("Summary"),
        "summary_text": t(
            "{done} of {total} boards have submitted their local goals, and {approved} are approved. "
            "{missing} are missing."
        ),
        "only_reported": t("The document shows the registrations that are submitted or approved."),
        "with_drafts": t("The document also shows registrations that are not submitted yet."),
        "boards_by_area": t("Boards per area"),
        "total": t("Total"),
        "boards": t("Boards"),
        "done": t("Have submitted"),
        "missing": t("Missing"),
        "coverage": t("Coverage: boards with local goals per common goal"),
        "coverage_hint": t("Boards that have submitted and have local goals under the goal, out of all boards."),
        "progress_chart": t("Progress per area"),
        "coverage_chart": t("Coverage per common goal"),
        "share": t("Share"),
        "of": t("{part} of {whole} ({percent} %)"),
        "follow_up_counts": t("Follow-up on measurements (latest answer per local goal)"),
        "count": t("Number"),
        "missing_title": t("Boards that are missing"),
        "nobody_missing": t("Every board has submitted."),
        "page": t("Page"),
        "page_of": t("of"),
        "extract_date": t("Date of extract"),
        "print": t("Print"),
        "board_print": t("The board's registration"),
        "institutions_sheet": t("Institutions"),
        "goal_sheet": t("Goal {number}"),
        "measuring_points": t("Measuring points"),
        "agreements": t("Agreements"),
        "agreements_title": t("Agreements from the meetings"),
        "whole_municipality": t("The whole municipality"),
        "agreement": t("Agreement"),
        "owner": t("Owner"),
        "due_on": t("Due"),
        "kept": t("Kept?"),
        "meeting_date": t("Meeting"),
        "follow_up_text": t("How it went"),
        "agreement.open": t("open"),
        "agreement.kept": t("kept"),
        "agreement.partly": t("partly kept"),
        "agreement.not_kept": t("not kept"),
    }
    return ReportTexts(labels, lambda day: _long(t, day), t.locale)


def _long(t: Texts, day: date) -> str:
    return long_date(t, day)
