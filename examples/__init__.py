"""Runnable examples of pip-services3-data; see ``beacons`` for a small service's persistence layer.

This file makes ``examples`` a regular package, so that ``python -m examples.beacons`` from the
repository root always finds this folder, whatever else is installed.
"""
