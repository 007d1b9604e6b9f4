"""Every module of the product imports on its own: a name moved between modules fails here in a second, not in
a subprocess the end-to-end tests start minutes later."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

PACKAGES = ("config", "knowledge", "store", "bot", "scheduler", "handlers", "cli")


def _modules() -> list[str]:
    names = ["app"]
    for package in PACKAGES:
        module = importlib.import_module(package)
        names.append(package)
        names += [info.name for info in pkgutil.walk_packages(module.__path__, f"{package}.")
                  if ".migrations" not in info.name]
    return names


@pytest.mark.parametrize("name", _modules())
def test_the_module_imports(name):
    importlib.import_module(name)
