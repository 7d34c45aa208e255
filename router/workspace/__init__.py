"""The helpdesk staff's web workspace: server-rendered pages under /staff/, own session auth."""
