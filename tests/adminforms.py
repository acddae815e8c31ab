"""Post an admin change form as a browser would: every field as the form shows it."""

from django.urls import reverse


def change_url(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def _values(form) -> dict:
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None or value is False:
            continue  # an empty or unticked field is not sent
        if hasattr(field, "queryset") and not isinstance(value, (list, tuple)):
            value = getattr(value, "pk", value)
        data[form.add_prefix(name)] = value
    return data


def form_data(client, url: str) -> dict:
    """The values the change form at `url` would post if saved untouched, with its
    inline forms (a row's aliases) and their management forms."""
    response = client.get(url)
    data = _values(response.context["adminform"].form)
    for inline in response.context.get("inline_admin_formsets") or []:
        formset = inline.formset
        data |= _values(formset.management_form)
        for form in formset.forms:
            data |= _values(form)
    return data
