"""The persistences' logger, which can tell whether any message it is given goes anywhere."""

from typing import Any

from pip_services3_commons.refer import Descriptor, IReferences
from pip_services3_components.log import CompositeLogger, ILogger


class ListenedCompositeLogger(CompositeLogger):
    """A :class:`CompositeLogger` that knows whether it forwards to at least one logger.

    Passing a trace message through the logger's layers costs about as much as the copy an
    operation returns; with no logger referenced, :attr:`has_listeners` lets the persistence
    skip it.
    """

    def __init__(self) -> None:
        super().__init__()
        self.has_listeners = False

    def set_references(self, references: IReferences) -> None:
        super().set_references(references)
        loggers: Any = references.get_optional(Descriptor(None, 'logger', None, None, None))
        if any(isinstance(logger, ILogger) for logger in loggers):
            self.has_listeners = True
