"""The "Support editors" group: what its members may do in the admin, and what they may not."""

from io import StringIO

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command
from django.urls import reverse

from kb.editors import GROUP_NAME, PERMISSIONS
from kb.models import Category, ErrorEntry, FaqArticle
from tests.adminforms import change_url, form_data


def test_migration_creates_the_group_with_exactly_the_documented_permissions(db):
    group = Group.objects.get(name=GROUP_NAME)
    granted = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
    assert granted == set(PERMISSIONS)


def test_editor_can_change_a_row_a_category_and_a_faq_article(shipped_catalog, editor_client):
    for obj, field, value in [
        (
            ErrorEntry.objects.filter(code="APIG.0201").first(),
            "remedy_en",
            "Check the backend first.",
        ),
        (Category.objects.first(), "description_en", "Edited by an editor."),
        (FaqArticle.objects.first(), "summary_en", "Edited summary."),
    ]:
        url = change_url(obj)
        data = form_data(editor_client, url) | {field: value}
        response = editor_client.post(url, data)
        assert response.status_code == 302, response.content[:3000]
        obj.refresh_from_db()
        assert getattr(obj, field) == value


def test_editor_cannot_delete_a_row(shipped_catalog, editor_client):
    row = ErrorEntry.objects.filter(code="APIG.0201").first()
    url = reverse("admin:kb_errorentry_delete", args=[row.pk])
    assert editor_client.get(url).status_code == 403
    assert editor_client.post(url, {"post": "yes"}).status_code == 403
    assert ErrorEntry.objects.filter(pk=row.pk).exists()
    changelist = reverse("admin:kb_errorentry_changelist")
    response = editor_client.post(
        changelist, {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"}
    )
    assert ErrorEntry.objects.filter(pk=row.pk).exists()
    assert response.status_code in (200, 302)


@pytest.mark.parametrize(
    "url_name", ["admin:auth_user_changelist", "admin:auth_group_changelist", "admin:auth_user_add"]
)
def test_editor_cannot_manage_users_or_groups(editor_client, url_name):
    assert editor_client.get(reverse(url_name)).status_code == 403


def test_editor_cannot_make_themselves_superuser(editor_client, editor):
    url = reverse("admin:auth_user_change", args=[editor.pk])
    editor_client.post(url, {"username": "editor", "is_superuser": "on", "is_staff": "on"})
    editor.refresh_from_db()
    assert not editor.is_superuser


def test_user_outside_the_group_sees_nothing_of_the_knowledge_base(shipped_catalog, client):
    user = User.objects.create_user("clerk", password="pw-clerk-1", is_staff=True)
    client.force_login(user)
    assert client.get(reverse("admin:kb_errorentry_changelist")).status_code == 403


def test_support_editor_command_creates_a_staff_member_of_the_group(db):
    out = StringIO()
    call_command("support_editor", "lin", "--email", "lin@example.com", stdout=out)
    user = User.objects.get(username="lin")
    assert user.is_staff and not user.is_superuser
    assert user.groups.filter(name=GROUP_NAME).exists()
    assert not user.has_usable_password()
    assert "changepassword lin" in out.getvalue()


def test_support_editor_command_promotes_an_existing_user_and_removes_them(db):
    user = User.objects.create_user("wu", password="pw-wu-1")
    call_command("support_editor", "wu", stdout=StringIO())
    user.refresh_from_db()
    assert user.is_staff and user.has_perm("kb.change_errorentry")
    assert not user.has_perm("kb.delete_errorentry")

    call_command("support_editor", "wu", "--remove", stdout=StringIO())
    user = User.objects.get(pk=user.pk)  # permissions are cached per instance
    assert not user.is_staff
    assert not user.has_perm("kb.change_errorentry")


def test_removing_an_unknown_user_is_a_clear_error(db):
    with pytest.raises(CommandError, match="No user 'ghost'"):
        call_command("support_editor", "ghost", "--remove", stdout=StringIO())
