"""The passport resolver as the SDK sees it: its settings, a local one started and stopped like the
node, and a client that fetches what a verifier needs from any resolver by URL.

The resolver (:mod:`batterytrace.services.resolver`) answers a battery's GS1 Digital Link URL (its
QR code) with the passport page, the JSON-LD document, the signed credential or a linkset, serves
the issuer's ``did:web`` document and the status list, and the restricted tiers only to a
participant that signs in (EIP-4361) with a role the regulation names. :class:`LocalResolver` runs
it as a child process by its module name, as :class:`~batterytrace.sdk.relayer.LocalRelayer` runs
the relayer.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from batterytrace.evm.signers import LocalSigner
from batterytrace.exceptions import ChainError, ConfigurationError, InputError
from batterytrace.model.battery_ids import PrefixKind, parse_battery_id
from batterytrace.model.passports import passport_id_for
from batterytrace.sdk import services
from batterytrace.sdk.services import LocalService, ServiceInfo

SERVICE_MODULE = "batterytrace.services.resolver"
DEFAULT_RESOLVER_PORT = 8547
#: The credential's media type (VC-JOSE-COSE) and the linkset's (RFC 9264).
CREDENTIAL_MEDIA_TYPE = "application/vc+jwt"
LINKSET_MEDIA_TYPE = "application/linkset+json"
#: Where a resolver serves its issuer's DID document and its status list.
DID_DOCUMENT_PATH = "/.well-known/did.json"
STATUS_LIST_PATH = "/status/revocation"


@dataclass(frozen=True)
class ResolverSettings:
    """Everything a resolver process needs: the node and deployment file it indexes, its database
    (a SQLite path or a ``postgresql://`` URL, shared with the publisher), the issuer key file it
    signs status lists with (a private JWK; the issuer's did:web is the public URL's host), the
    issuer's name, the URL the QR codes name (``public_url``), where it logs restricted access, and
    its limits: how often it follows the chain, how long a nonce and a sign-in last."""

    rpc_url: str
    deployment_path: str
    database: str
    issuer_key_path: str
    issuer_name: str
    public_url: str
    log_path: str
    poll_seconds: float = 0.5
    nonce_seconds: int = 300
    session_seconds: int = 900

    def __post_init__(self) -> None:
        parts = urlsplit(self.public_url)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
            raise ConfigurationError(f"a resolver's public URL is http(s)://host[:port], got {self.public_url!r}")
        if self.poll_seconds <= 0 or not 0 < self.nonce_seconds <= 3600 or not 0 < self.session_seconds <= 86_400:
            raise ConfigurationError(f"resolver limits out of range: {self}")

    @property
    def base_url(self) -> str:
        return self.public_url.rstrip("/")

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(self), indent=2) + "\n")

    @classmethod
    def load(cls, path: Path) -> ResolverSettings:
        try:
            return cls(**json.loads(Path(path).read_text()))
        except FileNotFoundError:
            raise ConfigurationError(f"no resolver settings at {path}") from None
        except (TypeError, ValueError) as error:
            raise ConfigurationError(f"{path} is not a resolver settings file: {error}") from None


class LocalResolver(LocalService):
    """The resolver service as a child process; a context manager that always stops it. Its
    ``public_url`` should name the port it listens on (:func:`local_public_url`)."""

    def __init__(self, settings: ResolverSettings, work_dir: Path, port: int | None = None, host: str = "127.0.0.1",
                 startup_timeout_seconds: float = 60.0) -> None:
        if port is None:
            port = urlsplit(settings.public_url).port
        super().__init__("resolver", SERVICE_MODULE, asdict(settings), work_dir, _probe, log_path=settings.log_path, port=port,
                         host=host, startup_timeout_seconds=startup_timeout_seconds)
        self.resolver_settings = settings


def local_public_url(port: int) -> str:
    return f"http://127.0.0.1:{port}"


def _probe(url: str) -> None:
    ResolverClient(url, timeout_seconds=2.0).health()


def start_background(state_dir: Path, settings: ResolverSettings, host: str = "127.0.0.1") -> ServiceInfo:
    """Start a resolver that outlives this process (``batterytrace resolver start``)."""
    return services.start_background(state_dir, LocalResolver(settings, state_dir, host=host))


def background_resolver(state_dir: Path) -> ServiceInfo | None:
    return services.background_service(state_dir, "resolver")


def stop_background(state_dir: Path) -> ServiceInfo | None:
    return services.stop_background(state_dir, "resolver", wait_seconds=15.0)


class ResolverClient:
    """Reads from the resolver at ``url``: its health, a passport by battery id in any of its forms,
    the DID document and the status list a verifier needs offline."""

    def __init__(self, url: str, timeout_seconds: float = 30.0) -> None:
        self.url = url.rstrip("/")
        self.timeout_seconds = timeout_seconds

    def health(self) -> dict[str, Any]:
        return self._json(self.get("/v1/health"))

    def get(self, path: str, accept: str = "application/json", **headers: str) -> httpx.Response:
        try:
            return httpx.get(self.url + path, headers={"Accept": accept, **headers}, timeout=self.timeout_seconds)
        except httpx.TransportError as error:
            raise ChainError(f"no resolver answers at {self.url}: {type(error).__name__}: {error}") from None

    def credential(self, battery_path: str) -> str:
        """The signed credential (compact JWS) of the battery at ``battery_path`` (``/01/<GTIN>/21/<serial>``)."""
        return self._text(self.get(battery_path, CREDENTIAL_MEDIA_TYPE))

    def did_document(self) -> dict[str, Any]:
        return self._json(self.get(DID_DOCUMENT_PATH))

    def status_list(self) -> str:
        return self._text(self.get(STATUS_LIST_PATH, CREDENTIAL_MEDIA_TYPE))

    def json_of(self, response: httpx.Response) -> dict[str, Any]:
        return self._json(response)

    def _text(self, response: httpx.Response) -> str:
        if response.status_code != 200:
            raise InputError(f"the resolver at {self.url} answered {response.status_code}: {_reason(response)}")
        return response.text.strip()

    def _json(self, response: httpx.Response) -> dict[str, Any]:
        if response.status_code != 200:
            raise InputError(f"the resolver at {self.url} answered {response.status_code}: {_reason(response)}")
        try:
            body = response.json()
        except ValueError:
            raise InputError(f"the resolver at {self.url} answered with no JSON") from None
        if not isinstance(body, dict):
            raise InputError(f"the resolver at {self.url} answered with no JSON object")
        return body


def _reason(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text.strip().splitlines()[0] if response.text.strip() else "no reason given"
    return str(body.get("error", body)) if isinstance(body, dict) else str(body)


def battery_path(battery_id: str) -> str:
    """Where a resolver answers for ``battery_id``: its GS1 Digital Link path ``/01/<GTIN>/21/<serial>``
    (whatever host the id names), or ``/passports/0x<passport id>`` for an ISO/IEC 15459 id."""
    parsed = parse_battery_id(battery_id)
    if parsed.kind is PrefixKind.GS1_COMPANY_PREFIX:
        gtin, serial = parsed.canonical.removeprefix("(01)").split("(21)")
        return f"/01/{gtin}/21/{serial}"
    return f"/passports/{passport_id_for(battery_id):#x}"


def sign_in(client: ResolverClient, signer: LocalSigner) -> str:
    """Sign in to the resolver as ``signer``'s participant (EIP-4361): its bearer token."""
    response = client.get("/auth/message?address=" + signer.address)
    message = client.json_of(response)["message"]
    try:
        answer = httpx.post(client.url + "/auth/sign-in", json={"message": message, "signature": "0x" + signer.sign_message(message).hex()},
                            timeout=client.timeout_seconds)
    except httpx.TransportError as error:
        raise ChainError(f"no resolver answers at {client.url}: {type(error).__name__}: {error}") from None
    return str(client.json_of(answer)["token"])


def publish(client: ResolverClient, signer: LocalSigner, passport_id: int, document: dict[str, Any]) -> dict[str, Any]:
    """Publish a passport ``signer``'s participant issued (its whole document) to the resolver, which
    signs its credential: ``{"passportId", "statusIndex", "url"}``."""
    token = sign_in(client, signer)
    try:
        answer = httpx.post(f"{client.url}/v1/passports/{passport_id:#x}", json={"document": document},
                            headers={"Authorization": f"Bearer {token}"}, timeout=client.timeout_seconds + 30)
    except httpx.TransportError as error:
        raise ChainError(f"no resolver answers at {client.url}: {type(error).__name__}: {error}") from None
    return client.json_of(answer)
