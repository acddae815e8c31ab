"""The one redaction function: what a person pasted, with every secret replaced.

Everything that stores or logs pasted text (the unknown-error queue, feedback
comments, search logs) calls `redact()` first. Secrets become placeholders such as
`<token>` or `<ak>`; the words around them (the error message, the code) stay, so
what is stored still reads as the error the customer saw.

It works in passes, from the most specific to the most general:

1. `Authorization:` values: the signing scheme and SignedHeaders stay (they help
   diagnose a signature error); Access and Signature become `<ak>` and `<signature>`.
2. `Cookie:` / `Set-Cookie:` values, to the end of the line.
3. Named values, whatever the separator (`X-Auth-Token: ...`, `"request_id": "..."`,
   `?access_token=...`, `ak:...`, `appkey 3f2a...`).
4. Shapes that are secrets or identifiers wherever they stand: JWTs, IAM tokens
   (`MII...`), e-mail addresses, UUIDs, 64-hex signatures, 32-hex ids, 40-character
   SKs, 20-character AKs, long base64url strings, IPv4 and IPv6 addresses.

Redacting redacted text changes nothing.
"""

import ipaddress
import re

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
    PASSWORD: ["password", "passwd", "pwd"],
}  # fmt: skip
_PLACEHOLDER_OF = {name: placeholder for placeholder, names in _NAMED.items() for name in names}
_NAMES = sorted(_PLACEHOLDER_OF, key=len, reverse=True)

# A value: quoted (to its closing quote) or bare (to a space or a delimiter). A bare
# value never starts with `<`, so that placeholders are left alone.
_VALUE = r"""(?P<value>"(?:[^"\\\n]|\\.)*"|'[^'\n]*'|[^\s"',;&}\]<>)(]+)"""
_NAMED_RE = re.compile(
    r"(?<![A-Za-z0-9])(?P<name>" + "|".join(re.escape(n) for n in _NAMES) + r")"
    r"(?P<sep>[\"']?\s*[:=]\s*)" + _VALUE,
    re.IGNORECASE,
)
# `appkey 3f2a...`, `ak HPUA...`: only a key-like value (with a digit) after a space.
_SPACED_RE = re.compile(
    r"(?<![A-Za-z0-9])(?P<name>appkey|app key|app_key|access key id|access key|ak|sk)"
    r"(?P<sep>\s+)(?P<value>(?=[A-Za-z_-]*[0-9])[A-Za-z0-9_-]{8,})(?![A-Za-z0-9])",
    re.IGNORECASE,
)
# Header values that run to the end of the line (or to the closing quote in JSON).
_LINE_VALUE = r"""(?P<value>"(?:[^"\\\n]|\\.)*"|[^\n]*)"""
_AUTHORIZATION_RE = re.compile(
    r"(?<![A-Za-z0-9-])(?P<name>(?:proxy-)?authorization)(?P<sep>[\"']?\s*[:=]\s*)" + _LINE_VALUE,
    re.IGNORECASE,
)
_COOKIE_RE = re.compile(
    r"(?<![A-Za-z0-9-])(?P<name>set-cookie|cookie)(?P<sep>[\"']?\s*[:=]\s*)" + _LINE_VALUE,
    re.IGNORECASE,
)
_AUTH_PART_RE = re.compile(r"(?P<key>Access|SignedHeaders|Signature)\s*=\s*(?P<value>[^,\s\"]*)")
_SCHEME_RE = re.compile(r"\s*(?P<scheme>[A-Za-z][A-Za-z0-9-]*)(?:\s+|$)")

_JWT_RE = re.compile(r"\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
_IAM_TOKEN_RE = re.compile(r"(?<![A-Za-z0-9+/=_-])MII[A-Za-z0-9+/=_-]{40,}")
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
_ALNUM_RUN_RE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]{20,64}(?![A-Za-z0-9])")
_HEX_RE = re.compile(r"[0-9a-fA-F]+")
_IPV4_RE = re.compile(
    r"(?<![0-9.])(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}"
    r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(?![0-9]|\.[0-9])"
)
_IPV6_CANDIDATE_RE = re.compile(
    r"(?<![0-9A-Za-z:])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|<ip>)?(?:%[0-9A-Za-z]+)?"
    r"(?![0-9A-Za-z:])"
)


def redact(text: str) -> str:
    """`text` with every secret, identifier and address replaced by a placeholder."""
    if not text:
        return ""
    text = _AUTHORIZATION_RE.sub(_authorization, text)
    text = _COOKIE_RE.sub(lambda m: m["name"] + m["sep"] + _requote(m["value"], COOKIE), text)
    text = _NAMED_RE.sub(_named, text)
    text = _SPACED_RE.sub(lambda m: m["name"] + m["sep"] + _spaced(m["name"]), text)
    text = _JWT_RE.sub(TOKEN, text)
    text = _IAM_TOKEN_RE.sub(TOKEN, text)
    text = _EMAIL_RE.sub(EMAIL, text)
    text = _UUID_RE.sub(ID, text)
    text = _LONG_TOKEN_RE.sub(TOKEN, text)
    text = _ALNUM_RUN_RE.sub(_alnum_run, text)
    text = _IPV4_RE.sub(IP, text)
    return _IPV6_CANDIDATE_RE.sub(_ipv6, text)


def _requote(value: str, placeholder: str) -> str:
    """The placeholder, in the quotes the value had."""
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[0] + placeholder + value[0]
    return placeholder


def _named(match: re.Match) -> str:
    placeholder = _PLACEHOLDER_OF[match["name"].lower()]
    return match["name"] + match["sep"] + _requote(match["value"], placeholder)


def _spaced(name: str) -> str:
    return SK if name.lower() == "sk" else AK


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
    if len(run) == 40:
        return SK
    if len(run) == 32 and hexadecimal:
        return ID
    if len(run) == 20 and run.upper() == run:
        return AK
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
