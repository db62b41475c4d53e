"""Demo catalogue for `make run` and the tests: Jiangxi organisations, demo accounts, listings.

`flask demo load` builds it from marketplace/demo/data/ (hand-written flagship records and a selection
of real abstracts from the CSL corpus, Apache-2.0); the tests reuse the same functions.
"""
