"""schemathesis against the committed spec (docs/openapi.json) on a real local cloud: every
operation, positive and negative inputs, a bounded and derandomized example count."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import jsonschema_rs
import schemathesis
from envelope_checks import documented_codes, envelope_problem
from fuzz_seed import Seeds
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from local_process import LocalCloudProcess
from schemathesis import GenerationMode
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import positive_data_acceptance, unsupported_method

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = int(os.environ.get("HERALD_FUZZ_EXAMPLES", "10"))
CODES = documented_codes()

CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {"mode": "all", "max-examples": EXAMPLES, "deterministic": True, "database": "none"},
        # Undeclared methods the HTTP front passes to Herald; TRACE and QUERY are answered by the
        # front itself (API Gateway, or the local cloud's emulator: 501) before Herald's code runs.
        "phases": {"coverage": {"unexpected-methods": ["get", "put", "post", "delete", "options", "patch"]}},
    }
)
schema = schemathesis.openapi.from_path(ROOT / "docs" / "openapi.json", config=CONFIG)

# - unsupported_method: Herald answers an undeclared method on a known path 404 `route_not_found`
#   (in the envelope, checked), not 405.
# - positive_data_acceptance: the spec cannot say which schema-valid values the domain refuses
#   (a network name, content too long for a network, a date in the past...): those are 422s.
EXCLUDED_CHECKS = [unsupported_method, positive_data_acceptance]

SEEDS = Seeds()  # filled from the `fuzz_seeds` fixture before the first case is generated


SPEC = json.loads((ROOT / "docs" / "openapi.json").read_text())


def _valid(path: str, name: str, value: Any) -> bool:
    """Whether `value` is what the spec allows for the path parameter: a seeded id replaces only
    such values, so a case generated to break the parameter's schema still breaks it."""
    operations = SPEC["paths"].get(path, {})
    for operation in operations.values():
        for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
            if parameter.get("in") == "path" and parameter.get("name") == name:
                return bool(jsonschema_rs.is_valid(parameter.get("schema", {}), value))
    return False


@schema.hook
def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any]) -> st.SearchStrategy:
    """Some cases name seeded objects (so the route runs past its lookup), the others random ids."""
    path = context.operation.path
    known = {name: SEEDS.ids[name] for name, value in (path_parameters or {}).items()
             if name in SEEDS.ids and _valid(path, name, value)}
    if not known:
        return st.just(path_parameters)
    chosen = st.fixed_dictionaries({name: st.sampled_from(ids) for name, ids in known.items()})
    return st.one_of(chosen.map(lambda seeded: {**path_parameters, **seeded}), st.just(path_parameters))


def in_error_envelope(ctx: Any, response: Any, case: Any) -> bool | None:
    try:
        body = response.json()
    except ValueError:
        body = response.text
    problem = envelope_problem(response.status_code, body, CODES)
    assert problem is None, problem
    return None


@schema.parametrize()
@settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
          suppress_health_check=list(HealthCheck))
def test_operation(case: Any, fuzz_cloud: LocalCloudProcess, fuzz_seeds: Seeds) -> None:
    SEEDS.ids.update(fuzz_seeds.ids)
    # A case generated with broken headers (the key left out, or garbled) is sent as generated:
    # adding the key back would make it a valid request that Herald rightly accepts.
    broken_headers = any(location is ParameterLocation.HEADER and info.mode is GenerationMode.NEGATIVE
                         for location, info in case.meta.components.items())
    case.call_and_validate(
        base_url=fuzz_cloud.api_url,
        headers={} if broken_headers else {"Authorization": f"Bearer {fuzz_cloud.api_key}"},
        additional_checks=[in_error_envelope],
        excluded_checks=EXCLUDED_CHECKS,
        timeout=30,
    )
