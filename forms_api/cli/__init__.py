"""The ``ipps`` command line: the entry point and the service's subcommands.

:mod:`.main` builds one parser and lets each part register its own subcommands:
``validate``, ``build`` and ``schema`` come from :mod:`generator.cli`, next to the catalog and
the site they serve; ``serve``, ``user``, ``backup``/``restore``, ``faq export``, ``report`` and
``results export`` from the modules of this package. This is the top layer of the service: it
may import every other layer, and nothing imports it.
"""
