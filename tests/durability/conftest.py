"""The Slack fixtures (fake Web API, environment) for the durability tests, and the end of the fork
server that starts `maalbot serve` (tests/durability/forkserver.py) when the session ends."""

from collections.abc import Iterator

import pytest

from tests.durability.forkserver import close_fork_server
from tests.slack.conftest import fake_slack, slack_env

__all__ = ["fake_slack", "slack_env"]


@pytest.fixture(scope="session", autouse=True)
def _fork_server_closed_at_the_end() -> Iterator[None]:
    yield
    close_fork_server()
