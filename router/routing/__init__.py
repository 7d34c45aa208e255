"""Where a ticket goes: rules, catalogue, text model; training, evaluation, import, versions."""
