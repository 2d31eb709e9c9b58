"""Curation tools: check sources without a run (`validate`), draft them from a text (`draft`), and
see what accounts for every number of a document (`review`)."""
