from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    """Every dynamic response may hold a client's data: no browser or proxy may keep it.

    Static files are answered by whitenoise before this runs, so they stay cacheable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        add_never_cache_headers(response)
        response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
        return response
