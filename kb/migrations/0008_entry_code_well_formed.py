"""Codes are APIG.dddd or APIGW.dddd: a validator on the field, and a database constraint.

A row saved before with another form (`APIG.0201/x`) stops the migration with the list
of such rows: correct them in the admin (or with `manage.py shell`), then migrate again.
"""

import re

import django.core.validators
from django.db import migrations, models

# Frozen here: the form this migration checks, whatever kb.text.codes says later.
STORED_CODE = re.compile(r"APIGW?\.[0-9]{4}")


def refuse_malformed_codes(apps, schema_editor):
    ErrorEntry = apps.get_model("kb", "ErrorEntry")
    rows = ErrorEntry.objects.values_list("pk", "code")
    bad = [f"{pk}: {code!r}" for pk, code in rows if not STORED_CODE.fullmatch(code)]
    if bad:
        raise RuntimeError(
            "These error-code rows have a code that is not APIG.dddd or APIGW.dddd; "
            "correct them, then migrate again: " + ", ".join(bad)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("kb", "0007_causes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="errorentry",
            name="code",
            field=models.CharField(
                max_length=20,
                validators=[
                    django.core.validators.RegexValidator(
                        "^APIGW?\\.[0-9]{4}\\Z",
                        message="A code is APIG. or APIGW. and four digits, such as APIG.0303 or APIGW.0101.",
                    )
                ],
                verbose_name="code",
            ),
        ),
        migrations.AlterField(
            model_name="historicalerrorentry",
            name="code",
            field=models.CharField(
                max_length=20,
                validators=[
                    django.core.validators.RegexValidator(
                        "^APIGW?\\.[0-9]{4}\\Z",
                        message="A code is APIG. or APIGW. and four digits, such as APIG.0303 or APIGW.0101.",
                    )
                ],
                verbose_name="code",
            ),
        ),
        migrations.RunPython(refuse_malformed_codes, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="errorentry",
            constraint=models.CheckConstraint(
                condition=models.Q(("code__regex", "^APIGW?\\.[0-9]{4}$")),
                name="entry_code_well_formed",
            ),
        ),
    ]
