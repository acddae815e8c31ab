"""Read what a customer pasted: a code, a message, a JSON response, a log line, curl output.

`parse()` pulls out the error code, the HTTP status, the message and the request id
wherever they stand, and keeps the rest as free text for the full-text search.
"""

import ast
import json
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from kb.text.codes import CODE_RE, canonical_code, codes_in
from kb.text.lines import clean
from kb.text.typos import corrected

MAX_QUERY_CHARS = 16 * 1024

CODE_KEYS = ("error_code", "errorcode", "code", "err_code")
MESSAGE_KEYS = ("error_msg", "errormsg", "error_message", "errormessage", "message", "msg")
REQUEST_ID_KEYS = ("request_id", "requestid", "x-request-id", "x_request_id")
STATUS_KEYS = ("status_code", "statuscode", "http_status", "httpstatus", "status")

STATUS_PATTERNS = [
    re.compile(r"\bHTTP/\d(?:\.\d)?\s+([1-5]\d\d)\b"),  # curl -i status line
    re.compile(r"\bHTTP/\d(?:\.\d)?\"\s+([1-5]\d\d)\b"),  # access log: "GET / HTTP/1.1" 504
    re.compile(r"\b([1-5]\d\d)\s+(?:Client|Server)\s+Error\b", re.IGNORECASE),  # requests
    re.compile(
        r"\b(?:status(?:[ _]?code)?|http[ _]?status|http[ _]?code|error code|statuscode)"
        r"[\"']?\s*[:=]?\s*[\"']?([1-5]\d\d)\b",
        re.IGNORECASE,
    ),
    re.compile(r"\bHTTP\s+([1-5]\d\d)\b", re.IGNORECASE),
]
REQUEST_ID_RE = re.compile(
    r"(?:request[_-]?id|x-request-id)[\"']?\s*[:=]\s*[\"']?([A-Za-z0-9][A-Za-z0-9-]{7,127})",
    re.IGNORECASE,
)
LOG_MESSAGE_RE = re.compile(
    r"\b(?:error_msg|errormsg|msg|message)\s*[:=]\s*(?:\"([^\"]{3,})\"|'([^']{3,})'|([^,;\n]{3,}))",
    re.IGNORECASE,
)
STATUS_ONLY_RE = re.compile(r"^[\s/:,#-]*(?:HTTP\s*)?([1-5]\d\d)\s*$", re.IGNORECASE)
# Reason phrases distinctive enough to stand for their status in plain words.
REASON_PHRASES = {
    # Every row of the catalogs that says forbidden is a 403.
    "forbidden": 403,
    # A server's error is a 5xx, and the gateway's own the 500 of an internal error.
    "server error": 500,
    "server-side error": 500,
    "server side error": 500,
    "服务端错误": 500,
    "服务器错误": 500,
    "服务端报错": 500,
    "服务端出错": 500,
    "服务器出错": 500,
    "服务器内部错误": 500,
    # What a client shows for a 400 (`400 Bad Request`), said in words.
    "bad request": 400,
    "too many requests": 429,
    "bad gateway": 502,
    "service unavailable": 503,
    "gateway timeout": 504,
    "gateway time-out": 504,
    "payload too large": 413,
    "request entity too large": 413,
    "uri too long": 414,
    "request-uri too long": 414,
    # What a reverse proxy (nginx) in front of the backend logs for its 502 and 504.
    "upstream timed out": 504,
    "no live upstreams": 502,
    "upstream prematurely closed connection": 502,
}
# A status said in a sentence ("getting 403 when I call it", "504 after 60 seconds"): a
# 4xx or 5xx number standing alone, not a count or a quantity (`500 requests`, `404ms`).
PROSE_STATUS_RE = re.compile(
    # In the plural too (`keeps getting 429s`), unless a duration (`after 500s`).
    # A sentence's full stop may follow (`fails with 500.`), a decimal point not; nor is
    # it the end of a number with a thousands separator (`18,400 calls`).
    r"(?<![A-Za-z0-9_.:/#=-])(?<!\d,)(?<!\d，)([45]\d\d)(s?)(?![A-Za-z0-9_:/%-]|\.[^\s\"'])"
    # A rate is no status either: `500 per second`, `500 a minute`.
    r"(?!\s*(?:per|an? (?:second|minute|hour))\b)"
    r"(?!\s*(?:ms|s|secs?|seconds?|mins?|minutes?|hours?|[kmg]i?b|bytes?|requests?|reqs?|"
    r"calls?|times|rows|items|chars|characters|users|records|entries|ids?|qps|tps|names|"
    r"files|fields|params|parameters|headers|keys|values|objects|lines|servers|instances|"
    r"apis|messages|tokens|clients|devices|connections|threads|workers|tasks|jobs|orders)\b)"
    r"(?!\s*(?:次|个|条|毫秒|秒|分钟|小时|字节|字符))",
    re.IGNORECASE,
)
# What makes `500s` a duration: `after 500s`, `took 500s`, `timeout of 500s`; not a run of
# responses (`a burst of 503s`, `lots of 502s`).
DURATION_BEFORE_RE = re.compile(
    r"(?:after|took|takes|take|taking|for|in|within|about|over|under|~"
    r"|(?:timeout|time-out|limit|wait|delay|duration|latency|interval|period|ttl)\s+of)\s*$",
    re.IGNORECASE,
)
# A status the text says the call did not get: `404 instead of 405`, `expected 200`.
NOT_THE_STATUS_RE = re.compile(
    r"(?:instead of|rather than|expect(?:ed|ing)?|not(?: an?)?|而不是|不是|应该是|本应是?"
    # A status the call no longer answers: `no more 401, now 403`, `之前是401`.
    r"|no (?:more|longer)(?: an?| the| get(?:ting)?| a)?|used to (?:get|return|be|see)"
    r"|previously|不再(?:返回|报|是)?|之前(?:是|返回|报)?|以前(?:是|返回|报)?|原来(?:是|返回|报)?)\s*$",
    re.IGNORECASE,
)
HTTP_STATUSES = frozenset(
    [400, 401, 403, 404, 405, 406, 408, 409, 410, 411, 412, 413, 414, 415, 429, 431, 494]
    + [500, 501, 502, 503, 504, 505]
)
# Words that say the call went to a Huawei Cloud service's own API (the shared gateway,
# APIGW) rather than to an API a customer published on their own gateway (APIG).
# A cloud service named with its API (`the ECS API`, `调VPC的接口`, `OBS/ECS calls`) says it too.
CLOUD_SERVICES = (
    "ecs|evs|obs|rds|vpc|elb|dns|iam|cce|cci|smn|kms|dew|ces|cts|lts|aom|bms|ims|nat|eip|sfs|"
    "cbr|dcs|dms|dds|dws|mrs|dli|swr|cdn|waf|scm|tms|eps|bss|ocr|nlp|modelarts|functiongraph|"
    "gaussdb|vpcep"
)
# Services by their Chinese names that are never a customer's backend (a cloud server,
# 云服务器, often is).
HAN_CLOUD_SERVICES = "云硬盘|云监控|云解析"
# Services named alone that are never a customer's own API nor its backend: their own APIs
# (`CES metric push rejected`, `smn 403`). A server, a function, a database, an OCR or NLP
# service may be a customer's, and is named with its API to point at the shared gateway.
OWN_API_SERVICES = "smn|ces|kms|ims|bss|cts|evs|obs"
# A few words may stand between a service and its API (`VPC create security group API`,
# `VPC的查询接口`, `EVS云硬盘接口`), but none that makes the API the customer's own: one
# behind, on or in the service (`ECS server behind our API`, `ECS上的接口`), a VPC channel
# (`VPC通道`), the gateway's own IAM authentication (`IAM认证的API`) or an IAM user's call
# (`IAM user API`).
_NOT_BETWEEN = (
    r"(?:our|my|your|their|its|the|a|an|behind|for|from|to|in|on|of|at|with|via|through|"
    r"and|or|as|that|which|is|are|was|backend|backends|hosted|deployed|running|channel|"
    r"channels|(?:sub-?)?users?|(?:sub-?)?accounts?|auth\w*|can|cannot|could|will|would|"
    r"may|must|should|not|no|do|does|did|calls?|calling|called|uses?|using)"
)


def _word_but(excluded: str) -> str:
    """A pattern for one more word, none of `excluded` (an alternation)."""
    return rf"[ \t]+(?!(?:{excluded})\b)[a-z][a-z0-9-]*(?![a-z0-9-])"


_WORD_BETWEEN = _word_but(_NOT_BETWEEN)
# Before `call`, not a machine on the service either: `our ECS instance calls the API`.
_WORD_BEFORE_CALL = _word_but(rf"{_NOT_BETWEEN}|(?:instance|server|host|vm|node|machine)s?")
_HAN_NOT_BETWEEN = r"认证|鉴权|授权|通道|后端|部署|用户|账号|调用|自己|我们|[上里中内]"
_HAN_BETWEEN = rf"(?:(?!{_HAN_NOT_BETWEEN})[\u4e00-\u9fff]){{1,8}}?"
# A service called by name (`calling ECS`, `调ECS`), unless it is IAM authentication or
# a server on the service (`调用ECS上的服务`).
_CALLED = (
    rf"(?:\bcall(?:s|ed|ing)?\s+(?:the\s+)?|(?:调用?|请求)\s*(?:华为云)?\s*)(?:{CLOUD_SERVICES})"
    r"(?![a-z0-9-])(?!\s*(?:auth|认证|鉴权|上(?![报传])|里|中|内))"
)
# A service's resources worked on (`listing ECS servers`, `smn publish`, `查询云硬盘EVS详情`,
# `ECS查询`, `publish a message to SMN`, `invoking a FunctionGraph function`): its API
# called, unless the service is a channel, a backend, a token or a user of the customer's
# gateway (`deleted the VPC channel`, `invokes the FunctionGraph backend`, `creates an IAM
# token`).
_OPERATIONS = (
    r"(?:list|creat|delet|quer|updat|publish|push|attach|mount|resiz|describ|fetch|invok|manag"
    r"|invocation)"
    r"(?:e|es|ed|ing|s|ies|ied|y)?"
)
_SERVICES_OPERATED = rf"(?:{CLOUD_SERVICES}|{HAN_CLOUD_SERVICES}|云服务器|对象存储|虚拟私有云)"
_NOT_OPERATED = (
    r"(?!\s*(?:channels?|通道|backends?|后端|tokens?|auth\w*|认证|鉴权|users?|用户|上|里|中|内))"
)
_OPERATED = (
    rf"\b{_OPERATIONS}\s+(?:(?:the|an?|all|our|my)\s+)?{_SERVICES_OPERATED}(?![a-z0-9-])"
    rf"{_NOT_OPERATED}|"
    # What is sent to a service (`publish a message to SMN`, `push metrics into CES`).
    rf"\b{_OPERATIONS}(?:\s+[a-z][a-z0-9-]*){{1,2}}\s+(?:to|into)\s+(?:(?:the|an?)\s+)?"
    rf"{_SERVICES_OPERATED}(?![a-z0-9-]){_NOT_OPERATED}|"
    # ... a way of it between (`functiongraph sync invoke`, `FunctionGraph async invocation`).
    rf"(?<![a-z0-9-]){_SERVICES_OPERATED}\s+(?:(?:a?sync(?:hronous(?:ly)?)?)\s+)?{_OPERATIONS}\b|"
    rf"(?:查询|创建|删除|列出|更新|挂载|挂(?=云硬盘|evs|sfs)|卸载){_SERVICES_OPERATED}{_NOT_OPERATED}|"
    rf"(?<![a-z0-9-]){_SERVICES_OPERATED}的?(?:查询|创建|删除|列表|详情|挂载)|"
    # A function invoked on FunctionGraph (`FunctionGraph同步调用函数`, `用FunctionGraph，
    # 异步执行函数`), not the FunctionGraph backend of the customer's API (`后端是FunctionGraph`).
    r"(?<![a-z0-9-])(?<!后端)(?<!后端 )(?<!后端是)(?<!后端为)(?<!后端用)"
    r"functiongraph\s*[，,]?\s*的?(?:同步|异步)?(?:调用|执行|触发)(?:函数)?"
)
# The shared gateway named as such: a customer's own API may be published on it too.
SHARED_EDITION_RE = re.compile(r"\bapigw\b|shared gateway|共享版", re.IGNORECASE)
# A cloud service's own API, whose callers sign in with IAM.
CLOUD_SERVICE_API_RE = re.compile(
    r"cloud[ -]?service|api explorer|"
    # `the service endpoint`, not the endpoints of a cluster's Services (`syncs Service
    # endpoints into the VPC channel`).
    r"service(?:'s)? endpoint(?!s)|"
    # `the cloud API` (a cloud's, not one the customer runs in the cloud: `our cloud API`).
    r"(?<!our )(?<!my )\bcloud[ -]?apis?\b(?!\s*gateway)|"
    # A cloud service's endpoint (`ecs.cn-north-4.myhuaweicloud.com`, `iam.myhuaweicloud.com`);
    # the APIs published on a customer's gateway answer on its own or debug domains.
    r"\.myhuaweicloud\.com\b|"
    # Huawei Cloud's APIs and SDKs, but not its API Gateway (APIG itself, where customers
    # publish their own APIs).
    r"huawei ?cloud(?:['’]s)?\s+"
    r"(?:services?\b|sdks?\b|(?:open)?apis?\b(?!\s*gateway)|endpoints?\b)|"
    r"huawei(?:['’]s)?\s+(?:open)?apis?\b(?!\s*gateway)|"
    r"云服务(?!器)|华为云的?(?:服务|(?:open ?)?api(?!\s*网关)|接口|sdk)|"
    # A service's SDK (`the Go SDK for ECS`): its API's client.
    rf"\bsdks?\s+for\s+(?:the\s+)?(?:{CLOUD_SERVICES})(?![a-z0-9-])|"
    rf"{_CALLED}|{_OPERATED}|"
    rf"(?<![a-z0-9/])(?:{CLOUD_SERVICES}|{HAN_CLOUD_SERVICES})(?:/(?:{CLOUD_SERVICES})(?![a-z0-9]))*+"
    # The service's own (`FunctionGraph's create-function API`, `the ELB SDK`: its SDK calls
    # its API), but not the words `API gateway` after it (`iam signature check fails api
    # gateway`: IAM authentication on the customer's gateway).
    rf"(?:['’]s)?(?:(?:\s*(?:service|服务))?"
    rf"(?:(?:{_WORD_BETWEEN}){{0,3}}\s*(?:(?:open)?apis?\b(?!\s*gateway)|endpoints?\b|sdks?\b)"
    rf"|(?:{_WORD_BEFORE_CALL}){{0,3}}\s*calls?\b)"
    rf"|\s*的?(?:{_HAN_BETWEEN})?的?(?:服务)?\s*(?:open ?)?(?:API|接口|SDK))",
    re.IGNORECASE,
)
# A service that is never a customer's own API nor its backend, named alone (`smn 403`),
# unless the text says the API is the customer's own (`our API stores files in OBS`,
# `我们的接口`): then the service is what that API works with.
OWN_API_SERVICE_RE = re.compile(rf"(?<![a-z0-9-])(?:{OWN_API_SERVICES})(?![a-z0-9-])", re.I)
CUSTOMERS_OWN_API_RE = re.compile(
    r"\b(?:our|my)\s+(?:own\s+)?(?:apis?|endpoints?)\b|(?:我们|我|自己)的?\s*(?:api|接口)",
    re.IGNORECASE,
)
# What every text CLOUD_SERVICE_API_RE matches holds, casefolded: one of these words, or a
# word that starts with a service's name. The pattern tries its two dozen branches at every
# character, a tenth of a millisecond over a pasted response; most pastes hold none of
# these, and are not searched with it (`names_cloud_service_api`).
_CLOUD_SERVICE_WORDS = ("cloud", "explorer", "service", "huawei", "云", "对象存储")
_CLOUD_SERVICE_NAMES = tuple(CLOUD_SERVICES.split("|"))
_ASCII_WORD_RE = re.compile(r"[a-z0-9]+")
BARE_CODE_RE = re.compile(r"^\s*(\d{4})(?:\s+([1-5]\d\d))?\s*$")


def names_cloud_service_api(text: str) -> bool:
    """Whether `text` names a cloud service's own API (CLOUD_SERVICE_API_RE, or a service
    named alone: `services_named_alone`)."""
    folded = text.casefold()
    return (
        any(word in folded for word in _CLOUD_SERVICE_WORDS)
        or any(word.startswith(_CLOUD_SERVICE_NAMES) for word in _ASCII_WORD_RE.findall(folded))
    ) and bool(CLOUD_SERVICE_API_RE.search(text) or services_named_alone(text))


def services_named_alone(text: str) -> list[str]:
    """The services of OWN_API_SERVICES `text` names alone, none when it says the API is the
    customer's own (CUSTOMERS_OWN_API_RE)."""
    named = OWN_API_SERVICE_RE.findall(text)
    return named if named and not CUSTOMERS_OWN_API_RE.search(text) else []


_OPERATION_RE = re.compile(_OPERATIONS)


def cloud_services_named(text: str) -> frozenset[str]:
    """The names (CLOUD_SERVICES, casefolded) of the services whose own API `text` names
    (CLOUD_SERVICE_API_RE), and the operations it names them by: `vpc` of `the VPC API
    returns 500`, `smn` and `publish` of `SMN publish calls fail`."""
    said = [match.group() for match in CLOUD_SERVICE_API_RE.finditer(text)]
    return frozenset(
        word
        for part in said + services_named_alone(text)
        for word in _ASCII_WORD_RE.findall(part.casefold())
        if word in _CLOUD_SERVICE_NAMES or _OPERATION_RE.fullmatch(word)
    )


class QueryError(ValueError):
    """Input the search cannot take; the message is shown to the user."""


@dataclass
class ParsedQuery:
    text: str
    codes: list[str] = field(default_factory=list)
    http_status: int | None = None
    # The status was only implied by words such as "bad gateway", not stated.
    status_implied: bool = False
    message: str = ""
    request_id: str = ""
    free_text: str = ""
    status_only: bool = False
    code_only: bool = False
    # The text points at the shared gateway of cloud services (APIGW), by code or words.
    names_shared_gateway: bool = False
    # ... by naming a cloud service's own API, which is called with IAM's credentials.
    names_cloud_service: bool = False
    # The names of the services whose own API it names (`vpc` of `the VPC API`), and the
    # operations it names them by (`publish` of `SMN publish calls`).
    cloud_services: frozenset[str] = frozenset()


# What is read of the JSON objects (or Python dict literals) in a paste. The search reads
# every paste in linear time: one pass finds the balanced braces, a bounded number of
# them is parsed, nothing nested deeper than a real error response is, and Python
# literals (slower to parse than JSON) only when short.
MAX_DEPTH = 32
MAX_CANDIDATES = 16
MAX_OBJECTS = 8
MAX_LITERAL_CHARS = 4096
MAX_LITERALS = 4


# A response that a plug-in or SDK wrapped as a string inside its own JSON, once or
# twice: `{"error": "ocr failed: {\"error_msg\": ...}"}`.
MAX_WRAPPING = 2


def _dicts_in(text: str, wrapping: int = 0) -> list[dict]:
    """The JSON objects, or Python dict literals, found in `text`, outermost first, then
    those written as strings inside them (escaped or not)."""
    found: list[dict] = []
    literals = 0
    covered = 0  # the end of the last object read: what lies inside it was read with it
    for start, end in sorted(_balanced_spans(text))[:MAX_CANDIDATES]:
        if start < covered:
            continue
        candidate = text[start:end]
        value = _json_object(candidate)
        if value is None and len(candidate) <= MAX_LITERAL_CHARS and literals < MAX_LITERALS:
            literals += 1
            try:
                value = ast.literal_eval(candidate)
            except (ValueError, SyntaxError, MemoryError, RecursionError, TypeError):
                value = None
        if isinstance(value, dict):
            inner = [v for v in value.values() if isinstance(v, dict)]
            found += [value, *inner]
            if wrapping < MAX_WRAPPING:
                for string in _strings_with_objects([value, *inner]):
                    found += _dicts_in(string, wrapping + 1)
            covered = end
            if len(found) >= MAX_OBJECTS:
                break
    return found[:MAX_OBJECTS]


def _json_object(candidate: str):
    r"""`candidate` read as JSON; or, when its quotes are escaped (an object copied out of
    a JSON string: `{\"error_msg\": \"...\"}`), read as that string's content."""
    try:
        return json.loads(candidate)
    except (ValueError, RecursionError):
        pass
    if '\\"' not in candidate:
        return None
    try:
        return json.loads(json.loads(f'"{candidate}"'))
    except (ValueError, RecursionError):
        return None


def _strings_with_objects(objects: list[dict]) -> list[str]:
    """The string values that hold an object: a response carried inside another one."""
    return [
        value
        for obj in objects
        for value in obj.values()
        if isinstance(value, str) and "{" in value and ":" in value
    ][:MAX_OBJECTS]


def _balanced_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every balanced `{...}` in `text` nested at most MAX_DEPTH deep
    (objects and arrays), in one pass. Quotes count inside brackets only, and end at a
    line's end: neither JSON nor Python strings span lines unescaped."""
    spans: list[tuple[int, int]] = []
    # Open brackets: [opening character, start, deepest level reached inside]. Past
    # MAX_OPEN of them, further ones are only counted (`buried`): all too deep to read.
    stack: list[list] = []
    buried = 0
    open_braces = 0
    quote = ""
    escaped_at = -1  # the character after a backslash inside quotes
    # Only these characters matter; the text between them is skipped at C speed, and a
    # run of opening brackets is one match.
    for match in _STRUCTURE_RE.finditer(text):
        index, chars = match.start(), match.group()
        char = chars[0]
        if index == escaped_at:
            continue
        if char == "\\":
            # Inside quotes, an escaped character; outside, the quote of an object copied
            # out of a JSON string (`{\"error_msg\": ...}`), which opens no string.
            escaped_at = index + 1
            continue
        if quote:
            if char == quote or char == "\n":
                quote = ""
            continue
        if char == '"' or char == "'":
            if stack:
                quote = char
        elif char == "{" or char == "[":
            room = min(len(chars), MAX_OPEN - len(stack))
            for offset in range(room):
                stack.append([char, index + offset, len(stack) + 1])
            if room < len(chars):
                buried += len(chars) - room
                stack[-1][2] = TOO_DEEP
            if char == "{":
                open_braces += room
        elif buried:
            buried -= 1
        elif char == "]":
            if stack and stack[-1][0] == "[":
                _close(stack)
        elif char == "}" and open_braces:
            while True:
                opening, start, deepest = _close(stack)
                if opening == "{":
                    open_braces -= 1
                    if deepest - len(stack) <= MAX_DEPTH:
                        spans.append((start, index + 1))
                    break
    return spans


_STRUCTURE_RE = re.compile(r"\{+|\[+|[}\]\"'\\\n]")
MAX_OPEN = 4 * MAX_DEPTH
TOO_DEEP = 1 << 30


def _close(stack: list[list]) -> list:
    """Pop the innermost open bracket; its parent has been as deep as it was."""
    frame = stack.pop()
    if stack and stack[-1][2] < frame[2]:
        stack[-1][2] = frame[2]
    return frame


def _lookup(objects: list[dict], keys: tuple[str, ...]) -> str:
    for obj in objects:
        lowered = {str(k).lower(): v for k, v in obj.items()}
        for key in keys:
            value = lowered.get(key)
            if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
                return str(value).strip()
    return ""


def parse(raw: str) -> ParsedQuery:
    if raw is None:
        raw = ""
    if len(raw) > MAX_QUERY_CHARS:
        raise QueryError(
            _(
                "The text is too long to search (%(length)s characters; the limit is "
                "%(limit)s). Paste the error code and message, or the response body."
            )
            % {"length": len(raw), "limit": MAX_QUERY_CHARS}
        )
    text = clean(raw)
    query = ParsedQuery(text=text)
    if not text:
        return query
    spelt = corrected(text)
    if names_cloud_service_api(spelt):
        query.names_cloud_service = True
        query.cloud_services = cloud_services_named(spelt)
    query.names_shared_gateway = query.names_cloud_service or bool(SHARED_EDITION_RE.search(text))

    if match := STATUS_ONLY_RE.match(text):
        query.http_status = int(match.group(1))
        query.status_only = True
        return query
    if match := BARE_CODE_RE.match(text):
        query.codes = [f"APIG.{match.group(1)}", f"APIGW.{match.group(1)}"]
        query.http_status = int(match.group(2)) if match.group(2) else None
        query.code_only = True
        return query

    objects = _dicts_in(text) if "{" in text else []
    # The object that carries a gateway code carries its message and request ID: a
    # wrapper's own `msg` or `code` (`{"code": 500, "msg": "call failed", "body": ...}`)
    # comes after it.
    objects.sort(key=lambda obj: not canonical_code(_lookup([obj], CODE_KEYS)))
    code_text = _lookup(objects, CODE_KEYS)
    codes = [m for m in (canonical_code(code_text),) if m] or codes_in(text)
    query.codes = list(dict.fromkeys(codes))
    query.message = _lookup(objects, MESSAGE_KEYS)
    query.request_id = _lookup(objects, REQUEST_ID_KEYS)
    status = _lookup(objects, STATUS_KEYS)
    if status.isdigit() and 100 <= int(status) <= 599:
        query.http_status = int(status)
    if not (code_text or query.message or query.request_id or query.http_status):
        # Objects that say nothing of a failure (`returned {"status": "ok"}` in a
        # description) are part of the prose around them, not a response pasted.
        objects = []

    if not query.request_id and (match := REQUEST_ID_RE.search(text)):
        query.request_id = match.group(1)
    if query.http_status is None:
        for pattern in STATUS_PATTERNS:
            if match := pattern.search(text):
                query.http_status = int(match.group(1))
                break
    if query.http_status is None and not objects:
        stated = [
            int(m.group(1))
            for m in PROSE_STATUS_RE.finditer(text)
            if not NOT_THE_STATUS_RE.search(text, max(0, m.start() - 16), m.start())
            and not (
                m.group(2) and DURATION_BEFORE_RE.search(text, max(0, m.start() - 16), m.start())
            )
        ]
        stated = [status for status in stated if status in HTTP_STATUSES]
        if len(set(stated)) == 1:
            query.http_status = stated[0]
    if query.http_status is None:
        lowered = text.lower()
        for phrase, status in REASON_PHRASES.items():
            if phrase in lowered:
                query.http_status, query.status_implied = status, True
                break
    if not query.message and (match := LOG_MESSAGE_RE.search(text)):
        query.message = next(group for group in match.groups() if group).strip()

    rest = _without_codes_and_id(text, query)
    if query.codes and query.http_status is None and (match := STATUS_ONLY_RE.match(rest)):
        query.http_status = int(match.group(1))  # `APIG.0201 413`
    # Outside a parsed response only its keys remain (`"error_code": ...`): no words.
    query.free_text = "" if objects else _words_left(rest, query)
    if not query.message and not objects:
        # A bare message, perhaps after the code: `APIG.0201 Request entity too large.`
        query.message = query.free_text
    query.code_only = bool(query.codes) and not re.search(
        r"[^\W\d_]{2,}", _strip_status_words(query.free_text)
    )
    return query


def free_text_of(text: str, query: ParsedQuery) -> str:
    """The free text of `text` (cleaned, outside any JSON object) once the codes, request
    id and status `query` read in it are taken out: what `parse()` leaves for the words
    search. The log triage reads the lines of one template with it."""
    return _words_left(_without_codes_and_id(text, query), query)


def _without_codes_and_id(text: str, query: ParsedQuery) -> str:
    rest = CODE_RE.sub(" ", text)
    if query.request_id:
        rest = rest.replace(query.request_id, " ")
    return rest


def _words_left(rest: str, query: ParsedQuery) -> str:
    if query.http_status and not query.status_implied:
        # `HTTP 500`, `status=504`: said already, not words to look up.
        # Bounded: a run of spaces is not scanned again from each of its characters.
        rest = re.sub(
            rf"(?:(?:\bHTTP(?:/\d(?:\.\d)?)?|\bstatus(?:[ _]?code)?)[\s:=\"'/]{{0,8}})?"
            # In the plural too (`HTTP 500s`): no `s` left behind as a word.
            rf"(?<!\d){query.http_status}(?!\d)(?:s(?![a-z0-9]))?",
            " ",
            rest,
            flags=re.IGNORECASE,
        )
    return re.sub(r"\s+", " ", rest).strip()


def _strip_status_words(text: str) -> str:
    return re.sub(r"\b(?:http|status|code|error)\b", " ", text, flags=re.IGNORECASE)
