"""The argon2id cost profile: the library's standard profile everywhere but test runs."""

from collections.abc import Iterator

import pytest
from argon2 import extract_parameters
from pydantic import ValidationError

from service.auth import passwords
from service.config import Settings

PASSWORD = "Profile@2024x"


@pytest.fixture
def standard() -> Iterator[None]:
    """Hash with the standard profile for one test, then go back to the test runs' own."""
    passwords.configure("standard")
    try:
        yield
    finally:
        passwords.configure(Settings(env="test").password_hash_profile)


def test_only_test_runs_may_hash_cheaply() -> None:
    assert Settings(env="development").password_hash_profile == "standard"
    assert Settings(env="test").password_hash_profile == "test-only-fast"
    assert Settings(env="test", password_hash="standard").password_hash_profile == "standard"
    for env in ("development", "production"):
        with pytest.raises(ValidationError, match="CADRE_PASSWORD_HASH"):
            Settings(env=env, password_hash="test-only-fast")


def test_the_standard_profile_is_rfc_9106_and_hashes_of_either_profile_verify(standard: None) -> None:
    strong = passwords.hash_password(PASSWORD)
    params = extract_parameters(strong)
    assert (params.type.name, params.memory_cost, params.time_cost, params.parallelism) == (
        "ID", 65536, 3, 4)
    cheap = passwords.PROFILES["test-only-fast"].hash(PASSWORD)
    for stored in (strong, cheap):
        assert passwords.verify_password(stored, PASSWORD)
        assert not passwords.verify_password(stored, PASSWORD + "x")
    assert not passwords.verify_password(None, PASSWORD)
