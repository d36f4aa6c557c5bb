"""The publishing pipeline: from the book's sources to its editions. Run with
``python -m alliances.publish <command>`` (the Makefile's targets call it).

- ``toc.py``: the one reading of ``_toc.yml``;
- ``solutions.py``: the one solution-span parser every edition uses;
- ``notebooks.py``: the notebook edition (a chapter as a plain notebook, student or self-study),
  written by the Sphinx build (``sphinx/notebook_edition.py``);
- ``student_book.py``: the student web book (every solution removed);
- ``pdf.py``: the PDF editions (full, student); ``lite.py``: the JupyterLite site;
- ``cache.py``: the execution cache, cleared when the data change;
- ``workspace.py``: a student's working folder (``make lab``), never overwritten;
- ``stale_glue.py``: stored glue records against fresh ones (the nbval run finds stale numbers);
- ``nbval_records.py``: the nbval run records the chapters' check calls for the notebook edition;
- ``sphinx/``: the book's Sphinx extensions (page fixes, the version footer, the notebook edition).

Importing this package imports nothing heavy. The library students import is ``alliances`` itself
(``data``, ``plots``, ``checks``); grading is ``alliances.grading``.
"""
