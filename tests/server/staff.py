"""Support staff over HTTP, as their browser works the admin: log in with the CSRF token
of the login page, open a change form, post every field it shows."""

import re
from html.parser import HTMLParser

import requests


class FormParser(HTMLParser):
    """The fields of the form with id `form_id` (the admin's change form is
    `<model>_form`), as a browser would post them untouched: [(name, value)]."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self._textarea: tuple[str, list[str]] | None = None
        self._select: tuple[str, bool] | None = None
        self._selected: list[str] = []
        self._first_option: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.inside = True
        if not self.inside or "name" not in attrs and tag in ("input", "textarea", "select"):
            return
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.fields.append(
                (attrs["name"], attrs.get("value", "on" if kind == "checkbox" else ""))
            )
        elif tag == "textarea":
            self._textarea = (attrs["name"], [])
        elif tag == "select":
            self._select = (attrs["name"], "multiple" in attrs)
            self._selected, self._first_option = [], None
        elif tag == "option" and self._select:
            value = attrs.get("value", "")
            if self._first_option is None:
                self._first_option = value
            if "selected" in attrs:
                self._selected.append(value)

    def handle_data(self, data):
        if self._textarea:
            self._textarea[1].append(data)

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "textarea" and self._textarea:
            name, parts = self._textarea
            # Browsers drop the one line break that follows <textarea>.
            self.fields.append((name, "".join(parts).removeprefix("\n")))
            self._textarea = None
        elif tag == "select" and self._select:
            name, multiple = self._select
            chosen = self._selected or ([] if multiple else [self._first_option or ""])
            self.fields.extend((name, value) for value in chosen)
            self._select = None


def form_fields(html: str, form_id: str) -> list[tuple[str, str]]:
    parser = FormParser(form_id)
    parser.feed(html)
    assert parser.fields, f"no form {form_id} on the page"
    return parser.fields


def referer(site) -> dict:
    # Over HTTPS Django's CSRF check wants a Referer of this origin.
    return {"Referer": site.base_url.replace("http://", "https://") + "/admin/"}


def log_in(site, username: str, password: str) -> None:
    site.headers["Accept-Language"] = "en"  # the admin in English, for the assertions
    page = site.get("/admin/login/")
    fields = dict(form_fields(page.text, "login-form"))
    fields |= {"username": username, "password": password, "next": "/admin/"}
    response = site.post("/admin/login/?next=/admin/", data=fields, headers=referer(site))
    assert response.status_code == 302, response.text[:2000]


def open_change_form(site, path: str) -> list[tuple[str, str]]:
    page = site.get(path)
    assert page.status_code == 200, page.status_code
    form_id = re.search(r'<form [^>]*id="(\w+_form)"', page.text).group(1)
    return form_fields(page.text, form_id)


def save_change_form(
    site, path: str, fields: list[tuple[str, str]], **changes
) -> requests.Response:
    """Post the opened form with `changes` (field name → value) typed in."""
    data = [(name, changes.get(name, value)) for name, value in fields]
    data += [(name, value) for name, value in changes.items() if name not in dict(fields)]
    data.append(("_save", "Save"))
    return site.post(path, data=data, headers=referer(site))


def make_editor(server, username: str, password: str) -> None:
    """A support editor, as `manage.py support_editor` makes one, with a password."""
    server.manage("support_editor", username)
    code = (
        "from django.contrib.auth.models import User\n"
        f"user = User.objects.get(username={username!r})\n"
        f"user.set_password({password!r})\n"
        "user.save()\n"
    )
    server.manage("shell", "--verbosity", "0", "-c", code)


def row_path(server, code: str, http_status: int) -> str:
    """The admin change form of a row."""
    pk = server.manage(
        "shell",
        "--verbosity",
        "0",
        "-c",
        "from kb.models import ErrorEntry\n"
        f"print(ErrorEntry.objects.get(code={code!r}, http_status={http_status}).pk)",
    ).strip()
    return f"/admin/kb/errorentry/{pk}/change/"
