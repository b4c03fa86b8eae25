"""The public HTTP surface: the forms API under ``/api/``, the pages answered to browsers that
post forms without JavaScript, and the live 信息公示 page.

- :mod:`.routes` — the endpoints (JSON for scripts, pages for browsers posting forms);
- :mod:`.corrections` — the applicant's corrections and result download (with the lookup code);
- :mod:`.disclosure` — ``/disclosure/``: the built page with the current list filled in;
- :mod:`.pages` — answers in the site's look, inside the built shell page;
- :mod:`.responses` — errors as JSON or as a page, whichever the client asked for;
- :mod:`.limits` — body size, submissions per client, other sites' posts;
- :mod:`.openapi` — the API's description, from the same form definitions it validates with.

This layer turns requests into calls on :mod:`forms_api.domain` and answers; it holds no rules
of its own. It may import the domain and the layers below it, never the staff console.
"""
