"""Question to verified ``Answer``: condense, guard, prompt, model, verify, find conflicts, compose."""
