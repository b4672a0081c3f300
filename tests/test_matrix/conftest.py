"""The Matrix tests' homeserver: one real Synapse for the whole session.

Started on first use (about a second and a half) and killed at the end. The tests skip, with
the reason, only when Synapse is not installed.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator

import pytest

from tests.matrix_server import Homeserver


@pytest.fixture(scope="session")
def homeserver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Homeserver]:
    if importlib.util.find_spec("synapse") is None:
        pytest.skip("matrix-synapse is not installed: pip install -e '.[test]'")
    with Homeserver(tmp_path_factory.mktemp("synapse")) as server:
        yield server
