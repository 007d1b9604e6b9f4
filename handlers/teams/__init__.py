"""The Microsoft Teams adapter (handlers/teams/bot.py wires it), on the Teams SDK for Python."""

import logging
import warnings

# The SDK announces a preview feature we do not use each time it is imported; keep operators' consoles clean.
warnings.filterwarnings("ignore", message="HtmlWidgetSecurityPolicy is in preview")

# The SDK's HTTP client copies its own logger's level onto httpx's at every creation; WARNING here keeps httpx
# from logging a line per connector call (with the conversation's id in it).
logging.getLogger("microsoft_teams.common.http.client").setLevel(logging.WARNING)
