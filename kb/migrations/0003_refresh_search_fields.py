from django.db import migrations

# A frozen copy of the tokenizer: app code may change or move, a migration may not.
from kb.migrations._frozen_search_tokens import document_text, message_key


def refresh(apps, schema_editor):
    """Recompute the derived search fields with the tokenizer and sections of the time."""
    ErrorEntry = apps.get_model("kb", "ErrorEntry")
    for entry in ErrorEntry.objects.prefetch_related("faqs"):
        entry.message_key = message_key(entry.message_en)
        entry.search_text = document_text(
            f"{entry.code} {entry.message_en}",
            f"{entry.meaning_zh} {entry.meaning_en}",
            f"{entry.remedy_zh} {entry.remedy_en}",
            " ".join(
                f"{faq.title_zh} {faq.title_en} {faq.summary_zh} {faq.summary_en}"
                for faq in entry.faqs.all()
            ),
        )
        entry.save(update_fields=["message_key", "search_text"])


class Migration(migrations.Migration):
    dependencies = [("kb", "0002_search")]

    operations = [migrations.RunPython(refresh, migrations.RunPython.noop)]
