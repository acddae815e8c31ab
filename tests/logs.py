"""Real-shaped logs built in code: what customers send when many calls failed.

Each writer returns one line (no newline). `incident_log()` mixes them in a known
proportion and returns the text with the counts a triage must find.
"""

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

START = datetime(2026, 11, 27, 1, 2, 0, tzinfo=UTC)


def stamp(moment: datetime) -> str:
    """A Java/Python logger's time: 2026-11-27 01:02:03,123 (UTC in these logs)."""
    return moment.strftime("%Y-%m-%d %H:%M:%S,") + f"{moment.microsecond // 1000:03d}Z"


def request_id(n: int) -> str:
    return f"{n:08x}c0ffee{n:018x}"


def signature_expired(moment: datetime, n: int, skew_seconds: int) -> str:
    """An app-authenticated call signed with a clock `skew_seconds` behind the gateway."""
    signed = (moment - timedelta(seconds=skew_seconds)).strftime("%Y%m%dT%H%M%SZ")
    server = moment.strftime("%Y%m%dT%H%M%SZ")
    body = (
        '{"error_code": "APIG.0303", "error_msg": "Incorrect app authentication information: '
        f'signature expired, signature time:{signed},server time:{server}", '
        f'"request_id": "{request_id(n)}"}}'
    )
    return f"{stamp(moment)} ERROR [order-sync] call failed: HTTP 401 {body}"


def throttled(moment: datetime, n: int) -> str:
    """The Java SDK's exception for a call over the source-IP limit."""
    return (
        f"{stamp(moment)} WARN  c.h.sdk.ApiClient - ServiceResponseException{{"
        f"httpStatusCode=429, errorCode='APIG.0308', errorMsg='The throttling threshold has "
        f"been reached: policy ip over ratelimit,limit:100,time:1 minute', "
        f"requestId='{request_id(n)}'}}"
    )


def backend_timeout(moment: datetime, n: int) -> str:
    """An nginx access line for a call the gateway answered 504 with its code."""
    clf = moment.strftime("%d/%b/%Y:%H:%M:%S +0000")
    return (
        f'10.0.{n % 250}.7 - - [{clf}] "POST /v1/orders/{n} HTTP/1.1" 504 92 "-" '
        f'"okhttp/4.12" x-apig-error-code=APIG.0201 "Backend timeout."'
    )


def noise(moment: datetime, n: int) -> str:
    kinds = (
        f"{stamp(moment)} INFO  [order-sync] synced batch {n} ({n % 90} orders)",
        f"{stamp(moment)} DEBUG [pool] connection {n % 8} returned to pool",
        f"{stamp(moment)} INFO  [health] ok in {n % 40} ms",
    )
    return kinds[n % len(kinds)]


def unknown_error(moment: datetime, n: int) -> str:
    return f"{stamp(moment)} ERROR [db] deadlock detected on table orders, retry {n % 3}"


@dataclass
class IncidentLog:
    text: str
    signature_expired: int = 0
    throttled: int = 0
    backend_timeout: int = 0
    noise: int = 0
    unknown_errors: int = 0
    request_ids: dict[str, list[str]] = field(default_factory=dict)

    @property
    def lines(self) -> int:
        return (
            self.signature_expired
            + self.throttled
            + self.backend_timeout
            + self.noise
            + self.unknown_errors
        )


def incident_log(skews: tuple[int, ...] = (1200, 1260, 1320), chinese: bool = False):
    """150 lines over four minutes: signature errors (skews cycling through `skews`),
    throttled calls, backend timeouts, noise and database errors, counted as written;
    with `chinese`, noise lines in Chinese (for a GB18030 log)."""
    lines = []
    log = IncidentLog(text="")
    n = 0
    for second in range(150):
        moment = START + timedelta(seconds=second * 1.6)
        n += 1
        if second % 5 in (0, 1) or second % 15 == 2:
            skew = skews[log.signature_expired % len(skews)]
            lines.append(signature_expired(moment, n, skew))
            log.signature_expired += 1
            log.request_ids.setdefault("APIG.0303", []).append(request_id(n))
        elif second % 5 == 2:
            lines.append(throttled(moment, n))
            log.throttled += 1
            log.request_ids.setdefault("APIG.0308", []).append(request_id(n))
        elif second % 15 == 3:
            lines.append(backend_timeout(moment, n))
            log.backend_timeout += 1
        elif second % 30 == 8:
            lines.append(unknown_error(moment, n))
            log.unknown_errors += 1
        else:
            line = noise(moment, n)
            if chinese:
                line = line.replace("synced batch", "已同步批次").replace("ok in", "正常，耗时")
            lines.append(line)
            log.noise += 1
    log.text = "\n".join(lines) + "\n"
    return log


def token_expired(moment, n: int) -> str:
    expired = (moment - timedelta(minutes=n % 50 + 1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        f"{stamp(moment)} ERROR HTTP 401 "
        '{"error_code": "APIG.0301", "error_msg": "Incorrect IAM authentication information: '
        f'token expires at:{expired}", "request_id": "{n:032x}"}}'
    )


def mixed_log(lines: int, seed: int = 17) -> bytes:
    """Mixed lines, in the proportions of a bad afternoon."""
    rng = random.Random(seed)
    kinds = [
        (signature_expired, 25),
        (throttled, 20),
        (backend_timeout, 10),
        (token_expired, 10),
        (unknown_error, 5),
        (noise, 30),
    ]
    writers = [writer for writer, weight in kinds for _ in range(weight)]
    out = []
    for n in range(1, lines + 1):
        moment = START + timedelta(milliseconds=n * 180 + rng.randrange(100))
        writer = rng.choice(writers)
        if writer is signature_expired:
            out.append(writer(moment, n, rng.choice((1200, 1260, 1320, 28800))))
        else:
            out.append(writer(moment, n))
    return ("\n".join(out) + "\n").encode()
