"""Adapters (layer 5): Slack, Teams and the console, each turning its platform's events into core calls and
rendering the replies. Import delivery and below, never one another; only handlers.slack imports the Slack SDK
and only handlers.teams the Teams SDK."""
