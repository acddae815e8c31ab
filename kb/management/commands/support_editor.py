from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from kb.editors import GROUP_NAME, ensure_support_editors_group


class Command(BaseCommand):
    help = (
        f'Make a user a support editor: staff status and membership of "{GROUP_NAME}". '
        "Creates the user, without a password, when there is none of that name."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="The user's login name.")
        parser.add_argument("--email", default="", help="E-mail address of a user to create.")
        parser.add_argument(
            "--remove",
            action="store_true",
            help="Take the user out of the group instead (and remove staff status).",
        )

    def handle(self, *args, username, email, remove, **options):
        group = ensure_support_editors_group()
        users = get_user_model()
        if remove:
            try:
                user = users.objects.get(username=username)
            except users.DoesNotExist as error:
                raise CommandError(f"No user {username!r}.") from error
            user.groups.remove(group)
            if not user.is_superuser:
                user.is_staff = False
                user.save(update_fields=["is_staff"])
            self.stdout.write(f"{username} is no longer a support editor.")
            return
        user, created = users.objects.get_or_create(username=username, defaults={"email": email})
        if created:
            user.set_unusable_password()
        user.is_staff = True
        user.save()
        user.groups.add(group)
        self.stdout.write(self.style.SUCCESS(f"{username} is a support editor."))
        if created:
            self.stdout.write(
                f"Created without a password: set one with "
                f"`python manage.py changepassword {username}`."
            )
