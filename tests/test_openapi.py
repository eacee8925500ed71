"""The committed OpenAPI schema (docs/openapi.json) is the API's schema today."""

from pathlib import Path

from rapport.api.openapi import COMMITTED, schema_text

ROOT = Path(__file__).resolve().parents[1]


def test_the_committed_openapi_schema_matches_the_api():
    committed = (ROOT / COMMITTED).read_text()
    assert committed == schema_text(), (
        f"The API's schema has changed and {COMMITTED} has not: run `make openapi` and commit the file "
        "(review the diff: a client of the API sees every change in it)."
    )


def test_the_committed_schema_is_written_sorted_with_a_final_newline():
    committed = (ROOT / COMMITTED).read_text()
    assert committed.endswith("}\n")
    assert '"paths": {' in committed
    assert committed.index('"components"') < committed.index('"info"') < committed.index('"paths"')
