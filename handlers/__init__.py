"""Platform adapters: each turns its platform's events into calls on the core and renders the replies."""
