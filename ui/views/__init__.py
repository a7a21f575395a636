"""One module per view of the workspace; each builds its components and wires them to the library."""
