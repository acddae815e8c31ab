"""The client's address: a forwarded one only from a trusted proxy, and only an address."""

from ipaddress import ip_network

import pytest
from django.test import RequestFactory

from kb.client_address import client_ip


def address(remote, forwarded=None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return client_ip(RequestFactory().get("/", REMOTE_ADDR=remote, **headers))


@pytest.fixture
def proxy(settings):
    settings.KB_TRUSTED_PROXIES = [ip_network("10.0.0.0/24"), ip_network("::1")]


def test_with_no_trusted_proxy_the_socket_address_is_the_client(settings):
    settings.KB_TRUSTED_PROXIES = []
    assert address("192.0.2.10", "203.0.113.7") == "192.0.2.10"


def test_a_forwarded_address_from_a_trusted_proxy_is_the_client(proxy):
    assert address("10.0.0.2", "203.0.113.7") == "203.0.113.7"
    assert address("::1", "2001:db8::7") == "2001:db8::7"


def test_a_forwarded_address_from_anyone_else_is_ignored(proxy):
    assert address("192.0.2.10", "203.0.113.7") == "192.0.2.10"


def test_what_the_client_wrote_left_of_the_proxy_is_not_believed(proxy):
    assert address("10.0.0.2", "1.2.3.4, 198.51.100.9") == "198.51.100.9"
    # Two proxies of ours: the second appended the first, which appended the client.
    assert address("10.0.0.2", "1.2.3.4, 198.51.100.9, 10.0.0.3") == "198.51.100.9"


@pytest.mark.parametrize(
    "forwarded",
    ["not-an-ip<script>", "x" * 5000, "1.2.3.4.5", "203.0.113.7 oops", "", " , ", "999.1.1.1"],
)
def test_a_forwarded_value_that_is_no_address_gives_the_proxy_address(proxy, forwarded):
    assert address("10.0.0.2", forwarded) == "10.0.0.2"


def test_an_ipv4_client_on_an_ipv6_socket_is_one_client(settings):
    settings.KB_TRUSTED_PROXIES = []
    assert address("::ffff:192.0.2.10") == "192.0.2.10"
