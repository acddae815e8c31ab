"""The catalog content: rows, categories, FAQ articles, causes and aliases, and the
rules they share (shipped values, optimistic locking, derived search fields)."""

import json
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import prefetch_related_objects
from django.db.models.functions import Cast
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kb.pagecache import KeptUntilCatalogChanges, forget_catalog_version
from kb.text.codes import catalog_of, validate_code
from kb.text.lines import one_per_line, unify_line_breaks
from kb.text.patterns import MAX_PATTERN_LENGTH, PatternError, compile_pattern, pattern_matches
from kb.text.script import is_chinese
from kb.text.tokens import document_text, message_key

# A remedy that sends the reader to support rather than to something they can fix.
CONTACT_SUPPORT_MARKERS = ("联系技术支持工程师", "technical support engineer")


def code_page_url(code: str) -> str:
    """The page of `code`; for a code no page can be linked to (stored before codes were
    validated), the code list searched for it, so that the page showing it still renders."""
    try:
        return page_url("kb:code", code)
    except NoReverseMatch:
        return page_url("kb:code-list") + "?" + urlencode({"q": code})


def page_url(viewname: str, *args: str) -> str:
    """`reverse(viewname, args=args)`, kept per process: a search page links to the code
    pages of its rows and to their FAQ articles, each a look-up instead of reverse()'s
    tens of microseconds."""
    return _reverse(viewname, args, *_url_context())


def status_class(status: int | str) -> str:
    """The class of an HTTP status, as the stylesheet names it: 413 -> `4xx`."""
    return f"{str(status)[:1]}xx"


def _url_context() -> tuple[str | None, str, str]:
    """What `reverse()` reads besides its arguments: the language of the prefix, the
    script prefix and the URLconf."""
    return get_language(), get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF


@lru_cache(maxsize=8192)
def _reverse(viewname: str, args: tuple[str, ...], *context) -> str:
    return reverse(viewname, args=args)


@lru_cache(maxsize=8192)
def _anchor(http_status: int, message: str) -> str:
    return f"{http_status}-{slugify(message)[:60].rstrip('-')}"


class Catalog(models.TextChoices):
    APIG = "APIG", _("API Gateway (APIG)")
    APIGW = "APIGW", _("Cloud-service API gateway (APIGW)")


class EditConflict(Exception):
    """A save of an item that someone else saved after it was loaded; nothing was written."""

    def __init__(self, obj: models.Model):
        self.obj = obj
        super().__init__(
            _(
                "“%(item)s” was changed by someone else after you opened it. Your changes "
                "were not saved: open it again to see the current text."
            )
            % {"item": obj}
        )


class ShippedContent(models.Model):
    """Content that ships in `fixtures/` and that support staff may edit.

    `shipped` keeps the value of each field as of the last import, so that an
    import can tell a field staff edited (keep it) from one they did not (update
    it). `kb.catalog` holds the rules; `edited` is derived from `shipped` here.
    """

    # The fields an import compares and an export writes, natural key first.
    catalog_fields: tuple[str, ...] = ()
    # Fields staff edit in two languages side by side; `localized()` picks one.
    text_fields: tuple[str, ...] = ()

    shipped = models.JSONField(default=dict, blank=True, editable=False)
    edited = models.BooleanField(
        _("edited since import"),
        default=False,
        editable=False,
        help_text=_("Support staff changed a shipped value of this item."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Optimistic locking: a save writes only over the revision it loaded (see save()).
    revision = models.PositiveIntegerField(_("revision"), default=0, editable=False)

    class Meta:
        abstract = True

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # `entry.meaning` reads `meaning_zh` or `meaning_en`, by the active language.
        for name in cls.__dict__.get("text_fields", ()):
            setattr(cls, name, property(lambda self, name=name: self.localized(name)))

    def save(self, *args, **kwargs):
        """Save, refusing (EditConflict) when the stored revision moved since this was loaded.

        A save limited to `update_fields` only rebuilds derived values and is not checked.
        """
        # So that a field saved untouched from a form never looks edited.
        for name in self.text_fields:
            for suffix in ("_zh", "_en"):
                setattr(self, name + suffix, unify_line_breaks(getattr(self, name + suffix)))
        self.edited = bool(self.edited_fields())
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "edited", "updated_at"}
            super().save(*args, **kwargs)
            return
        if self._state.adding or self.pk is None:
            super().save(*args, **kwargs)
            return
        with transaction.atomic(using=kwargs.get("using")):
            # The conditional update takes the row's write lock, so of two concurrent
            # saves of the same revision exactly one goes through.
            claimed = (
                type(self)
                ._base_manager.filter(pk=self.pk, revision=self.revision)
                .update(revision=models.F("revision") + 1)
            )
            if not claimed:
                raise EditConflict(self)
            self.revision += 1
            super().save(*args, **kwargs)

    def localized(self, name: str, language: str | None = None) -> str:
        return getattr(self, f"{name}_{'zh' if is_chinese(language) else 'en'}")

    def catalog_value(self, name: str):
        """A field's value as `shipped` stores it: relations by natural key."""
        field = self._meta.get_field(name)
        if field.many_to_many:
            if self.pk is None:
                return []
            return sorted(list(related.natural_key()) for related in getattr(self, name).all())
        if field.many_to_one:
            related = getattr(self, name, None)
            return list(related.natural_key()) if related is not None else None
        return field.value_from_object(self)

    def edited_fields(self) -> list[str]:
        # Links (many-to-many) are saved after the row itself, so they are left to
        # the import's own comparison.
        return [
            name
            for name in self.catalog_fields
            if name in self.shipped
            and not self._meta.get_field(name).many_to_many
            and self.catalog_value(name) != self.shipped[name]
        ]


class SlugKeyedQuerySet(models.QuerySet):
    """Content whose natural key is its slug."""

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Category(ShippedContent):
    catalog_fields = (
        "slug",
        "code_range",
        "name_zh",
        "name_en",
        "description_zh",
        "description_en",
        "sort_order",
    )
    text_fields = ("name", "description")

    slug = models.SlugField(_("slug"), max_length=40, unique=True)
    code_range = models.CharField(_("code range"), max_length=20)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    objects = SlugKeyedQuerySet.as_manager()

    class Meta:
        ordering = ["sort_order", "slug"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self):
        return f"{self.code_range} {self.name}"

    def get_absolute_url(self):
        return reverse("kb:code-list") + f"?category={self.slug}"

    def natural_key(self):
        return (self.slug,)


class ErrorEntryQuerySet(models.QuerySet):
    def rebuild_search_fields(self, batch_size: int = 500) -> int:
        """Recompute the derived search fields (message key, index tokens) of these rows
        with the current tokenizer; returns how many changed. Not an edit: no history
        version, no revision check."""
        changed = []
        for entry in self.prefetch_related("aliases", "faqs").iterator(chunk_size=batch_size):
            before = (entry.message_key, entry.index_tokens)
            entry.set_derived_fields()
            if (entry.message_key, entry.index_tokens) != before:
                changed.append(entry)
        fields = ["message_key", "index_tokens", "phrasings_zh", "phrasings_en"]
        self.model._base_manager.bulk_update(changed, fields, batch_size=batch_size)
        if changed:
            forget_catalog_version(self.db)  # what this process keeps was ranked on the old
        return len(changed)

    def for_list(self):
        return self.select_related("category").order_by("catalog", "sort_order")

    def of_code(self, code: str):
        return self.filter(catalog=catalog_of(code), code=code).order_by("sort_order")

    def related_to(self, entry: "ErrorEntry", limit: int = 12) -> list["ErrorEntry"]:
        """The first row of each other code in the same category and catalog."""
        rows = self.filter(catalog=entry.catalog, category_id=entry.category_id).exclude(
            code=entry.code
        )
        firsts: dict[str, ErrorEntry] = {}
        for row in rows.order_by("sort_order")[: limit * 4]:
            firsts.setdefault(row.code, row)
        return list(firsts.values())[:limit]

    def containing(self, text: str):
        """Rows whose code, message, meaning or remedy contain `text` (any case).

        A plain filter for the code list; pasted errors go through `kb.search`.
        """
        text = text.strip()
        if not text:
            return self
        return self.filter(
            models.Q(code__icontains=text)
            | models.Q(message_en__icontains=text)
            | models.Q(meaning_zh__icontains=text)
            | models.Q(meaning_en__icontains=text)
            | models.Q(remedy_zh__icontains=text)
            | models.Q(remedy_en__icontains=text)
        )

    def get_by_natural_key(self, catalog, code, http_status, message_en):
        """The row first created (or shipped) with this key, whatever staff changed since;
        else the row that has this key now (a file exported after the edit)."""
        key = row_identity(catalog, code, http_status, message_en)
        row = self.filter(identity=key).first()
        if row is not None:
            return row
        return self.get(catalog=catalog, code=code, http_status=http_status, message_en=message_en)

    def with_feedback_counts(self):
        """Rows with `helpful_count`, `unhelpful_count` and `feedback_count` of their answers."""
        return self.annotate(
            helpful_count=models.Count("feedback", filter=models.Q(feedback__helpful=True)),
            unhelpful_count=models.Count("feedback", filter=models.Q(feedback__helpful=False)),
            feedback_count=models.Count("feedback"),
        )

    def worst_rated(self):
        """Rows with any feedback, the highest share of "did not fix it" first."""
        return (
            self.with_feedback_counts()
            .filter(feedback_count__gt=0)
            .annotate(
                unhelpful_share=Cast("unhelpful_count", models.FloatField())
                / Cast("feedback_count", models.FloatField())
            )
            .order_by("-unhelpful_share", "-unhelpful_count", "catalog", "sort_order")
        )


# Fields of a row or article that history does not keep: derived on save, or the
# import's baseline and the lock's revision, which a revert must not roll back.
HISTORY_EXCLUDED = ["shipped", "edited", "updated_at", "revision"]


def row_identity(catalog, code, http_status, message_en) -> str:
    """A row's identity: its natural key when it was created, as one string."""
    return json.dumps([catalog, code, int(http_status), message_en], ensure_ascii=False)


class ErrorEntry(ShippedContent):
    """One row of an error-code table: a code answered with one message and status."""

    catalog_fields = (
        "catalog",
        "code",
        "http_status",
        "message_en",
        "category",
        "sort_order",
        "meaning_zh",
        "meaning_en",
        "remedy_zh",
        "remedy_en",
        "phrasings_zh",
        "phrasings_en",
    )
    text_fields = ("meaning", "remedy")

    catalog = models.CharField(_("catalog"), max_length=8, choices=Catalog)
    code = models.CharField(_("code"), max_length=20, validators=[validate_code])
    http_status = models.PositiveSmallIntegerField(_("HTTP status"))
    message_en = models.CharField(_("message"), max_length=255)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="entries", verbose_name=_("category")
    )
    sort_order = models.PositiveIntegerField(
        _("sort order"), default=0, help_text=_("Position in the official table.")
    )
    meaning_zh = models.TextField(_("meaning (Chinese)"))
    meaning_en = models.TextField(_("meaning (English)"))
    remedy_zh = models.TextField(_("remedy (Chinese)"))
    remedy_en = models.TextField(_("remedy (English)"))
    # Not translations of each other: how customers of each language tell this failure.
    phrasings_zh = models.TextField(
        _("customer phrasings (Chinese)"),
        blank=True,
        help_text=_(
            "How customers describe this failure without quoting its message, one per "
            "line. Search matches them; readers do not see them."
        ),
    )
    phrasings_en = models.TextField(
        _("customer phrasings (English)"),
        blank=True,
        help_text=_(
            "How customers describe this failure without quoting its message, one per "
            "line. Search matches them; readers do not see them."
        ),
    )
    contact_support = models.BooleanField(
        _("remedy is to contact support"), default=False, editable=False
    )
    translation_review = models.BooleanField(
        _("translation needs review"),
        default=False,
        editable=False,
        help_text=_(
            "Set when one language of the meaning or the remedy changed and the other did "
            "not; cleared when an editor confirms both languages."
        ),
    )
    # Derived in save(): what kb.search looks rows up by.
    message_key = models.CharField(max_length=255, editable=False, default="")
    index_tokens = models.TextField(editable=False, default="")
    # Set once, when the row is created (by an import: its key as shipped), and never
    # changed: an import finds the row by it whatever staff changed of its natural key.
    identity = models.TextField(_("identity"), editable=False, default="")

    objects = ErrorEntryQuerySet.as_manager()
    history = HistoricalRecords(
        excluded_fields=[
            *HISTORY_EXCLUDED,
            "identity",
            "translation_review",
            "contact_support",
            "message_key",
            "index_tokens",
        ]
    )

    class Meta:
        ordering = ["catalog", "sort_order"]
        verbose_name = _("error-code row")
        verbose_name_plural = _("error-code rows")
        constraints = [
            # A row's identity, and the natural key fixtures and imports use.
            models.UniqueConstraint(
                fields=["catalog", "code", "http_status", "message_en"],
                name="entry_natural_key",
            ),
            # One row per identity: imports match shipped rows by it (get_by_natural_key).
            models.UniqueConstraint(fields=["identity"], name="entry_identity"),
            # The code decides the catalog; a mismatch would hide a row from its code page.
            models.CheckConstraint(
                condition=(
                    models.Q(catalog="APIG", code__startswith="APIG.")
                    | models.Q(catalog="APIGW", code__startswith="APIGW.")
                ),
                name="entry_code_in_catalog",
            ),
            models.CheckConstraint(
                condition=models.Q(http_status__gte=100, http_status__lte=599),
                name="entry_http_status_valid",
            ),
            # APIG.dddd or APIGW.dddd, whatever writes the row: the code page's URL takes
            # nothing else (`APIG.0201/x` broke every page that listed it).
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^APIGW?\.[0-9]{4}$"),
                name="entry_code_well_formed",
            ),
        ]
        indexes = [
            # The code list: one catalog in table order.
            models.Index(fields=["catalog", "sort_order"], name="entry_list_order"),
            # The HTTP-status shortcuts and filter, and search by status alone in table order.
            models.Index(
                fields=["http_status", "catalog", "sort_order"], name="entry_status_order"
            ),
            # Search by code in any spelling (`0303` looks in both catalogs).
            models.Index(fields=["code"], name="entry_code"),
            # Search by a pasted message: its prefixes are looked up here, the rows of a
            # key in table order without reading the table (kb.search.index.KEY_ORDER).
            models.Index(
                fields=["message_key", "catalog", "sort_order"], name="entry_message_key_order"
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.http_status} {self.message_en}"

    def save(self, *args, **kwargs):
        if kwargs.get("update_fields") is None:
            self.translation_review = self._translation_needs_review()
        self.set_derived_fields()
        if kwargs.get("update_fields") is not None:
            derived = {"contact_support", "message_key", "index_tokens", "identity"}
            kwargs["update_fields"] = {*kwargs["update_fields"], *derived}
        super().save(*args, **kwargs)
        self._translation_confirmed = False

    def get_absolute_url(self):
        return code_page_url(self.code) + "#" + self.anchor

    def as_json(self) -> dict:
        """The row in the active language, as every API answer shows it (kb/openapi.py's
        Row)."""
        return {
            "catalog": self.catalog,
            "code": self.code,
            "http_status": self.http_status,
            "message_en": self.message_en,
            "meaning": self.meaning,
            "remedy": self.remedy,
            "url": self.get_absolute_url(),
        }

    @property
    def code_url(self) -> str:
        return code_page_url(self.code)

    def confirm_translation(self) -> None:
        """An editor checked that both languages agree: the next save clears the flag."""
        self._translation_confirmed = True

    def _translation_needs_review(self) -> bool:
        if getattr(self, "_translation_confirmed", False):
            return False
        if self._state.adding or self.pk is None:
            return self.translation_review
        names = [name + suffix for name in self.text_fields for suffix in ("_zh", "_en")]
        stored = type(self)._base_manager.filter(pk=self.pk).values(*names).first()
        if stored is None:
            return self.translation_review
        for name in self.text_fields:
            zh_changed = unify_line_breaks(getattr(self, name + "_zh")) != stored[name + "_zh"]
            en_changed = unify_line_breaks(getattr(self, name + "_en")) != stored[name + "_en"]
            if zh_changed != en_changed:
                return True
        return self.translation_review

    def refresh_index_tokens(self) -> None:
        """Store the search text again after something it includes changed elsewhere
        (an alias, a linked FAQ article).

        Not an edit of the row: no history version, no revision check, and unsaved
        changes of this instance are neither written nor lost.
        """
        stored = type(self)._base_manager.filter(pk=self.pk).first()
        if stored is None:
            return  # deleted meanwhile (e.g. its aliases go with it)
        index_tokens = stored.build_index_tokens()
        if index_tokens != stored.index_tokens:
            type(self)._base_manager.filter(pk=self.pk).update(index_tokens=index_tokens)
        self.index_tokens = index_tokens

    @cached_property
    def faq_list(self) -> list["FaqArticle"]:
        """The row's FAQ articles, read once per object (`read_faqs()` reads those of
        several rows in one query). A search's rows are kept per process until the catalog
        changes (kb.search.index.load_entries): after a row's first search, its FAQ links
        cost nothing."""
        return list(self.faqs.all())

    @classmethod
    def read_faqs(cls, entries: list["ErrorEntry"]) -> None:
        """The `faq_list` of those of `entries` that have not read it, in one query."""
        unread = [entry for entry in entries if "faq_list" not in entry.__dict__]
        prefetch_related_objects(unread, "faqs")

    def link_faqs(self, articles) -> None:
        """Make `articles` exactly the FAQ articles linked to this row.

        Links are changed from the article's side, so that each article's history
        records the row it gained or lost.
        """
        wanted = {article.pk: article for article in articles}
        current = {article.pk: article for article in self.faqs.all()}
        for pk, article in wanted.items():
            if pk not in current:
                article.entries.add(self)
        for pk, article in current.items():
            if pk not in wanted:
                article.entries.remove(self)

    def set_aliases(self, texts: list[str], user=None) -> None:
        """Make `texts` exactly this row's aliases, keeping the ones it already has."""
        wanted = [unify_line_breaks(text) for text in texts if text.strip()]
        for alias in self.aliases.exclude(text__in=wanted):
            alias.delete()
        existing = set(self.aliases.values_list("text", flat=True))
        for text in wanted:
            if text not in existing:
                ErrorAlias(entry=self, text=text, created_by=user).save()

    natural_key_fields = ("catalog", "code", "http_status", "message_en")

    def natural_key(self):
        return tuple(getattr(self, name) for name in self.natural_key_fields)

    natural_key.dependencies = ["kb.category"]

    def set_derived_fields(self) -> None:
        """Compute what is derived from the row's text (save() calls it; so may bulk loads)."""
        if not self.identity:
            self.identity = row_identity(*self.natural_key())
        self.contact_support = any(
            marker in remedy
            for remedy in (self.remedy_zh, self.remedy_en.lower())
            for marker in CONTACT_SUPPORT_MARKERS
        )
        self.message_key = message_key(self.message_en)
        for name in ("phrasings_zh", "phrasings_en"):
            setattr(self, name, one_per_line(getattr(self, name)))
        self.index_tokens = self.build_index_tokens()

    def build_index_tokens(self) -> str:
        """Index tokens in sections: message (and its aliases), meaning, remedy, linked
        FAQ articles, customer phrasings. kb.search weighs a term by the section it is in.
        """
        aliases = " ".join(alias.text for alias in self.aliases.all()) if self.pk else ""
        faqs = self.faqs.all() if self.pk else []
        return document_text(
            f"{self.code} {self.message_en} {aliases}",
            f"{self.meaning_zh} {self.meaning_en}",
            f"{self.remedy_zh} {self.remedy_en}",
            " ".join(
                f"{faq.title_zh} {faq.title_en} {faq.summary_zh} {faq.summary_en}" for faq in faqs
            ),
            f"{self.phrasings_zh}\n{self.phrasings_en}".split("\n"),
        )

    @property
    def anchor(self) -> str:
        """A stable fragment for this row on its code page, e.g. `413-request-entity-too-large`."""
        return _anchor(self.http_status, self.message_en)


class FaqArticle(ShippedContent):
    catalog_fields = (
        "slug",
        "sort_order",
        "title_zh",
        "title_en",
        "summary_zh",
        "summary_en",
        "body_zh",
        "body_en",
        "entries",
    )
    text_fields = ("title", "summary", "body")

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    summary_zh = models.TextField(_("summary (Chinese)"), blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    body_zh = models.TextField(_("body (Chinese)"), help_text=_("Markdown."))
    body_en = models.TextField(_("body (English)"), help_text=_("Markdown."))
    entries = models.ManyToManyField(
        ErrorEntry, related_name="faqs", blank=True, verbose_name=_("error-code rows")
    )

    objects = SlugKeyedQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=HISTORY_EXCLUDED, m2m_fields=[entries])

    class Meta:
        ordering = ["sort_order", "slug"]
        verbose_name = _("FAQ article")
        verbose_name_plural = _("FAQ articles")

    def __str__(self):
        return self.title_en

    def get_absolute_url(self):
        return page_url("kb:faq", self.slug)

    def natural_key(self):
        return (self.slug,)

    natural_key.dependencies = ["kb.errorentry"]


class ErrorAliasQuerySet(models.QuerySet):
    def get_by_natural_key(self, catalog, code, http_status, message_en, text):
        try:
            entry = ErrorEntry.objects.get_by_natural_key(catalog, code, http_status, message_en)
        except ErrorEntry.DoesNotExist:
            raise self.model.DoesNotExist("no such row") from None
        return self.get(entry=entry, text=text)


class ErrorAlias(models.Model):
    """Another wording of a row's message that search matches, e.g. from the
    unknown-error queue."""

    catalog_fields = ("entry", "text")

    entry = models.ForeignKey(
        ErrorEntry, on_delete=models.CASCADE, related_name="aliases", verbose_name=_("row")
    )
    text = models.CharField(
        _("text"),
        max_length=500,
        help_text=_("A wording customers paste for this row, e.g. a message of another version."),
    )
    # Derived in save(): what kb.search looks aliases up by, as for a row's message.
    message_key = models.CharField(max_length=255, editable=False, default="")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("created by"),
    )

    objects = ErrorAliasQuerySet.as_manager()

    class Meta:
        ordering = ["entry__catalog", "entry__sort_order", "text"]
        verbose_name = _("alias")
        verbose_name_plural = _("aliases")
        constraints = [
            # An alias's identity and natural key: the same wording once per row.
            models.UniqueConstraint(fields=["entry", "text"], name="alias_natural_key"),
        ]
        indexes = [
            # Search by a pasted message looks its prefixes up here, as in entry_message_key.
            models.Index(fields=["message_key"], name="alias_message_key"),
        ]

    def __str__(self):
        return self.text

    def save(self, *args, **kwargs):
        self.text = unify_line_breaks(self.text)
        self.message_key = message_key(self.text)
        super().save(*args, **kwargs)
        # The row's search text holds its aliases.
        self.entry.refresh_index_tokens()

    def get_absolute_url(self):
        return self.entry.get_absolute_url()

    def natural_key(self):
        return (*self.entry.natural_key(), self.text)

    natural_key.dependencies = ["kb.errorentry"]


class CauseKind(models.TextChoices):
    """Which facts a cause computes from the detail that matched it."""

    NONE = "none", _("none")
    SIGNATURE_EXPIRED = "signature_expired", _("signature expired: clock skew")
    TOKEN_EXPIRED = "token_expired", _("token expired: expiry time")
    THROTTLED = "throttled", _("request throttling: policy, limit and window")
    CANONICAL_REQUEST = "canonical_request", _("signature mismatch: canonical request")


class CauseQuerySet(SlugKeyedQuerySet):
    def by_entry(self, entry_ids) -> dict[int, list["Cause"]]:
        """The causes of each row, in the order to try them; rows without any left out.

        The search asks for its best rows' causes on nearly every paste: they are kept
        per process until the catalog changes (kb.pagecache.KeptUntilCatalogChanges),
        shared by the searches (read them, never set anything on them). Rows not kept yet
        are read in one raw query: the ORM's equivalent (a filter and annotate over the
        link table) took 1.2 ms against 0.2 ms for this one (SQLite, the shipped catalog).
        """
        return {pk: causes for pk, causes in _kept_causes.get(entry_ids).items() if causes}

    def _read_by_entry(self, entry_ids: list[int]) -> dict[int, list["Cause"]]:
        link = Cause.entries.field
        cause_id, entry_id = link.m2m_column_name(), link.m2m_reverse_name()
        columns = ", ".join(f"c.{field.column}" for field in Cause._meta.concrete_fields)
        sql = (
            f"SELECT {columns}, link.{entry_id} AS entry_id FROM {Cause._meta.db_table} c "
            f"JOIN {link.m2m_db_table()} link ON link.{cause_id} = c.id "
            f"WHERE link.{entry_id} IN ({', '.join(['%s'] * len(entry_ids))}) "
            "ORDER BY c.sort_order, c.slug"
        )
        causes: dict[int, list[Cause]] = {pk: [] for pk in entry_ids}
        for cause in self.raw(sql, entry_ids):
            causes[cause.entry_id].append(cause)
        return causes


class Cause(ShippedContent):
    """A known cause behind the detail an error carries after its documented message.

    `pattern` is matched (case-insensitively) against that detail; the first cause
    of a row whose pattern matches, in `sort_order`, is the diagnosis.
    """

    catalog_fields = (
        "slug",
        "sort_order",
        "pattern",
        "kind",
        "explanation_zh",
        "explanation_en",
        "fix_zh",
        "fix_en",
        "entries",
    )
    text_fields = ("explanation", "fix")

    slug = models.SlugField(
        _("slug"), max_length=80, unique=True, help_text=_("The cause's identifier in the API.")
    )
    entries = models.ManyToManyField(
        ErrorEntry, related_name="causes", verbose_name=_("error-code rows")
    )
    pattern = models.CharField(
        _("pattern"),
        max_length=MAX_PATTERN_LENGTH,
        help_text=_(
            "A Python regular expression, matched without regard to case against the detail "
            "after the documented message, e.g. <code>signature\\s+expired</code>."
        ),
    )
    kind = models.CharField(
        _("computed facts"),
        max_length=32,
        choices=CauseKind,
        default=CauseKind.NONE,
        help_text=_("Which facts to read out of the detail when this cause matches."),
    )
    explanation_zh = models.TextField(_("explanation (Chinese)"))
    explanation_en = models.TextField(_("explanation (English)"))
    fix_zh = models.TextField(_("fix (Chinese)"))
    fix_en = models.TextField(_("fix (English)"))
    sort_order = models.PositiveIntegerField(
        _("order to try"),
        default=0,
        help_text=_("Causes of a row are tried in this order; the first that matches is shown."),
    )

    objects = CauseQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=HISTORY_EXCLUDED, m2m_fields=[entries])

    class Meta:
        ordering = ["sort_order", "slug"]
        verbose_name = _("cause")
        verbose_name_plural = _("causes")

    def __str__(self):
        return self.slug

    def get_absolute_url(self):
        entry = self.entries.order_by("catalog", "sort_order").first()
        if entry is None:
            return reverse("kb:code-list")
        return code_page_url(entry.code) + "#" + self.anchor

    def natural_key(self):
        return (self.slug,)

    natural_key.dependencies = ["kb.errorentry"]

    def clean(self):
        super().clean()
        try:
            compile_pattern(self.pattern)
        except PatternError as error:
            raise ValidationError(
                {
                    "pattern": _("This is not a usable regular expression: %(error)s")
                    % {"error": error}
                }
            ) from error

    def matches(self, detail: str) -> bool:
        return pattern_matches(self.pattern, detail)

    @property
    def anchor(self) -> str:
        return f"cause-{self.slug}"


# The causes of the rows searched, kept per process until the catalog changes, as the
# rows a search shows are (kb.search.index.load_entries); a row without causes is kept
# as such.
_kept_causes = KeptUntilCatalogChanges(lambda ids: Cause.objects.all()._read_by_entry(ids))


def forget_kept_causes() -> None:
    """Read every row's causes afresh at the next search (tests: each starts a new database)."""
    _kept_causes.forget()
