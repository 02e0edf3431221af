from herald.analytics.handlers import stream as lambda_handler  # noqa: F401
