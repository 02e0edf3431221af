"""The template's functions, run in-process: load `functions/<name>/app.py` with importlib and
call its handler with a Lambda-like context.

Synchronous invocations (`invoke`) return the JSON payload or a Lambda-style error. Asynchronous
ones (`invoke_async`, what Scheduler, EventBridge and `InvocationType=Event` do) are queued to a
pool of worker threads, retried like Lambda's async queue (`EventInvokeConfig.
MaximumRetryAttempts`, default 2, waiting `retry_delay_seconds` x attempt) and then handed to
the function's on-failure destination or dead-letter queue when it has one.

All functions share this process and therefore one `os.environ` (see local.cloud): values
that differ between functions (e.g. POWERTOOLS_SERVICE_NAME) are set to the function's own
value only while its module is imported, which is when powertools reads them."""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import queue
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from local.template import Stack, TemplateError

log = logging.getLogger(__name__)

Handler = Callable[[Any, "LambdaContext"], Any]
# send_to_queue(queue_arn, body, message_attributes)
QueueSender = Callable[[str, str, dict[str, str]], None]

DEFAULT_TIMEOUT_SECONDS = 3
DEFAULT_MEMORY_MB = 128
DEFAULT_ASYNC_RETRIES = 2
MAX_SYNC_PAYLOAD = 6 * 1024 * 1024
MAX_ASYNC_PAYLOAD = 1024 * 1024

_IMPORT_LOCK = threading.RLock()
_MODULE_COUNTER = iter(range(1, 1 << 30))


@dataclass(frozen=True)
class FunctionSpec:
    """What the template says about one function, resolved."""

    logical_id: str
    name: str
    arn: str
    code_dir: Path | None = None
    handler: str = "app.lambda_handler"
    timeout_seconds: int = DEFAULT_TIMEOUT_SECONDS
    memory_mb: int = DEFAULT_MEMORY_MB
    environment: dict[str, str] = field(default_factory=dict)
    events: dict[str, dict[str, Any]] = field(default_factory=dict)
    max_retry_attempts: int = DEFAULT_ASYNC_RETRIES
    # Where a failed async event goes after its retries: ("destination" | "dlq", SQS queue ARN).
    on_failure: tuple[str, str] | None = None


@dataclass
class LambdaContext:
    """The attributes of Lambda's Python context object that handlers and powertools use."""

    function_name: str
    invoked_function_arn: str
    memory_limit_in_mb: int
    aws_request_id: str
    timeout_seconds: int = DEFAULT_TIMEOUT_SECONDS
    function_version: str = "$LATEST"
    client_context: Any = None
    identity: Any = None
    tenant_id: str | None = None
    _started: float = field(default_factory=time.monotonic, repr=False)

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    @property
    def log_stream_name(self) -> str:
        return f"{datetime.now(UTC):%Y/%m/%d}/[$LATEST]local"

    def get_remaining_time_in_millis(self) -> int:
        elapsed = time.monotonic() - self._started
        return max(0, int((self.timeout_seconds - elapsed) * 1000))


@dataclass
class Invocation:
    """A finished invocation: the JSON payload, and the Lambda error object when it failed."""

    request_id: str
    payload: bytes
    error: dict[str, Any] | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None

    def result(self) -> Any:
        return json.loads(self.payload) if self.payload else None


class FunctionLoadError(Exception):
    """The function's module could not be imported (Lambda: Runtime.ImportModuleError)."""


def specs_from_stack(stack: Stack) -> list[FunctionSpec]:
    """One spec per AWS::Serverless::Function (SAM Globals merged, intrinsics resolved)."""
    invoke_configs = _event_invoke_configs(stack)
    specs = []
    for logical_id in stack.resources_of_type("AWS::Serverless::Function"):
        props = stack.resolved_properties(logical_id)
        code_uri = props.get("CodeUri")
        if not isinstance(code_uri, str):
            raise TemplateError(f"{logical_id}: only a local CodeUri directory can run locally")
        name = stack.physical_name(logical_id)
        config = {**invoke_configs.get(name, {}), **(props.get("EventInvokeConfig") or {})}
        specs.append(
            FunctionSpec(
                logical_id=logical_id,
                name=name,
                arn=stack.get_att(logical_id, "Arn"),
                code_dir=(stack.base_dir / code_uri).resolve(),
                handler=str(props.get("Handler", "app.lambda_handler")),
                timeout_seconds=int(props.get("Timeout", DEFAULT_TIMEOUT_SECONDS)),
                memory_mb=int(props.get("MemorySize", DEFAULT_MEMORY_MB)),
                environment=_env_strings((props.get("Environment") or {}).get("Variables") or {}),
                events=props.get("Events") or {},
                max_retry_attempts=int(config.get("MaximumRetryAttempts", DEFAULT_ASYNC_RETRIES)),
                on_failure=_on_failure(config, props.get("DeadLetterQueue")),
            )
        )
    return specs


def _event_invoke_configs(stack: Stack) -> dict[str, dict[str, Any]]:
    """Standalone AWS::Lambda::EventInvokeConfig resources, by function name."""
    configs = {}
    for logical_id in stack.resources_of_type("AWS::Lambda::EventInvokeConfig"):
        props = stack.resolved_properties(logical_id)
        configs[str(props.get("FunctionName"))] = props
    return configs


def _on_failure(config: dict[str, Any], dead_letter: dict[str, Any] | None) -> tuple[str, str] | None:
    destination = (config.get("DestinationConfig") or {}).get("OnFailure") or {}
    arn = destination.get("Destination")
    if isinstance(arn, str) and ":sqs:" in arn:
        return ("destination", arn)
    if dead_letter and dead_letter.get("Type", "SQS") == "SQS" and dead_letter.get("TargetArn"):
        return ("dlq", str(dead_letter["TargetArn"]))
    return None


def _env_strings(variables: dict[str, Any]) -> dict[str, str]:
    def text(value: Any) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        return value if isinstance(value, str) else json.dumps(value) if isinstance(value, dict | list) else str(value)

    return {str(key): text(value) for key, value in variables.items()}


def shared_environment(specs: Iterable[FunctionSpec], global_variables: dict[str, str]) -> dict[str, str]:
    """One environment for the whole process: the union of the functions' variables.

    Where functions disagree, the Globals value wins, else the first function's (template
    order); each function still gets its own value while its module is imported."""
    merged: dict[str, str] = {}
    seen: dict[str, set[str]] = {}
    for spec in specs:
        for key, value in spec.environment.items():
            seen.setdefault(key, set()).add(value)
            merged.setdefault(key, value)
    for key, values in seen.items():
        if len(values) > 1:
            if key in global_variables:
                merged[key] = global_variables[key]
            log.info(
                "%s differs between functions; the shared process environment uses %r and each "
                "function sees its own value while its module is imported",
                key,
                merged[key],
            )
    return merged


class LocalFunction:
    """One function: its spec and its handler, imported at the first invocation."""

    def __init__(
        self,
        spec: FunctionSpec,
        *,
        handler: Handler | None = None,
        import_environment: dict[str, str] | None = None,
    ):
        self.spec = spec
        self._handler = handler
        self._import_environment = import_environment or {}
        self._lock = threading.Lock()
        self._container = threading.Lock()

    @classmethod
    def stub(cls, name: str, handler: Handler, **spec_fields: Any) -> LocalFunction:
        """A function backed by a plain callable (tests)."""
        spec_fields.setdefault("logical_id", name)
        spec_fields.setdefault("arn", f"arn:aws:lambda:us-east-1:123456789012:function:{name}")
        return cls(FunctionSpec(name=name, **spec_fields), handler=handler)

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def loaded(self) -> bool:
        return self._handler is not None

    def handler(self) -> Handler:
        if self._handler is None:
            with self._lock:
                if self._handler is None:
                    self._handler = self._load()
        return self._handler

    def _load(self) -> Handler:
        spec = self.spec
        if spec.code_dir is None:
            raise FunctionLoadError(f"{spec.name} has no code directory")
        module_path, _, attribute = spec.handler.rpartition(".")
        path = spec.code_dir / (module_path.replace(".", "/") + ".py")
        if not path.is_file():
            raise FunctionLoadError(f"Unable to import module '{module_path}': {path} does not exist")
        module_name = f"_herald_local_{spec.logical_id.lower()}_{next(_MODULE_COUNTER)}"
        started = time.monotonic()
        with _IMPORT_LOCK, _environment(self._import_environment), _on_sys_path(spec.code_dir):
            module_spec = importlib.util.spec_from_file_location(module_name, path)
            if module_spec is None or module_spec.loader is None:
                raise FunctionLoadError(f"Unable to import module '{module_path}' from {path}")
            module = importlib.util.module_from_spec(module_spec)
            sys.modules[module_name] = module
            try:
                module_spec.loader.exec_module(module)
            except BaseException as exc:
                sys.modules.pop(module_name, None)
                raise FunctionLoadError(f"Unable to import module '{module_path}': {exc!r}") from exc
        handler = getattr(module, attribute, None)
        if not callable(handler):
            raise FunctionLoadError(f"Handler '{attribute}' missing on module '{module_path}' ({path})")
        log.info("loaded %s from %s in %.0f ms", spec.name, path, (time.monotonic() - started) * 1000)
        return handler

    def run_alone(self, event: Any) -> Invocation:
        """Invoke with no other `run_alone` of this function under way, as one warm container
        serves one event at a time. The API needs it: powertools' resolver keeps the current event
        and its route arguments on itself, so two requests at once in one process would mix."""
        with self._container:
            return self.run(event)

    def run(self, event: Any, *, request_id: str | None = None, client_context: Any = None) -> Invocation:
        """Invoke the handler once; errors become a Lambda error payload, never an exception."""
        request_id = request_id or str(uuid.uuid4())
        context = LambdaContext(
            function_name=self.spec.name,
            invoked_function_arn=self.spec.arn,
            memory_limit_in_mb=self.spec.memory_mb,
            aws_request_id=request_id,
            timeout_seconds=self.spec.timeout_seconds,
            client_context=client_context,
        )
        started = time.monotonic()
        try:
            handler = self.handler()
        except FunctionLoadError as exc:
            log.error("%s: %s", self.spec.name, exc, exc_info=exc.__cause__ or exc)
            return _error_invocation(request_id, "Runtime.ImportModuleError", str(exc), exc)
        try:
            result = handler(event, context)
        except Exception as exc:
            log.error("%s raised (request %s)", self.spec.name, request_id, exc_info=True)
            return _error_invocation(request_id, type(exc).__name__, str(exc), exc)
        finally:
            elapsed = time.monotonic() - started
            if elapsed > self.spec.timeout_seconds:
                log.warning(
                    "%s took %.1f s, more than its %d s timeout: Lambda would have stopped it",
                    self.spec.name,
                    elapsed,
                    self.spec.timeout_seconds,
                )
        try:
            payload = json.dumps(result).encode()
        except (TypeError, ValueError) as exc:
            log.error("%s returned a value that is not JSON: %r", self.spec.name, exc)
            return _error_invocation(request_id, "Runtime.MarshalError", f"Unable to marshal response: {exc}", exc)
        return Invocation(request_id=request_id, payload=payload)


def _error_invocation(request_id: str, error_type: str, message: str, exc: BaseException) -> Invocation:
    error = {
        "errorMessage": message,
        "errorType": error_type,
        "requestId": request_id,
        "stackTrace": traceback.format_tb(exc.__traceback__),
    }
    return Invocation(request_id=request_id, payload=json.dumps(error).encode(), error=error)


@contextmanager
def _environment(overlay: dict[str, str]) -> Iterator[None]:
    previous = {key: os.environ.get(key) for key in overlay}
    os.environ.update(overlay)
    try:
        yield
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@contextmanager
def _on_sys_path(directory: Path) -> Iterator[None]:
    """Lambda puts the code directory on sys.path; here only while the module is imported."""
    entry = str(directory)
    sys.path.insert(0, entry)
    try:
        yield
    finally:
        try:
            sys.path.remove(entry)
        except ValueError:
            pass


class WorkerPool:
    """Daemon worker threads, so that a handler still running never blocks the process exit."""

    def __init__(self, workers: int, name: str = "lambda-async"):
        self._queue: queue.Queue[Callable[[], None] | None] = queue.Queue()
        self._threads = [threading.Thread(target=self._work, name=f"{name}-{i}", daemon=True) for i in range(workers)]
        self._started = False

    def start(self) -> None:
        if not self._started:
            self._started = True
            for thread in self._threads:
                thread.start()

    def submit(self, task: Callable[[], None]) -> None:
        self._queue.put(task)

    def stop(self, timeout: float = 1.0) -> None:
        if not self._started:
            return
        for _ in self._threads:
            self._queue.put(None)
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        self._started = False

    def drain(self, timeout: float = 5.0) -> bool:
        """Wait until every submitted task has run; False if `timeout` passed first."""
        with self._queue.all_tasks_done:
            return self._queue.all_tasks_done.wait_for(lambda: self._queue.unfinished_tasks == 0, timeout)

    def _work(self) -> None:
        while True:
            task = self._queue.get()
            try:
                if task is None:
                    return
                task()
            except Exception:
                log.exception("async task failed")
            finally:
                self._queue.task_done()


class FunctionRegistry:
    """The local functions by name and ARN, with Lambda's sync and async invocation."""

    def __init__(
        self,
        functions: Iterable[LocalFunction],
        *,
        workers: int = 8,
        retry_delay_seconds: float = 60.0,
        send_to_queue: QueueSender | None = None,
    ):
        self._functions = {function.name: function for function in functions}
        self._pool = WorkerPool(workers)
        self._retry_delay = retry_delay_seconds
        self._send_to_queue = send_to_queue
        self._timers: set[threading.Timer] = set()
        self._timers_lock = threading.Lock()
        self._stopped = threading.Event()

    def __iter__(self) -> Iterator[LocalFunction]:
        return iter(self._functions.values())

    def start(self) -> None:
        self._stopped.clear()
        self._pool.start()

    def stop(self, timeout: float = 1.0) -> None:
        self._stopped.set()
        with self._timers_lock:
            for timer in self._timers:
                timer.cancel()
            self._timers.clear()
        self._pool.stop(timeout)

    def get(self, name_or_arn: str) -> LocalFunction | None:
        """By name, partial ARN (`123456789012:function:name`) or ARN, with or without qualifier."""
        return self._functions.get(function_name_from(name_or_arn))

    def by_logical_id(self, logical_id: str) -> LocalFunction | None:
        return next((fn for fn in self._functions.values() if fn.spec.logical_id == logical_id), None)

    def invoke(self, function: LocalFunction, event: Any, *, client_context: Any = None) -> Invocation:
        invocation = function.run(event, client_context=client_context)
        log.info(
            "invoked %s (RequestResponse) request %s: %s",
            function.name,
            invocation.request_id,
            "error" if invocation.failed else "ok",
        )
        return invocation

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Wait until no asynchronous invocation is queued or running (retries waiting on their
        delay are not counted)."""
        return self._pool.drain(timeout)

    def invoke_async(self, function: LocalFunction, event: Any, *, source: str = "Event") -> str:
        """Queue the event like Lambda's async queue does; returns the request id at once."""
        request_id = str(uuid.uuid4())
        log.info("queued %s (%s) request %s", function.name, source, request_id)
        self._pool.submit(lambda: self._run_async(function, event, request_id, attempt=1))
        return request_id

    def _run_async(self, function: LocalFunction, event: Any, request_id: str, attempt: int) -> None:
        if self._stopped.is_set():
            return
        invocation = function.run(event, request_id=request_id)
        if not invocation.failed:
            log.info("ran %s request %s (attempt %d): ok", function.name, request_id, attempt)
            return
        if attempt <= function.spec.max_retry_attempts:
            delay = self._retry_delay * attempt
            log.warning(
                "%s request %s failed (attempt %d): retrying in %.0f s",
                function.name,
                request_id,
                attempt,
                delay,
            )
            self._later(
                delay, lambda: self._pool.submit(lambda: self._run_async(function, event, request_id, attempt + 1))
            )
            return
        log.error("%s request %s failed after %d attempt(s)", function.name, request_id, attempt)
        self._deliver_failure(function, event, invocation, attempt)

    def _later(self, delay: float, action: Callable[[], None]) -> None:
        def fire() -> None:
            with self._timers_lock:
                self._timers.discard(timer)
            if not self._stopped.is_set():
                action()

        timer = threading.Timer(delay, fire)
        timer.daemon = True
        with self._timers_lock:
            self._timers.add(timer)
        timer.start()

    def _deliver_failure(self, function: LocalFunction, event: Any, invocation: Invocation, attempts: int) -> None:
        target = function.spec.on_failure
        if target is None or self._send_to_queue is None:
            log.error("%s request %s dropped (no on-failure destination)", function.name, invocation.request_id)
            return
        kind, queue_arn = target
        error = invocation.error or {}
        if kind == "dlq":
            body = json.dumps(event)
            attributes = {
                "RequestID": invocation.request_id,
                "ErrorCode": "200",
                "ErrorMessage": str(error.get("errorMessage", ""))[:1024],
            }
        else:
            body = json.dumps(
                {
                    "version": "1.0",
                    "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                    "requestContext": {
                        "requestId": invocation.request_id,
                        "functionArn": f"{function.spec.arn}:$LATEST",
                        "condition": "RetriesExhausted",
                        "approximateInvokeCount": attempts,
                    },
                    "requestPayload": event,
                    "responseContext": {
                        "statusCode": 200,
                        "executedVersion": "$LATEST",
                        "functionError": "Unhandled",
                    },
                    "responsePayload": error,
                }
            )
            attributes = {}
        try:
            self._send_to_queue(queue_arn, body, attributes)
            log.info("sent %s request %s to %s", function.name, invocation.request_id, queue_arn)
        except Exception:
            log.exception("could not send %s request %s to %s", function.name, invocation.request_id, queue_arn)


def function_name_from(name_or_arn: str) -> str:
    """`arn:aws:lambda:r:a:function:name[:q]`, `a:function:name[:q]`, `name[:q]` -> `name`."""
    parts = name_or_arn.split(":")
    if "function" in parts:
        index = parts.index("function")
        if index + 1 < len(parts):
            return parts[index + 1]
    return parts[0]
