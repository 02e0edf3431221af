"""Reading template.yaml in the tests with the local cloud's own loader (CloudFormation's short
tags in their long form, SAM's Globals merge), plus small lookups for assertions."""

from __future__ import annotations

from typing import Any

from local.template import load_template, merge_globals

__all__ = ["as_list", "function_properties", "load_template", "resources_of_type", "sub_text"]


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
