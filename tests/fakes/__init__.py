"""Fake platform APIs on local ports (Slack Web API, Bot Connector): they record what they receive
so scenario tests and benchmarks can assert on it without the network."""
