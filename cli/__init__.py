"""Wiring: the `advisor` command line; each command imports only what it runs."""
