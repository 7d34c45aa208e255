"""Pure rules, no I/O: the organisation file, ticket lifecycle, SLA clocks, masking, words."""
