"""The signature checker: two canonical requests side by side, and no secret key accepted."""

import pytest
from django.utils import translation

from kb.diagnosis.canonical import EMPTY_BODY_SHA256, compare, parse
from kb.redact import secret_in

URL = "/en/diagnose/signature/"
BODY_HASH = "5d41402abc4b2a76b9719d911017c592" * 2
GATEWAY = (
    "Incorrect app authentication information: verify signature fail, canonicalRequest:"
    "POST|/v1/orders/|a=1&b=2|content-type:application/json;charset=UTF-8|"
    f"host:api.example.com|x-sdk-date:20230527T015431Z||content-type;host;x-sdk-date|{BODY_HASH}"
)


def client_request(
    path="/v1/orders/",
    query="a=1&b=2",
    content_type="application/json;charset=UTF-8",
    signed="content-type;host;x-sdk-date",
    body_hash=BODY_HASH,
) -> str:
    """A canonical request as a signing SDK logs it: one part a line."""
    return "\n".join(
        [
            "POST",
            path,
            query,
            f"content-type:{content_type}",
            "host:api.example.com",
            "x-sdk-date:20230527T015431Z",
            "",
            signed,
            body_hash,
        ]
    )


def differences(client_text: str) -> list[str]:
    with translation.override("en"):
        comparison = compare(parse(GATEWAY), parse(client_text))
    return [part.label for part in comparison.parts if not part.same]


def first_hint(client_text: str) -> str:
    with translation.override("en"):
        return compare(parse(GATEWAY), parse(client_text)).first_difference.hint


# The comparison, part by part -------------------------------------------------


def test_gateway_and_sdk_forms_of_the_same_request_are_identical():
    with translation.override("en"):
        assert compare(parse(GATEWAY), parse(client_request())).identical


def test_missing_trailing_slash_is_the_first_difference():
    assert differences(client_request(path="/v1/orders")) == ["Path"]
    assert "trailing slash" in first_hint(client_request(path="/v1/orders"))


def test_path_encoded_differently_is_named_as_encoding():
    gateway = GATEWAY.replace("/v1/orders/", "/v1/my%20orders/")
    with translation.override("en"):
        part = compare(parse(gateway), parse(client_request(path="/v1/my orders/")))
    assert part.first_difference.label == "Path"
    assert "encoded differently" in part.first_difference.hint


def test_query_parameters_not_sorted_are_named_as_order():
    assert differences(client_request(query="b=2&a=1")) == ["Query string"]
    assert "another order" in first_hint(client_request(query="b=2&a=1"))


def test_query_encoded_with_plus_is_named_as_encoding():
    gateway = GATEWAY.replace("a=1&b=2", "a=1&q=x%20y")
    with translation.override("en"):
        first = compare(parse(gateway), parse(client_request(query="a=1&q=x+y"))).first_difference
    assert "%20, not +" in first.hint


def test_query_parameter_added_after_signing_is_named():
    hint = first_hint(client_request(query="a=1"))
    assert "only in the gateway's: b" in hint


def test_header_value_changed_after_signing_is_named():
    text = client_request(content_type="application/json")
    assert differences(text) == ["Header content-type"]
    assert "charset=UTF-8" in first_hint(text)


def test_header_signed_but_not_sent_is_named():
    gateway = GATEWAY.replace("content-type:application/json;charset=UTF-8", "content-type:")
    with translation.override("en"):
        first = compare(parse(gateway), parse(client_request())).first_difference
    assert first.label == "Header content-type"
    assert "Signed but not sent" in first.hint


def test_different_signed_headers_are_named():
    text = client_request(signed="host;x-sdk-date")
    assert "Signed headers" in differences(text)


def test_body_changed_after_signing_is_named_and_an_empty_body_is_recognised():
    text = client_request(body_hash="ab" * 32)
    assert differences(text) == ["Body hash"]
    assert "body changed after signing" in first_hint(text).lower()
    gateway = GATEWAY.replace(BODY_HASH, EMPTY_BODY_SHA256)
    with translation.override("en"):
        first = compare(parse(gateway), parse(client_request())).first_difference
    assert "received no body" in first.hint


# The page ----------------------------------------------------------------------


def test_page_offers_two_fields_and_a_csrf_protected_form(client, db):
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="gateway"' in html and 'name="client"' in html
    assert 'method="post"' in html and "csrfmiddlewaretoken" in html
    assert "never paste the SK or the AppSecret" in html


def test_page_shows_both_requests_side_by_side_and_marks_the_first_difference(client, db):
    response = client.post(URL, {"gateway": GATEWAY, "client": client_request(path="/v1/orders")})
    html = response.content.decode()

    assert response.status_code == 200
    assert "The first difference is in: Path." in html
    assert "<code>/v1/orders/</code>" in html and "<code>/v1/orders</code>" in html
    assert html.count("first-difference") == 1
    assert html.index("first-difference") < html.index("Header host")


def test_identical_requests_point_at_the_key(client, db):
    html = client.post(URL, {"gateway": GATEWAY, "client": client_request()}).content.decode()
    assert "The two canonical requests are the same" in html


def test_gateway_request_alone_is_laid_out(client, db):
    html = client.get(URL, {"gateway": GATEWAY}).content.decode()
    assert "The gateway&#x27;s canonical request" in html
    assert "<code>content-type;host;x-sdk-date</code>" in html
    assert "ends with /" in html


def test_page_speaks_chinese(client, db):
    html = client.post(
        "/zh-hans/diagnose/signature/",
        {"gateway": GATEWAY, "client": client_request(path="/v1/orders")},
    ).content.decode()
    assert "签名比对工具" in html
    assert "第一处差异" in html


@pytest.mark.parametrize(
    "secret",
    [
        "AppSecret=3f7a9c0e5b8d4a1f9e6c2b7d0a5f8e3c",
        "SK: Qf7kLm2Np9Rs4Tv6Wx8Yz1Ab3Cd5Ef7Gh9Ij0Kl2",
        "secret_key = 'hunter2hunter2'",
        "Qf7kLm2Np9Rs4Tv6Wx8Yz1Ab3Cd5Ef7Gh9Ij0Kl2",
    ],
)
def test_field_that_looks_like_a_secret_key_is_refused_and_not_shown_back(client, db, secret):
    value = client_request() + "\n" + secret
    response = client.post(URL, {"gateway": GATEWAY, "client": value})
    html = response.content.decode()

    assert response.status_code == 400
    assert "This page never needs a secret key" in html
    assert secret.split()[-1].strip("'") not in html
    assert "The first difference" not in html


def test_secret_in_the_gateway_field_is_refused_too(client, db):
    response = client.post(URL, {"gateway": "SK=Qf7kLm2Np9Rs4Tv6Wx8Yz1Ab3Cd5Ef7Gh9Ij0Kl2"})
    assert response.status_code == 400
    assert "Qf7kLm2Np9" not in response.content.decode()


@pytest.mark.parametrize(
    "text",
    [
        GATEWAY,
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "authorization:SDK-HMAC-SHA256 Access=0117e5e1, SignedHeaders=host, Signature=" + "a" * 64,
        "sk=******",
        "x-sdk-date:20230527T015431Z",
    ],
)
def test_what_a_canonical_request_holds_is_not_taken_for_a_secret(text):
    assert secret_in(text) is None


@pytest.mark.parametrize(
    "data",
    [
        {"gateway": "hello"},
        {"gateway": ""},
        {"gateway": "   "},
        {"gateway": GATEWAY, "client": "not a request"},
        {"gateway": "GET|" + "x" * 20000},
        {"gateway": "GET|/\x00|"},
    ],
)
def test_bad_input_is_a_400_with_a_message_never_a_500(client, db, data):
    response = client.post(URL, data)
    assert response.status_code == 400
    assert 'class="form-errors"' in response.content.decode()


def test_bytes_that_are_not_utf8_are_a_400_never_a_500(client, db):
    body = b"gateway=GET%7C%2F%FF%FE%7C&client="
    response = client.post(URL, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="form-errors"' in html and "not UTF-8" in html


def test_unrelated_query_parameters_just_show_the_empty_form(client, db):
    assert client.get(URL, {"utm_source": "mail"}).status_code == 200


def test_nothing_pasted_is_stored(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.post(
            URL, {"gateway": GATEWAY, "client": client_request(path="/v1/orders")}
        )
    # The two requests were read and compared, without a query to the database.
    assert response.status_code == 200
    assert "Part by part" in response.content.decode()


def test_the_header_links_to_the_checker(client, db):
    assert URL in client.get("/en/").content.decode()
