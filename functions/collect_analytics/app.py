from herald.analytics.handlers import collect as lambda_handler  # noqa: F401
