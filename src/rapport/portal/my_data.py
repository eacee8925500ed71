"""My data: everything Rapport holds about the client, as a page and as a JSON file."""

import json

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from rapport.clinic import my_data as domain
from rapport.clinic import rules
from rapport.common.access import signed_in


@signed_in(rules.is_client_user)
@require_GET
def my_data(request):
    copy = domain.my_data(request, as_file=False)
    return render(
        request, "portal/my_data.html", {"client": copy.client, "copy": copy, "sections": copy.for_page()}
    )


@signed_in(rules.is_client_user)
@require_GET
def my_data_json(request):
    copy = domain.my_data(request, as_file=True)
    response = HttpResponse(
        json.dumps(copy.as_json(), ensure_ascii=False, indent=2), content_type="application/json"
    )
    # A fixed file name: no name or date of the client in the download's name.
    response["Content-Disposition"] = 'attachment; filename="my-rapport-data.json"'
    return response
