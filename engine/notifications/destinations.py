"""Where webhooks may go, and how they get there. A subscription's address is the organisation's to choose, so it
must not make the server reach what only the server can reach: loopback, private, link-local (169.254.169.254,
a cloud's metadata service), shared, multicast, reserved or unspecified addresses, in any spelling (IPv6, IPv4
inside IPv6, `2130706433`, `0x7f.1`), nor a name that resolves to one of them. The address is checked when the
subscription is made and again, resolved anew, at every delivery (a name may resolve elsewhere by then), and the
delivery connects to the very addresses checked, sending the name as the `Host` header and as TLS SNI, whose
certificate is verified against the name. Plain http is refused unless the operator allows it.

The operator allows receivers on internal networks (an on-premise system) with `SIP_WEBHOOK_ALLOWED_NETWORKS`:
addresses or networks (`10.20.0.0/16`, `127.0.0.1/32`, `fd00:1::/48`) and host names, separated by commas;
`SIP_WEBHOOK_ALLOW_HTTP=true` allows `http://` (so does `SIP_ENVIRONMENT=development`)."""

from __future__ import annotations

import http.client
import ipaddress
import logging
import socket
import ssl
import string
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from ..config import setting

log = logging.getLogger(__name__)

INTERNAL = "adressen pekar på ett internt nät"
NOT_HTTPS = "adressen måste börja med https://"
CREDENTIALS = "adressen får inte innehålla användarnamn eller lösenord"
UNRESOLVED = "adressens namn kunde inte slås upp"
TRUE = ("1", "true", "yes", "on", "ja")


class Refused(Exception):
    """The address may not be used; the message (Swedish) says why, and nothing more than the admin needs."""


@dataclass(frozen=True)
class Destination:
    scheme: str
    host: str  # as sent in `Host` and SNI: ASCII (an international name in its IDNA form)
    port: int
    target: str  # the path and query
    addresses: tuple[tuple, ...]  # (family, sockaddr) of each address the name resolved to, all checked


def _allowances() -> tuple[list, set[str]]:
    networks, names = [], set()
    for entry in str(setting("WEBHOOK_ALLOWED_NETWORKS", "")).replace(";", ",").split(","):
        entry = entry.strip()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            if "/" in entry or entry.replace(".", "").isdigit() or ":" in entry:
                log.warning("SIP_WEBHOOK_ALLOWED_NETWORKS: %r is neither an address, a network nor a name", entry)
            else:
                names.add(entry.lower().rstrip("."))
    return networks, names


def http_allowed() -> bool:
    return (str(setting("WEBHOOK_ALLOW_HTTP", "")).strip().lower() in TRUE
            or setting("ENVIRONMENT", "production") == "development")


def _plain(address):
    """The address to judge: an IPv4 address written inside IPv6 (`::ffff:127.0.0.1`) is that IPv4 address."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def internal(address) -> bool:
    """Not globally routable: what only the server (or its network) can reach."""
    address = _plain(address)
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.sixtofour or (address.teredo[1] if address.teredo else None)
        if embedded is not None and internal(embedded):
            return True
    return (not address.is_global or address.is_private or address.is_loopback or address.is_link_local
            or address.is_multicast or address.is_reserved or address.is_unspecified)


def _resolve(host: str, port: int) -> tuple[tuple, ...]:
    """Each address the host is (an IP literal) or resolves to, as (family, sockaddr), in the resolver's order."""
    found = []
    for family, _, _, _, sockaddr in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        if (family, sockaddr) not in found:
            found.append((family, sockaddr))
    return tuple(found)


def check(url: str, *, unresolved_ok: bool = False) -> Destination:
    """The destination of a webhook's address, every address of which may be reached; Refused if not.
    `unresolved_ok`: a name that does not resolve (yet) passes, with no addresses (when subscribing; each
    delivery resolves again)."""
    parts = urlsplit(url)
    if parts.scheme != "https" and not (parts.scheme == "http" and http_allowed()):
        raise Refused(NOT_HTTPS)
    if parts.username is not None or parts.password is not None:
        raise Refused(CREDENTIALS)
    host = parts.hostname or ""
    try:
        ascii_host = host if host.isascii() else host.encode("idna").decode("ascii")
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except (UnicodeError, ValueError) as err:
        raise Refused("adressen går inte att använda") from err
    target = quote((parts.path or "/") + (f"?{parts.query}" if parts.query else ""), safe=string.punctuation)
    networks, names = _allowances()
    allowed_name = ascii_host.lower().rstrip(".") in names

    def judge(written: str) -> None:
        address = _plain(ipaddress.ip_address(written.split("%")[0]))
        if not allowed_name and internal(address) and not any(address in network for network in networks):
            raise Refused(INTERNAL)

    try:
        judge(ascii_host)  # an address written as such, before the resolver has a say
    except ValueError:
        pass
    try:
        addresses = _resolve(ascii_host, port)
    except (socket.gaierror, UnicodeError) as err:
        name = ascii_host.lower().rstrip(".")
        if not allowed_name and (name == "localhost" or name.endswith(".localhost")):  # RFC 6761: loopback
            raise Refused(INTERNAL) from err
        if unresolved_ok:
            return Destination(parts.scheme, ascii_host, port, target, ())
        raise Refused(UNRESOLVED) from err
    for _, sockaddr in addresses:
        judge(sockaddr[0])
    return Destination(parts.scheme, ascii_host, port, target, addresses)


def _connect(destination: Destination, timeout: float) -> socket.socket:
    """A connection to one of the destination's checked addresses, the first that answers."""
    error: OSError | None = None
    for family, sockaddr in destination.addresses:
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.settimeout(timeout)
            sock.connect(sockaddr)
            return sock
        except OSError as err:
            sock.close()
            error = err
    raise error or OSError("no address")


class _Connection(http.client.HTTPConnection):
    def __init__(self, destination: Destination, timeout: float):
        super().__init__(destination.host, destination.port, timeout=timeout)
        self.destination = destination

    def connect(self):
        self.sock = _connect(self.destination, self.timeout)


class _TLSConnection(http.client.HTTPSConnection):
    def __init__(self, destination: Destination, timeout: float):
        self.tls = ssl.create_default_context()
        super().__init__(destination.host, destination.port, timeout=timeout, context=self.tls)
        self.destination = destination

    def connect(self):
        self.sock = self.tls.wrap_socket(_connect(self.destination, self.timeout), server_hostname=self.host)


def post(destination: Destination, body: bytes, headers: dict, timeout: float) -> int:
    """POST to the destination's checked addresses, redirects not followed; the answer's status."""
    kind = _TLSConnection if destination.scheme == "https" else _Connection
    connection = kind(destination, timeout)
    try:
        connection.request("POST", destination.target, body=body, headers=headers)
        response = connection.getresponse()
        response.read(1024)
        return response.status
    finally:
        connection.close()
