"""A test that leaks a token on purpose, run only by test_secret_watch.py in a pytest of its own
(the name does not match test_*.py, so the suite never collects it): that session must fail."""

from __future__ import annotations

import logging


def test_logs_a_token() -> None:
    from herald.platforms.base import Credentials

    token = "tok-LEAKED-9d2e7b4c1a6f3085"
    Credentials(account_id="acc_leak", username="leak", tokens={"access_token": token})
    logging.getLogger("herald.planted").info("sending with %s", token)
