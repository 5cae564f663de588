"""Writes for this domain: keyword-only functions named <thing>_<verb>, one transaction each."""
