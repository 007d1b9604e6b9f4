"""Knowledge (layer 1, above config only): the staff-edited content, its schema and loaders, the academic
calendar, nudge rules and planner, and the retrieval engine."""
