"""A small, thread-safe store of the last few values computed from history that never changes."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any


class Recent:
    """The last ``size`` values by key, least recently used dropped first. Keys must name history that
    cannot change, or only grow: a period run (its later one-enterprise runs are appended, and a kept
    value brings itself up to date with them), with the run's input hash and time in case a store is
    recreated under the same URL."""

    def __init__(self, size: int = 6) -> None:
        self.size, self.items, self.lock = size, OrderedDict[Any, Any](), threading.Lock()

    def get(self, key: Any) -> Any | None:
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
            return None

    def put(self, key: Any, value: Any) -> None:
        with self.lock:
            self.items[key] = value
            while len(self.items) > self.size:
                self.items.popitem(last=False)
