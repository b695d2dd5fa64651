"""Compendiums (案例集): read a published winners' compendium into cases, and typeset one as DOCX / PDF.

Pure Python, no Django models: `parse` turns .txt / .docx into `ParsedCase` rows with a problem list,
`export` turns a `Compendium` into Word and PDF bytes.
"""
