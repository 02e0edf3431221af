"""The moto cloud for integration tests (shared with the benchmarks: local.moto_cloud)."""

from __future__ import annotations

import os

from local.moto_cloud import MotoCloud, free_port, start_moto_cloud

__all__ = ["MotoCloud", "apply_environment", "free_port", "start_moto_cloud"]


def apply_environment(environment: dict[str, str]) -> None:
    os.environ.update(environment)
