"""The "Support editors" group: who may keep the knowledge base right from the admin.

Editors change rows, categories and FAQ articles, work the unknown-error queue and read
feedback. They cannot delete rows, categories or articles, and cannot manage users or
groups. Migration 0006_support_editors creates the group; `ensure_support_editors_group()` brings an
existing group back to exactly these permissions (the `support_editor` command calls it).
"""

from django.contrib.auth.models import Group, Permission

GROUP_NAME = "Support editors"

# app_label.codename
PERMISSIONS = (
    "kb.view_category",
    "kb.change_category",
    "kb.view_errorentry",
    "kb.add_errorentry",
    "kb.change_errorentry",
    "kb.view_faqarticle",
    "kb.add_faqarticle",
    "kb.change_faqarticle",
    "kb.view_erroralias",
    "kb.add_erroralias",
    "kb.change_erroralias",
    "kb.delete_erroralias",
    "kb.view_feedback",
    "kb.view_feedbackbyrow",
    "kb.view_unansweredsearch",
    "kb.change_unansweredsearch",
)


def permissions_of() -> list[Permission]:
    """The group's permissions, as stored (after `migrate`)."""
    pairs = [name.split(".", 1) for name in PERMISSIONS]
    found = list(
        Permission.objects.filter(
            content_type__app_label__in={app for app, _ in pairs},
            codename__in={codename for _, codename in pairs},
        )
    )
    missing = {codename for _, codename in pairs} - {p.codename for p in found}
    if missing:
        raise LookupError(f"permissions not found (run migrate first): {sorted(missing)}")
    return found


def ensure_support_editors_group() -> Group:
    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    group.permissions.set(permissions_of())
    return group
