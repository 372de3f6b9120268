"""Shared test configuration.

Under ``CI=true`` the notebooks and the long scientific checks run at small sizes.
"""

import os

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def in_ci() -> bool:
    """True when the suite runs in continuous integration (``CI=true``)."""
    return IN_CI
