"""/v1/accounts: the profile's connected accounts."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query

from herald.accounts.model import AccountMode
from herald.api.context import api_base_url, caller
from herald.api.errors import documented
from herald.api.models import (
    AccountDeletedResponse,
    AccountListResponse,
    AccountResponse,
    BoardListResponse,
    BoardResponse,
    BoardSectionResponse,
    ConnectRequest,
    ConnectResponse,
    CreateAccountRequest,
)
from herald.wiring import account_service, board_reader, connect_service
from herald.workspaces.model import Role

router = Router()
public = Router()  # the network sends the browser back here: the OAuth state authenticates it

AccountId = Annotated[str, Path(min_length=1, max_length=64)]


@router.post("/accounts", status_code=201, tags=["accounts"], summary="Add a test-mode account",
             responses=documented(ok=201))
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


@router.get("/accounts/<account_id>/boards", tags=["accounts"],
            summary="List the boards (and sections) an account can post to: Pinterest",
            responses=documented(404, 503))
def list_boards(account_id: AccountId) -> BoardListResponse:
    who = caller(router, Role.VIEWER)
    account = account_service().get(who.workspace_id, who.profile_id, account_id)
    boards = board_reader().boards(account)
    return BoardListResponse(boards=[
        BoardResponse(id=b.id, name=b.name, description=b.description, privacy=b.privacy,
                      sections=[BoardSectionResponse(id=s.id, name=s.name) for s in b.sections])
        for b in boards
    ])


@router.delete("/accounts/<account_id>", tags=["accounts"],
               summary="Disconnect an account (its access revoked where the network allows)",
               responses=documented(404))
def delete_account(account_id: AccountId) -> AccountDeletedResponse:
    who = caller(router, Role.EDITOR)
    account, revoked = account_service().delete(who.workspace_id, who.profile_id, account_id)
    return AccountDeletedResponse(**AccountResponse.of(account).model_dump(), deleted=True, revoked=revoked)


@router.post("/accounts/connect", tags=["accounts"], summary="Connect an account: OAuth or pasted credentials",
             responses=documented(ok=(200, 201)))
def connect_account(body: Annotated[ConnectRequest, Body()]) -> tuple[ConnectResponse, int]:
    who = caller(router, Role.EDITOR)
    service = connect_service()
    mode = AccountMode(body.mode)
    account_service().check_platform(body.platform)
    if body.credentials is not None:
        account = service.connect_with_fields(who.workspace_id, who.profile_id, platform=body.platform, mode=mode,
                                              fields=body.credentials)
        return ConnectResponse(account=AccountResponse.of(account)), 201
    assert body.redirect_uri is not None
    started = service.start(who.workspace_id, who.profile_id, who.key_id, platform=body.platform, mode=mode,
                            redirect_uri=body.redirect_uri, api_base=api_base_url(router), username=body.username)
    return ConnectResponse(authorization_url=started.authorization_url, state=started.state,
                           expires_at=started.expires_at), 200


def _redirect(location: str) -> Response:
    return Response(status_code=302, headers={"Location": location, "Cache-Control": "no-store"}, body="")


@public.get("/v1/oauth/<platform>/callback", tags=["accounts"], summary="OAuth callback (the network redirects here)",
            security=[], responses=documented(ok=302))
def oauth_callback(
    platform: Annotated[str, Path(max_length=32)],
    state: Annotated[str, Query(max_length=256)] = "",
    code: Annotated[str | None, Query(max_length=4096)] = None,
    error: Annotated[str | None, Query(max_length=256)] = None,
):  # type: ignore[no-untyped-def]  # a redirect, not a model
    params = {"state": state, **({"code": code} if code else {}), **({"error": error} if error else {})}
    return _redirect(connect_service().finish(platform, params).redirect_to)


@public.get("/v1/oauth/<platform>/test-consent", include_in_schema=False)
def oauth_test_consent(
    platform: Annotated[str, Path(max_length=32)],
    state: Annotated[str, Query(max_length=256)],
    username: Annotated[str, Query(min_length=1, max_length=120)],
    code_challenge: Annotated[str | None, Query(max_length=256)] = None,
):  # type: ignore[no-untyped-def]
    return _redirect(connect_service().test_consent(platform, state, username, code_challenge))
