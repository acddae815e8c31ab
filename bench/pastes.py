"""Pastes no one sent before, as customers' own are: for the load and profile benchmarks.

Each paste is one failed call as a customer copies it, with a request ID, a time, numbers
and wording of its own, so that no cache of the paste or of its shape can answer it:
the gateway's JSON response (code and detail), `curl -i` output, an SDK exception, or a
log line, in English or Chinese surroundings. `unique_paste()` also says which code the
search must put first, for the benchmarks' answer checks.
"""

import json
import random
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CATALOG = json.loads((ROOT / "fixtures" / "catalog.json").read_text(encoding="utf-8"))
ROWS = [
    (o["fields"]["code"], o["fields"]["http_status"], o["fields"]["message_en"])
    for o in CATALOG
    if o["model"] == "kb.errorentry"
]
SHAPES = ("json", "curl", "sdk", "log", "log_zh", "sdk_zh")


def _detail(code: str) -> str:
    """Detail the gateway adds after the message, with numbers of this call's own."""
    now = datetime.now(UTC) - timedelta(seconds=random.randint(0, 86_400))
    if code.endswith((".0301", ".0303")):
        signed = now - timedelta(minutes=random.randint(16, 600))
        return f"Signature expired: {signed:%Y%m%dT%H%M%SZ} now is {now:%Y%m%dT%H%M%SZ}"
    if code.endswith(".0308"):
        kind = random.choice(["ip", "api", "user", "app"])
        unit = random.choice(["second", "minute", "hour"])
        return f"policy {kind} over ratelimit,limit:{random.randint(1, 9999)},time:1 {unit}"
    if code.endswith(".0402"):
        return f"ip {random.randint(1, 223)}.{random.randint(0, 255)}.0.{random.randint(1, 254)}"
    return random.choice(["", "", f"backend {uuid.uuid4().hex[:8]}", "details omitted"])


def unique_paste(shape: str = "") -> tuple[str, str]:
    """(paste, the code the search must rank first). `shape` is one of SHAPES, or random."""
    code, status, message = random.choice(ROWS)
    # The gateway fills in a message's placeholder ("{xxx}") with this call's value.
    message = re.sub(r"\{[^}]*\}", lambda _: f"v{random.randint(1, 999)}", message)
    detail = _detail(code)
    text = f"{message.rstrip('.')}: {detail}" if detail else message
    request_id = uuid.uuid4().hex
    body = json.dumps({"error_msg": text, "error_code": code, "request_id": request_id})
    stamp = datetime.now(UTC) - timedelta(seconds=random.randint(0, 86_400))
    path = f"/v{random.randint(1, 3)}/orders/{random.randint(1, 10**6)}"
    shape = shape or random.choice(SHAPES)
    if shape == "json":
        paste = body
    elif shape == "curl":
        paste = (
            f"HTTP/1.1 {status} \nDate: {stamp:%a, %d %b %Y %H:%M:%S GMT}\n"
            f"X-Request-Id: {request_id}\nContent-Type: application/json\n\n{body}"
        )
    elif shape == "sdk":
        paste = (
            "huaweicloudsdkcore.exceptions.exceptions.ClientRequestException: "
            f"{{status_code:{status},request_id:{request_id},error_code:{code},"
            f"error_msg:{text}}}"
        )
    elif shape == "log":
        paste = (
            f"{stamp:%Y-%m-%d %H:%M:%S},{random.randint(0, 999):03d} ERROR "
            f"[worker-{random.randint(1, 64)}] GET {path} failed with {status}: {body}"
        )
    elif shape == "log_zh":
        paste = (
            f"{stamp:%Y-%m-%d %H:%M:%S}.{random.randint(0, 999):03d} [错误] "
            f"线程{random.randint(1, 64)} 调用 {path} 失败，第{random.randint(1, 5)}次重试，"
            f"返回 {status}：{body}"
        )
    else:
        paste = (
            f"调用网关接口报错（耗时{random.randint(20, 60_000)}毫秒）：\n"
            f"status_code: {status}\nrequest_id: {request_id}\nerror_code: {code}\n"
            f"error_msg: {text}"
        )
    return paste, code
