"""The list that holds a persistence's items and notices changes made behind the persistence's back."""

from typing import Any, Iterable, List, SupportsIndex, TypeVar, Union

T = TypeVar('T')


class ItemList(List[T]):
    """A :class:`list` that sets :attr:`modified` whenever one of its own mutating methods runs.

    Subclasses of the persistences change ``self._items`` with ordinary list calls; the flag
    tells the id index that it has to be rebuilt. The persistences themselves change the list
    through :class:`list`'s methods directly, keep the index in step, and leave the flag alone.
    """

    modified: bool

    def __init__(self, items: Iterable[T] = ()) -> None:
        super().__init__(items)
        self.modified = True

    def append(self, item: T) -> None:
        self.modified = True
        super().append(item)

    def extend(self, items: Iterable[T]) -> None:
        self.modified = True
        super().extend(items)

    def insert(self, index: SupportsIndex, item: T) -> None:
        self.modified = True
        super().insert(index, item)

    def remove(self, item: T) -> None:
        self.modified = True
        super().remove(item)

    def pop(self, index: SupportsIndex = -1) -> T:
        self.modified = True
        return super().pop(index)

    def clear(self) -> None:
        self.modified = True
        super().clear()

    def sort(self, *args: Any, **kwargs: Any) -> None:
        self.modified = True
        super().sort(*args, **kwargs)

    def reverse(self) -> None:
        self.modified = True
        super().reverse()

    def __setitem__(self, index: Union[SupportsIndex, slice], value: Any) -> None:
        self.modified = True
        super().__setitem__(index, value)

    def __delitem__(self, index: Union[SupportsIndex, slice]) -> None:
        self.modified = True
        super().__delitem__(index)

    def __iadd__(self, items: Iterable[T]) -> 'ItemList[T]':  # type: ignore[override, misc]  # as list.__iadd__ itself
        self.modified = True
        return super().__iadd__(items)

    def __imul__(self, count: SupportsIndex) -> 'ItemList[T]':
        self.modified = True
        return super().__imul__(count)
