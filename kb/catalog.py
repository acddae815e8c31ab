"""Import and export of the catalog, and the rule that an import never loses an edit.

The shipped fixtures and the site's export share one format: Django's JSON
serialization with natural keys, holding each model's `catalog_fields`. On import,
each field of an existing item is compared three ways:

- the incoming value equals the value shipped by the last import: nothing to do;
- otherwise, if staff left the field as shipped, the incoming value is applied;
- otherwise staff edited it: their value is kept and the field is reported as a conflict.

Rows are matched by their identity: the natural key they were created (or first
shipped) with, kept with the row (`ErrorEntry.identity`), so that a row whose code,
status or message staff changed is still the shipped row, never a second copy of it.
An export carries the identity of such a row, so a restored catalog keeps it too.

Aliases (other wordings of a row's message) are identified by their row and text
alone: an import adds the ones it does not have and never removes one.

CSV is for reading in a spreadsheet: one line per row, with its aliases and FAQ
articles. A cell a spreadsheet would run as a formula is written with a leading
apostrophe, which `read_catalog_csv()` removes again; only JSON is imported.
"""

import csv
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.serializers.base import DeserializationError
from django.db import transaction

from kb.models import (
    Category,
    Cause,
    ErrorAlias,
    ErrorEntry,
    FaqArticle,
    ShippedContent,
    row_identity,
)
from kb.search.index import refresh_statistics
from kb.text.lines import unify_line_breaks

# Import order: everything an item refers to comes before it. Causes came last, so
# they stand last in the shipped fixture too.
CATALOG_MODELS: tuple[type[ShippedContent], ...] = (Category, ErrorEntry, FaqArticle, Cause)
EXPORTED_MODELS = (*CATALOG_MODELS, ErrorAlias)
CSV_COLUMNS = (*ErrorEntry.catalog_fields, "aliases", "faq_articles")


class CatalogError(Exception):
    """A catalog file that cannot be imported; nothing was changed."""


@dataclass
class Conflict:
    item: str
    field: str
    kept: object
    shipped: object

    def __str__(self):
        return f"{self.item}: {self.field} was edited; kept the edit, not the new shipped value"


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: int = 0
    conflicts: list[Conflict] = field(default_factory=list)

    aliases_added: int = 0

    def summary(self) -> str:
        return (
            f"created={self.created} updated={self.updated} "
            f"unchanged={self.unchanged} kept-because-edited={self.kept} "
            f"aliases-added={self.aliases_added}"
        )


def _m2m_natural_keys(model, name: str, pks: Iterable) -> list:
    related_model = model._meta.get_field(name).related_model
    return sorted(list(obj.natural_key()) for obj in related_model.objects.filter(pk__in=list(pks)))


def _label(obj: ShippedContent) -> str:
    return f"{obj._meta.model_name} {' '.join(str(part) for part in obj.natural_key())}"


def _set_value(obj: ShippedContent, name: str, incoming: ShippedContent) -> None:
    model_field = obj._meta.get_field(name)
    if model_field.many_to_many:
        return  # applied after save
    if model_field.many_to_one:
        setattr(obj, model_field.attname, getattr(incoming, model_field.attname))
    else:
        setattr(obj, name, getattr(incoming, name))


def _merge(deserialized, report: ImportReport) -> None:
    incoming: ShippedContent = deserialized.object
    model = type(incoming)
    m2m_names = [f.name for f in model._meta.many_to_many if f.name in model.catalog_fields]
    for name in model.text_fields:
        for suffix in ("_zh", "_en"):
            setattr(incoming, name + suffix, unify_line_breaks(getattr(incoming, name + suffix)))
    new_values = {
        name: (
            _m2m_natural_keys(model, name, deserialized.m2m_data.get(name, []))
            if name in m2m_names
            else incoming.catalog_value(name)
        )
        for name in model.catalog_fields
    }

    if incoming.pk is None and getattr(incoming, "identity", ""):
        # A row exported after staff changed its key: found by the identity it carries.
        incoming.pk = (
            model.objects.filter(identity=incoming.identity).values_list("pk", flat=True).first()
        )

    if incoming.pk is None:
        _validate(incoming)
        incoming.shipped = new_values
        incoming.save()
        for name in m2m_names:
            getattr(incoming, name).set(deserialized.m2m_data.get(name, []))
        report.created += 1
        return

    current = model.objects.get(pk=incoming.pk)
    changed, kept = [], False
    for name, new in new_values.items():
        base = current.shipped.get(name)
        mine = current.catalog_value(name)
        if name not in current.shipped:
            base = mine  # never shipped (a field added since): treat as untouched
        if new == base:
            continue
        if mine == new:
            # Staff already wrote what is now shipped (or this is our own export read
            # back): keep the old baseline, so the field stays marked as edited.
            continue
        if mine != base:
            report.conflicts.append(Conflict(_label(current), name, mine, new))
            kept = True
            continue
        _set_value(current, name, incoming)
        current.shipped[name] = new
        changed.append(name)

    if kept:
        report.kept += 1
    if not changed:
        if not kept:
            report.unchanged += 1
        return
    _validate(current)
    current.save()
    for name in m2m_names:
        if name in changed:
            getattr(current, name).set(deserialized.m2m_data.get(name, []))
    if not kept:
        report.updated += 1


def _merge_alias(deserialized, report: ImportReport) -> None:
    alias: ErrorAlias = deserialized.object
    if alias.pk is not None:
        return  # already here; an alias has nothing else to update
    _validate(alias)
    alias.save()
    report.aliases_added += 1


def _validate(obj: ShippedContent | ErrorAlias) -> None:
    try:
        obj.full_clean(validate_unique=False, validate_constraints=True)
    except ValidationError as error:
        raise CatalogError(f"{_label(obj)}: {error.message_dict}") from error


def import_catalog(paths: Iterable[Path | str] | None = None) -> ImportReport:
    """Load catalog files (the shipped fixture by default) all or nothing."""
    report = ImportReport()
    paths = list(paths or [settings.CATALOG_FIXTURE])
    with transaction.atomic():
        for path in paths:
            try:
                text = Path(path).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as error:
                raise CatalogError(f"{path}: cannot read: {error}") from error
            try:
                for deserialized in serializers.deserialize(
                    "json", text, handle_forward_references=False
                ):
                    if isinstance(deserialized.object, ErrorAlias):
                        _merge_alias(deserialized, report)
                        continue
                    if not isinstance(deserialized.object, CATALOG_MODELS):
                        raise CatalogError(
                            f"{path}: {deserialized.object._meta.label} is not catalog content"
                        )
                    _merge(deserialized, report)
            except DeserializationError as error:
                raise CatalogError(f"{path}: not a catalog file: {error}") from error
        refresh_statistics()
    return report


def export_catalog() -> str:
    """The whole catalog as JSON, in the form `import_catalog` reads."""
    out = StringIO()
    objects = []
    for model in EXPORTED_MODELS:
        queryset = model.objects.order_by(*model._meta.ordering, "pk")
        if model is ErrorEntry:
            queryset = queryset.select_related("category")
        if model in (FaqArticle, Cause):
            queryset = queryset.prefetch_related("entries")
        if model is ErrorAlias:
            queryset = queryset.select_related("entry")
        objects.extend(queryset)
    fields = sorted(
        {name for model in EXPORTED_MODELS for name in model.catalog_fields} | {"identity"}
    )
    serializers.serialize(
        "json",
        objects,
        stream=out,
        fields=fields,
        use_natural_foreign_keys=True,
        use_natural_primary_keys=True,
        indent=2,
        ensure_ascii=False,
    )
    exported = json.loads(out.getvalue())
    for item in exported:
        # A row's identity travels only where staff changed its key since it was created,
        # so that a restored catalog still matches the shipped one row for row.
        fields = item["fields"]
        if "identity" in fields and fields["identity"] == row_identity(
            *(fields[name] for name in ErrorEntry.natural_key_fields)
        ):
            del fields["identity"]
    return json.dumps(exported, ensure_ascii=False, indent=2) + "\n"


# A cell beginning with one of these is a formula (or becomes one) in a spreadsheet; the
# full-width forms too, which some spreadsheets read as their ASCII forms. The
# apostrophe is the spreadsheets' own mark of "text, not a formula".
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
TEXT_MARK = "'"


def spreadsheet_cell(value):
    """`value` as a CSV cell no spreadsheet runs: a leading apostrophe before a formula's
    first character, and before an apostrophe (so that reading it back is exact)."""
    if isinstance(value, str) and value.startswith((*FORMULA_STARTS, TEXT_MARK)):
        return TEXT_MARK + value
    return value


def text_of_cell(cell: str) -> str:
    """The text `spreadsheet_cell()` wrote `cell` for."""
    if cell.startswith(TEXT_MARK) and cell[1:].startswith((*FORMULA_STARTS, TEXT_MARK)):
        return cell[1:]
    return cell


def read_catalog_csv(text: str) -> list[dict[str, str]]:
    """The lines of a CSV export (with or without its byte-order mark), each cell's text
    as it was stored."""
    reader = csv.DictReader(StringIO(text.removeprefix("\ufeff")))
    return [{name: text_of_cell(cell) for name, cell in line.items()} for line in reader]


def export_catalog_csv() -> str:
    """Every row as one CSV line (UTF-8, no BOM, CRLF), its aliases and FAQ articles one per
    line of their cell."""
    out = StringIO()
    # CRLF ends a line (RFC 4180), so a cell holding a carriage return is quoted too.
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    rows = (
        ErrorEntry.objects.for_list()
        .order_by("catalog", "sort_order", "pk")
        .prefetch_related("aliases", "faqs")
    )
    for row in rows:
        fields = [
            row.category.slug if name == "category" else getattr(row, name)
            for name in ErrorEntry.catalog_fields
        ]
        cells = [
            *fields,
            "\n".join(sorted(alias.text for alias in row.aliases.all())),
            "\n".join(sorted(faq.slug for faq in row.faqs.all())),
        ]
        writer.writerow([spreadsheet_cell(cell) for cell in cells])
    return out.getvalue()
