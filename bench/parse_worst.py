"""The worst time to read an adversarial paste of 16 KB (the longest the search takes).

    .venv/bin/python bench/parse_worst.py            # the shipped catalog, SQLite in memory
    .venv/bin/python bench/parse_worst.py --runs 5   # fewer runs per input

For each input it prints the worst of `--runs` timings (CPU time of this process, so that
other work on the machine does not count) of each stage a search request runs on the
pasted text: `parse()` (kb/search/parse.py), `redact()` and
`queue_group_key()` (what the unknown-error queue stores), and the whole `search()`
(parse, look-up, rank, diagnosis). Target: parse ≤ 50 ms for each input. The last line
is `parse_worst_ms=<worst parse time over all inputs>`.
"""

import argparse
import json
import time
from io import StringIO

from _django import setup_throwaway_database

SIZE = 16 * 1024


def _wrapped(size: int) -> str:
    """A response in a string in a response in a string..., as long as the paste allows."""
    text = '{"error_code": "APIG.0308"}'
    while len(json.dumps({"body": text, "more": text})) < size:
        text = json.dumps({"body": text, "more": text})
    return text


def adversarial_inputs() -> dict[str, str]:
    deep = '{"error_code": "APIG.0308", "detail": {"a":' + "[" * 1100 + "]" * 1100 + "}}"
    inputs = {
        "all {": "{" * SIZE,
        "all [": "[" * SIZE,
        "all {}": "{}" * (SIZE // 2),
        "{ then }": "{" * (SIZE // 2) + "}" * (SIZE // 2),
        'open keys {"a":': '{"a":' * (SIZE // 5),
        "nested quotes {'\"": "{'\"" * (SIZE // 3),
        "escaped quotes": '{"a":"' + '\\"' * (SIZE // 2 - 4) + '"}',
        "all a": "a" * SIZE,
        "all space": "x" + " " * (SIZE - 2) + "x",
        "all 0": "0" * SIZE,
        "all :": ":" * SIZE,
        "all =": "=" * SIZE,
        "all %": "%" * SIZE,
        "all %3D": "%3D" * (SIZE // 3),
        "status then spaces": "APIG.0308 status 500 " + " " * (SIZE - 30) + " x",
        "Chinese": ("签名校验失败，请检查密钥。" * SIZE)[:SIZE],
        "token: repeated": "token: " * (SIZE // 7),
        "password= repeated": "password=" * (SIZE // 9),
        "tokentoken...": "token" * (SIZE // 5),
        "secret_secret_...": "secret_" * (SIZE // 7),
        "密钥 repeated": "密钥 " * (SIZE // 3),
        "MII run": "MII" + "A" * (SIZE - 3),
        "base64 run": ("Ab0+" * SIZE)[:SIZE],
        "email-ish": "a@" * (SIZE // 2),
        "ipv6-ish": "1:" * (SIZE // 2),
        "deep JSON": deep,
        # Cloud services named one after another (`OBS/ECS calls`), and words between a
        # service and an API: what tells whether a text points at the shared gateway.
        "services obs/obs/...": "obs/" * (SIZE // 4),
        "services iam/vpcep/...": "iam/vpcep/" * (SIZE // 10),
        "service words ecs ecs ...": "ecs " * (SIZE // 4),
        "service Chinese VPC查询...": ("VPC查询云服务器列表" * SIZE)[:SIZE],
        # Objects copied out of JSON strings, and responses wrapped as strings in others.
        "escaped objects": '{\\"a\\":\\"b\\"}' * (SIZE // 16),
        "wrapped strings": _wrapped(SIZE),
    }
    # A real response repeated until 16 KB: many objects, each read.
    response = '{"error_code":"APIG.0308","error_msg":"The throttling threshold has been reached"}'
    inputs["many responses"] = (response * (SIZE // len(response) + 1))[:SIZE]
    return {name: text[:SIZE] for name, text in inputs.items()}


def worst(function, text: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.process_time()
        function(text)
        times.append(time.process_time() - start)
    return max(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="timings per input and stage")
    args = parser.parse_args()
    teardown = setup_throwaway_database()
    try:
        from django.core.management import call_command

        from kb.redact import redact
        from kb.search.engine import search
        from kb.search.parse import parse
        from kb.unknown_errors import queue_group_key

        call_command("import_catalog", stdout=StringIO())
        header = ("input", "parse", "redact", "normalize", "search")
        print("{:<22} {:>9} {:>9} {:>10} {:>9}  (worst ms)".format(*header))
        parse_worst = 0.0
        for name, text in adversarial_inputs().items():
            parsed = worst(parse, text, args.runs)
            redacted = worst(redact, text, args.runs)
            normalized = worst(queue_group_key, text, args.runs)
            searched = worst(search, text, max(1, args.runs // 2))
            parse_worst = max(parse_worst, parsed)
            print(f"{name:<22} {parsed:9.1f} {redacted:9.1f} {normalized:10.1f} {searched:9.1f}")
        print(f"parse_worst_ms={parse_worst:.1f}")
    finally:
        teardown()


if __name__ == "__main__":
    main()
