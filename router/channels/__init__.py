"""Clients of the outside channels the service sends through: chat platforms and e-mail."""
