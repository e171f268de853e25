"""The Slack fixtures (fake Web API, environment) for the durability tests."""

from tests.slack.conftest import fake_slack, slack_env

__all__ = ["fake_slack", "slack_env"]
