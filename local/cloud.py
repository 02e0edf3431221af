"""LocalCloud: start and stop the whole Docker-free local cloud, in-process.

    with LocalCloud(api_port=0, aws_port=0, lambda_port=0, api_key="hk_test") as cloud:
        cloud.api_url, cloud.api_key, cloud.aws_endpoint, cloud.lambda_endpoint

Start order: moto (server mode) -> resources from template.yaml -> the functions' environment
in os.environ -> Lambda Invoke emulator -> DynamoDB stream positions -> workspace bootstrap ->
schedule pump, S3 notification pump, DynamoDB stream and SQS event sources and scheduled events
-> HTTP API emulator. The API port accepts connections only once
everything else is ready, so polling it is a readiness check.

One process, one environment: the functions run in this process, so their environment
variables (Globals merged with each function's own, resolved) are merged into os.environ
together with the local endpoints and fake credentials; `stop()` restores os.environ. Where
functions disagree on a variable, see local.functions.shared_environment. All state lives in
moto's memory: every start begins empty (moto is reset)."""

from __future__ import annotations

import logging
import os
import sys
import urllib.request
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, cast

from local.bootstrap import (
    BootstrapResult,
    EnsureWorkspace,
    bootstrap_workspace,
    generate_api_key,
    herald_ensure_workspace,
)
from local.functions import FunctionRegistry, FunctionSpec, Handler, LocalFunction, shared_environment, specs_from_stack
from local.http_api import HttpApi
from local.http_event import DEFAULT_ROUTES, Route
from local.lambda_api import LambdaApi
from local.moto_patches import make_dynamodb_atomic
from local.resources import ResourceCreator, aws_client
from local.s3_pump import S3NotificationPump
from local.schedule_events import Firing, ScheduleRunner, parse_overrides, scheduled_events
from local.scheduler_pump import SchedulePump
from local.server import LOCALHOST, ensure_port_free
from local.sqs_pump import SqsPump
from local.stream_pump import StreamPump, serialize_stream_reads
from local.template import STACK_NAME, Stack, TemplateError
from local.ticker import Ticker

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TEMPLATE = PROJECT_ROOT / "template.yaml"
SWEEPER_LOGICAL_ID = "SweeperFunction"
API_LOGICAL_ID = "ApiFunction"

_USE_HERALD = object()
_NO_PROXY_OPENER = urllib.request.build_opener(
    urllib.request.ProxyHandler({})
)  # default for `bootstrap`: herald.workspaces.bootstrap.ensure_workspace


class LocalCloud:
    """The local cloud. Ports 0 pick free ports (read them back from the properties)."""

    def __init__(
        self,
        *,
        template_path: str | Path | None = None,
        api_port: int = 3000,
        aws_port: int = 4566,
        lambda_port: int = 3001,
        api_key: str | None = None,
        workspace_name: str = "local",
        pump_seconds: float = 1.0,
        sweep_seconds: float | None = None,
        schedule_seconds: Mapping[str, float] | None = None,
        async_retry_seconds: float = 60.0,
        async_workers: int = 8,
        stack_name: str = STACK_NAME,
        parameter_overrides: Mapping[str, str] | None = None,
        handlers: Mapping[str, Handler] | None = None,
        bootstrap: EnsureWorkspace | None | object = _USE_HERALD,
    ):
        """`handlers` replaces functions' code by logical id (tests); `bootstrap=None` skips the
        workspace, a callable replaces herald's ensure_workspace(name, api_key).
        `schedule_seconds` overrides scheduled events' cadences (local.schedule_events:
        `{"SweeperFunction": 2}`, `{"*": 10}`); `sweep_seconds` is SweeperFunction's."""
        self.template_path = Path(template_path) if template_path else DEFAULT_TEMPLATE
        self._ports = {"api": api_port, "aws": aws_port, "lambda": lambda_port}
        self.api_key_generated = api_key is None
        self._api_key = api_key or generate_api_key()
        self.workspace_name = workspace_name
        self.pump_seconds = pump_seconds
        self.sweep_seconds = sweep_seconds
        self.schedule_seconds = dict(schedule_seconds or {})
        self.async_retry_seconds = async_retry_seconds
        self.async_workers = async_workers
        self.stack_name = stack_name
        self.parameter_overrides = dict(parameter_overrides or {})
        self._handlers = dict(handlers or {})
        self._bootstrap = bootstrap

        self.stack: Stack | None = None
        self.registry: FunctionRegistry | None = None
        self.pump: SchedulePump | None = None
        self.s3_pump: S3NotificationPump | None = None
        self.stream_pump: StreamPump | None = None
        self.sqs_pump: SqsPump | None = None
        self.schedules: ScheduleRunner | None = None
        self.bootstrap_result: BootstrapResult | None = None
        self.environment: dict[str, str] = {}
        self._moto: Any = None
        self._aws_endpoint: str | None = None
        self._lambda_api: LambdaApi | None = None
        self._http_api: HttpApi | None = None
        self._tickers: list[Ticker] = []
        self._saved_environ: dict[str, str | None] | None = None
        self._sys_path_added: list[str] = []
        self._started = False

    # -- configuration from the environment ---------------------------------------------------

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> LocalCloud:
        env = os.environ if environ is None else environ

        def number(name: str, default: float | None, kind: type = float) -> Any:
            value = env.get(name)
            if value in (None, ""):
                return default
            try:
                return kind(value)
            except ValueError as exc:
                raise ValueError(f"{name}={value!r} is not a {kind.__name__}") from exc

        settings: dict[str, Any] = {
            "template_path": env.get("HERALD_LOCAL_TEMPLATE") or None,
            "api_port": number("HERALD_LOCAL_API_PORT", 3000, int),
            "aws_port": number("HERALD_LOCAL_AWS_PORT", 4566, int),
            "lambda_port": number("HERALD_LOCAL_LAMBDA_PORT", 3001, int),
            "api_key": env.get("HERALD_LOCAL_API_KEY") or None,
            "workspace_name": env.get("HERALD_LOCAL_WORKSPACE_NAME") or "local",
            "pump_seconds": number("HERALD_LOCAL_PUMP_SECONDS", 1.0),
            "sweep_seconds": number("HERALD_LOCAL_SWEEP_SECONDS", None),
            "schedule_seconds": parse_overrides(env.get("HERALD_LOCAL_SCHEDULE_SECONDS")),
            "async_retry_seconds": number("HERALD_LOCAL_ASYNC_RETRY_SECONDS", 60.0),
            "async_workers": number("HERALD_LOCAL_ASYNC_WORKERS", 8, int),
        }
        settings.update(overrides)
        return cls(**settings)

    # -- properties ---------------------------------------------------------------------------

    @property
    def api_url(self) -> str:
        if self._http_api is None:
            raise RuntimeError("LocalCloud is not started")
        return self._http_api.url

    @property
    def api_key(self) -> str:
        return self._api_key

    @property
    def aws_endpoint(self) -> str:
        if self._aws_endpoint is None:
            raise RuntimeError("LocalCloud is not started")
        return self._aws_endpoint

    @property
    def lambda_endpoint(self) -> str:
        if self._lambda_api is None:
            raise RuntimeError("LocalCloud is not started")
        return self._lambda_api.url

    @property
    def region(self) -> str:
        return self.stack.region if self.stack else "us-east-1"

    def client(self, service: str) -> Any:
        """A boto3 client for this cloud (moto; `lambda` goes to the Invoke emulator)."""
        endpoint = self.lambda_endpoint if service == "lambda" else self.aws_endpoint
        return aws_client(service, endpoint, self.region)

    def trigger_schedule(self, function: str, event_name: str | None = None) -> list[Firing]:
        """Run a function's Schedule/ScheduleV2 events now, as EventBridge would (asynchronous
        invocations; `registry.wait_idle()` waits for them). `function`: logical id, name or
        ARN, or `LogicalId.EventName`. KeyError when it has no scheduled event."""
        if self.schedules is None:
            raise RuntimeError("LocalCloud is not started")
        return self.schedules.trigger(function, event_name)

    # -- lifecycle ----------------------------------------------------------------------------

    def __enter__(self) -> LocalCloud:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> LocalCloud:
        if self._started:
            return self
        self._started = True
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        if not self.template_path.is_file():
            raise TemplateError(
                f"{self.template_path} does not exist: the local cloud builds its resources from the "
                "template (set HERALD_LOCAL_TEMPLATE to use another one)"
            )
        # Fail fast on a taken port; the API port itself is bound last, once all is ready.
        ensure_port_free(self._ports["api"], "the HTTP API (HERALD_LOCAL_API_PORT)")
        ensure_port_free(self._ports["lambda"], "the Lambda API (HERALD_LOCAL_LAMBDA_PORT)")
        self._start_moto()
        stack = self.stack = Stack.from_file(
            self.template_path,
            stack_name=self.stack_name,
            aws_endpoint=self.aws_endpoint,
            parameter_overrides=self.parameter_overrides,
        )
        ResourceCreator(stack, self.aws_endpoint).create_all()

        specs = specs_from_stack(stack)
        self._add_layers_to_sys_path(stack)
        self._lambda_api = LambdaApi(port=self._ports["lambda"])  # bound now: its URL goes in the env
        self.environment = self._function_environment(stack, specs)
        self._apply_environment(self.environment)
        from herald import wiring

        wiring.reset()  # clients and settings cached by an earlier cloud in this process name its endpoint
        registry = self.registry = FunctionRegistry(
            self._local_functions(specs),
            workers=self.async_workers,
            retry_delay_seconds=self.async_retry_seconds,
            send_to_queue=self._send_to_queue,
        )
        self._lambda_api.registry = registry
        registry.start()
        self._lambda_api.start()
        # Stream positions are fixed before the bootstrap writes, as for a mapping created with
        # the stack (StartingPosition LATEST then still sees the workspace's records).
        self.stream_pump = StreamPump(
            aws_client("dynamodbstreams", self.aws_endpoint, stack.region),
            registry,
            region=stack.region,
            send_to_queue=self._send_to_queue,
        )
        self.stream_pump.prime()

        if self._bootstrap is None:
            self.bootstrap_result = BootstrapResult(api_key=self._api_key, problem="bootstrap disabled")
        else:
            ensure = (
                herald_ensure_workspace() if self._bootstrap is _USE_HERALD else cast(EnsureWorkspace, self._bootstrap)
            )
            self.bootstrap_result = bootstrap_workspace(self.workspace_name, self._api_key, ensure)
            self._api_key = self.bootstrap_result.api_key

        groups = [stack.physical_name(lid) for lid in stack.resources_of_type("AWS::Scheduler::ScheduleGroup")]
        self.pump = SchedulePump(
            aws_client("scheduler", self.aws_endpoint, stack.region),
            registry,
            groups,
            send_to_queue=self._send_to_queue,
        )
        self._tickers.append(Ticker(self.pump_seconds, self.pump.run_once, name="schedule-pump", run_at_start=True))
        self.s3_pump = S3NotificationPump(aws_client("s3", self.aws_endpoint, stack.region), registry, stack)
        if self.s3_pump.subscriptions:
            self._tickers.append(Ticker(self.pump_seconds, self.s3_pump.run_once, name="s3-notification-pump"))
        stream_pump = self.stream_pump
        for stream in stream_pump.subscriptions:
            self._tickers.append(Ticker(self.pump_seconds, lambda sub=stream: stream_pump.poll(sub),
                                        name=f"stream-{stream.key}", run_at_start=True))
        sqs_pump = self.sqs_pump = SqsPump(aws_client("sqs", self.aws_endpoint, stack.region), registry,
                                           region=stack.region)
        for queue in sqs_pump.subscriptions:
            self._tickers.append(Ticker(self.pump_seconds, lambda sub=queue: sqs_pump.poll(sub),
                                        name=f"sqs-{queue.key}", run_at_start=True))
        overrides = dict(self.schedule_seconds)
        if self.sweep_seconds:
            overrides[SWEEPER_LOGICAL_ID] = self.sweep_seconds
        schedules = self.schedules = ScheduleRunner(registry, scheduled_events(registry, overrides))
        if schedules.events:
            tick = min(self.pump_seconds, schedules.tick_seconds)
            self._tickers.append(Ticker(tick, schedules.run_once, name="scheduled-events"))
        for ticker in self._tickers:
            ticker.start()

        self._http_api = HttpApi(self._routes(registry), port=self._ports["api"])
        self._http_api.start()
        log.info("local cloud ready: API %s, AWS %s, Lambda %s", self.api_url, self.aws_endpoint, self.lambda_endpoint)

    def stop(self) -> None:
        """Stop everything (idempotent); in-flight handlers are abandoned, not awaited."""
        if not self._started:
            return
        self._started = False
        steps: list[tuple[str, Callable[[], None]]] = []
        if self._http_api is not None:
            steps.append(("HTTP API", self._http_api.stop))
        for name, pump in (("stream pump", self.stream_pump), ("SQS pump", self.sqs_pump)):
            if pump is not None:
                steps.append((name, pump.stop))  # no new batch; a running handler is not awaited
        for ticker in self._tickers:
            steps.append((ticker.name, ticker.stop))
        if self.registry is not None:
            steps.append(("async invocations", self.registry.stop))
        if self._lambda_api is not None:
            steps.append(("Lambda API", self._lambda_api.stop))
        if self._moto is not None:
            steps.append(("moto", self._stop_moto))
        steps.append(("environment", self._restore_environment))
        for ticker in self._tickers:
            ticker.request_stop()  # all at once, then joined one by one
        for name, step in steps:
            try:
                step()
            except Exception:
                log.exception("stopping %s failed", name)
        self._tickers = []
        log.info("local cloud stopped")

    # -- moto ---------------------------------------------------------------------------------

    def _start_moto(self) -> None:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        from moto.server import ThreadedMotoServer

        make_dynamodb_atomic()
        serialize_stream_reads()
        ensure_port_free(self._ports["aws"], "moto (HERALD_LOCAL_AWS_PORT)")
        self._moto = ThreadedMotoServer(ip_address=LOCALHOST, port=self._ports["aws"], verbose=False)
        self._moto.start()
        host, port = self._moto.get_host_and_port()
        self._aws_endpoint = f"http://{host}:{port}"
        # moto keeps its state in module globals: start from an empty cloud every time.
        self._reset_moto()
        log.info("moto listening on %s", self._aws_endpoint)

    def _reset_moto(self) -> None:
        request = urllib.request.Request(f"{self._aws_endpoint}/moto-api/reset", method="POST")
        _NO_PROXY_OPENER.open(request, timeout=10).close()

    def _stop_moto(self) -> None:
        try:
            self._reset_moto()  # leave no state behind for other in-process users of moto
        except OSError:
            log.warning("could not reset moto", exc_info=True)
        self._moto.stop()
        server = getattr(self._moto, "_server", None)
        if server is not None:
            server.server_close()
        self._moto = None

    # -- functions ----------------------------------------------------------------------------

    def _function_environment(self, stack: Stack, specs: list[FunctionSpec]) -> dict[str, str]:
        """The process environment the functions run with (see the module docstring)."""
        global_variables = stack.resolve(
            ((stack.template.get("Globals") or {}).get("Function") or {}).get("Environment", {}).get("Variables") or {}
        )
        env = shared_environment(specs, {key: str(value) for key, value in global_variables.items()})
        env.update(self.local_aws_environment())
        return env

    def local_aws_environment(self) -> dict[str, str]:
        """What every function gets on top of its template environment."""
        region = self.region
        return {
            "AWS_ENDPOINT_URL": self.aws_endpoint,
            "AWS_ENDPOINT_URL_LAMBDA": self.lambda_endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": region,
            "AWS_REGION": region,
            "AWS_EC2_METADATA_DISABLED": "true",
            "POWERTOOLS_TRACE_DISABLED": "true",  # no X-Ray daemon locally
            "POWERTOOLS_METRICS_DISABLED": "true",  # no CloudWatch: EMF lines would only flood the console
            "NO_PROXY": _no_proxy(),  # the local endpoints are never behind a proxy
            # Webhook receivers on this machine (http://127.0.0.1:...) are allowed locally only.
            "HERALD_WEBHOOK_ALLOW_LOOPBACK": "true",
        }

    def _local_functions(self, specs: list[FunctionSpec]) -> list[LocalFunction]:
        local_keys = set(self.local_aws_environment())
        functions = []
        for spec in specs:
            own = {
                key: value
                for key, value in spec.environment.items()
                if key not in local_keys and self.environment.get(key) != value
            }
            functions.append(LocalFunction(spec, handler=self._handlers.get(spec.logical_id), import_environment=own))
        return functions

    def _routes(self, registry: FunctionRegistry) -> list[tuple[Route, LocalFunction]]:
        """Routes from the functions' HttpApi events; `ANY /{proxy+}` -> ApiFunction without any."""
        routes = []
        for function in registry:
            for event_name, event in function.spec.events.items():
                if event.get("Type") == "HttpApi":
                    props = event.get("Properties") or {}
                    if "Path" not in props and "Method" not in props:
                        routes.append((Route.parse("$default"), function))
                    else:
                        routes.append((Route(str(props.get("Method", "ANY")).upper(), str(props["Path"])), function))
                elif event.get("Type") == "Api":
                    log.warning("%s.%s: REST API events are not emulated", function.spec.logical_id, event_name)
        if not routes:
            api = registry.by_logical_id(API_LOGICAL_ID)
            if api is not None:
                routes = [(route, api) for route in DEFAULT_ROUTES]
        if not routes:
            log.warning("no function has an HttpApi event and there is no %s: the API answers 404", API_LOGICAL_ID)
        for route, function in routes:
            log.info("route %s -> %s", route.key, function.name)
        return routes

    def _add_layers_to_sys_path(self, stack: Stack) -> None:
        """Layer code (e.g. layers/herald/) importable like on Lambda; the editable install of
        herald in the venv comes first anyway."""
        for logical_id in stack.resources_of_type("AWS::Serverless::LayerVersion"):
            content = stack.resolved_properties(logical_id).get("ContentUri")
            if isinstance(content, str):
                path = str((stack.base_dir / content).resolve())
                if Path(path).is_dir() and path not in sys.path:
                    sys.path.append(path)
                    self._sys_path_added.append(path)

    def _send_to_queue(self, queue_arn: str, body: str, attributes: dict[str, str]) -> None:
        sqs = aws_client("sqs", self.aws_endpoint, self.region)
        url = sqs.get_queue_url(QueueName=queue_arn.rsplit(":", 1)[-1])["QueueUrl"]
        sqs.send_message(
            QueueUrl=url,
            MessageBody=body,
            MessageAttributes={key: {"DataType": "String", "StringValue": value} for key, value in attributes.items()},
        )

    # -- os.environ ---------------------------------------------------------------------------

    def _apply_environment(self, env: dict[str, str]) -> None:
        removed = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE")  # env credentials, never a profile
        self._saved_environ = {key: os.environ.get(key) for key in (*env, *removed)}
        for key in removed:
            os.environ.pop(key, None)
        os.environ.update(env)
        settings = sys.modules.get("herald.settings")
        if settings is not None and hasattr(settings, "get_settings"):
            settings.get_settings.cache_clear()

    def _restore_environment(self) -> None:
        if self._saved_environ is None:
            return
        for key, value in self._saved_environ.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        self._saved_environ = None
        for path in self._sys_path_added:
            if path in sys.path:
                sys.path.remove(path)
        self._sys_path_added = []

    # -- banner -------------------------------------------------------------------------------

    def _console_note(self) -> str:
        """Whether the function behind `GET /` (the console) has its built files (static/)."""
        routes = self._http_api.routes if self._http_api is not None else []
        function = next((fn for route, fn in routes if route.key == "GET /"), None)
        code_dir = function.spec.code_dir if function is not None else None
        if code_dir is not None and not (code_dir / "static" / "index.html").is_file():
            return "(NOT BUILT: `make dev` builds it; needs Node.js 20+ and npm)"
        return "(sign in with the API key below)"

    def banner(self) -> str:
        key = self.api_key
        result = self.bootstrap_result
        if result is not None and not result.ok:
            key_note = f"   (NO workspace yet: {result.problem}; see the log)"
        elif self.api_key_generated:
            key_note = "   (generated: set HERALD_LOCAL_API_KEY to keep one across restarts)"
        else:
            key_note = ""
        table = next(iter(self.stack.resources_of_type("AWS::DynamoDB::Table")), None) if self.stack else None
        table_name = self.stack.physical_name(table) if self.stack and table else f"{self.stack_name}-table"
        line = "=" * 78
        return "\n".join(
            [
                line,
                " Herald local cloud (no AWS account, no Docker)",
                line,
                f"  API          {self.api_url}",
                f"  Console      {self.api_url}/   {self._console_note()}",
                f"  API key      {key}{key_note}",
                f"  AWS (moto)   {self.aws_endpoint}   region {self.region}, credentials testing/testing",
                f"  Lambda       {self.lambda_endpoint}   (AWS_ENDPOINT_URL_LAMBDA)",
                "",
                "  Try:",
                f'    curl -s -H "Authorization: Bearer {key}" {self.api_url}/v1/posts',
                f"    aws --endpoint-url {self.aws_endpoint} dynamodb scan --table-name {table_name}",
                "",
                "  State lives in memory (moto): stopping the local cloud loses it, a restart starts empty.",
                "  Stop with Ctrl-C.",
                line,
            ]
        )


def _no_proxy() -> str:
    current = [entry for entry in os.environ.get("NO_PROXY", "").split(",") if entry]
    return ",".join(dict.fromkeys([*current, LOCALHOST, "localhost"]))
