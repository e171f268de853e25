"""The meeting cycle of the seeds: dialogue meetings (seed 001), collaboration meetings in and between the
areas (seed 004), their templates as data, the chat that prepares them and records agreements, and the
schedule of what the bot sends before and after them."""
