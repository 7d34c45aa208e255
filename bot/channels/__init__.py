"""Loket's own Rasa input channels (Telegram)."""
