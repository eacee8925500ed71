"""The API's OpenAPI schema as committed in docs/openapi.json: sorted keys, two-space indent, a
newline at the end, so that a change to the API shows up as a readable diff in review."""

import json

from rapport.api.routes import api

COMMITTED = "docs/openapi.json"


def schema_text() -> str:
    return json.dumps(api.get_openapi_schema(), sort_keys=True, indent=2, ensure_ascii=False) + "\n"
