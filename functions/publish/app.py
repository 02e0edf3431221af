from herald.publishing.handler import lambda_handler  # noqa: F401
