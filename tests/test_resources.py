"""The data dictionary and the notebooks are found in a checkout and in an installed wheel, and the wheel
configuration ships every one of their files."""

import glob
from pathlib import Path

import pytest

from cm_research import resources

ROOT = Path(__file__).resolve().parents[1]


def test_a_checkout_uses_its_own_folders():
    assert resources.resource_dir("data_dictionary") == ROOT / "data_dictionary"
    assert resources.resource_dir("notebooks") == ROOT / "notebooks"


def test_without_a_checkout_the_installed_copy_is_used(tmp_path, monkeypatch):
    installed = tmp_path / "prefix" / "share" / "cm_research"
    (installed / "notebooks").mkdir(parents=True)
    monkeypatch.setattr(resources, "CHECKOUT", tmp_path / "site-packages")
    monkeypatch.setattr(resources, "SHARE", installed)
    assert resources.resource_dir("notebooks") == installed / "notebooks"
    # neither: the checkout path, so that the error that follows says where it looked
    assert resources.resource_dir("data_dictionary") == tmp_path / "site-packages" / "data_dictionary"
    with pytest.raises(ValueError, match="unknown resource folder"):
        resources.resource_dir("outputs")


def test_the_wheel_ships_every_dictionary_and_notebook_file():
    tomllib = pytest.importorskip("tomllib", reason="tomllib is in the standard library from Python 3.11")
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["data-files"]
    shipped = {}
    for target, patterns in config.items():
        for pattern in patterns:
            for file in glob.glob(str(ROOT / pattern)):
                relative = Path(file).relative_to(ROOT)
                shipped[relative] = Path(target) / relative.name
    for folder in resources.FOLDERS:
        files = {p.relative_to(ROOT) for p in (ROOT / folder).rglob("*")
                 if p.is_file() and ".ipynb_checkpoints" not in p.parts}
        assert files and files <= set(shipped), sorted(map(str, files - set(shipped)))
    # each file lands under share/cm_research/ in the same place relative to its folder
    for source, target in shipped.items():
        assert target == Path("share/cm_research") / source
