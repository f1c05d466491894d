"""Keys: made outside the repository, found from the environment or a file, refused when absent."""

import os
import stat

import pytest

from cm_research.privacy.errors import KeyFileError, MissingKeyError
from cm_research.privacy.keys import KEY_ENV, KEY_FILE_ENV, default_key_path, generate_key_file, load_key


def test_keygen_writes_a_private_256_bit_key(key_file):
    lines = [line for line in key_file.read_text().splitlines() if not line.startswith("#")]
    assert len(lines) == 1 and len(bytes.fromhex(lines[0])) == 32
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = load_key(key_file)
    assert key.secret == bytes.fromhex(lines[0])
    assert lines[0] not in repr(key) and lines[0] not in str(key)
    assert len(key.fingerprint) == 12 and key.fingerprint not in lines[0]


def test_two_keygens_make_different_keys(tmp_path):
    a = load_key(generate_key_file(tmp_path / "a.key"))
    b = load_key(generate_key_file(tmp_path / "b.key"))
    assert a.secret != b.secret and a.fingerprint != b.fingerprint


def test_keygen_refuses_to_replace_a_key(key_file):
    before = key_file.read_text()
    with pytest.raises(KeyFileError, match="already exists"):
        generate_key_file(key_file)
    assert key_file.read_text() == before


def test_keygen_and_load_refuse_a_path_inside_a_git_repository(tmp_path):
    repo = tmp_path / "project"
    (repo / ".git").mkdir(parents=True)
    with pytest.raises(KeyFileError, match="inside the git repository"):
        generate_key_file(repo / "keys" / "pseudonym.key")
    assert not (repo / "keys" / "pseudonym.key").exists()
    outside = generate_key_file(tmp_path / "k.key")
    (repo / "copied.key").write_text(outside.read_text())
    with pytest.raises(KeyFileError, match="inside the git repository"):
        load_key(repo / "copied.key")


def test_keygen_without_a_path_writes_the_default_location_outside_the_repository():
    path = generate_key_file()
    assert path == default_key_path() and path.is_file()
    assert load_key().secret == load_key(path).secret  # found without being told where


def test_key_from_environment_variables(monkeypatch, key_file):
    monkeypatch.setenv(KEY_FILE_ENV, str(key_file))
    assert load_key().source == f"key file {key_file.resolve()}"
    monkeypatch.setenv(KEY_ENV, "ab" * 32)
    key = load_key()  # the key itself takes precedence over a key file
    assert key.secret == bytes.fromhex("ab" * 32) and key.source == f"environment variable {KEY_ENV}"


def test_no_key_is_refused_with_how_to_make_one():
    with pytest.raises(MissingKeyError) as info:
        load_key()
    message = str(info.value)
    assert "No pseudonymisation key found" in message
    assert "cm-research keygen" in message and KEY_ENV in message and KEY_FILE_ENV in message


@pytest.mark.parametrize("content, match", [
    ("not hex at all\n", "not hexadecimal"),
    ("abcd\n", "at least 16"),
    ("# only a comment\n", "found 0"),
])
def test_malformed_key_files_are_refused(tmp_path, content, match):
    path = tmp_path / "bad.key"
    path.write_text(content)
    os.chmod(path, 0o600)
    with pytest.raises(KeyFileError, match=match):
        load_key(path)


def test_a_key_file_others_can_read_gets_a_warning(key_file):
    os.chmod(key_file, 0o644)
    with pytest.warns(UserWarning, match="chmod 600"):
        load_key(key_file)
