"""The offline answer engine: an extractive chat model that needs no key and no network."""
