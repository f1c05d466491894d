"""The coding benchmark's functions run on a tiny corpus (timings are for benchmarks/, never for tests)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_coding.py"


def _bench():
    spec = importlib.util.spec_from_file_location("bench_coding", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_benchmark_functions_run_on_a_tiny_corpus(capsys):
    bench = _bench()
    codebook = bench.make_codebook(10, seed=1)
    assert len(codebook.code_names) == 10
    segments = bench.make_segments(3000, codebook, seed=1)
    assert bench.count_words(segments) >= 3000
    naive = bench.naive_code(segments, codebook)
    assert naive, "the generated corpus must contain hint words"
    result = bench.run(n_words=3000, n_codes=10, seed=1, repeat=1)
    assert result["ours_words_per_s"] > 0 and result["naive_words_per_s"] > 0
    assert 0.8 <= result["agreement"] <= 1.0  # both coders find nearly the same (segment, code) pairs
    assert bench.main(["--words", "2000", "--codes", "5"]) == 0
    assert "words/s" in capsys.readouterr().out
