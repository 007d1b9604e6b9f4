"""Microsoft Teams settings: the bot's Entra ID app registration, its endpoint, and where its cards go.

Kept apart from config/settings.py because Teams has its own credentials, cloud endpoints and the
local-development switch whose refusal rules are worth keeping in one place.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
CLOUDS = ("public", "usgov", "usgovdod", "china")
DEFAULT_SERVICE_URL = "https://smba.trafficmanager.net/teams/"
TEAMS_SETTING_NAMES = frozenset({  # every variable load_teams_settings reads
    "TEAMS_ALLOW_UNAUTHENTICATED", "TEAMS_APP_DEVELOPER", "TEAMS_APP_PRIVACY_URL", "TEAMS_APP_TERMS_URL",
    "TEAMS_APP_VERSION", "TEAMS_APP_WEBSITE", "TEAMS_CLIENT_ID", "TEAMS_CLIENT_SECRET", "TEAMS_CLOUD",
    "TEAMS_LIAISON_CHANNEL", "TEAMS_LIAISON_USER_IDS", "TEAMS_LOGIN_ENDPOINT", "TEAMS_OPENID_METADATA_URL",
    "TEAMS_PORT", "TEAMS_SERVICE_URL", "TEAMS_TENANT_ID", "TEAMS_TOKEN_ISSUER",
})


class TeamsSettingsError(ValueError):
    """A TEAMS_* setting the bot cannot use; the message names it."""


@dataclass(frozen=True)
class TeamsSettings:
    client_id: str = ""
    client_secret: str = field(default="", repr=False)
    tenant_id: str = ""
    port: int = 3978
    allow_unauthenticated: bool = False
    service_url: str = DEFAULT_SERVICE_URL
    liaison_channel: str = ""
    liaison_user_ids: frozenset[str] = frozenset()
    cloud: str = "public"
    login_endpoint: str = ""  # overrides for a private cloud or a test identity provider
    openid_metadata_url: str = ""
    token_issuer: str = ""
    app_version: str = "1.0.0"
    app_developer: str = ""
    app_website: str = ""
    app_privacy_url: str = ""
    app_terms_url: str = ""

    @property
    def enabled(self) -> bool:
        """Teams is served when credentials are set, or when unauthenticated local development is asked for."""
        return bool(self.client_id) or self.allow_unauthenticated


def _text(name: str, default: str = "") -> str:
    return os.environ.get(name, "").strip() or default


def _url(name: str, default: str = "") -> str:
    value = _text(name, default)
    if value and not value.startswith(("https://", "http://")):
        raise TeamsSettingsError(f"{name} must be an http(s) URL, got {value!r}")
    return value


def load_teams_settings(flag, integer, ids) -> TeamsSettings:
    """Reads TEAMS_*; the helpers are config/settings.py's, so every setting parses the same way."""
    client_id, secret, tenant = _text("TEAMS_CLIENT_ID"), _text("TEAMS_CLIENT_SECRET"), _text("TEAMS_TENANT_ID")
    unauthenticated = flag("TEAMS_ALLOW_UNAUTHENTICATED", False)
    if unauthenticated and (client_id or secret):
        raise TeamsSettingsError("TEAMS_ALLOW_UNAUTHENTICATED=true is refused while TEAMS_CLIENT_ID or "
                                 "TEAMS_CLIENT_SECRET is set: it is for local development without credentials only")
    if client_id or secret or tenant:
        missing = [name for name, value in (("TEAMS_CLIENT_ID", client_id), ("TEAMS_CLIENT_SECRET", secret),
                                            ("TEAMS_TENANT_ID", tenant)) if not value]
        if missing:
            raise TeamsSettingsError(f"Teams needs {', '.join(missing)} as well (the bot's single-tenant Entra ID "
                                     "app registration)")
        if not GUID.match(client_id):
            raise TeamsSettingsError(f"TEAMS_CLIENT_ID must be the app registration's GUID, got {client_id!r}")
    cloud = _text("TEAMS_CLOUD", "public").lower()
    if cloud not in CLOUDS:
        raise TeamsSettingsError(f"TEAMS_CLOUD must be one of {', '.join(CLOUDS)}, got {cloud!r}")
    service_url = _url("TEAMS_SERVICE_URL", DEFAULT_SERVICE_URL)
    return TeamsSettings(
        client_id=client_id, client_secret=secret, tenant_id=tenant,
        port=integer("TEAMS_PORT", 3978), allow_unauthenticated=unauthenticated,
        service_url=service_url if service_url.endswith("/") else service_url + "/",
        liaison_channel=_text("TEAMS_LIAISON_CHANNEL"), liaison_user_ids=frozenset(ids("TEAMS_LIAISON_USER_IDS")),
        cloud=cloud, login_endpoint=_url("TEAMS_LOGIN_ENDPOINT"), openid_metadata_url=_url("TEAMS_OPENID_METADATA_URL"),
        token_issuer=_text("TEAMS_TOKEN_ISSUER"), app_version=_text("TEAMS_APP_VERSION", "1.0.0"),
        app_developer=_text("TEAMS_APP_DEVELOPER"), app_website=_url("TEAMS_APP_WEBSITE"),
        app_privacy_url=_url("TEAMS_APP_PRIVACY_URL"), app_terms_url=_url("TEAMS_APP_TERMS_URL"),
    )
