"""Platform edges and wiring: settings, CLI, console, web app, Slack, Teams, scheduler."""
