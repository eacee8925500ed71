"""The organisation's opening hours, which shape what a client is told out of hours."""

import re

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from rapport.accounts import organisation
from rapport.clinic import rules
from rapport.common.access import signed_in
from rapport.common.errors import InvalidInput, page_errors
from rapport.core import hours

# Start and end joined by a hyphen, an en or em dash (as hours.describe writes them), or "to".
_RANGE = re.compile(r"^\s*(\d{1,2}:\d{2})\s*(?:-|\u2013|\u2014|to)\s*(\d{1,2}:\d{2})\s*$")


def _parse_hours(post) -> tuple[dict, dict[str, list[str]]]:
    """Day fields written as "09:00-12:30, 13:30-17:00" (empty: closed) to the hours mapping."""
    parsed, errors = {}, {}
    for day in hours.DAYS:
        text = post.get(day, "").strip()
        ranges = []
        for part in filter(None, (p.strip() for p in text.split(","))):
            match = _RANGE.match(part)
            if match is None:
                errors[day] = [
                    _("Write each opening as start-end, such as 09:00-17:00; separate several with commas.")
                ]
                break
            ranges.append([match.group(1).zfill(5), match.group(2).zfill(5)])
        parsed[day] = ranges
    return parsed, errors


def _hours_text(stored: dict) -> dict[str, str]:
    return {day: ", ".join(f"{a}-{b}" for a, b in stored.get(day, [])) for day in hours.DAYS}


@signed_in(rules.is_administrator)
@require_http_methods(["GET", "POST"])
def opening_hours(request):
    org = request.user.organisation
    typed, errors = _hours_text(org.opening_hours), {}
    if request.method == "POST":
        typed = {day: request.POST.get(day, "").strip() for day in hours.DAYS}
        parsed, errors = _parse_hours(request.POST)
        if not errors:
            try:
                organisation.set_opening_hours(request, parsed)
            except InvalidInput as exc:
                errors = page_errors(exc)
            else:
                messages.success(request, _("The opening hours were saved."))
                return redirect("opening_hours")
    days = [(day, hours.DAY_NAMES[day], typed.get(day, ""), errors.get(day, [])) for day in hours.DAYS]
    context = {
        "org": org,
        "days": days,
        "errors": errors,
        "described": hours.describe(org.opening_hours),
        "open_now": organisation.is_open(org),
    }
    return render(request, "administration/opening_hours.html", context)
