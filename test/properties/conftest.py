"""Hypothesis profiles for the property-based tests.

``ci`` (the default) runs a few dozen examples per machine, so that the whole suite stays fast.
``long`` runs 20,000 examples per machine, for a run before a release or after a change to the
id or value rules; select it with the environment variable ``HYPOTHESIS_PROFILE``::

    HYPOTHESIS_PROFILE=long .venv/bin/python -m pytest test/properties

The long run comes in batches: each test taking a ``batch`` argument runs once per batch, with
the profile's examples each time. Hypothesis keeps every example of a run in memory, about
0.4 MB for each of these, so one run of 20,000 would need 8 GB; ten runs of 2,000 need 1 GB.

No example database is kept, and what Hypothesis caches goes to the session's temporary
directory, so nothing is written into the working directory: a failure prints the
``@reproduce_failure`` line that replays it.
"""

import os

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.configuration import set_hypothesis_home_dir

_COMMON = dict(
    deadline=None,
    database=None,
    print_blob=True,
    # Items nest up to the file's depth limit on purpose; building them is not slow input.
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

settings.register_profile('ci', max_examples=50, stateful_step_count=25, **_COMMON)
settings.register_profile('long', max_examples=2_000, stateful_step_count=40, **_COMMON)
_PROFILE = os.environ.get('HYPOTHESIS_PROFILE', 'ci')
settings.load_profile(_PROFILE)

#: How many times each test taking a ``batch`` argument runs under each profile.
_BATCHES = {'ci': 1, 'long': 10}


def pytest_generate_tests(metafunc):
    if 'batch' in metafunc.fixturenames:
        metafunc.parametrize('batch', range(_BATCHES.get(_PROFILE, 1)))


@pytest.fixture(autouse=True, scope='session')
def hypothesis_files_in_a_temporary_directory(tmp_path_factory):
    set_hypothesis_home_dir(tmp_path_factory.mktemp('hypothesis'))
