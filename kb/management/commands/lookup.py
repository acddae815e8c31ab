import json
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from kb.search.answer import answer


class Command(BaseCommand):
    help = (
        "Find the catalog rows for a pasted error: a code, a message, a JSON response, a log line."
    )

    def add_arguments(self, parser):
        parser.add_argument("text", help="The pasted text; quote it. Use - to read standard input.")
        parser.add_argument(
            "--lang",
            default=settings.LANGUAGE_CODE,
            choices=[code for code, _name in settings.LANGUAGES],
            help="Language of meanings and remedies (default: %(default)s).",
        )
        parser.add_argument("--limit", type=int, default=3, help="Rows to print (default: 3).")
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="Print JSON, as the API answers."
        )

    def handle(self, *args, text, lang, limit, as_json, **options):
        if text == "-":
            text = sys.stdin.read()
        with translation.override(lang):
            # Support staff trying a paste: it does not join the unknown-error queue.
            found = answer(text, language=lang, limit=max(1, limit), record=False)
            if found.status != 200:
                raise CommandError(found.error)
            result = found.result
            if as_json:
                self.stdout.write(json.dumps(found.as_json(), ensure_ascii=False, indent=2))
                return
            if result.query.request_id:
                self.stdout.write(f"request_id: {result.query.request_id} (support needs it)")
            if not result.hits:
                self.stdout.write("No row matches this text.")
            elif not result.confident:
                self.stdout.write("No sure answer: these rows share some of the text's words.")
                if statuses := result.statuses_to_ask:
                    self.stdout.write(
                        "Add the HTTP status the gateway answered to narrow them down: "
                        + ", ".join(map(str, statuses))
                    )
            for rank, hit in enumerate(result.hits, 1):
                entry = hit.entry
                sure = "sure" if hit.confident else "not sure"
                self.stdout.write(
                    self.style.SUCCESS(f"{rank}. {entry.code} HTTP {entry.http_status}")
                    + f"  [{hit.match}, score {hit.score}, {sure}]"
                )
                self.stdout.write(f"   message: {entry.message_en}")
                if diagnosis := hit.diagnosis:
                    self.stdout.write(f"   cause:   [{diagnosis.cause.slug}] {diagnosis.summary}")
                    self.stdout.write(f"   fix:     {diagnosis.fix}")
                    for name, value in diagnosis.facts.items():
                        if isinstance(value, list):
                            value = ", ".join(value)
                        if not isinstance(value, dict):  # the canonical request: in the summary
                            self.stdout.write(f"   fact:    {name} = {value}")
                self.stdout.write(f"   meaning: {entry.meaning}")
                self.stdout.write(f"   remedy:  {entry.remedy}")
                self.stdout.write(f"   url:     {entry.get_absolute_url()}")
