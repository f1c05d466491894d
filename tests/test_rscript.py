"""The one R runner of the tests (tests/rscript.py): it skips for what is missing and fails for what is wrong."""

from __future__ import annotations

import pytest
from rscript import install_hint, missing_r_packages, require_r, rscript


def test_install_hints_name_the_debian_package_or_cran():
    assert install_hint(["MASS", "metafor"]) == "apt-get install r-cran-mass r-cran-metafor"
    assert install_hint(["SingleCaseES"]) == "install.packages(c('SingleCaseES')) from CRAN (not in Debian)"


@pytest.mark.r
def test_a_case_needing_a_package_that_is_not_installed_skips_and_says_which(tmp_path):
    require_r()
    assert missing_r_packages(("stats", "cmResearchNoSuchPackage")) == ("cmResearchNoSuchPackage",)
    with pytest.raises(pytest.skip.Exception, match="cmResearchNoSuchPackage not installed"):
        require_r("stats", "cmResearchNoSuchPackage")


@pytest.mark.r
def test_a_failing_script_is_an_error_and_status_3_a_skip(tmp_path):
    require_r()
    broken, missing = tmp_path / "broken.R", tmp_path / "missing.R"
    broken.write_text('stop("no such column")\n')
    missing.write_text('cat("missing R packages: X\\n", file = stderr()); quit(status = 3)\n')
    with pytest.raises(RuntimeError, match="no such column"):
        rscript(broken)
    with pytest.raises(pytest.skip.Exception, match="missing R packages: X"):
        rscript(missing)
    ok = tmp_path / "ok.R"
    ok.write_text("cat(1 + 1)\n")
    assert rscript(ok).stdout == "2"
