"""Who does intake: the administrator chooses the clinicians and supervisors who read and triage
referrals (rapport.intake.team)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from rapport.clinic import rules
from rapport.common.access import signed_in
from rapport.common.errors import InvalidInput
from rapport.intake import team


@signed_in(rules.is_administrator)
@require_http_methods(["GET", "POST"])
def intake_team(request):
    errors = {}
    if request.method == "POST":
        chosen = [int(v) for v in request.POST.getlist("chosen") if v.isdigit()]
        try:
            added, ended = team.set_team(request, chosen)
        except InvalidInput as exc:
            errors = exc.errors
        else:
            messages.success(
                request,
                _("Saved: %(added)s added to intake, %(ended)s taken off.")
                % {"added": added, "ended": ended},
            )
            return redirect("intake_team")
    organisation_id = request.user.organisation_id
    current = set(team.workers(organisation_id).values_list("pk", flat=True))
    people = [(person, person.pk in current) for person in team.candidates(organisation_id)]
    return render(request, "administration/intake_team.html", {"people": people, "errors": errors})
