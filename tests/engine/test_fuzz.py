"""The engine over random bytes (heavy on escape sequences, cut at random): emulation,
snapshot, transcript and masking never raise.  benchmarks/fuzz.py runs the long version."""

from __future__ import annotations

import fuzz


def test_random_bytes_never_raise_in_the_engine():
    result = fuzz.fuzz(3000, seed=20261130)
    assert result["exceptions"] == 0, result["examples"]
