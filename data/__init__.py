"""Canonical C. elegans connectome tables (CSV + provenance.json), rebuilt by build.py."""
