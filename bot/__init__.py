"""The platform-neutral core: settings, database, domain models and the conversation logic."""
