"""Microsoft Teams on the Microsoft 365 Agents SDK: route, cards, references, proactive messages, app package."""
