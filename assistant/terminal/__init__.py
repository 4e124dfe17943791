"""Plain-text rendering of answers for the CLI, and the live display while one streams."""
