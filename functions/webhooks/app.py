from herald.webhooks.handlers import deliver as lambda_handler  # noqa: F401
