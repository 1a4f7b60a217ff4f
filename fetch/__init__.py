"""Fetching: the polite HTTP client (robots.txt, per-host gate, caps, retries, conditional GET) and the WARC archive, replay and body store it records into. Imports nothing above it but config."""
