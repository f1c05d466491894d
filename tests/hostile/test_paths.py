"""Paths in a batch file, perhaps written by someone else (hostile input, round 2, item 3). SYNTHETIC folders only.

A batch file may send a notebook to read any path; one that leads into a system folder or a folder of keys
(directly, through ``..`` or through a symbolic link) would put that file's contents into a report or an error
message, so it is refused, with every other problem, before anything runs. ``~`` means the home folder, as in
a shell; a folder given where a file is expected (or the reverse) is said plainly.
"""

from __future__ import annotations

import os

import pytest

from cm_research.batch import config as batch_config
from cm_research.batch.config import BatchConfigError, build_config


@pytest.fixture
def declared(monkeypatch):
    monkeypatch.setattr(batch_config, "notebook_parameters",
                        lambda nb: {"site": {}, "data_dir": {}, "coding": {}, "transcripts_dir": {}, "run_dir": {}})


def _site(**parameters) -> dict:
    return {"notebooks": ["03_thematic_analysis"], "sites": [{"site": "Northshire", **parameters}]}


@pytest.mark.parametrize("key, value, says", [
    ("coding", "/etc/passwd", "system folder /etc"),
    ("data_dir", "/etc", "system folder /etc"),
    ("coding", "../../../../../../../../etc/shadow", "system folder /etc"),
    ("transcripts_dir", "/proc/self", "system folder /proc"),
    ("coding", "~/.ssh/id_rsa", "folder of keys"),
])
def test_a_path_into_a_system_folder_or_a_folder_of_keys_is_refused(tmp_path, declared, key, value, says):
    with pytest.raises(BatchConfigError) as caught:
        build_config(_site(**{key: value}), tmp_path)
    assert f"site 'Northshire': {key} {value!r} leads into" in str(caught.value) and says in str(caught.value)


def test_a_symbolic_link_out_of_the_project_is_followed_to_where_it_leads(tmp_path, declared):
    (tmp_path / "interviews").symlink_to("/etc")
    with pytest.raises(BatchConfigError, match=r"transcripts_dir 'interviews' leads into the system folder /etc"):
        build_config(_site(transcripts_dir="interviews"), tmp_path)


def test_shared_and_summary_parameters_are_checked_too(tmp_path, declared):
    doc = {**_site(), "parameters": {"coding": "/etc/hosts"},
           "summary_notebooks": [{"notebook": "03_thematic_analysis", "parameters": {"coding": "/etc/group"}}]}
    with pytest.raises(BatchConfigError) as caught:
        build_config(doc, tmp_path)
    assert "'/etc/hosts' leads into" in str(caught.value) and "'/etc/group' leads into" in str(caught.value)


def test_a_folder_where_a_file_is_expected_and_a_file_where_a_folder_is(tmp_path, declared):
    (tmp_path / "coding.csv").mkdir()
    (tmp_path / "interviews.txt").write_text("SYNTHETIC")
    with pytest.raises(BatchConfigError) as caught:
        build_config(_site(coding="coding.csv", transcripts_dir="interviews.txt"), tmp_path)
    message = str(caught.value)
    assert "coding " in message and "is a folder; give the file inside it" in message
    assert "is a file; give the folder it is in" in message


def test_the_home_folder_tilde_is_expanded(tmp_path, declared, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "northshire").mkdir()
    config = build_config(_site(data_dir="~/northshire", transcripts_dir="~/northshire"), tmp_path / "elsewhere")
    params = config.sites[0].parameters
    assert params["data_dir"] == params["transcripts_dir"] == os.fspath((tmp_path / "northshire").resolve())


@pytest.mark.parametrize("written, variable", [("$HOME/northshire", "$HOME"), ("${HOME}/northshire", "${HOME}"),
                                               ("%USERPROFILE%\\northshire", "%USERPROFILE%")])
def test_an_environment_variable_in_a_path_is_refused_saying_so(tmp_path, declared, monkeypatch, written, variable):
    # round 3: a batch file means the same for every user; "$HOME/northshire" was reported only as a folder
    # that does not exist, and a transcripts_dir holding it reached the notebook
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "northshire").mkdir()
    with pytest.raises(BatchConfigError) as refused:
        build_config(_site(data_dir=str(tmp_path / "northshire"), transcripts_dir=written), tmp_path)
    assert f"holds {variable}" in str(refused.value) and "~/" in str(refused.value)


def test_a_folder_really_named_with_a_dollar_sign_is_used(tmp_path, declared):
    (tmp_path / "data$Final").mkdir()
    config = build_config(_site(data_dir="data$Final"), tmp_path)
    assert config.sites[0].parameters["data_dir"] == os.fspath((tmp_path / "data$Final").resolve())
