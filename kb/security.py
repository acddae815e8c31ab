"""Who is asking, behind the TLS-terminating proxy."""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client's address as the outermost trusted proxy saw it.

    Each of the `PROXY_COUNT` proxies in front appends the address it was reached
    from to X-Forwarded-For; entries further left were written by the client and
    may be forged. With no proxy (PROXY_COUNT=0) the socket's address is the client.
    """
    count = settings.KB_PROXY_COUNT
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [hop for hop in hops if hop]
    if count and len(hops) >= count:
        return hops[-count]
    return request.META.get("REMOTE_ADDR")
