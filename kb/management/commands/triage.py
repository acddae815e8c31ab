import json
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from kb.diagnosis.times import format_time
from kb.triage import TriageError, triage


class Command(BaseCommand):
    help = (
        "Triage a whole log: its failed calls grouped by catalog row and cause, most "
        "frequent first. Nothing read is stored."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file", help="The log (text or gzip); - reads standard input.", metavar="FILE"
        )
        parser.add_argument(
            "--lang",
            default=settings.LANGUAGE_CODE,
            choices=[code for code, _name in settings.LANGUAGES],
            help="Language of causes and remedies (default: %(default)s).",
        )
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="Print JSON, as the API answers."
        )

    def handle(self, *args, file, lang, as_json, **options):
        with translation.override(lang):
            try:
                report = self._triage(file)
            except TriageError as error:
                raise CommandError(str(error)) from None
            if as_json:
                self.stdout.write(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
            else:
                self._print(report)

    def _triage(self, file):
        # A progress line on a terminal only: a pipe or a file gets the report alone.
        progress = self._progress if sys.stderr.isatty() else None
        if file == "-":
            report = triage(sys.stdin.buffer, progress=progress)
        else:
            try:
                with open(file, "rb") as stream:
                    report = triage(stream, progress=progress)
            except OSError as error:
                raise CommandError(f"{file}: {error.strerror}") from None
        if progress:
            sys.stderr.write("\r\033[K")
        return report

    def _progress(self, lines: int) -> None:
        sys.stderr.write(f"\r{lines:,} lines read…")
        sys.stderr.flush()

    def _print(self, report) -> None:
        out = self.stdout
        out.write(
            f"{report.lines} lines ({report.encoding}): {report.failed_calls} failed calls, "
            f"{report.recognised} matched a row, {report.unrecognised} unrecognised."
        )
        for rank, group in enumerate(report.groups, 1):
            entry = group.entry
            cause = f" [{group.cause.slug}]" if group.cause else ""
            out.write(
                self.style.SUCCESS(f"{rank}. {entry.code} HTTP {entry.http_status}")
                + f"{cause}  {group.count} ({group.share:.0%})"
            )
            out.write(f"   message:  {entry.message_en}")
            if group.statuses:
                out.write(f"   statuses: {' '.join(map(str, sorted(group.statuses)))}")
            if group.first_seen:
                first, last = format_time(group.first_seen), format_time(group.last_seen)
                out.write(f"   seen:     {first} – {last}")
            if skew := group.clock_skew:
                out.write(
                    f"   skew:     min {skew['min']} s, median {skew['median']} s, "
                    f"max {skew['max']} s"
                )
            for policy in group.throttle_policies:
                out.write(
                    f"   throttle: {policy['policy']} limit {policy['limit']} per "
                    f"{policy['window']} ({policy['count']} lines)"
                )
            if group.token_expiries:
                out.write(f"   token expired at: {', '.join(sorted(group.token_expiries))}")
            if group.request_ids:
                out.write(f"   requests: {', '.join(group.request_ids)}")
            out.write(f"   sample:   {group.sample}")
            if group.cause:
                out.write(f"   cause:    {group.cause.explanation}")
                out.write(f"   fix:      {group.cause.fix}")
            out.write(f"   remedy:   {entry.remedy}")
        if report.unrecognised:
            out.write(f"Unrecognised lines: {report.unrecognised}, most frequent shapes:")
            for shape in report.top_shapes():
                out.write(f"   {shape['count']:>6}  {shape['example'] or '(other shapes)'}")
        if report.cut_count:
            out.write(f"Lines cut at 4,096 bytes: {report.cut_count} (first: {report.cut_lines})")
        if report.undecodable_count:
            out.write(
                f"Lines that could not be decoded as {report.encoding}: "
                f"{report.undecodable_count} (first: {report.undecodable_lines})"
            )
