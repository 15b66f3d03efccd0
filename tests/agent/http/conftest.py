"""The API tests' fixtures (defined with the API's own tests), for every module here."""

from .test_api import agent, start

__all__ = ["agent", "start"]
