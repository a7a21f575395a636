"""The versioned prompt templates (``*.toml``), a package so that they ship inside the wheel."""
