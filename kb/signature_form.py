from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kb.diagnosis import canonical
from kb.redact import secret_in


def _textarea(placeholder: str) -> forms.Textarea:
    return forms.Textarea(
        attrs={
            "rows": 10,
            "spellcheck": "false",
            "autocomplete": "off",
            "autocapitalize": "off",
            "maxlength": canonical.MAX_CANONICAL_CHARS,
            "placeholder": placeholder,
        }
    )


class SignatureCheckForm(forms.Form):
    """Two canonical requests to compare. Nothing here is stored, and a field that looks
    like it holds a secret key is refused and not shown back."""

    gateway = forms.CharField(
        label=_("The gateway's canonical request"),
        help_text=_("From the error detail: what follows canonicalRequest:."),
        strip=False,
        widget=_textarea("GET|/v1/orders/||host:api.example.com|x-sdk-date:…||host;x-sdk-date|…"),
    )
    client = forms.CharField(
        label=_("Your canonical request"),
        help_text=_(
            "As your signing code built it; most SDKs can log it. Never paste the SK or the "
            "AppSecret: this page does not need them."
        ),
        required=False,
        strip=False,
        widget=_textarea("GET\n/v1/orders/\n\nhost:api.example.com\n…"),
    )

    def full_clean(self):
        self.refused: list[str] = []
        super().full_clean()
        if self.refused:
            # Never send a secret back to the browser, not even in the form it came from.
            self.data = self.data.copy()
            for name in self.refused:
                self.data[name] = ""

    def clean_gateway(self):
        return self._canonical_request("gateway")

    def clean_client(self):
        return self._canonical_request("client")

    def _canonical_request(self, name: str) -> canonical.CanonicalRequest | None:
        text = self.cleaned_data[name]
        if reason := secret_in(text):
            self.refused.append(name)
            raise ValidationError(
                _(
                    "Not accepted: %(reason)s. This page never needs a secret key. Remove it, "
                    "and never send the SK or the AppSecret to anyone, including a technical "
                    "support engineer. If it was shared, reset it."
                ),
                code="secret",
                params={"reason": reason},
            )
        if len(text) > canonical.MAX_CANONICAL_CHARS:
            raise ValidationError(
                _("A canonical request is at most %(limit)s characters here."),
                code="max_length",
                params={"limit": canonical.MAX_CANONICAL_CHARS},
            )
        if "\ufffd" in text:
            # What the browser sent was not UTF-8 (Django reads such bytes as U+FFFD): the
            # comparison would name differences that are not in the request.
            raise ValidationError(
                _("This text holds bytes that are not UTF-8 text. Copy it again as text."),
                code="encoding",
            )
        if not text.strip():
            if self.fields[name].required:
                raise ValidationError(self.fields[name].error_messages["required"], "required")
            return None
        request = canonical.parse(text)
        if request is None:
            raise ValidationError(
                _(
                    "This does not look like a canonical request. It starts with the method "
                    "(such as GET) and the path, one part a line or separated by |."
                ),
                code="unreadable",
            )
        return request

    def comparison(self) -> canonical.Comparison | None:
        """The two requests part by part, when both were given and read."""
        gateway, client = self.cleaned_data.get("gateway"), self.cleaned_data.get("client")
        if gateway is None or client is None:
            return None
        return canonical.compare(gateway, client)
