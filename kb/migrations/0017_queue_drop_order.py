"""The unknown-error queue: an index in the order a full queue drops its groups (the
oldest resolved first, then the open ones seen longest ago), so that dropping one for
each new group reads a few index entries instead of sorting the queue
(kb.unknown_errors._keep_queue_bounded)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("kb", "0016_search_index_without_positions"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="unansweredsearch",
            index=models.Index(
                fields=["status", "last_seen", "id"], name="unanswered_drop_order"
            ),
        ),
    ]
