"""A tiny factory for test data built in code."""

from itertools import count

from kb.models import Category, ErrorEntry, FaqArticle

_sequence = count(1)


def make_category(**fields) -> Category:
    n = next(_sequence)
    defaults = {
        "slug": f"category-{n}",
        "code_range": "03xx",
        "name_zh": f"分类{n}",
        "name_en": f"Category {n}",
        "sort_order": n,
    }
    return Category.objects.create(**{**defaults, **fields})


def make_entry(**fields) -> ErrorEntry:
    n = next(_sequence)
    code = fields.get("code", f"APIG.{9000 + n % 1000:04d}")
    defaults = {
        "catalog": "APIGW" if code.startswith("APIGW.") else "APIG",
        "code": code,
        "http_status": 400,
        "message_en": f"Test message {n}.",
        "meaning_zh": f"测试语义{n}",
        "meaning_en": f"Test meaning {n}.",
        "remedy_zh": f"测试解决方案{n}。",
        "remedy_en": f"Test remedy {n}.",
        "sort_order": n,
    }
    if "category" not in fields:
        defaults["category"] = make_category()
    return ErrorEntry.objects.create(**{**defaults, **fields})


def make_faq(entries=(), **fields) -> FaqArticle:
    n = next(_sequence)
    defaults = {
        "slug": f"faq-{n}",
        "title_zh": f"常见问题{n}",
        "title_en": f"FAQ {n}",
        "body_zh": "正文",
        "body_en": "Body",
    }
    article = FaqArticle.objects.create(**{**defaults, **fields})
    article.entries.set(entries)
    return article
