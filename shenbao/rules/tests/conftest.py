import copy
import json

import pytest

from conftest import CALL_FILE, EXAMPLE_APPLICATION
from shenbao.calls.spec import read_call_file


@pytest.fixture(scope="session")
def call_spec():
    return read_call_file(CALL_FILE)[0]


@pytest.fixture(scope="session")
def _example_data():
    return json.loads(EXAMPLE_APPLICATION.read_text(encoding="utf-8"))


@pytest.fixture
def example(_example_data):
    """A fresh copy of shared/examples/application-1001.json to mutate."""
    return copy.deepcopy(_example_data)
