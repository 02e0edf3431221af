"""The base of every Herald pydantic model.

`defer_build`: a model's validator and serializer are built when it is first used, not when its
module is imported. A function's cold start then pays only for the models its event touches (a
publish run never validates an API response model; POST /v1/posts never builds the webhook
models); models a request does use are built exactly as before, on that request."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    model_config = ConfigDict(defer_build=True)
