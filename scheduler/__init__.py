"""Delivery (layer 4): plans nudges onto the ledger, sends them and the outbox through ports the adapters
implement, and runs the work that follows an acknowledgement. Imports the core and the layers below it."""
