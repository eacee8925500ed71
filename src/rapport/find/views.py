"""The public directory (issue 15, item 3): search with filters, one provider's profile, and
"help me choose", a few plain questions one per screen that work without JavaScript.

What a person writes about their problem is sent by POST (never in an address, so never in a
log), read for this one answer and kept nowhere."""

from django.conf import global_settings
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from rapport.common.access import public
from rapport.common.errors import InvalidInput
from rapport.core import directory as rules
from rapport.core import protocol
from rapport.directory import public as directory
from rapport.directory.models import CredentialKind

LANGUAGE_NAMES = dict(global_settings.LANGUAGES)
PAGE = 25  # providers per page


def _languages_offered() -> list[tuple[str, str]]:
    """The languages some published provider offers, by name: the choices worth giving."""
    codes = {code for profile in directory.public_profiles() for code in profile.languages}
    return sorted(((c, str(LANGUAGE_NAMES.get(c, c))) for c in codes), key=lambda item: item[1])


def _choices() -> dict:
    return {
        "languages": _languages_offered(),
        "areas": [(a.id, a.names["standard"]) for a in protocol.get().problem_areas],
        "kinds": [(k, directory.FORMAT_NAMES[k]) for k in rules.KINDS],
    }


@public
@require_http_methods(["GET", "POST"])
def providers(request):
    # A POST carries the person's own words; a GET (a link, a search engine) only the filters.
    data = request.POST if request.method == "POST" else request.GET
    errors: dict[str, list[str]] = {}
    try:
        found = directory.parse_search(data, allow_problem_text=request.method == "POST")
    except InvalidInput as exc:
        errors = exc.errors
        found = directory.parse_search({})
    listings = directory.search(found)
    # A page of PAGE providers: the rest through ?page= (a GET keeps its filters in the address;
    # a POSTed search, which may hold the person's words, shows its best fits only).
    raw_page = request.GET.get("page", "1")
    number = int(raw_page) if raw_page.isdigit() and 0 < int(raw_page) < 10_000 else 1
    pages = max(1, -(-len(listings) // PAGE))
    number = min(number, pages)
    shown = listings[(number - 1) * PAGE : number * PAGE]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "listings": shown,
        "total": len(listings),
        "page_number": number,
        "pages": pages,
        "next_query": (query.urlencode() + "&" if query else "") + f"page={number + 1}",
        "previous_query": (query.urlencode() + "&" if query else "") + f"page={number - 1}",
        "posted": request.method == "POST",
        "found": found,
        "typed": data,
        "errors": errors,
        "matched_areas": _area_names(found.matched_words),
        "filtered": any(v for k, v in data.items() if k != "csrfmiddlewaretoken"),
        **_choices(),
    }
    return render(request, "find/providers.html", context)


def _area_names(ids) -> list[str]:
    return [protocol.get().problem_area(a).names["standard"] for a in ids]


@public
@require_GET
def provider_detail(request, profile_id: int):
    profile = directory.get_public(profile_id)
    availability = directory.remembered([profile.clinician]).get(profile.clinician_id)
    credentials = directory.credentials_of(profile)
    context = {
        "profile": profile,
        "availability": availability,
        "licences": [c for c in credentials if c.kind == CredentialKind.LICENCE],
        "trainings": [c for c in credentials if c.kind == CredentialKind.TRAINING],
        "outcomes": directory.outcomes_for(profile),
        "minimum_courses": rules.directory_rules().minimum_courses,
        "languages": [LANGUAGE_NAMES.get(code, code) for code in profile.languages],
        "formats": [directory.FORMAT_NAMES[f] for f in profile.formats if f in directory.FORMAT_NAMES],
        "areas": _area_names(profile.problem_areas),
    }
    return render(request, "find/provider.html", context)


# "Help me choose": one question per screen. Each answer travels in the next form's hidden
# fields (POST), so the flow needs no session, no script and no address holding what was said.
STEPS = ("problem", "language", "meeting", "who", "cost")
ANSWER_FIELDS = ("problem", "language", "meeting", "place", "who", "cost", "fee_max")


def _search_params(answers: dict[str, str]) -> dict[str, str]:
    params = {k: answers.get(k, "") for k in ("problem", "language", "meeting", "place")}
    who = answers.get("who", "")
    if who == "young":
        params["adolescents"] = "yes"
    elif who == "couple":
        params["kind"] = "couple"
    cost = answers.get("cost", "")
    if cost == "low":
        params["low_cost"] = "yes"
    elif cost == "up_to":
        params["fee_max"] = answers.get("fee_max", "")
    return params


def _check_step(step: str, answers: dict[str, str]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if step == "who" and answers.get("who", "") not in ("", "me", "young", "couple"):
        errors["who"] = ["Choose one of the answers."]
    if step == "cost":
        cost = answers.get("cost", "")
        if cost not in ("", "low", "up_to", "any"):
            errors["cost"] = ["Choose one of the answers."]
        elif cost == "up_to" and not answers.get("fee_max", "").strip():
            errors["fee_max"] = ["Give the most you can pay per session, or choose another answer."]
    try:
        directory.parse_search(_search_params(answers))
    except InvalidInput as exc:
        errors.update(exc.errors)
    return errors


@public
@require_http_methods(["GET", "POST"])
def choose(request):
    answers = {name: request.POST.get(name, "").strip() for name in ANSWER_FIELDS}
    errors: dict[str, list[str]] = {}
    index = 0
    if request.method == "POST":
        step = request.POST.get("step", "0")
        index = max(0, min(int(step), len(STEPS))) if step.isdigit() else 0
        if request.POST.get("go") == "back":
            index = max(0, index - 1)
        elif index < len(STEPS):
            errors = _check_step(STEPS[index], answers)
            if not errors:
                index += 1
    if index >= len(STEPS):
        found = directory.parse_search(_search_params(answers))
        context = {
            "listings": directory.search(found),
            "found": found,
            "answers": answers,
            "matched_areas": _area_names(found.matched_words),
            "carried": [(k, v) for k, v in answers.items() if v],
        }
        return render(request, "find/choose_results.html", context)
    context = {
        "step": STEPS[index],
        "index": index,
        "number": index + 1,
        "total": len(STEPS),
        "answers": answers,
        "carried": [(k, v) for k, v in answers.items() if v and k not in _fields_of(STEPS[index])],
        "errors": errors,
        **_choices(),
    }
    return render(request, "find/choose_question.html", context)


def _fields_of(step: str) -> tuple[str, ...]:
    return {"meeting": ("meeting", "place"), "cost": ("cost", "fee_max")}.get(step, (step,))
