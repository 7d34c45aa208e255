"""Loket's router service: organisation, ticket store, routing and the HTTP API."""
