"""The one redaction function: what a person pasted, with every secret replaced.

Everything that stores or logs pasted text (the unknown-error queue, feedback
comments, search logs) calls `redact()` first. Secrets become placeholders such as
`<token>` or `<ak>`; the words around them (the error message, the code) stay, so
what is stored still reads as the error the customer saw.

It works in passes, from the most specific to the most general:

0. URL-encoded text is decoded first (`password%3Dhunter2` is `password=hunter2`).
1. Private keys (`-----BEGIN ... PRIVATE KEY-----` blocks) and the password in a URL
   (`postgres://user:pass@host`).
2. `Authorization:` values: the signing scheme and SignedHeaders stay (they help
   diagnose a signature error); Access and Signature become `<ak>` and `<signature>`.
3. `Cookie:` / `Set-Cookie:` values, to the end of the line.
4. Passwords, by name (`password`, `passwd`, `pwd`, `pw`, `pass`, `db_password`,
   `密码`, `口令`), with `:`, `=`, `：`, `=>` or `是`: everything to the end of the line,
   since a password may hold spaces.
5. Named values, with `:`, `=`, `：`, `=>` or (for a value shaped like a key) a space:
   the names of `_NAMED`, any name containing secret, token, passw, pwd, private key,
   credential, api key, access key or app key in any case style (`client_secret`,
   `clientSecret`, `Client-Secret`, `X-Client-Secret`, `APP_SECRET`), names ending in
   `_sk` or `_ak`, and Chinese labels (密钥, 私钥, 令牌, 凭证, 授权码...).
6. Shapes that are secrets or identifiers wherever they stand: JWTs, IAM tokens
   (`MII...`), e-mail addresses, UUIDs, 64-hex signatures, 32-hex ids, other long hex
   runs, 40-character SKs, 20-character AKs, long base64 or base64url strings, runs of
   24 or more letters and digits mixing upper case, lower case and digits, IPv4 and
   IPv6 addresses.

Redacting redacted text changes nothing.

`secret_in()` reads a text as `redact()` does and says why it holds a secret key: the
pages that take a secret from nobody (the signature checker) refuse what it finds.
"""

import ipaddress
import re
from collections.abc import Iterator

from django.utils.translation import gettext as _

from kb.text.addresses import IPV4_RE

TOKEN = "<token>"
AK = "<ak>"
SK = "<sk>"
SIGNATURE = "<signature>"
REQUEST_ID = "<request-id>"
ID = "<id>"
IP = "<ip>"
EMAIL = "<email>"
COOKIE = "<cookie>"
PASSWORD = "<password>"
PRIVATE_KEY = "<private-key>"
SECRET = "<secret>"
PLACEHOLDERS = (
    TOKEN,
    AK,
    SK,
    SIGNATURE,
    REQUEST_ID,
    ID,
    IP,
    EMAIL,
    COOKIE,
    PASSWORD,
    PRIVATE_KEY,
    SECRET,
)

# Names whose value is a secret or an identifier, and what replaces that value.
# Longer names first, so that `x-auth-token` wins over `token`.
_NAMED = {
    TOKEN: [
        "x-auth-token", "x-subject-token", "x-security-token", "x-apig-appcode",
        "x-api-key", "access_token", "refresh_token", "id_token", "auth_token",
        "security_token", "securitytoken", "appcode", "apikey", "api_key", "token",
    ],
    AK: [
        "access_key_id", "access-key-id", "accesskeyid", "access_key", "access-key",
        "accesskey", "app_key", "app-key", "appkey", "client_id", "access", "ak",
    ],
    SK: [
        "secret_access_key", "secretaccesskey", "secret_key", "secret-key", "secretkey",
        "app_secret", "app-secret", "appsecret", "client_secret", "secret", "sk",
    ],
    SIGNATURE: ["x-sdk-signature", "signature", "sig"],
    REQUEST_ID: [
        "x-apig-request-id", "x-request-id", "request_id", "request-id", "requestid",
        "x-trace-id", "trace_id", "traceid",
    ],
}  # fmt: skip
_PLACEHOLDER_OF = {name: placeholder for placeholder, names in _NAMED.items() for name in names}
_NAMES = sorted(_PLACEHOLDER_OF, key=len, reverse=True)

# A value: quoted (to its closing quote) or bare (to a space or a delimiter). A bare
# value never starts with `<`, so that placeholders are left alone.
_VALUE = r"""(?P<value>"(?:[^"\\\n]|\\.)*"|'[^'\n]*'|[^\s"',;&}\]<>)(，。；、（）]+)"""
# Between a name and its value: `:`, `=`, `=>`, the full-width `：`, after an optional
# closing quote of the name (`"token": ...`).
_SEP = r"""(?P<sep>["']?\s*(?:=>|[:=：])\s*)"""
_NAMED_RE = re.compile(
    r"(?<![A-Za-z0-9])(?P<name>" + "|".join(re.escape(n) for n in _NAMES) + r")" + _SEP + _VALUE,
    re.IGNORECASE,
)
# Names of secrets in any case style: `client_secret`, `clientSecret`, `Client-Secret`,
# `X-Client-Secret`, `APP_SECRET`, `HUAWEICLOUD_SDK_SK`, `private key`.
_NAME_START = r"(?<![A-Za-z0-9_.\-])"
# Bounded, so that a long run of name characters is never scanned again and again.
_NAME_CHARS = r"[A-Za-z0-9_.\-]{0,40}"
_NAME_PARTS = r"(?:[A-Za-z0-9]{1,20}[_\-]){0,6}"
_PASSWORD_NAME = rf"{_NAME_CHARS}(?:passw|passphrase|pwd){_NAME_CHARS}|{_NAME_PARTS}(?:pw|pass)"
_SECRET_WORDS = (
    r"secret|token|private[_\-. ]?key|credential|api[_\-]?key|access[_\-]?key|app[_\-]?key"
    r"|app[_\-]?code|auth[_\-]?code"
)
_SECRET_NAME = (
    rf"{_NAME_CHARS}(?:{_SECRET_WORDS}){_NAME_CHARS}|{_NAME_PARTS}[A-Za-z0-9]{{1,20}}[_\-](?:sk|ak)"
)
# Chinese labels: 密码 and 口令 are passwords; the rest name keys and tokens.
_ZH_PASSWORD = r"密码|口令"
_ZH_LABEL = r"(?:私钥|密钥|秘钥|令牌|凭证|凭据|授权码|访问码)(?:ID|Id|id)?"
# `密码是abc123`, `令牌为MII...`: a Latin value right after 是 or 为.
_ZH_SEP = r"""(?P<sep>\s*[是为]\s*(?=[!-~]))"""
# A password runs to the end of its line (it may hold spaces), or to its closing quote.
_PASSWORD_RE = re.compile(
    rf"(?:{_NAME_START}(?P<name>{_PASSWORD_NAME}){_SEP}|(?P<zh>{_ZH_PASSWORD})"
    rf"(?:{_SEP.replace('sep', 'zhsep')}|{_ZH_SEP.replace('sep', 'zhis')}))"
    r"""(?P<value>"(?:[^"\\\n]|\\.)*"|'[^'\n]*'|[^\n]+)""",
    re.IGNORECASE,
)
_SECRET_NAMED_RE = re.compile(
    rf"(?:{_NAME_START}(?P<name>{_SECRET_NAME}){_SEP}|(?P<zh>{_ZH_LABEL})"
    rf"(?:{_SEP.replace('sep', 'zhsep')}|{_ZH_SEP.replace('sep', 'zhis')}))" + _VALUE,
    re.IGNORECASE,
)
# With only a space (or `is`) between name and value, the value must look like a key:
# `X-Auth-Token gAAAAB...`, `appkey 3f2a...`, `password is hunter2`, `密钥 Ab12...`;
# `token expired` and `password is wrong` stay.
_SPACED_RE = re.compile(
    rf"(?:{_NAME_START}(?P<name>app key|access key id|access key|{_PASSWORD_NAME}|{_SECRET_NAME}"
    rf"|ak|sk)|(?P<zh>{_ZH_PASSWORD}|{_ZH_LABEL}))"
    r"(?P<sep>[ \t]+(?:is[ \t]+)?)(?P<value>[^\s\"'<>,;，。；、（）]{6,})",
    re.IGNORECASE,
)
# Private keys, whole: from BEGIN to END (or to the end, if cut short).
_PRIVATE_KEY_RE = re.compile(
    r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----(?:(?!-----END)[\s\S])*"
    r"(?:-----END [A-Z0-9 ]*PRIVATE KEY-----)?"
)
# The password in a URL: `scheme://user:password@host`.
_URL_PASSWORD_RE = re.compile(r"(?P<user>://[^\s/:@]*):(?P<value>[^\s/@]+)@")
# Runs of URL-encoded bytes (`%3D`, `%E5%AF%86`), decoded before anything is matched.
_PERCENT_RUN_RE = re.compile(r"(?:%[0-9A-Fa-f]{2})+")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

# Header values that run to the end of the line (or to the closing quote in JSON).
_LINE_VALUE = r"""(?P<value>"(?:[^"\\\n]|\\.)*"|[^\n]*)"""
_AUTHORIZATION_RE = re.compile(
    r"(?<![A-Za-z0-9-])(?P<name>(?:proxy-)?authorization)(?P<sep>[\"']?\s*[:=：]\s*)" + _LINE_VALUE,
    re.IGNORECASE,
)
_COOKIE_RE = re.compile(
    r"(?<![A-Za-z0-9-])(?P<name>set-cookie|cookie)(?P<sep>[\"']?\s*[:=：]\s*)" + _LINE_VALUE,
    re.IGNORECASE,
)
_AUTH_PART_RE = re.compile(r"(?P<key>Access|SignedHeaders|Signature)\s*=\s*(?P<value>[^,\s\"]*)")
_SCHEME_RE = re.compile(r"\s*(?P<scheme>[A-Za-z][A-Za-z0-9-]*)(?:\s+|$)")

_JWT_RE = re.compile(r"\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
_IAM_TOKEN_RE = re.compile(r"(?<![A-Za-z0-9+/=_-])MII[A-Za-z0-9+/=_-]{20,}")
_EMAIL_RE = re.compile(
    r"(?<![A-Za-z0-9!#$%&'*+/=?^_`{|}~.-])[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+"
)
_UUID_RE = re.compile(
    r"(?<![A-Za-z0-9-])[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
    r"[0-9a-fA-F]{12}(?![A-Za-z0-9-])"
)
# Long base64url runs (no `/`, so that URL paths survive).
_LONG_TOKEN_RE = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{60,}={0,2}(?![A-Za-z0-9_-])")
_ALNUM_RUN_RE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]{20,}(?![A-Za-z0-9])")
# Base64 (with `+` and `/`) and base64url runs of 24 or more: tokens when they mix upper
# case, lower case and digits, or carry base64's `+`/`=`; URL paths (`/v1/apigw/...`) stay.
_BASE64_RUN_RE = re.compile(r"(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/_-]{24,}={0,2}(?![A-Za-z0-9+/=_-])")
_HEX_RE = re.compile(r"[0-9a-fA-F]+")
_IPV6_CANDIDATE_RE = re.compile(
    r"(?<![0-9A-Za-z:])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|<ip>)?(?:%[0-9A-Za-z]+)?"
    r"(?![0-9A-Za-z:])"
)


def redact(text: str) -> str:
    """`text` with every secret, identifier and address replaced by a placeholder."""
    if not text:
        return ""
    text = _percent_decoded(text)
    text = _PRIVATE_KEY_RE.sub(PRIVATE_KEY, text)
    text = _URL_PASSWORD_RE.sub(lambda m: f"{m['user']}:{PASSWORD}@", text)
    text = _AUTHORIZATION_RE.sub(_authorization, text)
    text = _COOKIE_RE.sub(lambda m: m["name"] + m["sep"] + _requote(m["value"], COOKIE), text)
    text = _PASSWORD_RE.sub(_labelled, text)
    text = _NAMED_RE.sub(_named, text)
    text = _SECRET_NAMED_RE.sub(_labelled, text)
    text = _SPACED_RE.sub(_spaced, text)
    text = _JWT_RE.sub(TOKEN, text)
    text = _IAM_TOKEN_RE.sub(TOKEN, text)
    text = _EMAIL_RE.sub(EMAIL, text)
    text = _UUID_RE.sub(ID, text)
    text = _LONG_TOKEN_RE.sub(TOKEN, text)
    text = _BASE64_RUN_RE.sub(_base64_run, text)
    text = _ALNUM_RUN_RE.sub(_alnum_run, text)
    text = IPV4_RE.sub(IP, text)
    return _IPV6_CANDIDATE_RE.sub(_ipv6, text)


def labelled_values(text: str) -> Iterator[tuple[str, str]]:
    """(placeholder, value) of each value `redact()` would replace because of its name:
    `SK: abc...` gives (`<sk>`, `abc...`). Placeholders (already redacted) are skipped."""
    text = _percent_decoded(text or "")
    for pattern in (_PASSWORD_RE, _NAMED_RE, _SECRET_NAMED_RE, _SPACED_RE):
        for match in pattern.finditer(text):
            value = _unquoted(match["value"]).strip()
            if pattern is _SPACED_RE and not _key_like(value):
                continue
            if value and value not in PLACEHOLDERS:
                name = match["name"] or match["zh"]
                yield _PLACEHOLDER_OF.get(name.lower()) or _placeholder_for(name), value


def sk_shaped_runs(text: str) -> Iterator[str]:
    """The runs of letters and digits in `text` that `redact()` takes for an access key's
    secret (SK): 40 of them. Hex digests (signatures, body hashes) are 64 long."""
    for match in _ALNUM_RUN_RE.finditer(text or ""):
        if _sk_shaped(match.group()):
            yield match.group()


# What `redact()` replaces by these because of its name is a secret no page needs.
SECRET_PLACEHOLDERS = (SK, PASSWORD, PRIVATE_KEY, SECRET)


def secret_in(text: str) -> str | None:
    """Why `text` looks like it holds a secret key, or None: what `redact()` would replace
    as a secret, by its name or its shape (an SK), this refuses.

    A signature check never needs the SK or the AppSecret: the canonical request is
    compared before anything is signed. Refusing input that carries one keeps it out of
    our pages, logs and browser histories, and tells the customer to keep it out of
    support tickets too."""
    if not text:
        return None
    for placeholder, value in labelled_values(text):
        if placeholder not in SECRET_PLACEHOLDERS:
            continue
        if len(re.findall(r"[A-Za-z0-9]", value)) < 6:
            continue  # masked, such as SK=******
        return _("it holds a value labelled as a secret (such as AppSecret=, SK= or secret:)")
    for run in sk_shaped_runs(text):
        # An SK mixes upper and lower case; a hex digest is one case only.
        if re.search(r"[a-z]", run) and re.search(r"[A-Z]", run):
            return _("it holds a 40-character value shaped like a secret access key (SK)")
    return None


def _sk_shaped(run: str) -> bool:
    return len(run) == 40


def _percent_decoded(text: str) -> str:
    """`text` with its URL-encoded runs decoded (twice over, for `%253D`), where they
    decode to UTF-8 text without control characters."""
    for _twice in range(2):
        decoded = _PERCENT_RUN_RE.sub(_decode_run, text)
        if decoded == text:
            break
        text = decoded
    return text


def _decode_run(match: re.Match) -> str:
    try:
        decoded = bytes.fromhex(match.group().replace("%", "")).decode("utf-8")
    except UnicodeDecodeError:
        return match.group()
    return match.group() if _CONTROL_RE.search(decoded) else decoded


def _placeholder_for(name: str) -> str:
    """What replaces the value of a secret named `name` (in any case style or Chinese)."""
    lowered = name.lower()
    if re.search(r"passw|passphrase|pwd|密码|口令", lowered) or re.fullmatch(
        r"(?:[a-z0-9]+[_\-])*(?:pw|pass)", lowered
    ):
        return PASSWORD
    if re.search(r"private[_\-. ]?key|私钥", lowered):
        return PRIVATE_KEY
    if re.search(r"(?:密钥|秘钥)id$", lowered):
        return AK
    if re.search(r"secret|(?:^|[_\-])sk$|密钥|秘钥", lowered):
        return SK
    if re.search(r"token|api[_\-]?key|app[_\-]?code|auth[_\-]?code|令牌|访问码", lowered):
        return TOKEN
    if re.search(r"access[_\-]?key|app[_\-]?key|(?:^|[_\-])ak$|^app key$", lowered):
        return AK
    return SECRET


def _labelled(match: re.Match) -> str:
    name = match["name"] or match["zh"]
    sep = match["sep"] or match["zhsep"] or match["zhis"] or ""
    return name + sep + _requote(match["value"], _placeholder_for(name))


def _spaced(match: re.Match) -> str:
    if not _key_like(match["value"]):
        return match.group()
    name = match["name"] or match["zh"]
    return name + match["sep"] + _PLACEHOLDER_OF.get(name.lower(), _placeholder_for(name))


def _key_like(value: str) -> bool:
    """A word that is a key, not a word of a sentence: with a digit, a symbol, or upper
    and lower case after the first letter (`Ab3...`, `hunter2`, `p@ss!word`)."""
    value = value.rstrip(".!?:)")  # the end of a sentence
    if value in PLACEHOLDERS:
        return False
    return bool(
        re.search(r"[0-9]", value)
        or re.search(r"[^\w\s.\-']", value)
        or (re.search(r"[a-z]", value) and re.search(r"[A-Z]", value[1:]))
    )


def _unquoted(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _requote(value: str, placeholder: str) -> str:
    """The placeholder, in the quotes the value had."""
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[0] + placeholder + value[0]
    return placeholder


def _named(match: re.Match) -> str:
    placeholder = _PLACEHOLDER_OF[match["name"].lower()]
    return match["name"] + match["sep"] + _requote(match["value"], placeholder)


def _authorization(match: re.Match) -> str:
    """Keep the scheme and SignedHeaders of an Authorization value; drop everything else."""
    raw = match["value"]
    quote = raw[0] if raw[:1] == '"' and raw.endswith('"') and len(raw) >= 2 else ""
    value = raw[1:-1] if quote else raw
    parts = []
    for part in _AUTH_PART_RE.finditer(value):
        key = part["key"]
        if key == "Access":
            parts.append(f"Access={AK}")
        elif key == "Signature":
            parts.append(f"Signature={SIGNATURE}")
        elif re.fullmatch(r"[A-Za-z0-9;_-]*", part["value"]):
            parts.append(f"SignedHeaders={part['value']}")
    scheme = _SCHEME_RE.match(value)
    if parts:
        prefix = scheme["scheme"] + " " if scheme and "=" not in scheme.group() else ""
        redacted = prefix + ", ".join(parts)
    elif scheme and value.strip() != scheme["scheme"]:
        redacted = f"{scheme['scheme']} {TOKEN}"
    else:
        redacted = TOKEN
    return match["name"] + match["sep"] + quote + redacted + quote


def _alnum_run(match: re.Match) -> str:
    """A run of letters and digits that has the shape of a key, a signature or an id."""
    run = match.group()
    hexadecimal = _HEX_RE.fullmatch(run) is not None
    if len(run) == 64 and hexadecimal:
        return SIGNATURE
    if _sk_shaped(run):
        return SK
    if len(run) == 32 and hexadecimal:
        return ID
    if len(run) == 20 and run.upper() == run:
        return AK
    if hexadecimal and len(run) >= 32:
        return TOKEN
    if len(run) >= 24 and _mixed(run):
        return TOKEN
    return run


def _mixed(run: str) -> bool:
    return bool(re.search(r"[a-z]", run) and re.search(r"[A-Z]", run) and re.search(r"[0-9]", run))


def _base64_run(match: re.Match) -> str:
    """A base64 or base64url run that is a token, not a path or an identifier."""
    run = match.group()
    if run.startswith("/") or "//" in run:
        return run  # a URL path
    if "+" in run or run.endswith("="):
        return TOKEN
    if "/" in run and not _mixed(run.replace("/", "")):
        return run  # a path's segments, each looked at on its own below
    if _mixed(run) and len(re.sub(r"[^A-Za-z0-9]", "", run)) >= 24:
        return TOKEN
    return run


def _ipv6(match: re.Match) -> str:
    candidate = match.group()
    if candidate.count(":") < 2:
        return candidate
    try:
        ipaddress.IPv6Address(candidate.split("%")[0].replace(IP, "0.0.0.0"))
    except ValueError:
        return candidate
    return IP
