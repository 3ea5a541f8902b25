"""Keeps interface stubs from hiding the persistence methods that implement them.

A service may declare ``class MyPersistence(IMyPersistence, IdentifiableMemoryPersistence)``
where ``IMyPersistence`` lists :class:`IGetter`, :class:`IWriter` and friends and declares its
own methods as ``raise NotImplementedError`` stubs. Python's method resolution order would then
find the stubs before the persistence's methods, for plain calls and for ``super()`` calls from
the service's own overrides alike.
"""

from abc import ABCMeta
from inspect import isasyncgenfunction, iscoroutinefunction, isgeneratorfunction
from types import FunctionType
from typing import Any, List, NoReturn


def _raises_the_class() -> NoReturn:
    raise NotImplementedError


def _raises_an_instance() -> NoReturn:
    raise NotImplementedError()


def _raises_with_a_message() -> NoReturn:
    raise NotImplementedError('message')


def _documented_raises_the_class() -> NoReturn:
    """A documented stub."""
    raise NotImplementedError


def _documented_raises_an_instance() -> NoReturn:
    """A documented stub."""
    raise NotImplementedError()


def _documented_raises_with_a_message() -> NoReturn:
    """A documented stub."""
    raise NotImplementedError('message')


def _documented_raises_its_docstring() -> NoReturn:
    """message"""
    raise NotImplementedError('message')


# A stub is recognised by comparing its code with the reference stubs above, compiled by the
# interpreter that compiles the service: ``co_code`` holds the instructions and the positions of
# the names and constants they use, but not the argument names, defaults, annotations, line
# numbers or the constants' values, and it reads the same after the interpreter specialised or
# instrumented the running code. So a stub of any signature and message compiles to the bytes of
# one reference on every version and implementation, without this module knowing what an
# instruction is called; ``co_names`` pins the raised name. The last reference covers a message
# equal to the docstring, which the compiler stores once and so loads from another position.
_STUB_CODES = frozenset(
    (reference.__code__.co_code, reference.__code__.co_names)
    for reference in (_raises_the_class, _raises_an_instance, _raises_with_a_message,
                      _documented_raises_the_class, _documented_raises_an_instance,
                      _documented_raises_with_a_message, _documented_raises_its_docstring)
)


def is_interface_stub(member: Any) -> bool:
    """Tells whether ``member`` is a function whose whole body raises :class:`NotImplementedError`.

    A coroutine or generator function is never a stub: calling it returns without raising.
    """
    if not isinstance(member, FunctionType):
        return False
    if iscoroutinefunction(member) or isgeneratorfunction(member) or isasyncgenfunction(member):
        return False
    return (member.__code__.co_code, member.__code__.co_names) in _STUB_CODES


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
