"""The provider is chosen by METASAAS_AUTH (short) or METASAAS_AUTH__PROVIDER, and a bad
choice or the `none` algorithm is a settings error, never a silent default."""

from __future__ import annotations

import pytest

from core.settings import SettingsError, load_settings


@pytest.mark.parametrize(
    ("variables", "provider"),
    [
        ({}, "dev"),
        ({"METASAAS_AUTH": "local"}, "local"),
        ({"METASAAS_AUTH": "OIDC"}, "oidc"),
        ({"METASAAS_AUTH__PROVIDER": "local", "METASAAS_AUTH__IDLE_MINUTES": "5"}, "local"),
    ],
)
def test_the_provider_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, variables: dict[str, str], provider: str
) -> None:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    assert load_settings().auth.provider == provider


@pytest.mark.parametrize(
    "variables",
    [
        {"METASAAS_AUTH": "none"},
        {"METASAAS_AUTH__PROVIDER": "ldap"},
        {"METASAAS_AUTH__ALGORITHMS": "RS256,none"},
    ],
)
def test_bad_choices_are_settings_errors(
    monkeypatch: pytest.MonkeyPatch, variables: dict[str, str]
) -> None:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match="METASAAS_AUTH"):
        load_settings()


def test_the_hs256_secret_is_masked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("METASAAS_AUTH__HS256_SECRET", "s3cret-value-for-tests")
    settings = load_settings()
    assert "s3cret" not in repr(settings) and "s3cret" not in str(settings.masked())
