import random
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from kb.insight.models import CauseDay, Channel, Outcome, RowDay, RowPeriodTotal, SearchDay
from kb.models import Cause, ErrorEntry, UnansweredSearch

DEMO_PREFIX = "demo: "
QUEUE_TEXTS = [
    "APIG.9999 unknown error",
    "gateway returns 502 after 30 s",
    "调用返回403但是策略已经放开",
    "certificate chain incomplete on independent domain name",
    "SDK throws signature mismatch only for PUT",
    "订阅的API突然报404",
    "websocket closes after 60 seconds",
    "custom authorizer timeout 3000ms",
]


class Command(BaseCommand):
    help = (
        "Fill the Insight page with demonstration counts for the last DAYS days: searches, "
        "rows reached, answers to “Did this fix it?”, causes matched and unknown-error queue "
        "groups (marked “demo:”). For a demonstration or a screenshot, never for a real site: "
        "it refuses when DEBUG is off unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=30, help="days to fill, up to today")
        parser.add_argument("--seed", type=int, default=16, help="random seed (same data)")
        parser.add_argument(
            "--force", action="store_true", help="run even when DEBUG is off (production)"
        )

    def handle(self, *args, days: int, seed: int, force: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG is off: this looks like a real site. Use --force to fill it.")
        if days < 1 or days > 366:
            raise CommandError("--days must be between 1 and 366.")
        entries = list(
            ErrorEntry.objects.order_by("catalog", "sort_order").values_list("pk", flat=True)
        )
        if not entries:
            raise CommandError("The catalog is empty: run import_catalog first.")
        rng = random.Random(seed)
        today = timezone.localdate()
        # A few rows most customers meet, a long tail of others.
        weights = [1 / (rank + 1) ** 1.1 for rank in range(len(entries))]
        rng.shuffle(weights)
        with transaction.atomic():
            RowPeriodTotal.objects.all().delete()
            searches, rows, causes = self._days(rng, today, days, entries, weights)
            queue = self._queue(rng, days)
        self.stdout.write(
            f"days={days} search_counts={searches} row_counts={rows} cause_counts={causes} "
            f"queue_groups={queue}"
        )

    def _days(self, rng, today, days, entries, weights):
        cause_ids = list(Cause.objects.values_list("pk", flat=True))
        searches = rows = causes = 0
        for back in range(days):
            day = today - timedelta(days=back)
            growth = 1 + (days - back) / days  # traffic grows over the month
            for language in ("zh-hans", "en"):
                for channel in Channel.values:
                    base = (60 if channel == Channel.PAGE else 25) * growth
                    base *= 1.3 if language == "zh-hans" else 1
                    shares = {Outcome.SURE: 0.78, Outcome.UNSURE: 0.14, Outcome.NONE: 0.08}
                    for outcome, share in shares.items():
                        count = max(0, round(rng.gauss(base * share, base * share * 0.2)))
                        SearchDay.objects.update_or_create(
                            day=day,
                            language=language,
                            channel=channel,
                            outcome=outcome,
                            defaults={"count": count},
                        )
                        searches += 1
            reached = {}
            for kind, volume in ((RowDay.Kind.SEARCH, 140), (RowDay.Kind.VIEW, 220)):
                for pk in rng.choices(entries, weights, k=round(volume * growth)):
                    reached[(pk, kind)] = reached.get((pk, kind), 0) + 1
            for pk in rng.choices(entries, weights, k=12):
                kind = RowDay.Kind.FIXED if rng.random() < 0.7 else RowDay.Kind.NOT_FIXED
                reached[(pk, kind)] = reached.get((pk, kind), 0) + 1
            for (pk, kind), count in reached.items():
                RowDay.objects.update_or_create(
                    day=day, entry_id=pk, kind=kind, defaults={"count": count}
                )
                rows += 1
            for pk in cause_ids[: len(cause_ids) // 2]:
                if rng.random() < 0.6:
                    CauseDay.objects.update_or_create(
                        day=day, cause_id=pk, defaults={"count": rng.randint(1, 6)}
                    )
                    causes += 1
        return searches, rows, causes

    def _queue(self, rng, days):
        now = timezone.now()
        made = 0
        for n in range(days * 2):
            text = f"{DEMO_PREFIX}{rng.choice(QUEUE_TEXTS)} #{n}"
            first_seen = now - timedelta(hours=rng.uniform(1, days * 24))
            resolved = rng.random() < 0.55
            resolved_at = first_seen + timedelta(hours=rng.uniform(2, 96)) if resolved else None
            if resolved_at and resolved_at > now:
                resolved_at, resolved = None, False
            UnansweredSearch.objects.update_or_create(
                normalized=text.lower(),
                defaults={
                    "text": text,
                    "language": rng.choice(["zh-hans", "en"]),
                    "count": rng.randint(1, 30),
                    "first_seen": first_seen,
                    "last_seen": min(now, first_seen + timedelta(hours=rng.uniform(0, 48))),
                    "status": "resolved" if resolved else "open",
                    "resolved_at": resolved_at,
                },
            )
            made += 1
        return made
