"""Slack through slack-bolt: the AsyncApp on the shared aiohttp application, Block Kit rendering,
App Home, Socket Mode and the app manifest. Only this package imports slack_bolt and slack_sdk."""
