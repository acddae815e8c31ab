"""kb/tables.py: the statements written as SQL store what the ORM would."""

from django.utils import timezone

from kb.models import UnansweredSearch
from kb.tables import insert_new


def test_insert_new_stores_the_row_as_the_orm_would_and_says_whether_it_did(db):
    seen = timezone.now().replace(microsecond=654321)
    row = UnansweredSearch(
        normalized="backend zq8 timeout",
        text="Backend ZQ8 timeout",
        language="zh-hans",
        count=3,
        first_seen=seen,
        last_seen=seen,
    )
    assert insert_new(row, "normalized") is True
    stored = UnansweredSearch.objects.get(normalized="backend zq8 timeout")
    fields = [f.attname for f in UnansweredSearch._meta.concrete_fields if not f.primary_key]
    assert {name: getattr(stored, name) for name in fields} == {
        name: getattr(row, name) for name in fields
    }
    assert UnansweredSearch.objects.filter(first_seen=seen, status="open").count() == 1

    again = UnansweredSearch(normalized="backend zq8 timeout", text="other", first_seen=seen)
    assert insert_new(again, "normalized") is False
    assert UnansweredSearch.objects.get().text == "Backend ZQ8 timeout"
