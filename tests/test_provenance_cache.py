"""Input hashes are remembered per file version: read once while unchanged, read again once changed."""

from __future__ import annotations

import hashlib
import os

from cm_research.batch import provenance


def test_an_unchanged_input_is_read_once_and_a_changed_one_again(tmp_path, monkeypatch):
    reads: list[str] = []
    real = provenance.sha256_file
    monkeypatch.setattr(provenance, "sha256_file", lambda p, *a: reads.append(str(p)) or real(p, *a))
    extract = tmp_path / "national.csv"
    extract.write_text("pupil,attendance\n1,0.9\n")
    parameters = {"data": str(extract), "output_dir": str(tmp_path)}
    first = provenance.input_hashes(parameters)
    for _ in range(5):  # five jobs naming the same extract
        assert provenance.input_hashes(parameters) == first
    assert len(reads) == 1
    assert first[str(extract)] == hashlib.sha256(extract.read_bytes()).hexdigest()
    # same size, new content and a new modification time: hashed again, and the digest follows the bytes
    stat = extract.stat()
    extract.write_text("pupil,attendance\n1,0.8\n")
    os.utime(extract, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    second = provenance.input_hashes(parameters)
    assert len(reads) == 2
    assert second[str(extract)] == hashlib.sha256(extract.read_bytes()).hexdigest() != first[str(extract)]
