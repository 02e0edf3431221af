from console_files import lambda_handler  # noqa: F401
