"""Where every generated page lives. Templates and exports link only through these.

URLs are relative to the site root and end with ``/`` (mkdocs' directory URLs).
"""

from __future__ import annotations

from urllib.parse import quote

from generator.schema.tables import NATURES, SUBJECTS

SUBJECT_SLUGS = dict(
    zip(
        SUBJECTS.entries,
        (
            "patent",
            "trademark",
            "copyright",
            "geographical-indication",
            "ic-layout-design",
            "trade-secret",
            "data-ip",
            "general",
        ),
        strict=True,
    )
)
NATURE_SLUGS = dict(zip(NATURES.entries, ("basic", "value-added"), strict=True))

HOME = ""
SEARCH = "search/"
ITEMS = "items/"
IMPLEMENTATION = "implementation/"
BROWSE = "browse/"
THEMES = "themes/"
FEES = "fees/"
DIRECTORIES = "directories/"
DATA_ASSETS = "data-assets/"
STANDARDS = "standards/"
CHANGES = "changes/"
OPEN_DATA = "open-data/"
EDITOR_REFERENCE = "editor-reference/"
DATA_DIR = "data/"
FILES = "files/"
CONSULT = "consult/"
FAQ = "consult/faq/"
"""The 咨询问答手册, beside the consultation form it grows from."""
LOOKUP = "lookup/"
VERIFY = "verify/"
"""文书核验 (8.2.6 b): whether a receipt or result document was issued by the platform."""
RATE = "rate/"
COMPLAIN = "complain/"
"""投诉建议 (9.3 b, c): the form; feedback/ explains how complaints are handled."""
EVENTS = "events/"
"""培训讲座 (F.1.4): lectures and trainings, a page each, with registration."""
APPOINTMENTS = "appointments/"
"""预约办理 (E.4.5): the booking form, rendered by the service (``appointments/?item=<slug>``)."""
POINTS = "service-points/"
"""服务网点 (E.2): the directory of halls, stations and windows, a page per point."""
GUIDES = "guides/"
"""智能导办 (E.1.3, E.4.3): a decision tree per topic, a static page per path of answers."""
RESULTS = "results/"
"""服务评价结果 (9.3 d): the published figures and improvement measures (catalog/results.yml)."""
DISCLOSURE = "disclosure/"
PRIVACY = "privacy/"
FEEDBACK = "feedback/"


def paged(base: str, page: int) -> str:
    """Page ``page`` (1-based) of a list that starts at ``base``."""
    return base if page == 1 else f"{base}page/{page}/"


def guide(slug: str, answers: tuple[str, ...] = ()) -> str:
    """A guide's page after ``answers`` (choice ids in the order given): ``guides/pledge/patent/``."""
    return f"{GUIDES}{slug}/" + "".join(f"{answer}/" for answer in answers)


def event(event_id: str) -> str:
    return f"{EVENTS}{event_id}/"


def point(point_id: str) -> str:
    return f"{POINTS}{point_id}/"


def item(slug: str) -> str:
    return f"{ITEMS}{slug}/"


def directory(stem: str) -> str:
    return f"{DIRECTORIES}{stem}/"


def directory_entry(stem: str, entry_id: str) -> str:
    """The items of one directory entry (事项类别), e.g. ``directories/basic/patent-basic/``."""
    return f"{DIRECTORIES}{stem}/{entry_id}/"


def faq_group(slug: str | None) -> str:
    """An item's questions in the 咨询问答手册 (``None``: the general questions)."""
    return f"{FAQ}#{faq_anchor(slug)}"


def faq_anchor(slug: str | None) -> str:
    return f"item-{slug}" if slug else "general"


def fee_standard(standard_id: str) -> str:
    return f"{FEES}{standard_id}/"


def theme(theme_id: str) -> str:
    return f"{THEMES}{theme_id}/"


def browse(dimension: str, value: str) -> str:
    """A classification page; ``dimension`` is subject, object, audience, nature, department or type."""
    slug = {"subject": SUBJECT_SLUGS, "nature": NATURE_SLUGS}.get(dimension, {}).get(value, value)
    return f"{BROWSE}{dimension}/{slug}/"


def attachment(path: str) -> str:
    """A downloadable file from ``catalog/files/``, URL-encoded (file names are often Chinese)."""
    return FILES + quote(path, safe="/")


def source_uri(url: str) -> str:
    """The generated Markdown file mkdocs turns into ``url``."""
    return f"{url}index.md"
