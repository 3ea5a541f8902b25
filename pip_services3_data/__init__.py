"""Data access interfaces for Pip.Services.

The persistence components that implement them live in :mod:`pip_services3_data.persistence`.
"""

__all__ = [
    'IFilteredPageReader', 'IFilteredReader', 'IGetter', 'ILoader', 'IPartialUpdater',
    'IQuerablePageReader', 'IQuerableReader', 'ISaver', 'ISetter', 'IWriter',
]

from .IFilteredPageReader import IFilteredPageReader
from .IFilteredReader import IFilteredReader
from .IGetter import IGetter
from .ILoader import ILoader
from .IPartialUpdater import IPartialUpdater
from .IQuerablePageReader import IQuerablePageReader
from .IQuerableReader import IQuerableReader
from .ISaver import ISaver
from .ISetter import ISetter
from .IWriter import IWriter
