"""/v1/webhooks: endpoints, test deliveries, the delivery log and replays."""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query

from herald.api.context import caller
from herald.api.errors import documented
from herald.api.webhook_models import (
    CreateWebhookRequest,
    DeliveryListResponse,
    DeliveryQueuedResponse,
    DeliveryResponse,
    WebhookCreatedResponse,
    WebhookListResponse,
    WebhookResponse,
)
from herald.wiring import webhook_service
from herald.workspaces.model import Role

router = Router()

WebhookId = Annotated[str, Path(min_length=1, max_length=64)]
DeliveryId = Annotated[str, Path(min_length=1, max_length=64)]


@router.post("/webhooks", status_code=201, tags=["webhooks"], summary="Register a webhook (its secret is shown once)",
             responses=documented(ok=201))
def create_webhook(body: Annotated[CreateWebhookRequest, Body()]) -> tuple[WebhookCreatedResponse, int]:
    webhook, secret = webhook_service().create(caller(router, Role.ADMIN), body.url, body.events,
                                               description=body.description)
    return WebhookCreatedResponse(**WebhookResponse.of(webhook).model_dump(), secret=secret), 201


@router.get("/webhooks", tags=["webhooks"], summary="List the profile's webhooks, with their health",
            responses=documented())
def list_webhooks() -> WebhookListResponse:
    return WebhookListResponse(webhooks=[WebhookResponse.of(w) for w in webhook_service().list(caller(router, Role.VIEWER))])


@router.get("/webhooks/<webhook_id>", tags=["webhooks"], summary="Get a webhook", responses=documented(404))
def get_webhook(webhook_id: WebhookId) -> WebhookResponse:
    return WebhookResponse.of(webhook_service().get(caller(router, Role.VIEWER), webhook_id))


@router.delete("/webhooks/<webhook_id>", tags=["webhooks"], summary="Delete a webhook", responses=documented(404))
def delete_webhook(webhook_id: WebhookId) -> WebhookResponse:
    return WebhookResponse.of(webhook_service().delete(caller(router, Role.ADMIN), webhook_id))


@router.post("/webhooks/<webhook_id>/enable", tags=["webhooks"],
             summary="Deliver to a disabled webhook again", responses=documented(404, 409))
def enable_webhook(webhook_id: WebhookId) -> WebhookResponse:
    return WebhookResponse.of(webhook_service().enable(caller(router, Role.ADMIN), webhook_id))


@router.post("/webhooks/<webhook_id>/test", status_code=202, tags=["webhooks"],
             summary="Send a `webhook.test` event to this webhook", responses=documented(404, ok=202))
def test_webhook(webhook_id: WebhookId) -> tuple[DeliveryQueuedResponse, int]:
    delivery = webhook_service().send_test(caller(router, Role.EDITOR), webhook_id)
    return DeliveryQueuedResponse(delivery_id=delivery), 202


@router.get("/webhooks/<webhook_id>/deliveries", tags=["webhooks"], summary="The webhook's deliveries, newest first",
            responses=documented(404))
def list_deliveries(
    webhook_id: WebhookId,
    status: Annotated[Literal["retrying", "delivered", "failed", "skipped"] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=64)] = None,
) -> DeliveryListResponse:
    found, next_cursor = webhook_service().deliveries(caller(router, Role.VIEWER), webhook_id, limit, cursor, status)
    return DeliveryListResponse(deliveries=[DeliveryResponse.of(d) for d in found], cursor=next_cursor)


@router.post("/webhooks/<webhook_id>/deliveries/<delivery_id>/replay", status_code=202, tags=["webhooks"],
             summary="Send a logged delivery's event again", responses=documented(404, ok=202))
def replay_delivery(webhook_id: WebhookId, delivery_id: DeliveryId) -> tuple[DeliveryQueuedResponse, int]:
    delivery = webhook_service().replay(caller(router, Role.EDITOR), webhook_id, delivery_id)
    return DeliveryQueuedResponse(delivery_id=delivery), 202
