"""Who is asking: the client's address, believed from a proxy only when it is ours.

A request's X-Forwarded-For is whatever the client wrote, unless the connection comes
from a proxy we run (TRUSTED_PROXIES), which appends the address it was reached from.
Reading from the right, each hop a trusted proxy appended is skipped; the first hop
that is not a trusted proxy is the client. Anything that does not parse as an IP
address, or a request that did not come through a trusted proxy, gives the socket's
own address (REMOTE_ADDR). So a client reaching gunicorn directly, or writing its own
X-Forwarded-For, cannot pick the address its login attempts and posts are counted by.

`client_key()` is what the limits per client count (feedback, the unknown-error
queue); django-axes counts login failures by `client_ip()` (settings.AXES_CLIENT_IP_CALLABLE).
"""

import hashlib
import hmac
import ipaddress

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
# The longest text of an address (IPv6 with an embedded IPv4 part).
MAX_ADDRESS_CHARS = 45


def parse_address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = (text or "").strip()
    if not text or len(text) > MAX_ADDRESS_CHARS:
        return None
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    # An IPv4 client seen through an IPv6 socket: one form for the same client.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _trusted(address, networks: list[Network]) -> bool:
    return any(address in network for network in networks)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: the socket's, or the one our proxies say they were reached from."""
    peer = parse_address(request.META.get("REMOTE_ADDR", ""))
    if peer is None:
        return None
    networks = settings.KB_TRUSTED_PROXIES
    if not _trusted(peer, networks):
        return str(peer)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for hop in reversed(forwarded.split(",")):
        address = parse_address(hop)
        if address is None:
            break  # not an address: nothing further left can be believed either
        if not _trusted(address, networks):
            return str(address)
    return str(peer)


def client_key(request: HttpRequest) -> str:
    """A keyed hash of the client's address, for the limits per client (feedback, the
    unknown-error queue): the same on every host, useless to anyone else."""
    address = client_ip(request) or ""
    key = settings.SECRET_KEY.encode()
    # The prefix of the first use (feedback) stays, so that keys already stored still match.
    return hmac.new(key, b"feedback-client:" + address.encode(), hashlib.sha256).hexdigest()
