"""Access-matrix rows for the directory (issue 15): the public pages and API (every persona,
signed in or not; an unpublished profile answers 404 like a missing one), a clinician's own
directory profile, and the administrator's directory pages."""

from tests.access_matrix import FORBIDDEN, LOGIN, NOT_FOUND, OK, REDIRECT, Route, expect
from tests.directory_support import own_credential, published_profile, unpublished_profile

EVERYONE = expect(OK)
CLINICAL_STAFF = expect(
    OK, anonymous=LOGIN, client_user=FORBIDDEN, other_client_user=FORBIDDEN, administrator=FORBIDDEN
)
ADMINISTRATOR = expect(FORBIDDEN, anonymous=LOGIN, administrator=OK)

ROUTES = [
    Route("providers", "GET", lambda c: published_profile(c) and "/providers/", EVERYONE),
    Route(
        "providers_search",
        "POST",
        lambda c: published_profile(c) and "/providers/",
        EVERYONE,
        data=lambda c: {"problem": "my partner and I argue", "language": "en"},
        notes=["the person's own words come by POST, never in the address"],
    ),
    Route("providers_choose", "GET", lambda c: "/providers/choose/", EVERYONE),
    Route("provider_detail", "GET", lambda c: f"/providers/{published_profile(c).pk}/", EVERYONE),
    Route(
        "provider_detail_unpublished",
        "GET",
        lambda c: f"/providers/{unpublished_profile(c).pk}/",
        expect(NOT_FOUND),
        notes=["an unpublished profile is answered exactly as a missing one, whoever asks"],
    ),
    Route(
        "API GET /api/v1/providers", "GET", lambda c: published_profile(c) and "/api/v1/providers", EVERYONE
    ),
    Route(
        "API GET /api/v1/providers/{provider_id}",
        "GET",
        lambda c: f"/api/v1/providers/{published_profile(c).pk}",
        EVERYONE,
    ),
    Route(
        "API GET /api/v1/providers/{provider_id} unpublished",
        "GET",
        lambda c: f"/api/v1/providers/{unpublished_profile(c).pk}",
        expect(NOT_FOUND),
    ),
    Route("directory_profile", "GET", lambda c: "/my-directory-profile/", CLINICAL_STAFF),
    Route(
        "directory_credential_add", "GET", lambda c: "/my-directory-profile/credentials/new/", CLINICAL_STAFF
    ),
    Route(
        "directory_credential_edit",
        "GET",
        lambda c: f"/my-directory-profile/credentials/{own_credential(c).pk}/",
        # Only its own clinician reaches a credential; any other clinical staff get 404.
        expect(
            NOT_FOUND,
            anonymous=LOGIN,
            clinician=OK,
            client_user=FORBIDDEN,
            other_client_user=FORBIDDEN,
            administrator=FORBIDDEN,
        ),
    ),
    Route("directory_admin", "GET", lambda c: "/administration/directory/", ADMINISTRATOR),
    Route(
        "directory_admin_profile",
        "GET",
        lambda c: f"/administration/directory/{published_profile(c).pk}/",
        ADMINISTRATOR,
    ),
    Route(
        "directory_admin_publish",
        "POST",
        lambda c: f"/administration/directory/{unpublished_profile(c).pk}/",
        expect(FORBIDDEN, anonymous=LOGIN, administrator=REDIRECT),
        data=lambda c: {"action": "publish", "publish": "yes", "version": "1"},
    ),
]
