"""The curated programme content (content/), its loader and checks, the calendar and the retrieval engine."""
