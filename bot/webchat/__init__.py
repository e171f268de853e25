"""The web chat: the same conversation on a web page (`/chat`), for board members without Slack or
Teams, signed in by a one-time link sent by email. A platform like Slack and Teams (`WebChatPlatform`),
through the same inbox, turns and outbox; email is how it writes first (`EmailNotifier`)."""

PLATFORM = "web"
