"""The post domain: model, lifecycle state machine and use cases. Imports no boto3 and no httpx."""
