from django import template
from django.conf import settings

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.simple_tag
def site_address() -> str:
    """The configured public address, for links that leave the site (e-mails, printed slips): the
    request's own host may be an internal name or a proxy's."""
    return settings.RAPPORT_BASE_URL.rstrip("/")
