"""Steps the browser tests share."""


def log_in(page, base_url: str, username: str, password: str, then: str = "/admin/") -> None:
    """Signs in through the admin's login form and returns once the page it leads to
    (`then`) has loaded, so that the test's next step never races the form's redirect."""
    page.goto(f"{base_url}/admin/login/?next={then}")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base_url}{then}")
