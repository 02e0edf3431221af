"""Reading template.yaml: a YAML loader for CloudFormation short tags and a resolver for the
intrinsic functions the template uses.

The local cloud builds every resource from the template itself, so local and cloud cannot
drift. Only what the local cloud needs is resolved: `Ref` (parameters with their defaults,
pseudo parameters, resources -> their local physical ids), `Fn::Sub`, `Fn::GetAtt`,
`Fn::Join`, `Fn::Select`, `Fn::Split`, `Fn::If` with `Conditions`, `Fn::Equals`/`Not`/`And`/
`Or`, `Fn::FindInMap`, `Fn::Base64`. SAM `Globals.Function` are merged into each function the
way SAM does it (maps merge, lists append, scalars are overridden)."""

from __future__ import annotations

import base64
import copy
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

log = logging.getLogger(__name__)

STACK_NAME = "herald"
REGION = "us-east-1"
ACCOUNT_ID = "123456789012"
PARTITION = "aws"

# Marker for `Ref: AWS::NoValue`: the enclosing key or list item is dropped.
_NO_VALUE = object()

_TAGS = {
    "Ref": "Ref",
    "Condition": "Condition",
    "GetAtt": "Fn::GetAtt",
    "Sub": "Fn::Sub",
    "Join": "Fn::Join",
    "Select": "Fn::Select",
    "Split": "Fn::Split",
    "If": "Fn::If",
    "Equals": "Fn::Equals",
    "Not": "Fn::Not",
    "And": "Fn::And",
    "Or": "Fn::Or",
    "FindInMap": "Fn::FindInMap",
    "Base64": "Fn::Base64",
    "GetAZs": "Fn::GetAZs",
    "ImportValue": "Fn::ImportValue",
    "Cidr": "Fn::Cidr",
    "Transform": "Fn::Transform",
    "Length": "Fn::Length",
    "ToJsonString": "Fn::ToJsonString",
}


class TemplateError(Exception):
    """The template cannot be read or uses something the local cloud cannot resolve."""


class CfnLoader(yaml.SafeLoader):
    """SafeLoader that understands `!Ref`, `!Sub`, `!GetAtt` ... and keeps dates as strings."""


# CloudFormation keeps `2010-09-09` as a string; YAML would make it a date.
CfnLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_tag(loader: CfnLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    if suffix not in _TAGS:
        raise yaml.constructor.ConstructorError(None, None, f"unknown tag !{suffix}", node.start_mark)
    key = _TAGS[suffix]
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if key == "Fn::GetAtt":  # !GetAtt Resource.Attribute
            resource, _, attribute = str(value).partition(".")
            value = [resource, attribute]
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {key: value}


CfnLoader.add_multi_constructor("!", _construct_tag)


def load_yaml(text: str) -> dict[str, Any]:
    document = yaml.load(text, Loader=CfnLoader)  # a SafeLoader subclass
    if not isinstance(document, dict):
        raise TemplateError("the template is not a YAML mapping")
    return document


def load_template(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    try:
        return load_yaml(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise TemplateError(f"template not found: {path}") from exc
    except yaml.YAMLError as exc:
        raise TemplateError(f"cannot parse {path}: {exc}") from exc


def merge_globals(global_props: dict[str, Any], own_props: dict[str, Any]) -> dict[str, Any]:
    """SAM's Globals rule: maps merge recursively, lists are appended, scalars are overridden."""
    merged = copy.deepcopy(global_props)
    for key, value in own_props.items():
        base = merged.get(key)
        if isinstance(base, dict) and isinstance(value, dict) and not _is_intrinsic(value) and not _is_intrinsic(base):
            merged[key] = merge_globals(base, value)
        elif isinstance(base, list) and isinstance(value, list):
            merged[key] = base + copy.deepcopy(value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _is_intrinsic(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)) in {"Ref", "Condition", *_TAGS.values()}


# Ref / GetAtt rules for the resource types the local cloud knows. Each maps a resource to its
# default physical name and the attributes derived from it; others fall back to a generic form.
_NAME_PROPERTY = {
    "AWS::DynamoDB::Table": "TableName",
    "AWS::SQS::Queue": "QueueName",
    "AWS::Scheduler::ScheduleGroup": "Name",
    "AWS::Scheduler::Schedule": "Name",
    "AWS::IAM::Role": "RoleName",
    "AWS::Serverless::Function": "FunctionName",
    "AWS::Lambda::Function": "FunctionName",
    "AWS::Serverless::LayerVersion": "LayerName",
    "AWS::S3::Bucket": "BucketName",
    "AWS::SNS::Topic": "TopicName",
    "AWS::KMS::Alias": "AliasName",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::Serverless::HttpApi": None,
}


@dataclass
class Stack:
    """A template resolved for the local cloud: parameters, conditions, physical names.

    `aws_endpoint` is moto's URL (an SQS queue's Ref is its URL). Attributes only known after a
    resource exists (a table's StreamArn, a KMS key id) are added with `set_attribute`."""

    template: dict[str, Any]
    stack_name: str = STACK_NAME
    region: str = REGION
    account_id: str = ACCOUNT_ID
    aws_endpoint: str = "http://127.0.0.1:4566"
    parameter_overrides: dict[str, str] = field(default_factory=dict)
    base_dir: Path = field(default_factory=Path.cwd)
    _names: dict[str, str] = field(default_factory=dict, init=False, repr=False)
    _attributes: dict[tuple[str, str], Any] = field(default_factory=dict, init=False, repr=False)
    _conditions: dict[str, bool] = field(default_factory=dict, init=False, repr=False)
    _resolving: set[str] = field(default_factory=set, init=False, repr=False)

    @classmethod
    def from_file(cls, path: str | Path, **kwargs: Any) -> Stack:
        path = Path(path).resolve()
        kwargs.setdefault("base_dir", path.parent)
        return cls(template=load_template(path), **kwargs)

    # -- template sections ------------------------------------------------------------------

    @property
    def parameters(self) -> dict[str, Any]:
        return self.template.get("Parameters") or {}

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        """Resources whose Condition (if any) holds, in template order."""
        return {
            logical_id: resource
            for logical_id, resource in (self.template.get("Resources") or {}).items()
            if "Condition" not in resource or self.condition(resource["Condition"])
        }

    def resources_of_type(self, *types: str) -> dict[str, dict[str, Any]]:
        return {lid: res for lid, res in self.resources.items() if res.get("Type") in types}

    def properties(self, logical_id: str) -> dict[str, Any]:
        """The resource's properties, with SAM Globals merged in, not yet resolved."""
        resource = self._resource(logical_id)
        own = resource.get("Properties") or {}
        section = {"AWS::Serverless::Function": "Function", "AWS::Serverless::HttpApi": "HttpApi"}.get(
            resource.get("Type", "")
        )
        global_props = (self.template.get("Globals") or {}).get(section or "", {}) if section else {}
        return merge_globals(global_props or {}, own)

    def resolved_properties(self, logical_id: str) -> dict[str, Any]:
        return self.resolve(self.properties(logical_id))

    def _resource(self, logical_id: str) -> dict[str, Any]:
        try:
            return self.template["Resources"][logical_id]
        except (KeyError, TypeError) as exc:
            raise TemplateError(f"no resource {logical_id!r} in the template") from exc

    # -- names and attributes ---------------------------------------------------------------

    def parameter(self, name: str) -> Any:
        if name in self.parameter_overrides:
            return self.parameter_overrides[name]
        spec = self.parameters.get(name)
        if spec is None:
            raise TemplateError(f"unknown parameter {name!r}")
        if "Default" not in spec:
            raise TemplateError(f"parameter {name!r} has no Default: pass it in parameter_overrides")
        value = spec["Default"]
        if spec.get("Type") == "CommaDelimitedList" and isinstance(value, str):
            return [item.strip() for item in value.split(",")]
        return value

    def pseudo(self, name: str) -> Any:
        values = {
            "AWS::StackName": self.stack_name,
            "AWS::Region": self.region,
            "AWS::AccountId": self.account_id,
            "AWS::Partition": PARTITION,
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackId": f"arn:{PARTITION}:cloudformation:{self.region}:{self.account_id}:stack/"
            f"{self.stack_name}/00000000-0000-0000-0000-000000000000",
            "AWS::NotificationARNs": [],
            "AWS::NoValue": _NO_VALUE,
        }
        if name not in values:
            raise TemplateError(f"unknown pseudo parameter {name!r}")
        return values[name]

    def physical_name(self, logical_id: str) -> str:
        """The resource's name: its name property resolved, else `{stack}-{LogicalId}`."""
        if logical_id in self._names:
            return self._names[logical_id]
        resource = (self.template.get("Resources") or {}).get(logical_id)
        if resource is None:
            # SAM's implicit resources (ApiFunctionRole, ServerlessHttpApi ...) and others.
            name = f"{self.stack_name}-{logical_id}"
        else:
            rtype = resource.get("Type", "")
            prop = _NAME_PROPERTY.get(rtype)
            props = resource.get("Properties") or {}
            if logical_id in self._resolving:
                raise TemplateError(f"circular reference through {logical_id!r}")
            self._resolving.add(logical_id)
            try:
                explicit = self.resolve(props[prop]) if prop and prop in props else None
            finally:
                self._resolving.discard(logical_id)
            if explicit is not None and explicit is not _NO_VALUE:
                name = str(explicit)
            elif rtype == "AWS::S3::Bucket":
                name = f"{self.stack_name}-{logical_id}".lower()
            elif rtype == "AWS::SQS::Queue" and props.get("FifoQueue") in (True, "true"):
                name = f"{self.stack_name}-{logical_id}.fifo"
            else:
                name = f"{self.stack_name}-{logical_id}"
        self._names[logical_id] = name
        return name

    def resource_type(self, logical_id: str) -> str:
        resource = (self.template.get("Resources") or {}).get(logical_id) or {}
        return resource.get("Type", "")

    def set_attribute(self, logical_id: str, attribute: str, value: Any) -> None:
        """Record a value only known once the resource exists (`Ref` uses attribute "Ref")."""
        self._attributes[(logical_id, attribute)] = value

    def ref(self, name: str) -> Any:
        if name.startswith("AWS::"):
            return self.pseudo(name)
        if name in self.parameters or name in self.parameter_overrides:
            return self.parameter(name)
        if (name, "Ref") in self._attributes:
            return self._attributes[(name, "Ref")]
        rtype = self.resource_type(name)
        physical = self.physical_name(name)
        if rtype == "AWS::SQS::Queue":
            return self.queue_url(physical)
        if rtype in ("AWS::SNS::Topic", "AWS::Serverless::LayerVersion", "AWS::Lambda::LayerVersion"):
            return self.get_att(name, "Arn")
        if rtype == "AWS::Serverless::HttpApi" or name == "ServerlessHttpApi":
            return "local"
        if name not in (self.template.get("Resources") or {}):
            log.debug("Ref %s: not a template resource, using %s", name, physical)
        return physical

    def queue_url(self, queue_name: str) -> str:
        return f"{self.aws_endpoint.rstrip('/')}/{self.account_id}/{queue_name}"

    def arn(self, service: str, resource: str, *, region: bool = True, account: bool = True) -> str:
        return (
            f"arn:{PARTITION}:{service}:{self.region if region else ''}:{self.account_id if account else ''}:{resource}"
        )

    def get_att(self, logical_id: str, attribute: str) -> Any:
        if (logical_id, attribute) in self._attributes:
            return self._attributes[(logical_id, attribute)]
        rtype = self.resource_type(logical_id)
        name = self.physical_name(logical_id)
        arns = {
            "AWS::DynamoDB::Table": lambda: self.arn("dynamodb", f"table/{name}"),
            "AWS::SQS::Queue": lambda: self.arn("sqs", name),
            "AWS::Scheduler::ScheduleGroup": lambda: self.arn("scheduler", f"schedule-group/{name}"),
            "AWS::Scheduler::Schedule": lambda: self.arn("scheduler", f"schedule/default/{name}"),
            "AWS::IAM::Role": lambda: self.arn("iam", f"role/{name}", region=False),
            "AWS::Serverless::Function": lambda: self.arn("lambda", f"function:{name}"),
            "AWS::Lambda::Function": lambda: self.arn("lambda", f"function:{name}"),
            "AWS::Serverless::LayerVersion": lambda: self.arn("lambda", f"layer:{name}:1"),
            "AWS::S3::Bucket": lambda: f"arn:{PARTITION}:s3:::{name}",
            "AWS::SNS::Topic": lambda: self.arn("sns", name),
            "AWS::KMS::Key": lambda: self.arn("kms", f"key/{self.ref(logical_id)}"),
            "AWS::Logs::LogGroup": lambda: self.arn("logs", f"log-group:{name}:*"),
        }
        if attribute == "Arn":
            if rtype in arns:
                return arns[rtype]()
            if logical_id.endswith("Role"):  # SAM's implicit {Function}Role
                return self.arn("iam", f"role/{name}", region=False)
        simple = {
            ("AWS::SQS::Queue", "QueueName"): name,
            ("AWS::SQS::Queue", "QueueUrl"): self.queue_url(name),
            ("AWS::IAM::Role", "RoleId"): f"AROA{logical_id.upper()[:17]}",
            ("AWS::S3::Bucket", "DomainName"): f"{name}.s3.amazonaws.com",
            ("AWS::S3::Bucket", "RegionalDomainName"): f"{name}.s3.{self.region}.amazonaws.com",
            ("AWS::KMS::Key", "KeyId"): self.ref(logical_id) if rtype == "AWS::KMS::Key" else None,
            ("AWS::DynamoDB::Table", "StreamArn"): self.arn("dynamodb", f"table/{name}/stream/local"),
        }
        if (rtype, attribute) in simple:
            return simple[(rtype, attribute)]
        log.warning("GetAtt %s.%s is not emulated locally: using a placeholder", logical_id, attribute)
        return f"{name}.{attribute}"

    # -- conditions -------------------------------------------------------------------------

    def condition(self, name: str) -> bool:
        if name not in self._conditions:
            conditions = self.template.get("Conditions") or {}
            if name not in conditions:
                raise TemplateError(f"unknown condition {name!r}")
            self._conditions[name] = bool(self.resolve(conditions[name]))
        return self._conditions[name]

    # -- intrinsic functions ----------------------------------------------------------------

    def resolve(self, value: Any) -> Any:
        """Resolve every intrinsic function inside `value` (a deep copy is returned)."""
        if isinstance(value, list):
            items = [self.resolve(item) for item in value]
            return [item for item in items if item is not _NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, arg),) = value.items()
            handler = self._intrinsics().get(key)
            if handler is not None:
                return handler(arg)
        resolved = {key: self.resolve(item) for key, item in value.items()}
        return {key: item for key, item in resolved.items() if item is not _NO_VALUE}

    def _intrinsics(self) -> dict[str, Any]:
        return {
            "Ref": lambda arg: self.ref(self._scalar(arg)),
            "Condition": lambda arg: self.condition(self._scalar(arg)),
            "Fn::GetAtt": self._fn_get_att,
            "Fn::Sub": self._fn_sub,
            "Fn::Join": self._fn_join,
            "Fn::Select": self._fn_select,
            "Fn::Split": self._fn_split,
            "Fn::If": self._fn_if,
            "Fn::Equals": lambda arg: self._pair(arg)[0] == self._pair(arg)[1],
            "Fn::Not": lambda arg: not self.resolve(arg[0]),
            "Fn::And": lambda arg: all(self.resolve(item) for item in arg),
            "Fn::Or": lambda arg: any(self.resolve(item) for item in arg),
            "Fn::FindInMap": self._fn_find_in_map,
            "Fn::Base64": lambda arg: base64.b64encode(str(self.resolve(arg)).encode()).decode(),
            "Fn::GetAZs": lambda arg: [f"{self.region}{zone}" for zone in "abc"],
        }

    def _scalar(self, arg: Any) -> str:
        arg = self.resolve(arg)
        if not isinstance(arg, str):
            raise TemplateError(f"expected a string, got {arg!r}")
        return arg

    def _pair(self, arg: Any) -> tuple[Any, Any]:
        left, right = (self.resolve(item) for item in arg)
        return left, right

    def _fn_get_att(self, arg: Any) -> Any:
        if isinstance(arg, str):
            logical_id, _, attribute = arg.partition(".")
        else:
            logical_id, attribute = (self.resolve(item) for item in arg)
        return self.get_att(logical_id, attribute)

    _SUB_VARIABLE = re.compile(r"\$\{(!?)([^}]*)\}")

    def _fn_sub(self, arg: Any) -> str:
        if isinstance(arg, list):
            text, variables = arg[0], {key: self.resolve(val) for key, val in (arg[1] or {}).items()}
        else:
            text, variables = arg, {}

        def substitute(match: re.Match[str]) -> str:
            literal, name = match.group(1), match.group(2).strip()
            if literal:
                return "${" + name + "}"
            if name in variables:
                return str(variables[name])
            if "." in name and not name.startswith("AWS::"):
                logical_id, _, attribute = name.partition(".")
                return str(self.get_att(logical_id, attribute))
            return str(self.ref(name))

        return self._SUB_VARIABLE.sub(substitute, text)

    def _fn_join(self, arg: Any) -> str:
        delimiter, items = arg
        values = self.resolve(items)
        return str(delimiter).join(str(item) for item in values)

    def _fn_select(self, arg: Any) -> Any:
        index, items = arg
        return self.resolve(items)[int(self.resolve(index))]

    def _fn_split(self, arg: Any) -> list[str]:
        delimiter, text = arg
        return str(self.resolve(text)).split(str(delimiter))

    def _fn_if(self, arg: Any) -> Any:
        name, when_true, when_false = arg
        return self.resolve(when_true if self.condition(name) else when_false)

    def _fn_find_in_map(self, arg: Any) -> Any:
        map_name, top, second = (self.resolve(item) for item in arg)
        try:
            return self.template["Mappings"][map_name][top][second]
        except KeyError as exc:
            raise TemplateError(f"FindInMap {map_name}/{top}/{second} not found") from exc
