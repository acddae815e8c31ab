"""Small helpers for the real-server tests: read the server's database, log into its admin."""

import json
import re


def query(server, code: str):
    """The JSON that `code` (Python, run by `manage.py shell` on the server's database)
    prints as its last line."""
    out = server.manage("shell", "-c", code)
    return json.loads(out.strip().splitlines()[-1])


def queue(server) -> list[dict]:
    """The unknown-error queue as stored: text, normalized text and count of each entry."""
    return query(
        server,
        "import json; from kb.models import UnansweredSearch as U; "
        "print(json.dumps(list(U.objects.values('text', 'normalized', 'count', 'status'))))",
    )


def create_superuser(server, username: str, password: str) -> None:
    server.manage(
        "shell",
        "-c",
        "from django.contrib.auth.models import User; "
        f"User.objects.filter(username={username!r}).exists() or "
        f"User.objects.create_superuser({username!r}, 'a@example.com', {password!r})",
    )


def send_secure_cookies(site) -> None:
    """The server marks its cookies Secure (it is reached as HTTPS through the proxy);
    the test speaks plain HTTP to it, so it sends them anyway, as the proxy would."""
    for cookie in site.cookies:
        cookie.secure = False


def csrf_token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def csrf_headers(site) -> dict:
    """What a page of this site sends with a form post: the CSRF cookie (set by any page
    with a form, such as the admin's login), its token, and the site's HTTPS Referer."""
    if "csrftoken" not in site.cookies:
        site.get("/admin/login/")
        send_secure_cookies(site)
    origin = "https://" + site.base_url.removeprefix("http://")
    return {"X-CSRFToken": site.cookies["csrftoken"], "Referer": origin + "/"}


def admin_post(site, path: str, data: dict, headers: dict | None = None):
    """A form post in the admin as a browser sends it: the form's CSRF token, the cookie
    and an HTTPS Referer of the site's own origin."""
    form = site.get(path, headers=headers)
    send_secure_cookies(site)
    origin = "https://" + site.base_url.removeprefix("http://")
    data = {"csrfmiddlewaretoken": csrf_token(form.text), **data}
    response = site.post(path, data=data, headers={"Referer": origin + path, **(headers or {})})
    send_secure_cookies(site)
    return response


def admin_login(site, username: str, password: str, headers: dict | None = None):
    return admin_post(
        site,
        "/admin/login/?next=/admin/",
        {"username": username, "password": password, "next": "/admin/"},
        headers,
    )
