"""The Gradio workspace (``rapporteur serve``): a thin browser shell over the same library as the CLI."""
