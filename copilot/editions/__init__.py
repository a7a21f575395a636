"""Editions: compare two versions of a Recommendation clause by clause, and write the changes as a
tracked-changes Word file or an amendment."""
