"""Importing units and the hazard catalogue from a spreadsheet (.xlsx or .csv), all rows or none.

``reading`` turns an uploaded file into rows of cell values; ``kinds`` says what each import's columns are
and which domain operation creates one row; ``running`` checks every row through that operation inside one
transaction and reports every bad row (row number, column, Chinese message), keeping nothing when any row is
bad; ``templates`` builds the .xlsx template offices fill in. The admin page (``web/imports.py``) and the
commands ``flask import units FILE`` / ``flask import hazards FILE`` share all of it.
"""
