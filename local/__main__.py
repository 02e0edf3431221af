"""`python -m local`: run the local cloud until Ctrl-C (SIGINT) or SIGTERM, then stop cleanly.

Environment (all optional):
  HERALD_LOCAL_API_PORT (3000), HERALD_LOCAL_AWS_PORT (4566), HERALD_LOCAL_LAMBDA_PORT (3001)
  HERALD_LOCAL_API_KEY          the workspace's admin key (generated and printed when unset)
  HERALD_LOCAL_WORKSPACE_NAME   ("local")
  HERALD_LOCAL_PUMP_SECONDS     how often due schedules are looked for (1)
  HERALD_LOCAL_SWEEP_SECONDS    the sweeper's cadence (default: the template's rate())
  HERALD_LOCAL_ASYNC_RETRY_SECONDS  Lambda async retry delay base (60: 1 min, then 2 min)
  HERALD_LOCAL_ASYNC_WORKERS    threads running asynchronous invocations (8)
  HERALD_LOCAL_TEMPLATE         another template.yaml
  HERALD_LOCAL_LOG_LEVEL        (INFO)
Exit status: 0 after a signal, 1 when the local cloud could not start."""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from types import FrameType

from local.cloud import LocalCloud
from local.template import TemplateError

log = logging.getLogger("local")


def main() -> int:
    logging.basicConfig(
        level=os.environ.get("HERALD_LOCAL_LOG_LEVEL", "INFO").upper(),
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    logging.getLogger("botocore").setLevel(logging.WARNING)

    stopping = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        if stopping.is_set():  # a second Ctrl-C: do not wait any longer
            os._exit(130)
        log.info("%s received: stopping", signal.Signals(signum).name)
        stopping.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    try:
        cloud = LocalCloud.from_env()
    except ValueError as exc:
        log.error("%s", exc)
        return 1
    try:
        cloud.start()
    except Exception as exc:
        log.error("the local cloud could not start: %s", exc, exc_info=not isinstance(exc, OSError | TemplateError))
        return 1
    if not stopping.is_set():
        print(cloud.banner(), flush=True)
    try:
        while not stopping.wait(0.2):
            pass
    finally:
        cloud.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
