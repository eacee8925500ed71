"""Plain-language pages about depression and IPT."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from rapport.clinic import rules
from rapport.common.access import signed_in
from rapport.core import learn


@signed_in(rules.is_client_user)
@require_GET
def my_learn(request):
    return render(request, "portal/learn.html", {"pages": learn.pages()})


@signed_in(rules.is_client_user)
@require_GET
def my_learn_page(request, slug: str):
    try:
        page = learn.get(slug)
    except learn.UnknownPage:
        raise Http404("No such page") from None
    pages = learn.pages()
    index = pages.index(page)
    context = {
        "page": page,
        "previous": pages[index - 1] if index > 0 else None,
        "next": pages[index + 1] if index + 1 < len(pages) else None,
    }
    return render(request, "portal/learn_page.html", context)
