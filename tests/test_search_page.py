"""The search page behind the home page's box."""

import re
from html import unescape
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.template.defaultfilters import truncatechars
from django.utils import translation

from kb.models import Cause, ErrorEntry, FaqArticle
from kb.search_page import TITLE_CHARS, title_of


def test_home_box_submits_to_the_search_page(shipped_catalog, client):
    html = client.get("/en/").content.decode()
    assert 'action="/en/search/"' in html
    assert "<textarea" in html


def test_code_alone_goes_straight_to_its_row(shipped_catalog, client):
    response = client.get("/en/search/", {"q": "apig-0201 413"})
    assert response.status_code == 302
    assert response["Location"] == "/en/codes/APIG.0201/#413-request-entity-too-large"


README_PASTE = (
    '{"error_code": "APIG.0308", "error_msg": "The throttling threshold has been reached: '
    'policy ip over ratelimit,limit:5,time:1 minute"}'
)


def test_a_pasted_response_with_one_code_shows_its_cause_instead_of_going_to_the_code(
    shipped_catalog, client
):
    response = client.get("/en/search/", {"q": README_PASTE})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Likely cause" in html
    assert "The limit is 5 calls in 1 minute" in html


def test_the_box_posts_and_a_short_query_moves_to_a_shareable_address(shipped_catalog, client):
    response = client.post("/en/search/", {"q": README_PASTE})
    assert response.status_code == 303
    assert response["Location"] == "/en/search/?" + urlencode({"q": README_PASTE})


def test_a_long_paste_is_answered_from_the_post_without_a_long_address(shipped_catalog, client):
    paste = README_PASTE + " " + "签名校验失败" * 500  # 9 KB of UTF-8, 27 KB in a URL
    response = client.post("/en/search/", {"q": paste})
    assert response.status_code == 200
    assert "APIG.0308" in response.content.decode()


def test_pasted_response_shows_ranked_rows_with_request_id_notice(shipped_catalog, client):
    text = (
        '{"error_msg":"Backend unavailable","error_code":"APIG.0201",'
        '"request_id":"0a1b2c3d4e5f6a7b"}'
    )
    response = client.get("/zh-hans/search/", {"q": text})
    assert response.status_code == 200
    html = response.content.decode()
    assert "0a1b2c3d4e5f6a7b" in html
    best = ErrorEntry.objects.get(code="APIG.0201", http_status=502)
    assert html.index(best.get_absolute_url()) < html.index("#504-backend-timeout")
    assert "按错误码匹配" in html


def test_a_sure_answer_shows_its_rows_and_only_the_closest_alternatives(shipped_catalog, client):
    html = client.get("/en/search/", {"q": "Request entity to large"}).content.decode()
    # Both catalogs document the message: two sure rows, then at most two near misses
    # (the API still lists ten rows, for scripts that want them).
    assert html.count('<li class="result') == 4
    assert html.index("/en/codes/APIG.0201/#413-request-entity-too-large") < html.index(
        "APIGW.0201"
    )
    api = client.get("/api/v1/search", {"q": "Request entity to large"}).json()
    assert len(api["results"]) == 10
    # A whole code keeps every one of its rows.
    html = client.get("/en/search/", {"q": "APIG.0201 from the gateway"}).content.decode()
    assert html.count('<li class="result') >= ErrorEntry.objects.filter(code="APIG.0201").count()


# A description no row answers surely (no row holds most of its words), and a sure one.
UNSURE_TEXT = "the portal is slow"
SURE_TEXT = "Request entity to large"


def test_a_search_with_no_sure_answer_says_so_above_its_rows(shipped_catalog, client):
    for language, notice, label in (
        ("en", "Closest matches", "matched by some words"),
        ("zh-hans", "最接近的条目", "按部分词语匹配"),
    ):
        html = client.get(f"/{language}/search/", {"q": UNSURE_TEXT}).content.decode()
        rows = html.count('<li class="result')
        assert rows > 0
        assert f"<h2>{notice}</h2>" in html
        # No row is called the best match, and each says it only shares words.
        assert "result best" not in html and "matching row" not in html
        assert html.count('<li class="result unsure">') == rows
        assert html.count(f">{label}</span>") == rows

        html = client.get(f"/{language}/search/", {"q": SURE_TEXT}).content.decode()
        assert notice not in html
        assert '<li class="result best">' in html
        # Under a sure answer, the closest alternatives say they only share words.
        assert html.count(f">{label}</span>") == html.count('<li class="result unsure">') == 2


def test_a_sure_page_and_an_unsure_one_of_the_same_shape_each_say_what_they_are(
    shipped_catalog, client
):
    # The page of one language and number of rows is rendered once and kept; whether the
    # answer is sure must not be kept with it, whichever of the two comes first.
    def rows(text: str) -> int:
        return client.get("/en/search/", {"q": text}).content.decode().count('<li class="result')

    from kb.search_page import forget_kept_parts

    assert rows(UNSURE_TEXT) == rows(SURE_TEXT), "pick two texts whose pages show as many rows"
    for first, second in ((UNSURE_TEXT, SURE_TEXT), (SURE_TEXT, UNSURE_TEXT)):
        forget_kept_parts()
        for text in (first, second):
            html = client.get("/en/search/", {"q": text}).content.decode()
            assert ("Closest matches" in html) == (text == UNSURE_TEXT), (first, text)


def test_an_unsure_answer_asks_for_the_status_only_of_a_text_that_states_none(
    shipped_catalog, client
):
    # Two texts with no sure answer and as many rows: one states no status, one does. The
    # page of one shape is kept, so each is asked first in turn.
    from kb.search_page import forget_kept_parts

    no_status, with_status = "my cat ate the token", "weird 403 from somewhere"
    hint = {
        "en": "Add the HTTP status the gateway answered",
        "zh-hans": "请加上网关返回的HTTP状态码",
    }
    for language in ("en", "zh-hans"):
        for order in ((no_status, with_status), (with_status, no_status)):
            forget_kept_parts()
            pages = {}
            for text in order:
                html = client.get(f"/{language}/search/", {"q": text}).content.decode()
                assert '<li class="result unsure">' in html, text
                assert (hint[language] in html) == (text == no_status), (language, order, text)
                pages[text] = html.count('<li class="result')
            assert pages[no_status] == pages[with_status], "pick two texts with as many rows"


def status_choices(page: str) -> list[tuple[str, str]]:
    """The (address, status) of each search-again link of a page, in order."""
    found = re.search(r'<p class="status-choices">(.*?)</p>', page)
    links = re.findall(r'<a class="status status-\dxx" href="([^"]+)">(\d{3})</a>', found[1])
    return [(unescape(href), status) for href, status in links]


def test_an_unsure_page_searches_again_with_each_status_of_its_rows(shipped_catalog, client):
    # Two texts with no sure answer and no status, whose pages have one shape (kept once):
    # each links its own text, with each status its rows have, in their order.
    from kb.search_page import forget_kept_parts

    texts = ("my cat ate the token", "my dog ate the signature")
    labels = {"en": "Search again with the status:", "zh-hans": "加上HTTP状态码再搜索："}
    for language, label in labels.items():
        forget_kept_parts()
        shown = set()
        for text in texts:
            page = client.get(f"/{language}/search/", {"q": text}).content.decode()
            shown.add(page.count('<li class="result'))
            assert f'<p class="status-choices">{label} ' in page
            rows = re.findall(r'<span class="status status-\dxx">HTTP (\d{3})</span>', page)
            links = status_choices(page)
            assert [status for _href, status in links] == list(dict.fromkeys(rows))
            assert len(links) > 1
            for href, status in links:
                address = urlsplit(href)
                assert address.path == f"/{language}/search/"
                assert parse_qs(address.query)["q"] == [f"{text} HTTP {status}"]
        assert len(shown) == 1, "pick two texts with as many rows"

    # Followed: the text states the status, its rows have it, and nothing more is asked.
    href, status = status_choices(client.get("/en/search/", {"q": texts[0]}).content.decode())[0]
    page = client.get(href).content.decode()
    assert f"{texts[0]} HTTP {status}</textarea>" in page
    assert re.search(r'<span class="status status-\dxx">HTTP (\d{3})</span>', page)[1] == status
    assert "status-choices" not in page and "Add the HTTP status" not in page


def test_a_text_too_long_for_an_address_gets_no_status_links(shipped_catalog, client):
    # Posted, not redirected: a link could not carry it, the box can.
    text = "my cat ate the token " + "and then it sat on the keyboard " * 70
    page = client.post("/en/search/", {"q": text}).content.decode()
    assert "Add the HTTP status the gateway answered" in page
    assert "status-choices" not in page


def test_matched_words_are_highlighted(shipped_catalog, client):
    html = client.get("/en/search/", {"q": "throttled"}).content.decode()
    assert "<mark>throttling</mark>" in html


def test_no_match_shows_suggestions(shipped_catalog, client):
    response = client.get("/en/search/", {"q": "APIG.0309"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "No row matches" in html
    assert "/en/codes/APIG.0308/" in html


def test_search_text_is_escaped(shipped_catalog, client):
    html = client.get("/en/search/", {"q": "<script>alert(1)</script> 签名"}).content.decode()
    assert "<script>alert(1)" not in html
    # The query is still there, in the box, as text.
    assert "&lt;script&gt;alert(1)&lt;/script&gt; 签名</textarea>" in html


def test_each_search_links_its_own_text_in_each_language_escaped(shipped_catalog, client):
    # The links' common parts are kept per path and language; each page's text goes in,
    # as the address has it (its quote and ampersand as they are), escaped.
    for query, escaped in [
        ("?q=timeout+'504'&x=1", "?q=timeout+&#x27;504&#x27;&amp;x=1"),
        ("?q=%E7%AD%BE%E5%90%8D+'403'", "?q=%E7%AD%BE%E5%90%8D+&#x27;403&#x27;"),
    ]:
        html = client.get("/en/search/" + query).content.decode()
        assert f'<link rel="canonical" href="http://testserver/en/search/{escaped}">' in html
        for code, path in [("zh-hans", "/zh-hans"), ("en", "/en"), ("x-default", "")]:
            href = f"http://testserver{path}/search/{escaped}"
            assert f'<link rel="alternate" hreflang="{code}" href="{href}">' in html
        assert f'<a href="/zh-hans/search/{escaped}" hreflang="zh-hans"' in html
        assert f'<a href="/en/search/{escaped}" hreflang="en"' in html


def test_too_long_text_is_a_413_with_a_message(shipped_catalog, client):
    response = client.post("/en/search/", {"q": "x" * 20000})
    assert response.status_code == 413
    assert "too long" in response.content.decode()


def test_a_search_with_no_sure_answer_joins_the_unknown_queue_without_secrets(
    shipped_catalog, client
):
    from kb.models import UnansweredSearch

    client.get(
        "/en/search/",
        {
            "q": "weird gateway failure frobnicated "
            "X-Auth-Token: MIIEvQYJKoZIhvcNAQcCoIIErjCCBKoCAQE"
        },
    )
    client.get("/api/v1/search", {"q": "APIG.0303"})  # a sure answer: not queued
    queued = UnansweredSearch.objects.get()
    assert "frobnicated" in queued.text
    assert "MIIEvQYJ" not in queued.text


def test_a_code_with_several_rows_goes_to_its_page(shipped_catalog, client):
    response = client.get("/en/search/", {"q": "apig0201"})
    assert response.status_code == 302
    assert response["Location"] == "/en/codes/APIG.0201/"


def test_a_bare_number_of_two_catalogs_lists_both(shipped_catalog, client):
    response = client.get("/en/search/", {"q": "0303"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "/en/codes/APIG.0303/" in html and "/en/codes/APIGW.0303/" in html


def test_results_link_the_faq_articles_of_each_row(
    shipped_catalog, client, django_assert_max_num_queries
):
    faq = FaqArticle.objects.get(slug="backend-unavailable")
    with django_assert_max_num_queries(12):
        html = client.get("/en/search/", {"q": "Backend unavailable."}).content.decode()
    assert faq.get_absolute_url() in html


def test_an_edited_row_shows_its_new_text_to_the_next_paste(shipped_catalog, client):
    # The rows a search shows are kept by the process until the catalog changes.
    assert "APIG.0308" in client.get("/en/search/", {"q": README_PASTE}).content.decode()
    entry = ErrorEntry.objects.get(code="APIG.0308")
    entry.remedy_en = "Ask support to widen your quota."
    entry.save()
    html = client.get("/en/search/", {"q": README_PASTE + " "}).content.decode()
    assert "Ask support to widen your quota." in html


def test_results_link_rows_and_faq_articles_in_the_language_of_the_page(shipped_catalog, client):
    # The links are kept per process: a page in one language never gets another's.
    for language, other in [("en", "zh-hans"), ("zh-hans", "en"), ("en", "zh-hans")]:
        query = {"q": f"Backend unavailable. {language}"}
        html = client.get(f"/{language}/search/", query).content.decode()
        assert f'href="/{language}/faq/backend-unavailable/"' in html
        assert f'id="hit-1"><a href="/{language}/codes/' in html
        assert f'href="/{other}/codes/' not in html and f'href="/{other}/faq/' not in html
        # Each row's status is coloured by its class.
        statuses = re.findall(r'class="status status-(\d)xx">HTTP (\d+)<', html)
        assert statuses and all(status.startswith(kind) for kind, status in statuses)


def test_a_faq_article_linked_to_a_row_shows_under_it_at_the_next_paste(shipped_catalog, client):
    # The rows shown, and their FAQ links, are kept by the process until the catalog changes.
    html = client.get("/en/search/", {"q": README_PASTE}).content.decode()
    faq = next(f for f in FaqArticle.objects.all() if f.get_absolute_url() not in html)
    faq.entries.add(ErrorEntry.objects.get(code="APIG.0308"))
    html = client.get("/en/search/", {"q": README_PASTE + " "}).content.decode()
    assert f'<a href="{faq.get_absolute_url()}">{faq.title}</a>' in html


def test_an_edited_cause_shows_its_new_text_to_the_next_paste(shipped_catalog, client):
    # The causes of the rows searched are kept by the process until the catalog changes.
    html = client.get("/en/search/", {"q": README_PASTE}).content.decode()
    assert "Likely cause" in html
    causes = Cause.objects.filter(entries__code="APIG.0308")
    cause = next(cause for cause in causes if cause.explanation_en in html)
    cause.explanation_en = "A gateway throttling policy stopped this call: see its limits."
    cause.save()
    html = client.get("/en/search/", {"q": README_PASTE + " "}).content.decode()
    assert "A gateway throttling policy stopped this call: see its limits." in html


# Pastes whose results differ in kind: a code with its diagnosis and request ID, a message,
# words alone, Chinese words, a status.
RESULT_PASTES = [
    README_PASTE,
    '{"error_msg":"Backend unavailable","error_code":"APIG.0201","request_id":"0a1b2c3d"}',
    "Request entity to large",
    "the gateway says my signature does not match",
    "签名 校验 失败",
    "HTTP 429 too many requests from the gateway",
    # No sure answer: the rows share a few of its words.
    "the portal is slow",
]


def test_each_result_is_its_template_rendered_as_it_stands(shipped_catalog, client):
    # A result's parts common to every search that shows its row are kept per process;
    # the page shows what kb/includes/result.html renders with the hit's own values.
    from django.template.loader import render_to_string
    from django.utils import translation

    from kb.search.answer import answer
    from kb.search_page import RESULT_TEMPLATE, hit_values, marked_texts

    for language in ("en", "zh-hans"):
        for paste in RESULT_PASTES:
            for visit in ("rendered", "kept"):
                html = client.get(f"/{language}/search/", {"q": paste}).content.decode()
                with translation.override(language):
                    shown = answer(paste, language=language, record=False).result.shown
                    assert html.count('<li class="result') == len(shown) > 0, (paste, visit)
                    for number, hit in enumerate(shown, 1):
                        straight = render_to_string(
                            RESULT_TEMPLATE,
                            {
                                "entry": hit.entry,
                                "match": hit.match,
                                "first": number == 1,
                                "sure": hit.confident,
                                **hit_values(hit, number, marked_texts(hit.entry), ""),
                            },
                        )
                        assert straight in html, (language, paste, visit, number)


def straight_page(response, paste: str, language: str) -> str:
    """kb/search.html rendered as it stands for `paste`'s answer, for the request that
    `response` answered: what the kept page must equal."""
    from django.template.loader import render_to_string
    from django.utils import translation

    from kb.search.answer import answer
    from kb.search_page import SEARCH_TEMPLATE, search_context

    with translation.override(language):
        context = search_context(answer(paste, language=language, record=False))
        assert context["shown_count"], paste
        return render_to_string(SEARCH_TEMPLATE, context, response.wsgi_request)


def test_each_search_page_is_its_template_rendered_as_it_stands(shipped_catalog, client):
    # The parts of the page every search of one shape shows are kept per process, so the
    # first paste of a shape leaves its holes to the next: each page must be what
    # kb/search.html renders with its own values, the header's links to its own address.
    pastes = [*RESULT_PASTES, "<b>APIG.0303</b> & 'quotes'", "APIG.0303 签名错误 request_id x1"]
    for language in ("en", "zh-hans"):
        for paste in pastes:
            response = client.get(f"/{language}/search/", {"q": paste})
            assert response.content.decode() == straight_page(response, paste, language), (
                language,
                paste,
            )


def test_a_staff_members_search_leaves_nothing_of_theirs_in_the_next_page(
    shipped_catalog, editor_client
):
    # The first search of a shape renders the page kept for every later one: whoever
    # asked first, the next reader sees the page as the template renders it for them.
    from django.test import Client

    paste = RESULT_PASTES[1]
    editor_client.get("/en/search/", {"q": paste})
    reader = Client().get("/en/search/", {"q": paste})
    assert reader.content.decode() == straight_page(reader, paste, "en")


def test_row_text_with_markup_shows_as_text_with_the_matched_words_marked(db, client):
    from tests.factories import make_entry

    make_entry(
        code="APIG.0931",
        message_en="Header <X-Gadget> & 'token' rejected.",
        remedy_en="Remove <script>alert(1)</script> from the gadget header.",
    )
    for _visit in range(2):  # the row's parts rendered, then kept
        html = client.get("/en/search/", {"q": "gadget header rejected"}).content.decode()
        assert "<X-Gadget>" not in html and "<script>alert(1)" not in html
        assert "<mark>Header</mark> &lt;X-<mark>Gadget</mark>&gt; &amp; &#x27;token&#x27; " in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt; from the <mark>gadget</mark>" in html


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize(
    "text",
    [
        "APIG.0303",
        "x" * 60,
        "x" * 61,
        '{"error_code":"APIG.0303","error_msg":"Incorrect app authentication information: '
        'verify signature fail","request_id":"a8f1"}',
        "…" + "x" * 70,
        "x" * 59 + "…" + "x" * 10,
        "调用API时返回APIG.0303，签名校验失败，请问是哪里的问题？" * 3,
        "cafe\u0301 " * 20,
    ],
)
def test_the_title_cuts_the_paste_as_djangos_filter_does(language, text):
    with translation.override(language):
        assert title_of(text) == truncatechars(text, TITLE_CHARS)
