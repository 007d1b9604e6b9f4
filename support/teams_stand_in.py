"""Loopback stand-ins for the Microsoft Teams Bot Connector service and the identity hosts a Teams bot talks to.

:class:`TeamsConnector` plays ``https://smba.trafficmanager.net/teams/`` (the bot's outbound messages and updates);
:class:`Identity` plays the Bot Framework OpenID metadata/JWKS host (to validate inbound tokens it mints) and the
Entra ID login host over HTTPS (so the real MSAL client-credentials flow fetches the bot's outbound token).
Tests point the bot's real HTTP, MSAL and JWT code at them, so nothing is mocked and nothing leaves 127.0.0.1.

Standard library plus ``cryptography`` and ``PyJWT``, which the Teams SDK already depends on.
"""

from __future__ import annotations

import ipaddress
import json
import secrets
import ssl
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self
from urllib.parse import parse_qsl, unquote, urlsplit

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from jwt.algorithms import RSAAlgorithm

__all__ = ["Call", "Identity", "TeamsConnector"]

# (status, extra headers, JSON body) as decided by a stand-in for one request.
_Answer = tuple[int, dict[str, str], Any]
_Route = Callable[[str, str, dict[str, str], bytes], _Answer]

_FIRST_ACTIVITY_ID = 1_700_000_000_000
_DROP = -1  # not an HTTP status: close the connection without answering
LOSING = ("gateway", "drop", "timeout")
_ERROR_CODES = {400: "BadArgument", 401: "Unauthorized", 403: "Forbidden", 404: "ConversationNotFound",
                412: "PreconditionFailed", 413: "MessageSizeTooBig", 429: "TooManyRequests"}


# ----------------------------------------------------------------------------- shared HTTP plumbing


class _Server(ThreadingHTTPServer):
    """Threaded loopback server that hands every request to a ``route`` function of its stand-in."""

    daemon_threads = True
    request_queue_size = 256
    allow_reuse_address = True

    def __init__(self, route: _Route, tls: ssl.SSLContext | None = None) -> None:
        self.route = route
        super().__init__(("127.0.0.1", 0), _Handler)
        if tls is not None:
            # Handshake lazily in the handler thread, so one silent client cannot stall accept().
            self.socket = tls.wrap_socket(self.socket, server_side=True, do_handshake_on_connect=False)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients hanging up (or refusing our self-signed certificate) are normal in tests; report the rest."""
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError, ssl.SSLError)):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    """Reads one request, asks the route for the answer, writes it as JSON with Content-Length (keep-alive safe)."""

    protocol_version = "HTTP/1.1"
    server_version = "TeamsStandIn/1.0"
    timeout = 30  # idle keep-alive connections must not pin threads forever
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Silence per-request stderr logging; the stand-ins record what matters."""

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        headers = {name.lower(): value for name, value in self.headers.items()}
        status, extra, result = self.server.route(self.command, self.path, headers, body)
        if status == _DROP:  # the work is done, the answer never comes: the connection just closes
            self.close_connection = True
            return
        payload = json.dumps(result).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in extra.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle


def _start(route: _Route, tls: ssl.SSLContext | None = None) -> tuple[_Server, threading.Thread]:
    """Bind an OS-chosen port (parallel test runs never collide) and serve it from a daemon thread."""
    server = _Server(route, tls)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True,
                              name=f"teams-stand-in-{server.server_address[1]}")
    thread.start()
    return server, thread


def _stop(server: _Server | None, thread: threading.Thread | None) -> None:
    if server is not None:
        server.shutdown()
        server.server_close()
    if thread is not None:
        thread.join(timeout=5)


def _error(status: int, message: str) -> dict[str, Any]:
    """The Bot Connector's error envelope, so the bot's error handling sees the real shape."""
    code = _ERROR_CODES.get(status, "ServiceError" if status >= 500 else "BadRequest")
    return {"error": {"code": code, "message": message}}


# ----------------------------------------------------------------------------- Bot Connector


@dataclass(frozen=True)
class Call:
    """One request the connector received (failed ones too), so tests see retries and exactly what was sent."""

    method: str  # "POST", "PUT", ...
    conversation_id: str | None  # URL-decoded; None when the path was not a conversation path
    activity_id: str | None  # the activity replied to (POST) or updated (PUT) from the path; None for a new message
    body: dict  # the activity as sent ({} when the body was not a JSON object)
    authorization: str | None  # the Authorization header as received
    status: int  # the HTTP status the stand-in answered with
    at: float  # time.monotonic() when the request arrived
    path: str = ""  # the raw request path, for diagnosing 404s
    response_id: str | None = None  # the activity id answered on success, to link later updates to their post


class TeamsConnector:
    """Context manager serving the Bot Connector's activity endpoints on 127.0.0.1 from a daemon thread.

    ``require_token`` makes requests without ``Authorization: Bearer <token>`` answer 401; ``latency`` delays
    every answer; :meth:`fail_next` and :meth:`outage` script failures to prove the bot's retries.
    """

    def __init__(self, latency: float = 0.0, require_token: str | None = None) -> None:
        self.latency = latency
        self.require_token = require_token
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._calls: list[Call] = []
        self._failures: deque[tuple[int, float | None]] = deque()
        self._outage: tuple[int, float | None] | None = None
        self._losing: tuple[int, str, float] | None = None  # (every, how, delay)
        self._posted = 0
        self.answers_lost = 0  # posts carried out whose answer lose_answers() kept from the bot
        self._next_id = _FIRST_ACTIVITY_ID
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> Self:
        if self._server is None:
            self._server, self._thread = _start(self._route)
        return self

    def close(self) -> None:
        """Stop serving and release the port; safe to call twice."""
        server, thread, self._server, self._thread = self._server, self._thread, None, None
        _stop(server, thread)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def service_url(self) -> str:
        """Like ``https://smba.trafficmanager.net/teams/``: with the trailing slash Teams puts in ``serviceUrl``."""
        if self._server is None:
            raise RuntimeError("TeamsConnector is not started; use start() or a with-block")
        return f"http://127.0.0.1:{self._server.server_address[1]}/teams/"

    # ------------------------------------------------------------------------- inspection and scripting

    @property
    def calls(self) -> list[Call]:
        """Every request in arrival order, failed ones included, so retries are visible."""
        with self._lock:
            return list(self._calls)

    def sent(self, conversation_id: str | None = None) -> list[Call]:
        """Successful POSTs (new messages and replies); the id is compared exactly, ``;messageid=`` suffix and all."""
        return self._succeeded("POST", 201, conversation_id)

    def updates(self, conversation_id: str | None = None) -> list[Call]:
        """Successful PUTs (messages edited in place), compared like :meth:`sent`."""
        return self._succeeded("PUT", 200, conversation_id)

    def _succeeded(self, method: str, status: int, conversation_id: str | None) -> list[Call]:
        return [call for call in self.calls if (call.method, call.status) == (method, status)
                and (conversation_id is None or call.conversation_id == conversation_id)]

    def wait_for(self, predicate: Callable[[TeamsConnector], bool], timeout: float = 10) -> bool:
        """Wait until ``predicate(self)`` holds (the bot sends from worker threads); False when time runs out."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                seen = len(self._calls)
            if predicate(self):  # outside the lock: it will read calls itself
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            with self._changed:
                if len(self._calls) == seen:
                    self._changed.wait(min(remaining, 0.1))

    def fail_next(self, status: int, times: int = 1, retry_after: float | None = None) -> None:
        """Answer the next ``times`` requests with ``status`` (and ``Retry-After`` seconds when given)."""
        with self._lock:
            self._failures.extend([(status, retry_after)] * times)

    def lose_answers(self, every: int | None, how: str = "gateway", delay: float = 0.0) -> None:
        """Every `every`-th new message is posted (it counts as sent) but its answer is lost on the way back:
        "gateway" answers 504, "drop" closes the connection without a word, "timeout" answers after `delay` s."""
        if how not in LOSING:
            raise ValueError(f"how must be one of {LOSING}")
        with self._lock:
            self._losing = (every, how, delay) if every else None
            self._posted = 0

    @contextmanager
    def outage(self, status: int = 502, retry_after: float | None = None) -> Iterator[None]:
        """Every request fails with ``status`` until the block exits: Teams down, for tests of patience."""
        with self._lock:
            self._outage = (status, retry_after)
        try:
            yield
        finally:
            with self._lock:
                self._outage = None

    # ------------------------------------------------------------------------- the fake service

    @staticmethod
    def _parse_path(path: str) -> tuple[str | None, str | None, bool]:
        """(conversation id, activity id, recognised) for ``/teams/v3/conversations/{id}/activities[/{id}]``."""
        parts = [part for part in urlsplit(path).path.split("/") if part]  # tolerate "//" from sloppy joins
        if len(parts) in (5, 6) and parts[:3] == ["teams", "v3", "conversations"] and parts[4] == "activities":
            return unquote(parts[3]), unquote(parts[5]) if len(parts) == 6 else None, True
        return None, None, False

    def _route(self, method: str, path: str, headers: dict[str, str], body: bytes) -> _Answer:
        at = time.monotonic()
        conversation_id, activity_id, known = self._parse_path(path)
        try:
            activity = json.loads(body) if body else {}
        except ValueError:
            activity = None
        authorization = headers.get("authorization")
        extra: dict[str, str] = {}
        response_id: str | None = None
        with self._lock:
            failure = self._failures.popleft() if self._failures else self._outage
            if failure is not None:
                status, retry_after = failure
                result: Any = _error(status, "Scripted failure from the Teams stand-in")
                if retry_after is not None:
                    extra["Retry-After"] = f"{retry_after:g}"
            elif not (known and (method == "POST" or (method == "PUT" and activity_id is not None))):
                status, result = 404, _error(404, f"No route for {method} {path}")
            elif self.require_token is not None and authorization != f"Bearer {self.require_token}":
                status, result = 401, _error(401, "Authorization has been denied for this request.")
            elif not isinstance(activity, dict):
                status, result = 400, _error(400, "The request body must be a JSON activity")
            elif method == "PUT":
                status, response_id = 200, activity_id
                result = {"id": response_id}
            else:
                self._next_id += 1
                status, response_id = 201, str(self._next_id)
                result = {"id": response_id}
            self._calls.append(Call(method, conversation_id, activity_id, activity if isinstance(activity, dict)
                                    else {}, authorization, status, at, path, response_id))
            self._changed.notify_all()
            lost = self._loses_answer() if status == 201 else None
        if self.latency > 0:
            time.sleep(self.latency)
        if lost == "gateway":
            return 504, {}, _error(504, "Gateway timeout")
        if lost == "drop":
            return _DROP, {}, None
        if lost == "timeout":
            time.sleep(self._losing[2] if self._losing else 0)
        return status, extra, result

    def _loses_answer(self) -> str | None:
        """Whether this new message's answer is to be lost, and how. Caller holds the lock."""
        if self._losing is None:
            return None
        self._posted += 1
        every, how, _ = self._losing
        if self._posted % every:
            return None
        self.answers_lost += 1
        return how


# ----------------------------------------------------------------------------- identity hosts


def _self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost; its PEM is the whole trust chain clients need (``ca_file``)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Teams stand-in login host")])
    # OpenSSL checks the validity against the real clock, which the suite's fake-clock run leaves alone while
    # `now` here is fake: a window a year each side covers every moment that run travels to.
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=366)).not_valid_after(now + timedelta(days=366))
        .add_extension(x509.SubjectAlternativeName(
            [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_encipherment=False, content_commitment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "login-host.pem", directory / "login-host.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


class Identity:
    """Context manager playing the Bot Framework OpenID/JWKS host (HTTP) and the Entra ID login host (HTTPS).

    :meth:`mint` signs inbound tokens as Teams would; the login host hands MSAL ``bot_token`` for the right
    ``client_id``/``client_secret``, so the connector stand-in can require exactly that token.
    ``tenant_id``, when set, makes other tenants unknown to the login host, as for a single-tenant app.
    """

    KID = "test-key-1"

    def __init__(self, client_id: str = "00000000-0000-4000-8000-00000000b07a", client_secret: str = "stand-in-secret",
                 tenant_id: str | None = None, issuer: str = "https://api.botframework.com") -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.tenant_id = tenant_id
        self.issuer = issuer
        self.jwks_fetches = 0
        self.token_requests: list[dict[str, str]] = []
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._foreign_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        # Entra access tokens are JWTs and the Teams SDK decodes them (unverified), so the bot token is one too;
        # it is signed with the foreign key because it must never pass as an inbound Bot Framework token.
        self.bot_token = jwt.encode(
            {"aud": "https://api.botframework.com", "iss": "https://sts.windows.net/stand-in/", "appid": client_id,
             "iat": int(time.time()), "exp": int(time.time()) + 86_400, "jti": secrets.token_urlsafe(16)},
            self._foreign_key, algorithm="RS256", headers={"kid": "entra-stand-in"})
        self._lock = threading.Lock()
        self._directory: tempfile.TemporaryDirectory[str] | None = None
        self._cert_file: Path | None = None
        self._servers: list[tuple[_Server, threading.Thread]] = []

    def start(self) -> Self:
        if not self._servers:
            self._directory = tempfile.TemporaryDirectory(prefix="teams-stand-in-")
            self._cert_file, key_file = _self_signed_certificate(Path(self._directory.name))
            tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            tls.load_cert_chain(self._cert_file, key_file)
            self._servers = [_start(self._route_metadata), _start(self._route_login, tls)]
        return self

    def close(self) -> None:
        """Stop both hosts and delete the certificate; safe to call twice."""
        servers, self._servers = self._servers, []
        for server, thread in servers:
            _stop(server, thread)
        if self._directory is not None:
            self._directory.cleanup()
            self._directory, self._cert_file = None, None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _port(self, index: int) -> int:
        if not self._servers:
            raise RuntimeError("Identity is not started; use start() or a with-block")
        return self._servers[index][0].server_address[1]

    @property
    def openid_metadata_url(self) -> str:
        """Stands for ``https://login.botframework.com/v1/.well-known/openidconfiguration``."""
        return f"http://127.0.0.1:{self._port(0)}/v1/.well-known/openidconfiguration"

    @property
    def jwks_uri(self) -> str:
        """The keys URL; the Teams SDK derives it from the metadata URL by replacing ``openidconfiguration``."""
        return f"http://127.0.0.1:{self._port(0)}/v1/.well-known/keys"

    @property
    def login_endpoint(self) -> str:
        """Stands for ``https://login.microsoftonline.com``; MSAL's authority is ``{login_endpoint}/{tenant}``."""
        return f"https://127.0.0.1:{self._port(1)}"

    @property
    def ca_file(self) -> str:
        """PEM to trust for the login host (requests' ``verify=`` or ``REQUESTS_CA_BUNDLE``)."""
        if self._cert_file is None:
            raise RuntimeError("Identity is not started; use start() or a with-block")
        return str(self._cert_file)

    def jwks(self) -> dict[str, Any]:
        """The JSON Web Key Set served at :attr:`jwks_uri`, shaped like Bot Framework's."""
        key = RSAAlgorithm.to_jwk(self._key.public_key(), as_dict=True)
        return {"keys": [{"kty": key["kty"], "kid": self.KID, "use": "sig", "n": key["n"], "e": key["e"],
                          "alg": "RS256", "endorsements": ["msteams"]}]}

    def mint(self, audience: str, *, issuer: str | None = None, service_url: str | None = None,
             expires_in: float = 3600, issued_ago: float = 0, foreign_key: bool = False,
             kid: str | None = None) -> str:
        """An inbound Bot Framework token; the keyword arguments make the bad ones a validator must refuse.

        ``exp`` is ``expires_in`` seconds from now (negative for expired); ``iat``/``nbf`` are ``issued_ago``
        seconds ago (negative for not-yet-valid); ``foreign_key`` signs with a key absent from the JWKS.
        """
        now = time.time()
        claims: dict[str, Any] = {"iss": issuer or self.issuer, "aud": audience, "exp": int(now + expires_in),
                                  "nbf": int(now - issued_ago), "iat": int(now - issued_ago),
                                  "appid": "bot-framework-connector"}
        if service_url is not None:
            claims["serviceurl"] = service_url
        key = self._foreign_key if foreign_key else self._key
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid or self.KID})

    # ------------------------------------------------------------------------- the fake hosts

    def _route_metadata(self, method: str, path: str, headers: dict[str, str], body: bytes) -> _Answer:
        route = urlsplit(path).path
        if method == "GET" and route == "/v1/.well-known/openidconfiguration":
            return 200, {}, {"issuer": self.issuer, "jwks_uri": self.jwks_uri,
                             "id_token_signing_alg_values_supported": ["RS256"],
                             "token_endpoint_auth_methods_supported": ["private_key_jwt"]}
        if method == "GET" and route == "/v1/.well-known/keys":
            with self._lock:
                self.jwks_fetches += 1
            return 200, {}, self.jwks()
        return 404, {}, {"error": "not_found"}

    def _route_login(self, method: str, path: str, headers: dict[str, str], body: bytes) -> _Answer:
        parts = [part for part in urlsplit(path).path.split("/") if part]
        tenant = parts[0] if parts else ""
        if self.tenant_id is not None and tenant != self.tenant_id:
            return 400, {}, {"error": "invalid_tenant",
                             "error_description": f"AADSTS90002: Tenant '{tenant}' not found (stand-in)."}
        base = f"{self.login_endpoint}/{tenant}"
        if method == "GET" and parts[1:] == ["v2.0", ".well-known", "openid-configuration"]:
            return 200, {}, {"token_endpoint": f"{base}/oauth2/v2.0/token",
                             "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                             "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
                             "issuer": f"{base}/v2.0", "jwks_uri": f"{base}/discovery/v2.0/keys",
                             "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt"]}
        if method == "POST" and parts[1:] == ["oauth2", "v2.0", "token"]:
            return self._token(dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True)))
        return 404, {}, {"error": "not_found", "error_description": f"No route for {method} {path}"}

    def _token(self, form: dict[str, str]) -> _Answer:
        """Client-credentials grant: the bot's own id and secret buy ``bot_token``; anything else is refused."""
        with self._lock:
            self.token_requests.append({**form, **({"client_secret": "***"} if "client_secret" in form else {})})
        if form.get("grant_type") != "client_credentials":
            return 400, {}, {"error": "unsupported_grant_type", "error_description": "Stand-in: client credentials"}
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
            return 401, {}, {"error": "invalid_client",
                             "error_description": "AADSTS7000215: Invalid client secret provided (stand-in)."}
        if not form.get("scope", "").endswith("/.default"):
            return 400, {}, {"error": "invalid_scope", "error_description": "Client credentials need a /.default scope"}
        return 200, {}, {"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599,
                         "access_token": self.bot_token}
