"""The Teams stand-ins, exercised through real clients (httpx, the Teams SDK, MSAL, PyJWT) so tests built on them
can trust what they record and what they accept or refuse.
"""

from __future__ import annotations

import asyncio
import json
import ssl
import threading
import time
import urllib.request
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
import jwt
import msal
import pytest
import requests
from microsoft_teams.api.activities.message.message import MessageActivityInput
from microsoft_teams.api.auth.cloud_environment import PUBLIC, with_overrides
from microsoft_teams.api.clients.conversation.activity import ConversationActivityClient
from microsoft_teams.apps.auth.token_validator import JwtValidationOptions, TokenValidator
from microsoft_teams.common.http import Client, ClientOptions

from support.teams_stand_in import Identity, TeamsConnector

CHANNEL_THREAD = "19:abc@thread.tacv2;messageid=1700000000001"
CHANNEL = "19:abc@thread.tacv2"
PERSONAL = "a:1XyZ-personal-chat"
APP_ID = "6f1c2b7e-0d4a-4c1e-9a57-3b2f8e9d1a01"
TENANT = "8a2b1c3d-4e5f-4061-8a9b-0c1d2e3f4a5b"
BOT_SCOPE = "https://api.botframework.com/.default"


@pytest.fixture
def connector() -> Iterator[TeamsConnector]:
    with TeamsConnector() as server:
        yield server


@pytest.fixture(scope="module")
def identity() -> Iterator[Identity]:
    with Identity(client_id=APP_ID, client_secret="s3cret", tenant_id=TENANT) as server:
        yield server


def post(connector: TeamsConnector, conversation: str, activity: dict[str, Any] | None = None,
         token: str | None = None, method: str = "POST", activity_id: str | None = None) -> httpx.Response:
    url = f"{connector.service_url}v3/conversations/{conversation}/activities"
    if activity_id is not None:
        url += f"/{activity_id}"
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.request(method, url, json=activity or {"type": "message", "text": "hi"}, headers=headers)


class LoopbackOnlySession(requests.Session):
    """Records every URL MSAL asks for and refuses anything off loopback, so a test can never reach Microsoft."""

    def __init__(self, verify: str | bool) -> None:
        super().__init__()
        self.verify = verify
        self.urls: list[str] = []

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        self.urls.append(str(url))
        if urlsplit(str(url)).hostname != "127.0.0.1":
            raise requests.ConnectionError(f"test refused to reach {url}")
        return super().request(method, url, *args, **kwargs)


def msal_app(identity: Identity, session: requests.Session, secret: str = "s3cret",
             tenant: str = TENANT) -> msal.ConfidentialClientApplication:
    """Exactly how the bot builds its MSAL client (the constructor already fetches the tenant's metadata)."""
    return msal.ConfidentialClientApplication(APP_ID, client_credential=secret,
                                              authority=f"{identity.login_endpoint}/{tenant}",
                                              instance_discovery=False, http_client=session)


# ----------------------------------------------------------------------------- connector


def test_service_url_looks_like_the_real_one(connector: TeamsConnector) -> None:
    assert connector.service_url.startswith("http://127.0.0.1:")
    assert connector.service_url.endswith("/teams/")


def test_post_to_encoded_conversation_id_is_recorded_decoded(connector: TeamsConnector) -> None:
    first = post(connector, quote(CHANNEL_THREAD, safe=""), {"type": "message", "text": "Residency timeline"})
    second = post(connector, PERSONAL)  # raw ids arrive unencoded from the Teams SDK

    assert first.status_code == 201 and first.json() == {"id": "1700000000001"}
    assert second.status_code == 201 and second.json() == {"id": "1700000000002"}
    call = connector.sent(CHANNEL_THREAD)[0]
    assert (call.method, call.conversation_id, call.activity_id) == ("POST", CHANNEL_THREAD, None)
    assert call.body == {"type": "message", "text": "Residency timeline"}
    assert call.response_id == "1700000000001" and call.status == 201 and call.authorization is None
    assert [c.conversation_id for c in connector.sent()] == [CHANNEL_THREAD, PERSONAL]
    assert connector.sent(CHANNEL) == []  # compared exactly: the thread suffix matters


def test_reply_and_update_in_place(connector: TeamsConnector) -> None:
    posted = post(connector, PERSONAL).json()["id"]
    reply = post(connector, quote(PERSONAL), activity_id=posted)
    update = post(connector, PERSONAL, {"type": "message", "text": "edited"}, method="PUT", activity_id=posted)

    assert reply.status_code == 201 and reply.json()["id"] != posted
    assert update.status_code == 200 and update.json() == {"id": posted}
    assert [c.activity_id for c in connector.sent(PERSONAL)] == [None, posted]
    [edit] = connector.updates(PERSONAL)
    assert (edit.activity_id, edit.body["text"], edit.response_id) == (posted, "edited", posted)
    assert connector.updates(CHANNEL) == []


def test_the_teams_sdk_client_talks_to_it(connector: TeamsConnector) -> None:
    async def converse() -> tuple[str, str, str]:
        http = Client(ClientOptions(token="bot-token"))
        client = ConversationActivityClient(connector.service_url, http)
        try:
            sent = await client.create(CHANNEL_THREAD, MessageActivityInput(text="hello"))
            edited = await client.update(CHANNEL_THREAD, sent.id, MessageActivityInput(text="hello again"))
            reply = await client.reply(CHANNEL_THREAD, sent.id, MessageActivityInput(text="a reply"))
        finally:
            await http.http.aclose()  # the SDK's Client has no close() of its own
        return sent.id, edited.id, reply.id

    sent, edited, reply = asyncio.run(converse())

    assert sent == edited == "1700000000001" and reply == "1700000000002"
    calls = connector.calls
    assert [(c.method, c.conversation_id, c.status) for c in calls] == [
        ("POST", CHANNEL_THREAD, 201), ("PUT", CHANNEL_THREAD, 200), ("POST", CHANNEL_THREAD, 201)]
    assert calls[0].authorization == "Bearer bot-token"
    # The SDK replies by posting to .../activities with replyToId in the body, not to .../activities/{id}.
    assert calls[2].activity_id is None and calls[2].body["replyToId"] == sent


def test_fail_next_429_with_retry_after_then_succeeds(connector: TeamsConnector) -> None:
    connector.fail_next(429, retry_after=1)

    throttled = post(connector, PERSONAL)
    accepted = post(connector, PERSONAL)

    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "1"
    assert throttled.json()["error"]["code"] == "TooManyRequests" and throttled.json()["error"]["message"]
    assert accepted.status_code == 201 and accepted.json() == {"id": "1700000000001"}
    assert [c.status for c in connector.calls] == [429, 201]
    assert len(connector.sent()) == 1


def test_fail_next_several_times_without_retry_after(connector: TeamsConnector) -> None:
    connector.fail_next(500, times=2)

    answers = [post(connector, PERSONAL) for _ in range(3)]

    assert [a.status_code for a in answers] == [500, 500, 201]
    assert "Retry-After" not in answers[0].headers


def test_outage_fails_everything_until_the_block_exits(connector: TeamsConnector) -> None:
    with connector.outage():
        down = [post(connector, PERSONAL), post(connector, PERSONAL, method="PUT", activity_id="1")]
    with connector.outage(503, retry_after=2.5):
        unavailable = post(connector, PERSONAL)
    up = post(connector, PERSONAL)

    assert [a.status_code for a in down] == [502, 502]
    assert unavailable.status_code == 503 and unavailable.headers["Retry-After"] == "2.5"
    assert up.status_code == 201
    assert [c.status for c in connector.calls] == [502, 502, 503, 201]


def test_require_token_refuses_missing_or_wrong_tokens(connector: TeamsConnector) -> None:
    connector.require_token = "the-bot-token"

    missing, wrong, right = post(connector, PERSONAL), post(connector, PERSONAL, token="other"), \
        post(connector, PERSONAL, token="the-bot-token")

    assert (missing.status_code, wrong.status_code, right.status_code) == (401, 401, 201)
    assert missing.json()["error"]["code"] == "Unauthorized"
    assert [c.authorization for c in connector.calls] == [None, "Bearer other", "Bearer the-bot-token"]
    assert len(connector.sent()) == 1


def test_unknown_paths_and_bad_bodies_are_refused_and_recorded(connector: TeamsConnector) -> None:
    unknown = httpx.get(f"{connector.service_url}v3/conversations/{PERSONAL}/members")
    put_without_id = post(connector, PERSONAL, method="PUT")
    not_json = httpx.post(f"{connector.service_url}v3/conversations/{PERSONAL}/activities", content=b"{nope")

    assert (unknown.status_code, put_without_id.status_code, not_json.status_code) == (404, 404, 400)
    assert [(c.method, c.status) for c in connector.calls] == [("GET", 404), ("PUT", 404), ("POST", 400)]
    assert connector.calls[0].conversation_id is None and connector.calls[0].path.endswith("/members")
    assert connector.sent() == [] and connector.updates() == []


def test_latency_and_wait_for() -> None:
    with TeamsConnector(latency=0.2) as connector:
        threading.Timer(0.1, post, args=(connector, PERSONAL)).start()
        started = time.monotonic()

        assert connector.wait_for(lambda c: len(c.sent()) == 1, timeout=5)
        assert time.monotonic() - started < 5
        assert not connector.wait_for(lambda c: len(c.sent()) == 2, timeout=0.3)

        before = time.monotonic()
        post(connector, PERSONAL)
        assert time.monotonic() - before >= 0.2


# ----------------------------------------------------------------------------- identity: Bot Framework metadata


def test_openid_metadata_and_keys(identity: Identity) -> None:
    with urllib.request.urlopen(identity.openid_metadata_url, timeout=5) as response:
        metadata = json.load(response)
    before = identity.jwks_fetches
    with urllib.request.urlopen(metadata["jwks_uri"], timeout=5) as response:
        keys = json.load(response)["keys"]

    assert metadata == {"issuer": "https://api.botframework.com", "jwks_uri": identity.jwks_uri,
                        "id_token_signing_alg_values_supported": ["RS256"],
                        "token_endpoint_auth_methods_supported": ["private_key_jwt"]}
    assert identity.openid_metadata_url.endswith("/v1/.well-known/openidconfiguration")
    assert [(k["kty"], k["kid"], k["use"], k["alg"], k["e"], k["endorsements"]) for k in keys] == [
        ("RSA", "test-key-1", "sig", "RS256", "AQAB", ["msteams"])]
    assert identity.jwks_fetches == before + 1


def validator(identity: Identity, audience: str = APP_ID) -> TokenValidator:
    return TokenValidator(JwtValidationOptions(valid_issuers=[identity.issuer], valid_audiences=[audience],
                                               jwks_uri=identity.jwks_uri, service_url=None))


def test_minted_token_passes_the_sdk_validator(identity: Identity) -> None:
    service_url = "https://smba.trafficmanager.net/teams/"
    token = identity.mint(APP_ID, service_url=service_url)

    payload = asyncio.run(validator(identity).validate_token(token, service_url.rstrip("/")))

    assert payload["aud"] == APP_ID and payload["iss"] == "https://api.botframework.com"
    assert payload["serviceurl"] == service_url and payload["appid"] == "bot-framework-connector"
    assert payload["nbf"] == payload["iat"] and payload["exp"] - payload["iat"] == 3600
    assert jwt.get_unverified_header(token) == {"alg": "RS256", "kid": "test-key-1", "typ": "JWT"}


@pytest.mark.parametrize(("kwargs", "error"), [
    ({"audience": "some-other-bot"}, jwt.InvalidAudienceError),
    ({"issuer": "https://evil.example"}, jwt.InvalidIssuerError),
    ({"expires_in": -600}, jwt.ExpiredSignatureError),
    ({"issued_ago": -600}, jwt.ImmatureSignatureError),
    ({"service_url": "https://smba.trafficmanager.net/emea/"}, jwt.InvalidTokenError),
    ({"service_url": None}, jwt.InvalidTokenError),  # the claim is required once a service URL is checked
    ({"foreign_key": True}, jwt.InvalidSignatureError),
])
def test_bad_tokens_are_refused_by_the_sdk_validator(identity: Identity, kwargs: dict[str, Any],
                                                     error: type[Exception]) -> None:
    arguments = {"audience": APP_ID, "service_url": "https://smba.trafficmanager.net/teams/", **kwargs}
    token = identity.mint(arguments.pop("audience"), **arguments)

    with pytest.raises(error):
        asyncio.run(validator(identity).validate_token(token, "https://smba.trafficmanager.net/teams"))


def test_sdk_leeway_accepts_tokens_expired_within_five_minutes(identity: Identity) -> None:
    token = identity.mint(APP_ID, expires_in=-60)

    assert asyncio.run(validator(identity).validate_token(token))["aud"] == APP_ID


def test_unknown_kid_is_a_jwks_client_error_not_an_invalid_token(identity: Identity) -> None:
    """PyJWKClientError is a PyJWTError but not an InvalidTokenError: catch PyJWTError (the SDK catches Exception)."""
    token = identity.mint(APP_ID, kid="rotated-away")

    with pytest.raises(jwt.PyJWKClientError) as raised:
        asyncio.run(validator(identity).validate_token(token))
    assert not isinstance(raised.value, jwt.InvalidTokenError)


def test_the_validator_caches_the_key_set(identity: Identity) -> None:
    checker = validator(identity)
    before = identity.jwks_fetches

    for _ in range(3):
        asyncio.run(checker.validate_token(identity.mint(APP_ID)))

    assert identity.jwks_fetches == before + 1  # PyJWKClient keeps the set for 300 s


def test_sdk_for_service_finds_the_keys_from_the_metadata_url(identity: Identity) -> None:
    """The SDK never reads the metadata document: it derives the keys URL by replacing "openidconfiguration"."""
    cloud = with_overrides(PUBLIC, openid_metadata_url=identity.openid_metadata_url, token_issuer=identity.issuer)
    checker = TokenValidator.for_service(APP_ID, cloud=cloud)

    assert checker.options.jwks_uri == identity.jwks_uri
    assert asyncio.run(checker.validate_token(identity.mint(f"api://botid-{APP_ID}")))["appid"]


# ----------------------------------------------------------------------------- identity: Entra ID login host


def test_login_host_certificate_passes_strict_verification(identity: Identity) -> None:
    context = ssl.create_default_context(cafile=identity.ca_file)
    context.verify_flags |= ssl.VERIFY_X509_STRICT  # the default from Python 3.13 on
    for host in ("127.0.0.1", "localhost"):
        url = f"https://{host}:{urlsplit(identity.login_endpoint).port}/{TENANT}/v2.0/.well-known/openid-configuration"
        with urllib.request.urlopen(url, context=context, timeout=5) as response:
            assert json.load(response)["issuer"] == f"{identity.login_endpoint}/{TENANT}/v2.0"


def test_msal_acquires_the_bot_token_without_leaving_loopback(identity: Identity) -> None:
    session = LoopbackOnlySession(identity.ca_file)
    session.trust_env = False  # otherwise REQUESTS_CA_BUNDLE in the environment overrides session.verify
    requests_before = len(identity.token_requests)

    app = msal_app(identity, session)
    first = app.acquire_token_for_client(scopes=[BOT_SCOPE])
    second = app.acquire_token_for_client(scopes=[BOT_SCOPE])

    assert first["access_token"] == identity.bot_token and first["token_type"] == "Bearer"
    assert first["token_source"] == "identity_provider" and second["token_source"] == "cache"
    assert all(url.startswith(f"{identity.login_endpoint}/{TENANT}/") for url in session.urls)
    assert session.urls[-1] == f"{identity.login_endpoint}/{TENANT}/oauth2/v2.0/token"
    assert identity.token_requests[requests_before:] == [{"client_id": APP_ID, "grant_type": "client_credentials",
                                                          "client_info": "1", "client_secret": "***",
                                                          "scope": BOT_SCOPE}]
    assert jwt.decode(identity.bot_token, options={"verify_signature": False})["appid"] == APP_ID


def test_connector_accepts_only_the_token_msal_obtained(identity: Identity, connector: TeamsConnector) -> None:
    session = LoopbackOnlySession(identity.ca_file)
    session.trust_env = False
    connector.require_token = identity.bot_token

    token = msal_app(identity, session).acquire_token_for_client(scopes=[BOT_SCOPE])["access_token"]

    assert post(connector, PERSONAL, token=token).status_code == 201
    assert post(connector, PERSONAL, token=identity.mint(APP_ID)).status_code == 401


@pytest.mark.parametrize(("client_id", "secret"),
                         [(APP_ID, "wrong"), ("00000000-0000-4000-8000-000000000000", "s3cret")])
def test_msal_gets_an_error_for_wrong_credentials(identity: Identity, client_id: str, secret: str) -> None:
    session = LoopbackOnlySession(identity.ca_file)
    session.trust_env = False
    app = msal.ConfidentialClientApplication(client_id, client_credential=secret,
                                             authority=f"{identity.login_endpoint}/{TENANT}",
                                             instance_discovery=False, http_client=session)

    result = app.acquire_token_for_client(scopes=[BOT_SCOPE])

    assert "access_token" not in result
    assert result["error"] == "invalid_client" and "AADSTS7000215" in result["error_description"]
    assert identity.token_requests[-1]["client_secret"] == "***"


def test_msal_refuses_an_unknown_tenant(identity: Identity) -> None:
    session = LoopbackOnlySession(identity.ca_file)
    session.trust_env = False

    with pytest.raises(ValueError, match="double check your tenant"):  # MSAL hides the 400's AADSTS90002
        msal_app(identity, session, tenant="botframework.com")


def test_requests_ca_bundle_overrides_session_verify(identity: Identity, monkeypatch: pytest.MonkeyPatch) -> None:
    """requests lets REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE win over session.verify when trust_env is on (the default)."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", requests.certs.where())

    with pytest.raises(requests.exceptions.SSLError):
        msal_app(identity, LoopbackOnlySession(identity.ca_file))

    monkeypatch.setenv("REQUESTS_CA_BUNDLE", identity.ca_file)  # the other way to trust the stand-in
    session = LoopbackOnlySession(verify=True)
    assert msal_app(identity, session).acquire_token_for_client(scopes=[BOT_SCOPE])["access_token"]


def test_without_instance_discovery_false_msal_asks_microsoft(identity: Identity) -> None:
    """MSAL validates unknown authority hosts against login.microsoftonline.com unless told not to."""
    session = LoopbackOnlySession(identity.ca_file)
    session.trust_env = False

    with pytest.raises(requests.ConnectionError):
        msal.ConfidentialClientApplication(APP_ID, client_credential="s3cret", http_client=session,
                                           authority=f"{identity.login_endpoint}/{TENANT}")
    assert session.urls == ["https://login.microsoftonline.com/common/discovery/instance"]
