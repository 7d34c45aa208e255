"""The router service's HTTP API (aiohttp)."""
