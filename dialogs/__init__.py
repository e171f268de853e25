"""Platform-neutral conversation: messages, strategies as data, the engine and its texts."""
