"""Herald: a self-hosted serverless social-media publishing API."""

__version__ = "0.1.0"
