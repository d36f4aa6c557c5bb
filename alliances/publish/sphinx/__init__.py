"""The book's Sphinx extensions, loaded by module name from ``_config.yml`` (``extra_extensions``):
``notebook_edition`` (exercise numbers per chapter; the notebook edition after each HTML build),
``page_fixes`` (small fixes to the theme's HTML) and ``version_footer`` (the version and data
vintage in every footer)."""
