"""Drafting Recommendation clauses in ITU style: ``models`` (kinds and results), ``exact`` (what the
library gives verbatim), ``drafter`` (composition with the model) and ``docx_export``."""
