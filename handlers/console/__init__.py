"""The local console adapter (`advisor chat`, and `advisor run` with no platform configured): a peer of Slack and
Teams through the same AdvisorCore, in a terminal."""
