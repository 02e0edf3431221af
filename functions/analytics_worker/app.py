from herald.analytics.handlers import work as lambda_handler  # noqa: F401
