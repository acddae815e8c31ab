"""'Did this fix it?' under each row: the form, and where a post may come from."""

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kb.models import ErrorEntry, Feedback
from kb.redact import redact


def from_this_site(request) -> bool:
    """Whether the browser says the post was sent from one of this site's pages.

    The feedback form carries no CSRF token, so that a code page is the same for every
    reader and can be cached (kb/pagecache.py). Feedback is anonymous and changes no
    account, so what CSRF would guard against here is another site's page posting in
    a visitor's name: browsers say where a post comes from (Sec-Fetch-Site, Origin),
    and such posts are refused. Clients that send neither are bound by the rate limit.
    """
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site in ("same-origin", "none")
    origin = request.headers.get("Origin")
    if origin is not None and origin != "null":
        return origin == f"{request.scheme}://{request.get_host()}"
    return origin is None


class FeedbackForm(forms.ModelForm):
    helpful = forms.TypedChoiceField(
        label=_("Did this fix it?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    reason = forms.ChoiceField(
        label=_("What was wrong?"),
        choices=Feedback.Reason.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=Feedback.COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": Feedback.COMMENT_MAX_LENGTH}),
        help_text=_("Optional. Do not paste tokens, keys or passwords."),
    )

    class Meta:
        model = Feedback
        fields = ["helpful", "reason", "comment"]

    @classmethod
    def for_entry(cls, entry: ErrorEntry) -> "FeedbackForm":
        """An empty form whose element ids are unique on a page of several rows."""
        return cls(auto_id=f"feedback-{entry.pk}-%s")

    def clean_comment(self) -> str:
        # Stored only redacted: a pasted token or AK/SK never reaches the database.
        return redact(self.cleaned_data["comment"]).strip()[: Feedback.COMMENT_MAX_LENGTH]

    def save_for(self, entry: ErrorEntry, client: str) -> Feedback | None:
        """The answer, saved; None when the client reached the rate limit meanwhile."""
        feedback = self.save(commit=False)
        feedback.entry = entry
        feedback.client_key = client
        feedback.language = (get_language() or "")[:8]
        return feedback if Feedback.objects.save_within_limit(feedback) else None
