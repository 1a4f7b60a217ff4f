"""Parsers for document formats (Markdown, reStructuredText, BibTeX): text in, structure out."""
