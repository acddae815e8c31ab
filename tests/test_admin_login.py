"""Admin login throttling (django-axes): failed logins lock, `axes_reset` unlocks."""

from io import StringIO
from ipaddress import ip_network

import pytest
from django.core.management import call_command

LOGIN = "/admin/login/?next=/admin/"
PASSWORD = "right-password-for-tests-1"


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_superuser("editor", "e@example.com", PASSWORD)


def log_in(client, password, address="192.0.2.10", **headers):
    data = {"username": "editor", "password": password}
    return client.post(LOGIN, data, REMOTE_ADDR=address, **headers)


def logged_in(client) -> bool:
    return client.get("/admin/").status_code == 200


def fail(client, times, **kwargs):
    return [log_in(client, "wrong", **kwargs).status_code for _ in range(times)]


def test_right_password_logs_in(client, staff):
    assert log_in(client, PASSWORD).status_code == 302
    assert logged_in(client)


def test_failed_logins_lock_the_account_even_for_the_right_password(client, staff, settings):
    statuses = fail(client, settings.AXES_FAILURE_LIMIT - 1)
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1)  # the form again
    response = log_in(client, "wrong")
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()  # the default language

    response = log_in(client, PASSWORD)
    assert response.status_code == 429
    assert not logged_in(client)


def test_fewer_failures_than_the_limit_do_not_lock(client, staff, settings):
    fail(client, settings.AXES_FAILURE_LIMIT - 1)
    assert log_in(client, PASSWORD).status_code == 302


def test_axes_reset_unlocks(client, staff, settings):
    fail(client, settings.AXES_FAILURE_LIMIT)
    assert log_in(client, PASSWORD).status_code == 429

    out = StringIO()
    call_command("axes_reset", stdout=out)

    assert log_in(client, PASSWORD).status_code == 302
    assert logged_in(client)


def test_lock_is_per_address_so_staff_elsewhere_can_still_log_in(client, staff, settings):
    fail(client, settings.AXES_FAILURE_LIMIT, address="192.0.2.10")
    assert log_in(client, PASSWORD, address="192.0.2.10").status_code == 429
    assert log_in(client, PASSWORD, address="198.51.100.7").status_code == 302


def test_behind_the_proxy_a_forged_forwarded_address_does_not_escape_the_lock(
    client, staff, settings
):
    settings.KB_TRUSTED_PROXIES = [ip_network("10.0.0.0/8")]
    proxy = "10.0.0.2"
    for n in range(settings.AXES_FAILURE_LIMIT):
        # The client claims a new address each time; the proxy appends the real one.
        forwarded = f"203.0.113.{n}, 192.0.2.10"
        log_in(client, "wrong", address=proxy, HTTP_X_FORWARDED_FOR=forwarded)
    response = log_in(client, PASSWORD, address=proxy, HTTP_X_FORWARDED_FOR="1.2.3.4, 192.0.2.10")
    assert response.status_code == 429
    other = log_in(client, PASSWORD, address=proxy, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert other.status_code == 302


def test_one_username_is_locked_after_failures_from_many_addresses(client, staff, settings):
    settings.AXES_USERNAME_FAILURE_LIMIT = 8
    for n in range(8):
        # Fewer failures from each address than the per-address limit.
        log_in(client, "wrong", address=f"192.0.2.{n}")
    assert log_in(client, PASSWORD, address="198.51.100.7").status_code == 429
    call_command("axes_reset_username", "editor", stdout=StringIO())
    assert log_in(client, PASSWORD, address="198.51.100.7").status_code == 302


def test_fewer_failures_of_one_username_than_its_limit_do_not_lock_it(client, staff, settings):
    settings.AXES_USERNAME_FAILURE_LIMIT = 8
    for n in range(7):
        log_in(client, "wrong", address=f"192.0.2.{n}")
    assert log_in(client, PASSWORD, address="198.51.100.7").status_code == 302
