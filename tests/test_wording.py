"""The words readers see: two mistakes a native reader found stay fixed, and the Chinese
the project writes keeps its conventions (full-width punctuation, one term per concept).

The 78 official APIG rows keep the official table's Chinese, half-width commas and all;
everything else written in Chinese (interface strings, FAQ articles, categories, causes,
the APIGW rows) is checked here.
"""

import ast
import gettext
import json
import os
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation

from kb.diagnosis.times import duration_in_words, parse_time
from kb.models import ErrorEntry

PO = Path(settings.BASE_DIR) / "kb" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
TEMPLATES = Path(settings.BASE_DIR) / "templates"
HAN = "\u3400-\u4dbf\u4e00-\u9fff"
# Code keeps its own punctuation: `inline code`, <code>…</code>, a function named as send().
CODE = re.compile(r"`[^`\n]*`|<code>.*?</code>|[A-Za-z_][A-Za-z0-9_.]*\(\)")
HALF_WIDTH = re.compile(rf"[{HAN}][,:;?!()]|[,:;?!()][{HAN}]")
SPACED = re.compile(rf"[{HAN}] +[A-Za-z0-9]|[A-Za-z0-9] +[{HAN}]")
# One term per concept (GLOSSARY.md, "Terms of the product itself"): pattern -> the term.
REJECTED_TERMS = {
    r"目录": "错误码表",
    r"已净化|已脱敏": "已清理",
    r"回答此搜索": "对应条目",
    r"发布内容": "预置内容 (a shipped value; 发布 is publishing an API)",
    r"签名校验(?!失败)": "签名比对工具 (签名校验 is the gateway's own check)",
    r"消息(?!队列)": "错误信息",
    r"令牌": "token",
    r"(?<![-A-Za-z])Token(?![-A-Za-z])": "token, as the official table writes it",
}


def project_chinese() -> list[tuple[str, str]]:
    """(where, text) of every Chinese text the project writes."""
    texts = []
    for obj in json.loads(settings.CATALOG_FIXTURE.read_text(encoding="utf-8")):
        fields = obj["fields"]
        if obj["model"] == "kb.errorentry" and fields["catalog"] == "APIG":
            continue  # the official table's own words
        label = f"{obj['model']} {fields.get('slug') or fields['code']}"
        texts += [
            (f"{label} {name}", value)
            for name, value in fields.items()
            # Customer phrasings are written as customers type, for search to match.
            if name.endswith("_zh") and not name.startswith("phrasings")
        ]
    texts += [(f"django.po {msgid!r}", text) for msgid, text in po_translations().items()]
    for template in sorted(TEMPLATES.rglob("*.html")):
        # Strings inside {% translate %} are English; the rest is written in the template.
        text = re.sub(r"{%.*?%}|{{.*?}}", "\n", template.read_text(encoding="utf-8"))
        texts.append((str(template.relative_to(TEMPLATES)), text))
    return texts


def po_translations(path: Path = PO) -> dict:
    """msgid (or (msgid, 0) for a plural) -> translation, for the entries msgfmt compiles."""
    entries, entry, keyword, fuzzy = {}, {}, None, False
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if entry.get("msgid") and not fuzzy:
                if "msgid_plural" in entry:
                    entries[(entry["msgid"], 0)] = entry["msgstr[0]"]
                else:
                    entries[entry["msgid"]] = entry["msgstr"]
            entry, keyword, fuzzy = {}, None, False
        elif line.startswith("#"):
            fuzzy = fuzzy or (line.startswith("#,") and "fuzzy" in line)
        elif line.startswith('"'):
            entry[keyword] += ast.literal_eval(line)
        else:
            keyword, _, value = line.partition(" ")
            entry[keyword] = ast.literal_eval(value)
    return entries


def test_the_compiled_translations_are_the_po_file():
    compiled = gettext.GNUTranslations(PO.with_suffix(".mo").open("rb"))
    translations = po_translations()
    assert len(translations) > 300
    for msgid, text in translations.items():
        if isinstance(msgid, tuple):
            served = compiled.ngettext(msgid[0], msgid[0], 1)
        else:
            served = compiled.gettext(msgid)
        assert served == text, f"django.mo is older than django.po for {msgid!r}: run make messages"


def test_project_chinese_uses_full_width_punctuation_between_chinese_characters():
    texts = project_chinese()
    assert len(texts) > 400
    found = [
        f"{where}: …{CODE.sub(' ', text)[max(0, m.start() - 12) : m.end() + 12]}…"
        for where, text in texts
        for m in HALF_WIDTH.finditer(CODE.sub(" ", text))
    ]
    assert not found, "half-width punctuation in Chinese:\n" + "\n".join(found)


def test_project_chinese_puts_no_space_between_chinese_and_latin_or_numbers():
    found = [
        f"{where}: {m.group()!r}"
        for where, text in project_chinese()
        for m in SPACED.finditer(CODE.sub("`", text))
    ]
    assert not found, "a space beside Chinese:\n" + "\n".join(found)


def test_project_chinese_uses_one_term_per_concept():
    found = [
        f"{where}: {m.group()!r}, write {term}"
        for pattern, term in REJECTED_TERMS.items()
        for where, text in project_chinese()
        for m in re.finditer(pattern, text)
    ]
    assert not found, "\n".join(found)


def test_every_interface_string_has_a_chinese_translation(tmp_path, monkeypatch, settings):
    """What `make messages` would extract from the code and the templates today, each with
    its Chinese: a string added without one shows English on a Chinese page."""
    if shutil.which("xgettext") is None:
        # Like the browser tests: skipped on a machine without it, required in CI.
        missing = pytest.fail if os.environ.get("CI", "").lower() == "true" else pytest.skip
        missing("gettext is missing: apt-get install gettext")
    base = Path(settings.BASE_DIR)
    for name in ("kb", "templates"):
        shutil.copytree(base / name, tmp_path / name, ignore=shutil.ignore_patterns("*.pyc"))
    monkeypatch.chdir(tmp_path)
    # makemessages writes what no app's locale folder claims (the templates) there.
    settings.LOCALE_PATHS = [tmp_path / "kb" / "locale"]
    call_command(
        "makemessages", locale=["zh_Hans"], no_obsolete=True, add_location="never", verbosity=0
    )
    extracted = po_translations(tmp_path / PO.relative_to(base))
    missing = sorted(str(msgid) for msgid, text in extracted.items() if msgid and not text)
    assert len(extracted) > 300
    assert not missing, "no Chinese for:\n" + "\n".join(missing)


# The clock-skew sentence: 早 when the signature time is behind the gateway's, 晚 when ahead.


@pytest.mark.parametrize(
    "signed, server",
    [("20230527T000431Z", "20230527T020608Z"), ("20261127T123000Z", "20261127T120000Z")],
)
@pytest.mark.parametrize("code", ["APIG.0301", "APIG.0303", "APIGW.0301", "APIGW.0303"])
def test_chinese_diagnosis_says_the_signature_time_is_earlier_or_later_as_its_numbers_do(
    shipped_catalog, client, code, signed, server
):
    message = ErrorEntry.objects.filter(code=code).first().message_en.rstrip(".")
    detail = f"signature expired, signature time:{signed},server time:{server}"
    paste = json.dumps(
        {"error_msg": f"{message}: {detail}", "error_code": code, "request_id": "5f1c0a9e"}
    )

    html = client.get("/zh-hans/search/", {"q": paste}).content.decode()

    sentence = re.search(r"签名时间（[^）]*）比网关时间（[^）]*）([早晚])了?([^：]+)：", html)
    assert sentence, f"no clock-skew sentence for {code}"
    skew = (parse_time(server) - parse_time(signed)).total_seconds()
    assert sentence.group(1) == ("早" if skew > 0 else "晚")
    with translation.override("zh-hans"):
        assert sentence.group(2) == duration_in_words(abs(skew))


# FAQ api-not-published-to-environment, step 4: which group the domain name leads to.


def domain_name_step(client, lang: str) -> str:
    html = client.get(f"/{lang}/faq/api-not-published-to-environment/").content.decode()
    steps = re.findall(r"<li>(.*?)</li>", html, re.S)
    return next(step for step in steps if "APIG.0101" in step and re.search("分组|group", step))


def test_faq_says_another_groups_domain_reaches_that_groups_api_of_the_same_path(
    shipped_catalog, client
):
    english = domain_name_step(client, "en")
    assert re.search(r"another group.*APIG\.0101 even though the API's own group", english)
    assert re.search(r"same method and path, the call reaches that API", english)
    assert "even if that group has the same path" not in english

    chinese = domain_name_step(client, "zh-hans")
    assert re.search(r"其他分组的域名，即使API所属的分组中有该路径，也会返回APIG\.0101", chinese)
    assert "请求方法和路径相同的API，请求会到达那个API" in chinese
    assert "即使该路径在那个分组中存在" not in chinese


# APIGW rows: the remedies that change the API's own settings say what a caller of a
# Huawei Cloud service, who controls none of them, does instead.

OWNER_REMEDIES = [
    ("APIGW.0106", 400),
    ("APIGW.0201", 504),
    ("APIGW.0304", 403),
    ("APIGW.0308", 429),
    ("APIGW.0404", 403),
    ("APIGW.0605", 500),
    ("APIGW.0612", 500),
]


@pytest.mark.parametrize("code, status", OWNER_REMEDIES)
def test_apigw_remedy_tells_a_cloud_service_caller_what_to_do(shipped_catalog, code, status):
    row = ErrorEntry.objects.get(catalog="APIGW", code=code, http_status=status)
    assert "Huawei Cloud" in row.remedy_en
    assert "华为云" in row.remedy_zh
    # Still a remedy the API's owner can act on, not a referral to support.
    assert not row.contact_support
