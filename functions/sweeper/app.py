from herald.publishing.sweeper_handler import lambda_handler  # noqa: F401
