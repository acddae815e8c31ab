"""The code list: filters, pagination that keeps them, and bad parameters."""

import pytest

from kb.models import ErrorEntry


def codes_on(response):
    return [entry.code for entry in response.context["entries"]]


def test_lists_every_row_paginated_in_table_order(shipped_catalog, client, settings):
    settings.KB_PAGE_SIZE = 25
    response = client.get("/en/codes/")
    assert response.status_code == 200
    assert response.context["paginator"].count == 119
    assert codes_on(response)[:3] == ["APIG.0101", "APIG.0101", "APIG.0103"]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("catalog=APIGW", lambda r: r.catalog == "APIGW"),
        ("category=ip-access-control", lambda r: r.code.split(".")[1].startswith("04")),
        ("http_status=429", lambda r: r.http_status == 429),
        ("contact_support=true", lambda r: "联系技术支持工程师" in r.remedy_zh),
        ("contact_support=false", lambda r: "联系技术支持工程师" not in r.remedy_zh),
        (
            "q=throttling",
            lambda r: "throttl" in (r.message_en + r.meaning_en + r.remedy_en).lower(),
        ),
        ("q=流控", lambda r: "流控" in r.meaning_zh + r.remedy_zh),
        ("q=apig.0201", lambda r: r.code == "APIG.0201"),
    ],
)
def test_each_filter_selects_exactly_the_matching_rows(shipped_catalog, client, query, expected):
    response = client.get(f"/en/codes/?{query}")
    assert response.status_code == 200
    shown = {e.pk for e in response.context["paginator"].object_list}
    wanted = {row.pk for row in ErrorEntry.objects.all() if expected(row)}
    assert wanted and shown == wanted


def test_filters_combine(shipped_catalog, client):
    response = client.get("/en/codes/?catalog=APIG&http_status=502")
    assert sorted(set(codes_on(response))) == ["APIG.0201", "APIG.0202", "APIG.0610"]


def test_pagination_links_keep_the_filters(shipped_catalog, client, settings):
    settings.KB_PAGE_SIZE = 5
    html = client.get("/en/codes/?catalog=APIG&contact_support=true").content.decode()
    assert "?catalog=APIG&amp;contact_support=true&amp;page=2" in html
    second = client.get("/en/codes/?catalog=APIG&contact_support=true&page=2")
    assert second.status_code == 200
    assert all(e.contact_support and e.catalog == "APIG" for e in second.context["entries"])


@pytest.mark.parametrize("page", ["999", "0", "-1", "abc", "1e9"])
def test_bad_page_number_is_a_404(shipped_catalog, client, page):
    assert client.get(f"/en/codes/?page={page}").status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "http_status=abc",
        "http_status=999",
        "catalog=NOPE",
        "category=nope",
        "contact_support=maybe",
        "q=" + "x" * 500,
    ],
)
def test_bad_filter_parameter_is_a_400_that_says_what_is_wrong(shipped_catalog, client, query):
    response = client.get(f"/en/codes/?{query}")
    assert response.status_code == 400
    assert b"Some filters are not valid" in response.content


def test_list_query_count_does_not_grow_with_rows(
    shipped_catalog, client, django_assert_max_num_queries, settings
):
    settings.KB_PAGE_SIZE = 100
    with django_assert_max_num_queries(6):
        client.get("/en/codes/")
