"""A moto server holding the template's own resources, without the rest of the local cloud:
for integration tests and benchmarks that call the functions in-process."""

from __future__ import annotations

import logging
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from local.functions import shared_environment, specs_from_stack
from local.moto_patches import make_dynamodb_atomic
from local.resources import ResourceCreator, aws_client
from local.template import Stack

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class MotoCloud:
    server: Any
    endpoint: str
    stack: Stack
    environment: dict[str, str]  # what the functions would see: HERALD_* and AWS_ENDPOINT_URL

    def client(self, service: str) -> Any:
        return aws_client(service, self.endpoint, self.stack.region)

    def stop(self) -> None:
        """Stop the server and forget its resources: moto keeps them per process, so a later
        cloud in the same process (a second benchmark) would find them taken."""
        import urllib.request

        try:
            urllib.request.urlopen(urllib.request.Request(f"{self.endpoint}/moto-api/reset", method="POST"), timeout=10)
        finally:
            self.server.stop()


def start_moto_cloud(template: Path = ROOT / "template.yaml") -> MotoCloud:
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    make_dynamodb_atomic()
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    stack = Stack.from_file(template, aws_endpoint=endpoint)
    ResourceCreator(stack, endpoint).create_all()
    environment = {k: v for k, v in shared_environment(specs_from_stack(stack), {}).items() if k.startswith("HERALD_")}
    environment["AWS_ENDPOINT_URL"] = endpoint
    return MotoCloud(server, endpoint, stack, environment)
