"""Where production keeps the static files: whitenoise's compressed files with hashed
names, each name's URL kept per process."""

from whitenoise.storage import CompressedManifestStaticFilesStorage

# Names come from templates (`{% static %}`): a few dozen; a bound all the same.
URLS_KEPT = 1024


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """The manifest is read once, when the process starts, so a name's URL does not change
    while it runs: `{% static %}` (twice on every page) is a look-up instead of the
    manifest's name resolution, tens of microseconds each."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls: dict[str, str] = {}

    def url(self, name, force=False):
        if force:
            return super().url(name, force)
        url = self._urls.get(name)
        if url is None:
            url = super().url(name)
            if len(self._urls) < URLS_KEPT:
                self._urls[name] = url
        return url
