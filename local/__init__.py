"""Herald's Docker-free local cloud: `python -m local` (or `make dev`).

moto in server mode with the resources of template.yaml, an API Gateway HTTP API emulator for
functions/api, a Lambda Invoke emulator, a pump that fires due EventBridge Scheduler
schedules, and the sweeper on its cadence; the functions run in-process. `LocalCloud` runs
the same thing from tests. Modules:

- template: YAML with CloudFormation tags, intrinsic functions, SAM Globals
- resources: the template's tables, queues, schedule groups ... created in moto
- functions: load and invoke handlers (sync, async with Lambda's retries)
- http_event / http_api: payload format 2.0 events and the HTTP server
- lambda_api: Lambda's Invoke REST call
- scheduler_pump: fire due at() schedules; schedule_events: rate() events (the sweeper)
- bootstrap: the local workspace and API key; cloud: LocalCloud; __main__: the command
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from local.cloud import LocalCloud

__all__ = ["LocalCloud"]


def __getattr__(name: str) -> Any:
    # Lazy: importing a small module (local.http_event) must not import moto.
    if name == "LocalCloud":
        from local.cloud import LocalCloud

        return LocalCloud
    raise AttributeError(name)
