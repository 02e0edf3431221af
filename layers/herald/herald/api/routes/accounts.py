"""/v1/accounts: the profile's connected accounts."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from herald.accounts.model import AccountMode
from herald.api.context import caller
from herald.api.errors import documented
from herald.api.models import AccountListResponse, AccountResponse, CreateAccountRequest
from herald.wiring import account_service
from herald.workspaces.model import Role

router = Router()

AccountId = Annotated[str, Path(min_length=1, max_length=64)]


@router.post("/accounts", status_code=201, tags=["accounts"], summary="Add a test-mode account", responses=documented())
def create_account(body: Annotated[CreateAccountRequest, Body()]) -> tuple[AccountResponse, int]:
    who = caller(router, Role.EDITOR)
    account = account_service().create(
        who.workspace_id,
        who.profile_id,
        platform=body.platform,
        mode=AccountMode(body.mode),
        name=body.name,
        username=body.username,
        simulate=body.simulate,
    )
    return AccountResponse.of(account), 201


@router.get("/accounts", tags=["accounts"], summary="List the profile's accounts", responses=documented())
def list_accounts() -> AccountListResponse:
    who = caller(router, Role.VIEWER)
    return AccountListResponse(
        accounts=[AccountResponse.of(a) for a in account_service().list(who.workspace_id, who.profile_id)]
    )


@router.get("/accounts/<account_id>", tags=["accounts"], summary="Get an account", responses=documented(404))
def get_account(account_id: AccountId) -> AccountResponse:
    who = caller(router, Role.VIEWER)
    return AccountResponse.of(account_service().get(who.workspace_id, who.profile_id, account_id))


@router.delete("/accounts/<account_id>", tags=["accounts"], summary="Remove an account", responses=documented(404))
def delete_account(account_id: AccountId) -> AccountResponse:
    who = caller(router, Role.EDITOR)
    return AccountResponse.of(account_service().delete(who.workspace_id, who.profile_id, account_id))
