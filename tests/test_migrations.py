"""Upgrading a database that already holds the catalog: history starts, the group appears."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("kb", "0004_status_order_index")]


@pytest.mark.django_db(transaction=True)
def test_existing_rows_and_articles_get_a_first_version_and_editors_a_group():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    category = old.get_model("kb", "Category").objects.create(
        slug="auth", code_range="03xx", name_zh="认证", name_en="Authentication"
    )
    entry = old.get_model("kb", "ErrorEntry").objects.create(
        catalog="APIG", code="APIG.0308", http_status=429, message_en="Throttled.",
        category=category, meaning_zh="流控", meaning_en="Throttled.", remedy_zh="重试。",
        remedy_en="Retry.",
    )  # fmt: skip
    article = old.get_model("kb", "FaqArticle").objects.create(
        slug="throttling", title_zh="流控", title_en="Throttling", body_zh="b", body_en="b"
    )
    article.entries.add(entry)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes("kb"))

    from django.contrib.auth.models import Group

    from kb.models import ErrorEntry, FaqArticle

    row = ErrorEntry.objects.get(pk=entry.pk)
    assert row.history.get().remedy_en == "Retry."
    # The row keeps its key as its identity, and is found by it after a change of code.
    assert ErrorEntry.objects.get_by_natural_key("APIG", "APIG.0308", 429, "Throttled.") == row
    faq = FaqArticle.objects.get(pk=article.pk)
    assert list(faq.history.get().entries.values_list("errorentry_id", flat=True)) == [row.pk]
    row.remedy_en = "Wait, then retry."
    row.save()
    latest, first = row.history.all()[:2]
    assert latest.diff_against(first).changed_fields == ["remedy_en"]
    row.code = "APIG.0388"
    row.save()
    assert ErrorEntry.objects.get_by_natural_key("APIG", "APIG.0308", 429, "Throttled.") == row
    assert Group.objects.get(name="Support editors").permissions.exists()
