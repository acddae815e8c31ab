from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language


def language_links(request):
    """Links to the page being viewed in each language, for the switch on every page."""
    current = get_language()
    path = request.get_full_path()
    links = []
    for code, name in settings.LANGUAGES:
        url = translate_url(path, code)
        if url == path and code != current and path.startswith(f"/{current}/"):
            url = f"/{code}/" + path[len(current) + 2 :]
        links.append({"code": code, "name": name, "url": url, "active": code == current})
    return {"language_links": links, "site_name": settings.SITE_NAME}
