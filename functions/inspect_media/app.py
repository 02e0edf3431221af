from herald.media.handler import lambda_handler  # noqa: F401
