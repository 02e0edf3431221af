"""Run a callback on a module as soon as it has been imported (or now, if it already was), so the
watcher can wrap what a module defines before anyone binds those names with `from m import x`."""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import threading
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

Patch = Callable[[ModuleType], None]
_FILE_LOADERS = (importlib.machinery.SourceFileLoader, importlib.machinery.SourcelessFileLoader)


class AfterImport(importlib.abc.MetaPathFinder):
    """A finder that finds nothing itself: it asks the other finders for the spec of a watched
    name and makes the loader call the module's patches right after executing it."""

    def __init__(self) -> None:
        self._patches: dict[str, list[Patch]] = {}
        self._busy = threading.local()

    def on_import(self, name: str, patch: Patch) -> None:
        self._patches.setdefault(name, []).append(patch)
        module = sys.modules.get(name)
        if module is not None:
            patch(module)

    def find_spec(self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None) -> Any:
        patches = self._patches.get(fullname)
        if not patches or getattr(self._busy, "name", None) == fullname:
            return None
        self._busy.name = fullname
        try:
            spec = None
            for finder in sys.meta_path:
                if finder is self or not hasattr(finder, "find_spec"):
                    continue
                spec = finder.find_spec(fullname, path, target)
                if spec is not None:
                    break
        finally:
            self._busy.name = None
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        execute = spec.loader.exec_module

        def exec_module(module: ModuleType) -> None:
            execute(module)
            for patch in patches:
                patch(module)

        # File loaders are made per module, so patching this instance touches no other module;
        # any other loader (pytest's assertion rewriter, say) is wrapped instead.
        if isinstance(spec.loader, _FILE_LOADERS):
            spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        else:
            spec.loader = _Patching(spec.loader, exec_module)
        return spec

    def install(self) -> None:
        if self not in sys.meta_path:
            sys.meta_path.insert(0, self)

    def uninstall(self) -> None:
        if self in sys.meta_path:
            sys.meta_path.remove(self)


class _Patching(importlib.abc.Loader):
    def __init__(self, loader: Any, exec_module: Callable[[ModuleType], None]) -> None:
        self._loader = loader
        self._exec_module = exec_module

    def create_module(self, spec: Any) -> ModuleType | None:
        return self._loader.create_module(spec)  # type: ignore[no-any-return]

    def exec_module(self, module: ModuleType) -> None:
        self._exec_module(module)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._loader, name)
