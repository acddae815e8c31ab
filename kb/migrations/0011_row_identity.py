"""Each row keeps the natural key it was created (or shipped) with, so that an import
finds it after staff changed its code, status or message."""

import json

from django.db import migrations, models

KEY = ("catalog", "code", "http_status", "message_en")


def fill_identity(apps, schema_editor):
    ErrorEntry = apps.get_model("kb", "ErrorEntry")

    def identity(values):
        parts = [values[name] for name in KEY]
        parts[2] = int(parts[2])
        return json.dumps(parts, ensure_ascii=False)

    rows = list(ErrorEntry.objects.all())
    current = {row.pk: identity({name: getattr(row, name) for name in KEY}) for row in rows}
    # The key as the last import shipped it, where there is one, so that the next import
    # finds an edited row again. Where an earlier import already made a second row of that
    # key (the fault this fixes), that row keeps it and the edited one its current key.
    taken = set(current.values())
    for row in rows:
        shipped = row.shipped or {}
        key = current[row.pk]
        if all(name in shipped for name in KEY):
            as_shipped = identity(shipped)
            if as_shipped not in taken:
                taken.add(as_shipped)
                key = as_shipped
        row.identity = key
        row.save(update_fields=["identity"])


class Migration(migrations.Migration):
    dependencies = [
        ("kb", "0010_customer_phrasings"),
    ]

    operations = [
        migrations.AddField(
            model_name="errorentry",
            name="identity",
            field=models.TextField(default="", editable=False, verbose_name="identity"),
        ),
        migrations.RunPython(fill_identity, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="errorentry",
            constraint=models.UniqueConstraint(fields=("identity",), name="entry_identity"),
        ),
    ]
