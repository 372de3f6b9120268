"""Private readers for the packaged tables."""
