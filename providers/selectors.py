"""Reads for this domain."""
