"""Keeps interface stubs from hiding the persistence methods that implement them.

A service may declare ``class MyPersistence(IMyPersistence, IdentifiableMemoryPersistence)``
where ``IMyPersistence`` lists :class:`IGetter`, :class:`IWriter` and friends and declares its
own methods as ``raise NotImplementedError`` stubs. Python's method resolution order would then
find the stubs before the persistence's methods, for plain calls and for ``super()`` calls from
the service's own overrides alike.
"""

import dis
from abc import ABCMeta
from types import FunctionType
from typing import Any, List

# The instructions a body consisting only of ``raise NotImplementedError(...)`` compiles to on
# the supported Python versions, with or without a message.
_STUB_INSTRUCTIONS = frozenset({
    'RESUME', 'NOP', 'CACHE', 'PUSH_NULL', 'LOAD_GLOBAL', 'LOAD_CONST', 'PRECALL', 'CALL',
    'CALL_FUNCTION', 'KW_NAMES', 'RAISE_VARARGS',
})


def is_interface_stub(member: Any) -> bool:
    """Tells whether ``member`` is a function whose whole body raises :class:`NotImplementedError`."""
    if not isinstance(member, FunctionType):
        return False
    code = member.__code__
    if code.co_names != ('NotImplementedError',):
        return False
    return all(instruction.opname in _STUB_INSTRUCTIONS for instruction in dis.get_instructions(code))


def is_pure_interface(klass: type) -> bool:
    """Tells whether ``klass`` declares methods and every one of them is a stub.

    Dunder methods do not count: the interpreter generates some (``__annotate__`` since 3.14).
    """
    functions = [member for name, member in vars(klass).items()
                 if isinstance(member, FunctionType) and not (name.startswith('__') and name.endswith('__'))]
    return bool(functions) and all(is_interface_stub(function) for function in functions)


class ImplementationsFirst(ABCMeta):
    """The metaclass of the persistences: pure interface classes go last in the MRO.

    Whatever order a service lists its bases in, the persistence classes then come before any
    class that only declares stubs, so both ``persistence.get_one_by_id(...)`` and
    ``super().get_page_by_filter(...)`` reach the implementation. Classes with real methods
    keep their place, and ``isinstance`` is unaffected: the MRO holds the same classes.
    """

    def mro(cls) -> List[type]:
        order = super().mro()
        interfaces = [klass for klass in order[1:]
                      if not isinstance(klass, ImplementationsFirst) and is_pure_interface(klass)]
        if not interfaces:
            return order
        rest = [klass for klass in order if klass not in interfaces and klass is not object]
        return rest + interfaces + [object]
