"""Texts built from a strategy's own words beyond its questions: a goal's målepunkter (measuring points),
shown with the goal's first question and in the meeting briefs."""

from __future__ import annotations

from dialogs.strategy import Goal
from dialogs.texts import Texts


def measuring_points_lines(t: Texts, goal: Goal) -> list[str]:
    """«Målepunkter:» and one bullet per measuring point; nothing when the goal has none."""
    if not goal.measuring_points:
        return []
    return [t("Measuring points:"), *(f"• {point}" for point in goal.measuring_points)]


def measuring_points_text(t: Texts, goal: Goal) -> str:
    """The lines of `measuring_points_lines` as a block to put under a question (empty when none)."""
    lines = measuring_points_lines(t, goal)
    return "\n" + "\n".join(lines) if lines else ""
