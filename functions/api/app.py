from herald.api.handler import lambda_handler  # noqa: F401
