from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Support editors"

# As kb.editors.PERMISSIONS when this migration was written; tests compare the two.
PERMISSIONS = [
    "view_category",
    "change_category",
    "view_errorentry",
    "add_errorentry",
    "change_errorentry",
    "view_faqarticle",
    "add_faqarticle",
    "change_faqarticle",
    "view_erroralias",
    "add_erroralias",
    "change_erroralias",
    "delete_erroralias",
    "view_feedback",
    "view_feedbackbyrow",
    "view_unansweredsearch",
    "change_unansweredsearch",
]


def create_group(apps, schema_editor):
    # Permissions are normally created after all migrations; this group needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="kb", codename__in=PERMISSIONS)
    )


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("kb", "0005_editing"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
