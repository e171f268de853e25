"""Reminders as pure rules: the working-day calendar, the rules, the planner, and the pause command.

Nothing here sends or writes: `planner.plan(now, snapshot)` turns a snapshot of the database into
due items with unique keys; `bot.scheduler` puts them in the outbox and delivers them."""
