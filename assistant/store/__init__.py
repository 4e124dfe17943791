"""Files to searchable passages: read and validate articles, split, embed, index, retrieve."""
