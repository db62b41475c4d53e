"""Bulk import and export of listings (JSONL, CSV, XLSX): `flask listings import|export`, operator downloads."""
