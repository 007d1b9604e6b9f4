"""The core (layer 3 of 7): the conversation, the nudge and request desks, commands and copy. Platform-neutral;
imports store, knowledge and config only (pyproject.toml, [tool.importlinter])."""
