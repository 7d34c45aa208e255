"""Custom actions of the Loket assistant, served by `python -m actions.server` (rasa-sdk on
loopback, behind LOKET_ACTION_TOKEN).

One module per topic; one client module per external system (router_client.py).
"""
