"""Reading template.yaml in the tests: a YAML loader for CloudFormation's short-form tags
(`!Ref`, `!Sub`, `!GetAtt` ...) and SAM's Globals merge, so assertions see what SAM sees.

Intrinsics become their long form (`!Ref X` -> {"Ref": "X"}, `!GetAtt A.B` ->
{"Fn::GetAtt": ["A", "B"]}); dates stay strings, as in CloudFormation."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

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
_INTRINSIC_KEYS = set(_TAGS.values())


class CfnLoader(yaml.SafeLoader):
    """A SafeLoader that knows CloudFormation's tags and keeps `2010-09-09` a string."""


CfnLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_intrinsic(loader: CfnLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    if suffix not in _TAGS:
        raise yaml.constructor.ConstructorError(None, None, f"unknown tag !{suffix}", node.start_mark)
    key = _TAGS[suffix]
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if key == "Fn::GetAtt":
            resource, _, attribute = str(value).partition(".")
            value = [resource, attribute]
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {key: value}


CfnLoader.add_multi_constructor("!", _construct_intrinsic)


def load_template(path: str | Path) -> dict[str, Any]:
    document = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=CfnLoader)  # CfnLoader is a SafeLoader
    if not isinstance(document, dict):
        raise ValueError(f"{path} is not a YAML mapping")
    return document


def is_intrinsic(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)) in _INTRINSIC_KEYS


def merge_globals(global_props: dict[str, Any], own_props: dict[str, Any]) -> dict[str, Any]:
    """SAM's Globals rule: maps merge recursively, lists are appended, scalars are overridden."""
    merged = copy.deepcopy(global_props)
    for key, value in own_props.items():
        base = merged.get(key)
        if isinstance(base, dict) and isinstance(value, dict) and not is_intrinsic(value) and not is_intrinsic(base):
            merged[key] = merge_globals(base, value)
        elif isinstance(base, list) and isinstance(value, list):
            merged[key] = base + copy.deepcopy(value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def resources_of_type(template: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    return {rid: res for rid, res in template.get("Resources", {}).items() if res.get("Type") == resource_type}


def function_properties(template: dict[str, Any], logical_id: str) -> dict[str, Any]:
    """A Serverless::Function's properties with Globals.Function applied, as SAM applies them."""
    resource = template["Resources"][logical_id]
    global_props = template.get("Globals", {}).get("Function", {})
    return merge_globals(global_props, resource.get("Properties", {}))


def sub_text(value: Any) -> str | None:
    """The template string of a `!Sub` (either form), else None."""
    if isinstance(value, dict) and "Fn::Sub" in value:
        sub = value["Fn::Sub"]
        return sub[0] if isinstance(sub, list) else sub
    return None


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
