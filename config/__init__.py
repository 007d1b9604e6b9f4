"""Settings and logging: read by every layer, importing none of them."""
