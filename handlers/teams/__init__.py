"""The Microsoft Teams adapter (handlers/teams/bot.py wires it), on the Teams SDK for Python."""

import warnings

# The SDK announces a preview feature we do not use each time it is imported; keep operators' consoles clean.
warnings.filterwarnings("ignore", message="HtmlWidgetSecurityPolicy is in preview")
