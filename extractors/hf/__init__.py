"""Helpers of the Hugging Face adapter (extractors/huggingface.py). A package, so the adapter
registry does not take it for an adapter."""
