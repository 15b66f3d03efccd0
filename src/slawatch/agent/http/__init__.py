"""The agent's HTTP side: the server, the API, its routing and its OpenAPI document."""
