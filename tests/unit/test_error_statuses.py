"""Every dependency failure is a 503 in the one envelope, with the dependency's own code."""

from __future__ import annotations

import json

import pytest

from herald import errors
from herald.api.errors import from_herald_error
from herald.posts.ports import UnsplashUnavailable


@pytest.mark.parametrize(("error", "code"), [
    (errors.ServiceUnavailable("busy"), "service_unavailable"),
    (errors.StoreUnavailable("busy"), "store_unavailable"),
    (UnsplashUnavailable("Unsplash is unavailable", [{"field": "unsplash"}]), "unsplash_unavailable"),
    (errors.ScheduleUnavailable("refused"), "schedule_unavailable"),
])
def test_dependency_failures_answer_503_with_their_code(error: errors.HeraldError, code: str) -> None:
    response = from_herald_error(error)
    assert response.status_code == 503
    body = json.loads(response.body)  # type: ignore[arg-type]
    assert body["error"]["code"] == code
    assert body["error"]["message"] == error.message
    assert body["error"]["details"] == error.details


def test_store_and_unsplash_failures_are_service_unavailable_not_each_other() -> None:
    assert issubclass(errors.StoreUnavailable, errors.ServiceUnavailable)
    assert issubclass(UnsplashUnavailable, errors.ServiceUnavailable)
    assert not issubclass(UnsplashUnavailable, errors.StoreUnavailable)
