"""The Teams bot's identity: which cloud's endpoints it trusts, and its outbound token from Entra ID.

The SDK validates inbound tokens against the cloud's OpenID metadata and issuer; TEAMS_CLOUD picks the
cloud and TEAMS_LOGIN_ENDPOINT / TEAMS_OPENID_METADATA_URL / TEAMS_TOKEN_ISSUER override single endpoints
(a private cloud, or the loopback identity provider of the tests). The outbound token comes from MSAL's
client-credentials flow, built here rather than by the SDK so that an overridden login endpoint skips
MSAL's instance discovery (which would ask login.microsoftonline.com about a host it cannot know).
"""

from __future__ import annotations

import asyncio
import threading

import msal
from microsoft_teams.api.auth.cloud_environment import CloudEnvironment, from_name, with_overrides

from config.teams import TeamsSettings

CLOUD_NAMES = {"public": "Public", "usgov": "USGov", "usgovdod": "USGovDoD", "china": "China"}


class TokenError(RuntimeError):
    """Entra ID refused the bot's credentials (wrong secret, tenant or client id)."""


def cloud_of(settings: TeamsSettings) -> CloudEnvironment:
    return with_overrides(from_name(CLOUD_NAMES[settings.cloud]), login_endpoint=settings.login_endpoint or None,
                          openid_metadata_url=settings.openid_metadata_url or None,
                          token_issuer=settings.token_issuer or None)


class BotToken:
    """The SDK's token provider: `(scope, tenant) -> token`, cached by MSAL until shortly before expiry."""

    def __init__(self, settings: TeamsSettings, cloud: CloudEnvironment):
        self.settings = settings
        self.authority = f"{cloud.login_endpoint.rstrip('/')}/{settings.tenant_id}"
        self._msal: msal.ConfidentialClientApplication | None = None  # made on first use: it fetches metadata
        self._lock = threading.Lock()  # one token request at a time; MSAL serves the rest from its cache

    async def __call__(self, scope: str | list[str], tenant_id: str | None = None) -> str:
        return await asyncio.to_thread(self.acquire, [scope] if isinstance(scope, str) else list(scope))

    def acquire(self, scopes: list[str]) -> str:
        with self._lock:
            if self._msal is None:
                self._msal = msal.ConfidentialClientApplication(
                    self.settings.client_id, client_credential=self.settings.client_secret,
                    authority=self.authority, instance_discovery=not self.settings.login_endpoint)
            result = self._msal.acquire_token_for_client(scopes=scopes)
        if "access_token" not in result:
            raise TokenError(f"Entra ID refused the bot's token request: {result.get('error', 'unknown error')} "
                             "(check TEAMS_CLIENT_ID, TEAMS_CLIENT_SECRET and TEAMS_TENANT_ID)")
        return result["access_token"]
