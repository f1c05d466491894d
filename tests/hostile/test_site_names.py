"""Site names in a batch file that are not what they look like, or that no file system can hold (hostile input,
round 4, items 2 and 4). A site's name becomes its output folder and the heading of its reports. SYNTHETIC names.
"""

from __future__ import annotations

import pytest

from cm_research.batch import config as batch_config
from cm_research.batch.config import BatchConfigError, build_config, slugify


@pytest.fixture
def declared(monkeypatch):
    monkeypatch.setattr(batch_config, "notebook_parameters", lambda nb: {"site": {}})


def _config(tmp_path, *names):
    return build_config({"notebooks": ["01_data_quality"], "sites": [{"site": n} for n in names]}, tmp_path)


def test_sites_named_in_other_scripts_get_folders_of_their_own(tmp_path, declared):
    # before: both became the folder "site" and the batch was refused as one site listed twice
    config = _config(tmp_path, "Βόρειο", "Νότιο", "北区", "南区")
    slugs = [s.slug for s in config.sites]
    assert len(set(slugs)) == 4 and all(s.isascii() and s for s in slugs)


def test_accents_are_dropped_not_turned_into_gaps():
    assert slugify("Ynys Môn") == "ynys-mon" and slugify("Ynys Mo\u0302n") == "ynys-mon"
    assert slugify("St Helens Virtual School") == "st-helens-virtual-school"  # unchanged for plain names


def test_a_very_long_site_name_gives_a_folder_name_a_file_system_can_make(tmp_path, declared):
    long_a, long_b = "North " * 60 + "A", "North " * 60 + "B"
    config = _config(tmp_path, long_a, long_b)
    slugs = [s.slug for s in config.sites]
    assert slugs[0] != slugs[1] and all(len(s.encode()) <= 80 for s in slugs)
    (tmp_path / slugs[0]).mkdir()  # before: OSError, file name too long, once the batch had started


def test_two_names_that_share_a_folder_are_named_as_such(tmp_path, declared):
    with pytest.raises(BatchConfigError) as caught:
        _config(tmp_path, "St Helens", "St. Helens")
    assert "'St Helens' and 'St. Helens'" in str(caught.value) and "st-helens" in str(caught.value)


@pytest.mark.parametrize("hidden", ["\u202e", "\u2066", "\x00"])
def test_a_site_name_that_reorders_or_hides_its_text_is_refused(tmp_path, declared, hidden):
    with pytest.raises(BatchConfigError) as caught:
        _config(tmp_path, f"North{hidden}shire")
    assert "site entry 1" in str(caught.value) and f"U+{ord(hidden):04X}" in str(caught.value)


def test_invisible_characters_and_decomposed_accents_are_read_as_the_data_reads_them(tmp_path, declared):
    # the data readers clean site cells (NFC, zero-width characters removed); the batch's name must match them
    config = _config(tmp_path, "North\u200bshire", "Ynys Mo\u0302n")
    assert [s.site for s in config.sites] == ["Northshire", "Ynys Môn"]


def test_a_site_name_holding_half_a_character_is_refused_not_a_crash_at_run_time(tmp_path, declared):
    # "\ud800" in a YAML double-quoted string is a lone surrogate: no notebook or file can be written with it
    with pytest.raises(BatchConfigError) as caught:
        _config(tmp_path, "North\ud800shire")
    assert "site entry 1" in str(caught.value) and "U+D800" in str(caught.value)
    str(caught.value).encode("utf-8")  # the message itself can be printed and saved
