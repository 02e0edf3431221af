"""Date and date-time query parameters that take ISO-8601 text only.

Pydantic's lax mode also reads a number as a Unix timestamp (`?start_date=0.5`, `?end_date=0`),
which the OpenAPI document (format date / date-time) says is not a date."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BeforeValidator

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_text(value: Any) -> Any:
    if isinstance(value, str) and not _ISO_DAY.match(value):
        raise ValueError("expected an ISO-8601 date (YYYY-MM-DD, optionally with a time)")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_text)]
IsoDateTime = Annotated[datetime, BeforeValidator(_iso_text)]
