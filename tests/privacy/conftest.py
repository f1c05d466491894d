"""Fixtures for the privacy tests: every test runs with no key in its environment unless it makes one."""

import pytest

from cm_research.privacy.keys import KEY_ENV, KEY_FILE_ENV


@pytest.fixture(autouse=True)
def no_key_in_environment(monkeypatch, tmp_path):
    """A developer's own key (environment or ~/.config) must never leak into a test."""
    monkeypatch.delenv(KEY_ENV, raising=False)
    monkeypatch.delenv(KEY_FILE_ENV, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config-home"))


@pytest.fixture
def key_file(tmp_path):
    from cm_research.privacy.keys import generate_key_file

    return generate_key_file(tmp_path / "secrets" / "pseudonym.key")
