"""Exports, by what they make: the consolidated workbook (:mod:`.workbook`) and the
document of each submitted version, its PDF (:mod:`.documents`).

Each loads what it needs in its ``queries`` and builds from plain data; ``routes`` and
``cli`` are their ways out.
"""
