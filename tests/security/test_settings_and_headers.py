"""Settings refuse unsafe values outside development; responses carry security headers; CORS closed."""

from collections.abc import AsyncIterator
from typing import Any

import pytest
from pydantic import SecretStr, ValidationError

from service.config import Settings
from tests.factories import Api

REAL: dict[str, Any] = {"env": "production", "database_url": "postgresql://cadre@db/cadre",
                        "secret_key": SecretStr("a-real-secret-of-some-length-2f9c"),
                        "audit_signing_key": SecretStr("11" * 32)}


@pytest.mark.parametrize("secret", ["dev-secret-change-me", "changeme", "", "secret"])
def test_production_refuses_placeholder_secret_key(secret: str) -> None:
    with pytest.raises(ValidationError, match="CADRE_SECRET_KEY"):
        Settings(**{**REAL, "secret_key": SecretStr(secret)})


def test_production_refuses_missing_database_insecure_cookies_and_placeholder_meili_key() -> None:
    with pytest.raises(ValidationError, match="CADRE_DATABASE_URL"):
        Settings(**{**REAL, "database_url": None})
    with pytest.raises(ValidationError, match="Secure"):
        Settings(**{**REAL, "cookie_secure": False})
    with pytest.raises(ValidationError, match="CADRE_MEILI_MASTER_KEY"):
        Settings(**{**REAL, "meili_master_key": SecretStr("changeme")})
    with pytest.raises(ValidationError, match="CADRE_AUDIT_SIGNING_KEY"):
        Settings(**{**REAL, "audit_signing_key": None})


def test_production_accepts_real_secrets_and_development_allows_defaults() -> None:
    assert Settings(**REAL).cookie_secure is True
    dev = Settings(env="development", cookie_secure=False)
    assert dev.secret_key.get_secret_value() == "dev-secret-change-me" and not dev.cookie_secure
    assert Settings(env="test", cookie_secure=False).env == "test"


def test_production_refuses_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CADRE_ENV", "production")
    monkeypatch.setenv("CADRE_DATABASE_URL", "postgresql://cadre@db/cadre")
    monkeypatch.delenv("CADRE_SECRET_KEY", raising=False)
    with pytest.raises(ValidationError, match="CADRE_SECRET_KEY"):
        Settings(_env_file=None)  # type: ignore[call-arg]


def test_a_cors_wildcard_is_refused() -> None:
    with pytest.raises(ValidationError, match="CORS"):
        Settings(env="development", cors_origins=["*"])


async def test_security_headers_on_success_and_error_responses(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    for r in (await api.client.get("/api/auth/me", headers=officer),
              await api.client.get("/api/cadres/999999999", headers=officer),
              await api.client.get("/api/cadres")):
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
        assert r.headers["cache-control"] == "no-store"
        assert r.headers["referrer-policy"] == "no-referrer"


async def test_cors_is_closed_by_default(api: Api) -> None:
    preflight = await api.client.options("/api/cadres", headers={
        "Origin": "https://elsewhere.example", "Access-Control-Request-Method": "GET"})
    assert "access-control-allow-origin" not in preflight.headers
    simple = await api.client.get("/healthz", headers={"Origin": "https://elsewhere.example"})
    assert "access-control-allow-origin" not in simple.headers


async def test_oversized_body_is_refused_while_streaming(api: Api, settings: Settings) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(settings.request_max_bytes // 65536 + 2):
            yield b" " * 65536

    r = await api.client.post("/api/campaigns", headers={**officer, "Content-Type": "application/json"},
                              content=chunks())
    assert r.status_code == 413


def test_the_web_app_never_holds_the_meilisearch_master_key() -> None:
    """Issue 12.9: only the command that creates keys needs it; the app drops it however started."""
    from service.main import create_app
    from service.runtime.stack import with_search_keys

    app = create_app(Settings(env="test", meili_master_key=SecretStr("a-real-master-key-123456")))
    assert app.state.settings.meili_master_key is None
    given = Settings(env="test", meili_master_key=SecretStr("a-real-master-key-123456"),
                     meili_search_key=SecretStr("s"), meili_index_key=SecretStr("i"))
    assert with_search_keys(given).meili_master_key is None
