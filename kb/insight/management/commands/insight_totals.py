import time

from django.core.management.base import BaseCommand

from kb.insight.counts import today
from kb.insight.report import sum_all_closed_days, totals_as_of


class Command(BaseCommand):
    help = (
        "Sum each row's counts of the settled days of the Insight page's periods ahead of "
        "time, so that no staff member's request does it: run it daily after UTC midnight "
        "(a timer, on one host or on several: a second run stores nothing). Each sum adds "
        "the days since the last one to it; the first sums the whole period."
    )

    def handle(self, *args, **options):
        started = time.perf_counter()
        last = today()
        done = sum_all_closed_days(last)
        summary = " ".join(f"{kind}/{period}d={how}" for (kind, period), how in done.items())
        self.stdout.write(
            f"totals as of {totals_as_of(last)}: {summary} "
            f"in {(time.perf_counter() - started) * 1000:.0f} ms"
        )
