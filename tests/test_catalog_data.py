"""The shipped catalog holds the official tables word for word, and our texts beside them."""

import json
import re

import pytest
from django.conf import settings

from kb.models import Category, ErrorEntry, FaqArticle
from tests.seed import apigw_rows, seed_rows

PLACEHOLDER = re.compile(r"\{[a-z]+\}")


@pytest.fixture(scope="module")
def fixture_objects():
    return json.loads(settings.CATALOG_FIXTURE.read_text(encoding="utf-8"))


def test_every_seed_row_is_in_the_catalog_verbatim_and_in_table_order(shipped_catalog):
    rows = list(ErrorEntry.objects.filter(catalog="APIG").order_by("sort_order"))
    assert [
        {
            "code": row.code,
            "message_en": row.message_en,
            "http_status": row.http_status,
            "meaning_zh": row.meaning_zh,
            "remedy_zh": row.remedy_zh,
        }
        for row in rows
    ] == seed_rows()


def test_every_apigw_row_is_in_its_own_catalog(shipped_catalog):
    rows = ErrorEntry.objects.filter(catalog="APIGW").order_by("sort_order")
    assert [(r.code, r.message_en, r.http_status) for r in rows] == [
        (r["code"], r["message_en"], r["http_status"]) for r in apigw_rows()
    ]
    assert ErrorEntry.objects.count() == 119
    assert ErrorEntry.objects.values("code").distinct().count() == 71 + 35


def test_every_row_has_both_languages_with_placeholders_kept(shipped_catalog):
    for row in ErrorEntry.objects.all():
        for name in ("meaning_zh", "meaning_en", "remedy_zh", "remedy_en"):
            assert getattr(row, name).strip(), f"{row} has no {name}"
        assert not re.search(r"[\u4e00-\u9fff]", row.meaning_en + row.remedy_en), row
        for placeholder in PLACEHOLDER.findall(row.message_en):
            assert placeholder in row.meaning_en, f"{row}: {placeholder} lost in meaning_en"


def test_rows_fall_into_their_code_family(shipped_catalog):
    families = {
        "01": "routing",
        "02": "request-backend",
        "03": "authentication",
        "04": "ip-access-control",
        "05": "quota-billing",
        "06": "gateway-internal",
        "07": "backend-signing",
        "08": "region",
        "10": "token-expiry",
        "21": "oauth-parameters",
        "22": "oauth-parameters",
    }
    assert Category.objects.count() == 10
    for row in ErrorEntry.objects.select_related("category"):
        assert row.category.slug == families[row.code.split(".")[1][:2]], row
    for category in Category.objects.all():
        assert category.name_zh and category.name_en and category.description_zh
        assert category.description_en


def test_faq_articles_serve_the_rows_whose_remedy_points_to_the_faq(shipped_catalog):
    pointing = ErrorEntry.objects.filter(catalog="APIG", remedy_zh__contains="常见问题")
    assert pointing.count() >= 4
    for row in pointing:
        assert row.faqs.exists(), f"{row} points to the FAQ but no article is linked"
    signature_rows = ErrorEntry.objects.filter(code__in=["APIG.0301", "APIG.0303"])
    for row in signature_rows:
        assert row.faqs.count() >= 3, "clock skew, request differs, wrong key"
    for article in FaqArticle.objects.all():
        assert article.title_zh and article.title_en and article.body_zh and article.body_en


def test_fixture_uses_natural_keys_only(fixture_objects):
    assert all("pk" not in obj for obj in fixture_objects)
    entry = next(obj for obj in fixture_objects if obj["model"] == "kb.errorentry")
    assert isinstance(entry["fields"]["category"], list)


def test_shipped_fixture_is_exactly_what_a_fresh_import_exports(shipped_catalog):
    from kb.catalog import export_catalog

    assert export_catalog() == settings.CATALOG_FIXTURE.read_text(encoding="utf-8")
