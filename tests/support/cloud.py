"""A moto server with the template's own resources, for integration tests (in-process functions
talk to it over HTTP, as they do in the local cloud)."""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from moto.server import ThreadedMotoServer

from local.functions import shared_environment, specs_from_stack
from local.moto_patches import make_dynamodb_atomic
from local.resources import ResourceCreator, aws_client
from local.template import Stack

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class MotoCloud:
    server: ThreadedMotoServer
    endpoint: str
    stack: Stack
    environment: dict[str, str]

    def client(self, service: str) -> Any:
        return aws_client(service, self.endpoint, "us-east-1")

    def stop(self) -> None:
        self.server.stop()


def start_moto_cloud() -> MotoCloud:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    make_dynamodb_atomic()
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    stack = Stack.from_file(ROOT / "template.yaml", aws_endpoint=endpoint)
    ResourceCreator(stack, endpoint).create_all()
    environment = {k: v for k, v in shared_environment(specs_from_stack(stack), {}).items() if k.startswith("HERALD_")}
    environment["AWS_ENDPOINT_URL"] = endpoint
    return MotoCloud(server, endpoint, stack, environment)


def apply_environment(environment: dict[str, str]) -> None:
    os.environ.update(environment)
