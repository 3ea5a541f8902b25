"""Hypothesis profiles for the property-based tests.

``ci`` (the default) runs a few dozen examples per machine, so that the whole suite stays fast.
``long`` runs 20,000 examples per machine, for a run before a release or after a change to the
id or value rules; select it with the environment variable ``HYPOTHESIS_PROFILE``::

    HYPOTHESIS_PROFILE=long .venv/bin/python -m pytest test/properties

No example database is kept (it would be written into the working directory): a failure
prints the ``@reproduce_failure`` line that replays it.
"""

import os

from hypothesis import HealthCheck, settings

_COMMON = dict(
    deadline=None,
    database=None,
    print_blob=True,
    # Items nest up to the file's depth limit on purpose; building them is not slow input.
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

settings.register_profile('ci', max_examples=50, stateful_step_count=25, **_COMMON)
settings.register_profile('long', max_examples=20_000, stateful_step_count=40, **_COMMON)
settings.load_profile(os.environ.get('HYPOTHESIS_PROFILE', 'ci'))
