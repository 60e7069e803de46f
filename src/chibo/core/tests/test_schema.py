from django.core.management import call_command


def test_openapi_schema_is_valid_and_warning_free(db, tmp_path):
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    for path in ("/api/v1/units/", "/api/v1/units/{id}/", "/api/v1/members/", "/api/v1/members/{id}/"):
        assert path in text
    assert "name: q" in text
    assert "tokenAuth" in text and "session" in text


def test_models_and_migrations_agree(db):
    """A model change without its migration fails here (makemigrations --check exits non-zero)."""
    from io import StringIO

    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out)
    except SystemExit as exc:
        raise AssertionError(f"models changed without a migration:\n{out.getvalue()}") from exc
