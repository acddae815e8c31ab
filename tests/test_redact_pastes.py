"""redact() on what people really paste: each paste, its secrets, and the words that stay.

A table of real-shaped pastes in English and Chinese (headers, curl, SDK code, env files,
JSON, YAML, URL-encoded bodies, tickets written by hand), and a property test: a
generated secret in any of these shapes never survives.
"""

import string

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from kb.redact import redact, secret_in

SK = "Q1w2E3r4T5y6U7i8O9p0A1s2D3f4G5h6J7k8L9z0"
AK = "HPUA7XQ2R5T8Y1K3M6N9"
TOKEN = "MIIEXAYJKoZIhvcNAQcCoIIETTCCBEkCAQExDTALBglghkgBZQMEAgEwggLXBgkqhkiG9w0BBwGg"
SHORT_IAM = "MIIDkgYJKoZIhvcNAQcCoIIDgzCCA38CAQEx"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
FERNET = "gAAAAABlVx1_q2W3e4R5t6Y7u8I9o0P1a2S3d4F5g6H7"
HEX48 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822c"
B64 = "dGhpcyBpcyBhIHNlY3JldCB2YWx1ZSB0aGF0IG11c3Qgbm90IGxlYWs="
PW = "Zx9!mQ2#vL"

# (paste, secrets that must not survive, words that must stay)
PASTES = [
    # Names with a full-width colon, as Chinese input methods type them.
    (f"SK：{SK}", [SK], ["SK"]),
    (f"AK：{AK}，SK：{SK}", [AK, SK], ["AK", "SK"]),
    (f"密码：{PW}", [PW], ["密码"]),
    (f"数据库密码：{PW}，连不上", [PW], ["数据库密码"]),
    (f"我的密码是{PW}", [PW], ["我的密码"]),
    (f"密钥={SK}", [SK], ["密钥"]),
    ("应用密钥：app-secret-value-77", ["app-secret-value-77"], ["应用密钥"]),
    (f"访问密钥ID：{AK}", [AK], ["访问密钥ID"]),
    (f"令牌：{SHORT_IAM}", [SHORT_IAM], ["令牌"]),
    ("令牌为tok_9f8e7d6c5b", ["tok_9f8e7d6c5b"], ["令牌"]),
    ("私钥：ed25519-AbCdEf012345", ["ed25519-AbCdEf012345"], ["私钥"]),
    ("凭证：cred-77f1e2d3", ["cred-77f1e2d3"], ["凭证"]),
    ("口令：open sesame 42", ["open sesame 42", "sesame"], ["口令"]),
    ("授权码：AUTH-8827-XQ", ["AUTH-8827-XQ"], ["授权码"]),
    (f"调用API时报错APIG.0301，密钥 {SK} 已经确认过", [SK], ["APIG.0301", "已经确认过"]),
    # camelCase, PascalCase, kebab and header names.
    ("clientSecret=cs_live_51Hq2xYz", ["cs_live_51Hq2xYz"], ["clientSecret"]),
    ("accessKeySecret=LTAI5tAbCdEf9", ["LTAI5tAbCdEf9"], ["accessKeySecret"]),
    ("accessToken=at.8f2b9c1d0e", ["at.8f2b9c1d0e"], ["accessToken"]),
    ('{"authToken": "v2.local.Zm9vYmFy"}', ["v2.local.Zm9vYmFy"], ["authToken"]),
    ("refreshToken: rt-0042-aa", ["rt-0042-aa"], ["refreshToken"]),
    ("sessionToken='st_AbC123'", ["st_AbC123"], ["sessionToken"]),
    ("ClientSecret = Sup3rValue", ["Sup3rValue"], ["ClientSecret"]),
    ("X-Client-Secret: 7c1d2e3f4a", ["7c1d2e3f4a"], ["X-Client-Secret"]),
    (f"X-Auth-Token {FERNET}", [FERNET], ["X-Auth-Token"]),
    (f"x-auth-token:{TOKEN}", [TOKEN], ["x-auth-token"]),
    (f"-H 'X-Subject-Token: {TOKEN}'", [TOKEN], ["X-Subject-Token"]),
    ("X-Apig-AppCode: 3f2a9b8c7d6e5f4a3b2c1d0e", ["3f2a9b8c7d6e5f4a3b2c1d0e"], ["X-Apig-AppCode"]),
    ("X-Api-Key: live_key_ab12", ["live_key_ab12"], ["X-Api-Key"]),
    # Environment files and shell.
    (f"HUAWEICLOUD_SDK_AK={AK}\nHUAWEICLOUD_SDK_SK={SK}", [AK, SK], ["HUAWEICLOUD_SDK_SK"]),
    ("APP_SECRET=s3cr3t-value", ["s3cr3t-value"], ["APP_SECRET"]),
    ("export DB_PASSWORD=hunter2hunter2", ["hunter2hunter2"], ["DB_PASSWORD"]),
    ("export API_TOKEN=abc.def.ghi", ["abc.def.ghi"], ["API_TOKEN"]),
    ("private_key=ed25519:AbCdEf012345", ["ed25519:AbCdEf012345", "AbCdEf012345"], []),
    ("privateKey: 'abcDEF123456'", ["abcDEF123456"], ["privateKey"]),
    # Short names.
    ("pw=Sup3rS3cret", ["Sup3rS3cret"], ["pw"]),
    ("pass=letmein99", ["letmein99"], ["pass"]),
    ("pwd: qwerty!", ["qwerty!"], ["pwd"]),
    ("user=bob&passwd=p4ss&x=1", ["p4ss"], ["user=bob"]),
    # A password to the end of its line, spaces and all.
    ("password = correct horse battery staple", ["correct", "horse", "battery", "staple"], []),
    ("Password: two words\nAPIG.0301 failed", ["two words"], ["APIG.0301 failed"]),
    ('{"username": "bob", "password": "a b c"}', ['"a b c"', "a b c"], ["bob"]),
    ("my password is hunter2, still APIG.0301", ["hunter2"], []),
    ("passphrase => 'green eggs and ham'", ["green eggs"], ["passphrase"]),
    # URL-encoded text.
    ("password%3Dhunter2hunter2", ["hunter2hunter2"], []),
    ("grant_type=password&username=bob&password%3Dp%40ss%21word", ["p@ss!word", "p%40ss"], []),
    ("token%3Dabc123def456", ["abc123def456"], []),
    ("secret%253Ddouble-encoded-9", ["double-encoded-9"], []),
    ("%E5%AF%86%E7%A0%81%EF%BC%9AZx9mQ2vL", ["Zx9mQ2vL"], ["密码"]),
    # Values that look like tokens, whatever their name.
    (f"here it is: {SHORT_IAM}", [SHORT_IAM], ["here it is"]),
    (f"value {HEX48} in the log", [HEX48], ["in the log"]),
    (f"blob {B64} end", [B64], ["end"]),
    (f"{FERNET} was rejected", [FERNET], ["was rejected"]),
    (f"Bearer {JWT}", [JWT], []),
    ("the key a1B2c3D4e5F6g7H8i9J0k1L2m3N4 does not work", ["a1B2c3D4e5F6g7H8i9J0k1L2m3N4"], []),
    # Whole documents.
    (
        "-----BEGIN RSA PRIVATE KEY-----\n"
        f"MIIEpAIBAAKCAQEA7{SK}\nabcd\n-----END RSA PRIVATE KEY-----",
        [SK, "abcd"],
        [],
    ),
    ("postgres://kb:Pa55word@db.internal:5432/kb", ["Pa55word"], ["db.internal"]),
    (
        f"curl -X POST https://apig.example.com/v1/x -H 'X-Auth-Token: {TOKEN}' -d '{{\"a\":1}}'",
        [TOKEN],
        ["curl -X POST"],
    ),
    (f"credentials:\n  access_key: {AK}\n  secret_key: {SK}\n", [AK, SK], ["credentials"]),
    (f'config = {{"ak": "{AK}", "sk": "{SK}", "region": "cn-north-4"}}', [AK, SK], ["cn-north-4"]),
    (f'new Credentials().withAk("{AK}").withSk("{SK}")', [AK, SK], []),
    (f"BasicCredentials(ak='{AK}', sk='{SK}', project_id='p')", [AK, SK], []),
    ("Authorization: Basic Ym9iOnNlY3JldA==", ["Ym9iOnNlY3JldA=="], ["Basic"]),
    (f"apig.0303 签名错误，AppSecret: {SK}", [SK], ["签名错误"]),
    (
        "APP认证失败，AppKey：71d85c2e4b9a4f0c8e3b6a1d2f5e7c90",
        ["71d85c2e4b9a4f0c8e3b6a1d2f5e7c90"],
        [],
    ),
]
# What is not a secret stays as it was: the error text support staff need to read.
PLAIN = [
    "The token must be updated. Access token is expired.",
    "Incorrect IAM authentication information: verify aksk signature fail",
    "The password is wrong, please check the account.",
    "密钥不匹配，请检查签名",
    "令牌已过期，请重新获取",
    "GET /v1/apigw/instances/apis?limit=10 HTTP/1.1",
    '{"error_code":"APIG.0301","error_msg":"Incorrect IAM authentication information"}',
    "token expired at 2026-11-27 01:23:45",
]


@pytest.mark.parametrize("paste, secrets, kept", PASTES)
def test_each_real_shaped_paste_loses_its_secrets_and_keeps_its_words(paste, secrets, kept):
    redacted = redact(paste)
    for secret in secrets:
        assert secret not in redacted, redacted
    for word in kept:
        assert word in redacted, redacted
    assert redact(redacted) == redacted


def test_the_table_is_real_sized_and_in_both_languages():
    assert len(PASTES) >= 60
    chinese = [p for p, _s, _k in PASTES if any("\u4e00" <= ch <= "\u9fff" for ch in p)]
    assert len(chinese) >= 15


@pytest.mark.parametrize("text", PLAIN)
def test_error_text_without_secrets_stays_as_it_was(text):
    assert redact(text) == text


@pytest.mark.parametrize(
    "paste", [f"SK：{SK}", "AppSecret: 3f7a9c0e5b8d4a1f9e6c2b7d", "secret%3Dabcdef123456", SK]
)
def test_the_signature_checker_refuses_what_redact_calls_a_secret_key(paste):
    assert secret_in(paste)


# --- Property: a generated secret, in any of these shapes, never survives ---------------

value_chars = string.ascii_letters + string.digits + "+/=-_.!@#$%^*~"
# A secret worth the name: at least 8 characters, at least one a digit.
secret_values = st.text(value_chars, min_size=8, max_size=60).filter(
    lambda v: any(c.isdigit() for c in v) and not v.startswith(("=", "-"))
)
names = st.sampled_from(
    [
        "password", "Password", "PASSWORD", "db_password", "dbPassword", "pw", "pass", "pwd",
        "secret", "client_secret", "clientSecret", "Client-Secret", "X-Client-Secret",
        "APP_SECRET", "accessKeySecret", "token", "accessToken", "refresh_token",
        "X-Auth-Token", "x-subject-token", "api_key", "apiKey", "private_key", "privateKey",
        "credential", "HUAWEICLOUD_SDK_SK", "sk", "SK", "密码", "密钥", "令牌", "私钥",
        "凭证", "口令", "数据库密码",
    ]
)  # fmt: skip
separators = st.sampled_from(["=", ": ", ":", "：", " = ", '": "', " => ", " "])
encodings = st.sampled_from(["plain", "url", "quoted"])


def shaped(name: str, sep: str, value: str, encoding: str) -> str:
    if sep == '": "':
        return f'{{"{name}": "{value}"}}'
    pair = f"{name}{sep}{value}"
    if encoding == "url":
        from urllib.parse import quote

        return quote(pair, safe="")
    if encoding == "quoted" and sep != " ":
        return f"{name}{sep}'{value}'"
    return pair


@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow])
@given(
    before=st.text(max_size=60),
    name=names,
    sep=separators,
    value=secret_values,
    encoding=encodings,
    after=st.text(max_size=60),
)
def test_a_generated_secret_in_any_shape_never_survives(before, name, sep, value, encoding, after):
    assume(value not in before + after)
    text = before + "\n" + shaped(name, sep, value, encoding) + "\n" + after
    assert value not in redact(text)


token_shapes = st.one_of(
    st.text(string.ascii_letters + string.digits + "+/=_-", min_size=20, max_size=200).map(
        lambda t: "MII" + t
    ),
    st.text("0123456789abcdef", min_size=32, max_size=128),
    st.tuples(
        st.text(string.ascii_uppercase, min_size=1),
        st.text(string.ascii_lowercase, min_size=1),
        st.text(string.digits, min_size=1),
        st.text(string.ascii_letters + string.digits, min_size=21, max_size=80),
    ).map(lambda parts: "".join(parts)),
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    before=st.text(max_size=60),
    token=token_shapes,
    after=st.text(max_size=60),
    sep=st.sampled_from([" ", "\n", "：", "，", ", ", "\t"]),
)
def test_a_token_shaped_value_never_survives_whatever_its_name(before, token, after, sep):
    assume(token not in before + after)
    assert token not in redact(before + sep + token + sep + after)
