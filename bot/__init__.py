"""The assistant's Rasa project: entry points and helpers that run in bot/.venv (Python 3.10)."""
