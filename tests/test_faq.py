"""The 咨询问答手册: ``catalog/faq.yml`` (schema and rules), ``ipps faq export`` from a real
store, and the pages the site shows it on."""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import os
import re
from collections.abc import Coroutine, Iterable
from pathlib import Path
from typing import Any

import pytest
import yaml

from forms_api.cli import faq as faq_cli
from forms_api.cli.main import main
from forms_api.domain.faq import REDACTED, Candidate, append_entries, redact
from forms_api.storage.embedded import Store
from generator.catalog import check_catalog, load_catalog
from generator.schema import FILE_KINDS
from generator.schema_export import modeline
from generator.site import urls
from generator.site.pages import faq as faq_pages
from generator.site.pages.items import sections
from generator.site.site import Site
from tests.conftest import SAMPLE_CATALOG, CatalogCopy, html_of
from tests.live_store import LiveStore

TODAY = dt.date(2026, 11, 25)
FAQ = "faq.yml"
PLEDGE_CODE = "20C0500001-01"  # tests/fixtures/catalog/items/pledge.yml

NAME = "欧阳春晓"
PHONE = "13912345678"
PHONE_MASKED = "139****5678"
EMAIL = "chunxiao.oy@example.com"
ID_NUMBER = "11010519491231002X"


# --- helpers ------------------------------------------------------------------------------------


def run(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """Run ``coroutine`` in a loop of its own, in a thread of its own (see tests/test_store.py:
    Playwright keeps a loop running in the main thread once a browser test has run)."""
    with concurrent.futures.ThreadPoolExecutor(1) as worker:
        return worker.submit(asyncio.run, coroutine).result()


def consultation(
    n: int, *, faq: bool = True, reply: str | None = "答复内容。", **extra: Any
) -> dict[str, Any]:
    """A consultation record as the service and the workflow store it, personal data included."""
    record: dict[str, Any] = {
        "kind": "consultation",
        "receipt_no": receipt(n),
        "status": "已答复" if reply else "已分派",
        "submitted_at": "2026-11-24T09:00:00+08:00",
        "channel": "web",
        "name": NAME,
        "phone_enc": "v1:bm90LXJlYWxseS1lbmNyeXB0ZWQ",
        "phone_masked": PHONE_MASKED,
        "email": EMAIL,
        "item": None,
        "subject": f"问题{n}",
        "message": f"第 {n} 个问题的内容？",
        "timeline": [{"status": "已提交", "text": "收到咨询留言", "at": "2026-11-24T09:00:00+08:00"}],
    }
    if reply:
        record["reply"] = {"text": reply, "at": "2026-11-25T10:00:00+08:00", "department": None}
        record["replied_at"] = "2026-11-25T10:00:00+08:00"
    if faq:
        record["faq"] = {"at": "2026-11-25T11:00:00+08:00", "by": "督办人员甲"}
    return {**record, **extra}


def receipt(n: int) -> str:
    return f"ZX20261124-{n:06d}"


def pledge() -> dict[str, str]:
    return {"code": PLEDGE_CODE, "slug": "pledge", "name": "专利权质押登记"}


def store_with(folder: Path, records: Iterable[dict[str, Any]]) -> Path:
    """A store at ``folder`` holding ``records`` (closed again: the shards are written)."""

    async def fill() -> None:
        store = Store(folder)
        try:
            for record in records:
                await store.insert("consultation", record["receipt_no"], record)
        finally:
            await store.close()

    run(fill())
    return folder


def ipps(*argv: str) -> int:
    return main(["faq", "export", *argv])


@pytest.fixture
def setup(
    tmp_path: Path, catalog_copy: CatalogCopy, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, CatalogCopy]:
    """(data directory, catalog copy); the working directory is ``tmp_path``, today is TODAY."""
    monkeypatch.chdir(tmp_path)
    for name in [n for n in os.environ if n.startswith("IPPS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setattr(faq_cli, "today", lambda: TODAY)
    return tmp_path / "var", catalog_copy


def export_args(data_dir: Path, catalog: CatalogCopy, *extra: str) -> list[str]:
    return ["--data-dir", str(data_dir), "--catalog-dir", str(catalog.root), *extra]


def entries(catalog_root: Path) -> list[Any]:
    return load_catalog(catalog_root).faq


# --- schema and rules ------------------------------------------------------------------------------

VALID = """\
# yaml-language-server: $schema=../../../catalog/schema/faq.schema.json
faqs:
  - question: 质押登记要多久？
    answer: 材料齐全的，3 个工作日内办结。
    item: pledge
    topic: 时限
    source: ZX20261124-000001
    published: 2026-11-25
  - question: 咨询留言怎样查看答复？
    answer: 凭回执上的办件编号和查询码查询。
    source: ZX20261124-000002
    published: 2026-11-25
"""


def test_a_valid_faq_file_is_loaded_in_file_order(catalog_copy: CatalogCopy) -> None:
    catalog_copy.write(FAQ, VALID)
    catalog = load_catalog(catalog_copy.root)
    assert [(e.item, e.source, e.topic) for e in catalog.faq] == [
        ("pledge", "ZX20261124-000001", "时限"),
        (None, "ZX20261124-000002", None),
    ]
    assert catalog.faq[0].published == dt.date(2026, 11, 25)
    assert catalog.faq[0].hidden is False


def test_the_faq_file_is_optional(catalog_copy: CatalogCopy) -> None:
    assert not (catalog_copy.root / FAQ).exists()
    assert load_catalog(catalog_copy.root).faq == []


BROKEN = {
    "unknown item": (
        "    item: pledge\n",
        "    item: pleedge  # expect: E106\n",
        "问答的所属事项「pleedge」不存在",
    ),
    "duplicate source": (
        "    source: ZX20261124-000002\n",
        "    source: ZX20261124-000001  # expect: E101\n",
        "来源办件编号「ZX20261124-000001」重复",
    ),
    "missing answer": (
        "    answer: 凭回执上的办件编号和查询码查询。\n",
        "",
        "缺少必填字段「问答 › 第 2 项 › 解答」",
    ),
    "source that is no consultation receipt": (
        "    source: ZX20261124-000002\n",
        "    source: SQ20261124-000002  # expect: E006\n",
        "应为咨询留言的办件编号",
    ),
    "source with a date that does not exist": (
        "    source: ZX20261124-000002\n",
        "    source: ZX20261340-000002  # expect: E006\n",
        "日期不存在",
    ),
    "published before the question was asked": (
        "    published: 2026-11-25\n  - question: 咨询留言",
        "    published: 2026-11-20  # expect: E109\n  - question: 咨询留言",
        "早于咨询留言 ZX20261124-000001 的提交日期",
    ),
    "unknown field": (
        "    topic: 时限\n",
        "    topics: 时限  # expect: E002\n",
        "是否应为「topic」",
    ),
}


@pytest.mark.parametrize("name", BROKEN)
def test_problems_are_reported_with_file_and_line(catalog_copy: CatalogCopy, name: str) -> None:
    old, new, words = BROKEN[name]
    text = VALID.replace(old, new, 1)
    if name == "missing answer":  # the problem is reported at the entry that lacks the field
        text = text.replace(
            "  - question: 咨询留言怎样查看答复？\n", "  - question: 咨询留言怎样查看答复？  # expect: E005\n"
        )
    catalog_copy.write(FAQ, text)
    _, problems = check_catalog(catalog_copy.root, display_root=catalog_copy.root)
    assert {(p.path, p.line, p.code) for p in problems} == catalog_copy.expected(), [
        p.format() for p in problems
    ]
    assert any(words in p.message for p in problems), [p.message for p in problems]


def test_an_unknown_item_suggests_the_closest_file_name(catalog_copy: CatalogCopy) -> None:
    catalog_copy.write(FAQ, VALID.replace("item: pledge", "item: pledg"))
    _, problems = check_catalog(catalog_copy.root, display_root=catalog_copy.root)
    (problem,) = problems
    assert problem.format() == (
        "faq.yml:5:11: E106: 问答的所属事项「pledg」不存在（应为 items/ 下的文件名，不含 .yml），是否应为「pledge」？"
    )


def test_ipps_validate_reports_faq_problems(
    catalog_copy: CatalogCopy, capsys: pytest.CaptureFixture[str]
) -> None:
    catalog_copy.write(FAQ, VALID.replace("item: pledge", "item: nowhere"))
    assert main(["validate", "--catalog", str(catalog_copy.root)]) == 1
    out = capsys.readouterr().out
    assert f"{FAQ}:5:11: E106:" in out


def test_the_faq_kind_is_registered_with_its_schema() -> None:
    kind = next(k for k in FILE_KINDS if k.name == "faq")
    assert (kind.label, kind.pattern, kind.required) == ("咨询问答手册", FAQ, ())
    assert (SAMPLE_CATALOG / "schema" / kind.schema_file).is_file()
    first = (SAMPLE_CATALOG / FAQ).read_text(encoding="utf-8").split("\n", 1)[0]
    assert first == modeline(kind, FAQ)


# --- ipps faq export ----------------------------------------------------------------------------------


def test_export_adds_answered_candidates_only(
    setup: tuple[Path, CatalogCopy], capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir, catalog = setup
    store_with(
        data_dir / "store",
        [
            consultation(
                1, item=pledge(), subject="质押登记材料", message="质押合同需要公证吗？", reply="不需要公证。"
            ),
            consultation(2, faq=False),  # answered, not marked
            consultation(3, reply=None),  # marked, not answered yet
            consultation(5, reply="   "),  # a reply without text
            consultation(6, subject="", message=""),  # nothing asked
            consultation(7, receipt_no="SQ20261124-000007"),  # not a consultation's receipt number
            consultation(
                4, subject="查询答复", message="在哪里看答复？", reply="在进度查询页面查看。\n凭查询码。"
            ),
        ],
    )
    assert ipps(*export_args(data_dir, catalog)) == 0
    out = capsys.readouterr().out
    assert "新增 2 条问答" in out and "合并请求" in out and f"{catalog.root.name}/{FAQ}" in out

    found = entries(catalog.root)
    assert [(e.source, e.item, e.published) for e in found] == [
        (receipt(1), "pledge", TODAY),
        (receipt(4), None, TODAY),
    ]
    assert found[0].question == "质押登记材料：质押合同需要公证吗？"
    assert found[0].answer == "不需要公证。"
    assert found[1].answer == "在进度查询页面查看。\n凭查询码。"
    assert found[0].topic is None and not found[0].hidden
    _, problems = check_catalog(catalog.root)
    assert problems == [], "the exported file passes ipps validate"


def test_a_new_file_starts_with_the_schema_modeline(setup: tuple[Path, CatalogCopy]) -> None:
    data_dir, catalog = setup
    store_with(data_dir / "store", [consultation(1)])
    assert ipps(*export_args(data_dir, catalog)) == 0
    text = (catalog.root / FAQ).read_text(encoding="utf-8")
    kind = next(k for k in FILE_KINDS if k.name == "faq")
    assert text.split("\n", 1)[0] == modeline(kind, FAQ)
    assert "\nfaqs:\n  # 以下 1 条由 ipps faq export 于 2026-11-25" in text


def test_running_twice_adds_nothing_the_second_time(
    setup: tuple[Path, CatalogCopy], capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir, catalog = setup
    store_with(data_dir / "store", [consultation(1), consultation(2)])
    assert ipps(*export_args(data_dir, catalog)) == 0
    first = (catalog.root / FAQ).read_bytes()
    capsys.readouterr()

    assert ipps(*export_args(data_dir, catalog)) == 0
    assert (catalog.root / FAQ).read_bytes() == first
    assert "没有需要新增的问答：列入常见问题的 2 条咨询都已收录" in capsys.readouterr().out

    store_with(data_dir / "store", [consultation(3)])  # marked later: only it is added
    assert ipps(*export_args(data_dir, catalog)) == 0
    assert "新增 1 条问答（另有 2 条已收录，未重复添加）" in capsys.readouterr().out
    assert [e.source for e in entries(catalog.root)] == [receipt(1), receipt(2), receipt(3)]


def test_entries_edited_or_hidden_by_the_editor_are_not_added_again(setup: tuple[Path, CatalogCopy]) -> None:
    data_dir, catalog = setup
    catalog.write(
        FAQ,
        VALID.replace(
            "    published: 2026-11-25\n  - question",
            "    published: 2026-11-25\n    hidden: true\n  - question",
        ),
    )
    store_with(data_dir / "store", [consultation(1), consultation(2), consultation(5)])
    assert ipps(*export_args(data_dir, catalog)) == 0
    assert [e.source for e in entries(catalog.root)] == [receipt(1), receipt(2), receipt(5)]


def test_existing_text_and_comments_are_kept_byte_for_byte(setup: tuple[Path, CatalogCopy]) -> None:
    data_dir, catalog = setup
    before = (
        "# yaml-language-server: $schema=./schema/faq.schema.json\n"
        "# 编辑的说明：保留我。\n"
        "faqs:\n"
        "    # 缩进四格的列表，注释在条目之间\n"
        "    -   question: >-\n"
        "          折叠的问题，\n"
        "          分两行写。\n"
        "        answer: |\n"
        "          保留换行的解答。\n"
        "        source: 'ZX20261124-000009'   # 引号和行尾注释\n"
        "        published: 2026-11-25\n"
        "\n"
        "# 文件末尾的注释"  # no line break at the end
    )
    catalog.write(FAQ, before)
    store_with(data_dir / "store", [consultation(1, item=pledge())])
    assert ipps(*export_args(data_dir, catalog)) == 0
    after = (catalog.root / FAQ).read_text(encoding="utf-8")
    assert after.startswith(before + "\n")
    appended = after[len(before) + 1 :]
    assert appended.splitlines()[0].startswith("    # 以下 1 条由 ipps faq export")
    assert "\n    - question: " in appended, "the list's own indentation is followed"
    assert "\n      item: pledge  # 专利权质押登记\n" in appended
    found = entries(catalog.root)
    assert [e.source for e in found] == ["ZX20261124-000009", receipt(1)]
    assert found[0].question == "折叠的问题，分两行写。"


@pytest.mark.parametrize(
    ("before", "indent"),
    [
        ("faqs: []\n", 2),
        ("faqs: []  # 还没有问答\n", 2),
        ("faqs:\n- question: 问\n  answer: 答\n  source: ZX20261124-000009\n  published: 2026-11-25\n", 0),
    ],
    ids=["empty flow list", "empty flow list with a comment", "list not indented"],
)
def test_other_ways_of_writing_the_list(setup: tuple[Path, CatalogCopy], before: str, indent: int) -> None:
    data_dir, catalog = setup
    catalog.write(FAQ, before)
    store_with(data_dir / "store", [consultation(1)])
    assert ipps(*export_args(data_dir, catalog)) == 0
    text = (catalog.root / FAQ).read_text(encoding="utf-8")
    assert "\n" + " " * indent + "- question: 问题1：" in text
    assert "# 还没有问答" in text or "还没有" not in before
    assert entries(catalog.root)[-1].source == receipt(1)


def test_a_list_in_brackets_with_entries_is_refused(
    setup: tuple[Path, CatalogCopy], capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir, catalog = setup
    before = "faqs: [{question: 问, answer: 答, source: ZX20261124-000009, published: 2026-11-25}]\n"
    catalog.write(FAQ, before)
    store_with(data_dir / "store", [consultation(1)])
    assert ipps(*export_args(data_dir, catalog)) == 1
    err = capsys.readouterr().err
    assert "方括号" in err and "Traceback" not in err
    assert (catalog.root / FAQ).read_text(encoding="utf-8") == before


def test_no_personal_data_is_written(
    setup: tuple[Path, CatalogCopy], capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir, catalog = setup
    store_with(
        data_dir / "store",
        [
            consultation(
                1,
                subject="质押咨询",
                message=f"我是{NAME}，手机 {PHONE}，邮箱 {EMAIL}，身份证 {ID_NUMBER}。\r\n请问质押合同要公证吗？",
                reply=f"{NAME[0]}先生您好：不需要公证。如有疑问请拨打服务热线 0123-88120000。",
            )
        ],
    )
    assert ipps(*export_args(data_dir, catalog)) == 0
    out = capsys.readouterr().out
    text = (catalog.root / FAQ).read_text(encoding="utf-8")
    for secret in (NAME, PHONE, PHONE_MASKED, EMAIL, ID_NUMBER, "bm90LXJlYWxseS1lbmNyeXB0ZWQ", "督办人员甲"):
        assert secret not in text and secret not in out, secret
    (entry,) = yaml.safe_load(text)["faqs"]  # as written (the catalog's reading joins Chinese lines)
    assert entry["question"] == (
        f"质押咨询：我是{REDACTED}，手机 {REDACTED}，邮箱 {REDACTED}，身份证 {REDACTED}。\n请问质押合同要公证吗？"
    )
    assert entry["answer"] == f"{REDACTED}您好：不需要公证。如有疑问请拨打服务热线 0123-88120000。"
    assert len(entries(catalog.root)) == 1
    assert "5 处疑似个人信息" in out


def test_redaction_keeps_the_centres_own_contacts_in_answers() -> None:
    text, count = redact(
        "请发邮件到 zscq@shifan.example 或拨打 0123-88120000。", "李四", "li@example.com", []
    )
    assert (text, count) == ("请发邮件到 zscq@shifan.example 或拨打 0123-88120000。", 0)
    text, count = redact("李四：请拨 0123-88120001 或 13800000000", "李四", "", [re.compile(r"1\d{10}")])
    assert (text, count) == (f"{REDACTED}：请拨 0123-88120001 或 {REDACTED}", 2)


def test_dry_run_prints_and_writes_nothing(
    setup: tuple[Path, CatalogCopy], capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir, catalog = setup
    store_with(data_dir / "store", [consultation(1, subject="试运行的问题")])
    assert ipps(*export_args(data_dir, catalog, "--dry-run")) == 0
    out = capsys.readouterr().out
    assert "question: 试运行的问题：" in out and "试运行：将向" in out and "未写入文件" in out
    assert not (catalog.root / FAQ).exists()


def test_an_item_no_longer_in_the_catalog_becomes_a_general_question(
    setup: tuple[Path, CatalogCopy], capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir, catalog = setup
    gone = {"code": "20C9900001-01", "slug": "gone", "name": "已撤销的事项"}
    renamed = {"code": PLEDGE_CODE, "slug": "old-pledge-name", "name": "专利权质押登记"}
    store_with(data_dir / "store", [consultation(1, item=gone), consultation(2, item=renamed)])
    assert ipps(*export_args(data_dir, catalog)) == 0
    assert f"{receipt(1)} 咨询时选择的事项已不在目录中" in capsys.readouterr().out
    assert "# 咨询时选择的事项「已撤销的事项」已不在目录中" in (catalog.root / FAQ).read_text(
        encoding="utf-8"
    )
    assert [(e.source, e.item) for e in entries(catalog.root)] == [(receipt(1), None), (receipt(2), "pledge")]


def test_values_that_yaml_would_read_otherwise_stay_text(setup: tuple[Path, CatalogCopy]) -> None:
    data_dir, catalog = setup
    store_with(data_dir / "store", [consultation(1, subject="", message="0o17", reply="true")])
    assert ipps(*export_args(data_dir, catalog)) == 0
    (entry,) = entries(catalog.root)
    assert (entry.question, entry.answer) == ("0o17", "true")


def test_export_works_while_the_server_holds_the_store(setup: tuple[Path, CatalogCopy]) -> None:
    data_dir, catalog = setup
    server = LiveStore(data_dir / "store")
    try:
        server.call(server.store.insert("consultation", receipt(1), consultation(1)))
        server.call(server.store.checkpoint())
        server.call(server.store.insert("consultation", receipt(2), consultation(2)))  # only in the journal
        assert ipps(*export_args(data_dir, catalog)) == 0
        assert server.call(server.store.count("consultation")) == 2
    finally:
        server.close()
    assert [e.source for e in entries(catalog.root)] == [receipt(1), receipt(2)]


def test_the_file_is_replaced_atomically_keeping_its_mode(setup: tuple[Path, CatalogCopy]) -> None:
    data_dir, catalog = setup
    catalog.write(FAQ, "faqs: []\n")
    (catalog.root / FAQ).chmod(0o640)
    store_with(data_dir / "store", [consultation(1)])
    assert ipps(*export_args(data_dir, catalog)) == 0
    assert (catalog.root / FAQ).stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in catalog.root.iterdir() if p.name.startswith(".")) == []


# --- errors: a clear message, exit status 1, no traceback ------------------------------------------


def test_no_store(setup: tuple[Path, CatalogCopy], capsys: pytest.CaptureFixture[str]) -> None:
    data_dir, catalog = setup
    assert ipps(*export_args(data_dir, catalog)) == 1
    err = capsys.readouterr().err
    assert err.startswith("无法导出：没有找到办件数据") and "--data-dir" in err
    assert not (data_dir / "store").exists(), "looking for the store does not create one"


def test_an_unreadable_store(setup: tuple[Path, CatalogCopy], capsys: pytest.CaptureFixture[str]) -> None:
    data_dir, catalog = setup
    store_with(data_dir / "store", [consultation(1)])
    (data_dir / "store" / "manifest.json").write_text("{不是 JSON", encoding="utf-8")
    assert ipps(*export_args(data_dir, catalog)) == 1
    err = capsys.readouterr().err
    assert "无法导出：办件数据" in err and "无法读取" in err and "Traceback" not in err
    assert not (catalog.root / FAQ).exists()


def test_an_invalid_faq_file_is_reported_with_file_and_line(
    setup: tuple[Path, CatalogCopy], capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir, catalog = setup
    broken = VALID.replace("    source: ZX20261124-000002\n", "    source: ZX20261124-000001\n")
    catalog.write(FAQ, broken)
    store_with(data_dir / "store", [consultation(7)])
    assert ipps(*export_args(data_dir, catalog)) == 1
    err = capsys.readouterr().err.splitlines()
    shown = f"{catalog.root.name}/{FAQ}"
    assert err[0].startswith(f"{shown}:11:13: E101: 来源办件编号「ZX20261124-000001」重复")
    assert err[-1] == f"无法导出：{shown} 有 1 个问题，请先改正（可运行 ipps validate 查看）。"
    assert (catalog.root / FAQ).read_text(encoding="utf-8") == broken


def test_a_yaml_syntax_error_in_the_faq_file(
    setup: tuple[Path, CatalogCopy], capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir, catalog = setup
    catalog.write(FAQ, 'faqs:\n  - question: "没有闭合的引号\n    answer: 答\n')
    store_with(data_dir / "store", [consultation(1)])
    assert ipps(*export_args(data_dir, catalog)) == 1
    err = capsys.readouterr().err
    assert f"{FAQ}:2:15: E001: YAML 语法错误：引号没有闭合" in err


def test_problems_elsewhere_in_the_catalog_do_not_stop_the_export(setup: tuple[Path, CatalogCopy]) -> None:
    data_dir, catalog = setup
    catalog.replace("items/filing.yml", "name: 专利申请代办指引", "name: ''")
    store_with(data_dir / "store", [consultation(1, item=pledge())])
    assert ipps(*export_args(data_dir, catalog)) == 0
    assert (catalog.root / FAQ).exists()


def test_a_missing_catalog_folder(
    setup: tuple[Path, CatalogCopy], capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir, _ = setup
    store_with(data_dir / "store", [consultation(1)])
    assert ipps("--data-dir", str(data_dir), "--catalog-dir", "nowhere") == 1
    assert "无法导出：目录文件夹 nowhere 不存在" in capsys.readouterr().err


def test_settings_come_from_the_environment(
    setup: tuple[Path, CatalogCopy], monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir, catalog = setup
    store_with(data_dir / "store", [consultation(1)])
    monkeypatch.setenv("IPPS_DATA_DIR", str(data_dir))
    monkeypatch.setenv("IPPS_CATALOG_DIR", str(catalog.root))
    assert ipps() == 0
    assert [e.source for e in entries(catalog.root)] == [receipt(1)]


def test_appending_is_read_back_before_writing() -> None:
    """The old entries must read back unchanged (here a block keeping its trailing line breaks
    ends the file) and the new ones as built; anything else stops the export."""
    from forms_api.domain.faq import ExportError, check_appended

    old = "faqs:\n  - question: 问\n    source: ZX20261124-000009\n    published: 2026-11-25\n    answer: |+\n      答\n\n"
    added = [Candidate(receipt(1), "新问题", "新解答", None)]
    new, appended = append_entries(old, added, TODAY)
    assert new == old + appended
    check_appended(Path(FAQ), old, new, added, TODAY)
    assert yaml.safe_load(new)["faqs"][0]["answer"] == "答\n\n"
    with pytest.raises(ExportError, match="未写入"):
        check_appended(Path(FAQ), old, new.replace("新解答", "别的解答"), added, TODAY)
    with pytest.raises(ExportError, match="未写入"):
        check_appended(Path(FAQ), old, new.replace("答\n\n", "答\n"), added, TODAY)
    empty = [Candidate(receipt(2), "", "答", None)]
    with pytest.raises(ExportError, match="未写入：「问答 › 第 2 项 › 问题」不能为空"):
        check_appended(Path(FAQ), old, append_entries(old, empty, TODAY)[0], empty, TODAY)


# --- the site ---------------------------------------------------------------------------------------


def text(node: Any) -> str:
    return " ".join(node.get_text(" ", strip=True).split())


def test_the_handbook_page_lists_every_published_entry_by_item(built_site: Path, site: Site) -> None:
    page = html_of(built_site, urls.FAQ)
    assert text(page.h1) == "咨询问答手册"
    published = [e for e in site.catalog.faq if not e.hidden]
    hidden = [e for e in site.catalog.faq if e.hidden]
    assert published and hidden, "the sample shows both"

    groups = page.select("article section.ipps-faq-group")
    found = [
        (group["data-faq-group"] or None, [text(d.summary) for d in group.select("details.ipps-faq")])
        for group in groups
    ]
    order = {listed.slug: listed.number for listed in site.listed}
    expected_slugs = sorted({e.item for e in published if e.item}, key=lambda s: order[s])
    assert [slug for slug, _ in found] == [*expected_slugs, None], "by item in list order, general last"
    for slug, questions in found:
        assert questions == [e.question for e in published if e.item == slug]
    for group in groups[:-1]:
        slug = group["data-faq-group"]
        assert text(group.h2) == site.item(slug).name and group.h2["id"] == f"item-{slug}"
        assert group.find("a", href=f"../../{urls.item(slug)}") is not None
    assert text(groups[-1].h2) == "综合问题"

    answers = {
        text(d.summary): text(d.select_one(".ipps-faq-answer")) for d in page.select("details.ipps-faq")
    }
    for entry in published:
        assert answers[entry.question].startswith(" ".join(entry.answer.split())), entry.question
    body = text(page.select_one("article"))
    for entry in hidden:
        assert entry.question not in body and entry.answer not in body
    assert f"共 {len(published)} 条" in body
    assert page.select_one("article").find("a", href=f"../../{urls.CONSULT}") is not None
    assert not page.select(".ipps-faq-answer[data-pagefind-ignore]"), "answers are searchable here"


def test_the_handbook_is_in_the_navigation_under_online_services(built_site: Path) -> None:
    home = html_of(built_site, "")
    links = {text(a): a["href"] for a in home.select(".md-sidebar--primary a[href]")}
    assert links["咨询问答手册"] == urls.FAQ
    page = html_of(built_site, urls.FAQ)
    toc = list(dict.fromkeys(text(a) for a in page.select(".md-sidebar--secondary .md-nav__link")))
    assert toc == [group.title for group in faq_pages.groups(Site(load_catalog(SAMPLE_CATALOG)))]


def test_an_items_guide_page_shows_its_entries_after_its_own_faqs(built_site: Path, site: Site) -> None:
    for slug, about in site.handbook_of.items():
        item = site.item(slug)
        page = html_of(built_site, urls.item(slug))
        heading = page.find("h2", id="faqs")
        assert heading is not None, slug
        shown = []
        for node in heading.find_next_siblings():
            if node.name == "h2":
                break
            shown += [
                text(d.summary) for d in node.select("details") + ([node] if node.name == "details" else [])
            ]
        assert shown == [f.question for f in item.faqs] + [e.question for e in about], slug
        back = page.find("a", href=f"../../{urls.FAQ}#item-{slug}")
        assert back is not None and text(back) == "咨询问答手册"


def test_hidden_entries_are_not_on_guide_pages(built_site: Path, site: Site) -> None:
    for entry in (e for e in site.catalog.faq if e.hidden and e.item):
        page = html_of(built_site, urls.item(entry.item))
        assert entry.question not in text(page.select_one("article"))


def test_sections_include_faqs_when_only_the_handbook_has_some(catalog_copy: CatalogCopy) -> None:
    catalog_copy.write(FAQ, VALID)
    site = Site(load_catalog(catalog_copy.root))
    item = site.item("pledge")
    assert not item.faqs
    assert "faqs" not in [s.anchor for s in sections(item)]
    assert "faqs" in [s.anchor for s in sections(item, site.handbook_of["pledge"])]
    assert [(g.slug, g.title, len(g.entries)) for g in faq_pages.groups(site)] == [
        ("pledge", "专利权质押登记", 1),
        (None, "综合问题", 1),
    ]


def test_without_entries_the_handbook_page_says_so(catalog_copy: CatalogCopy) -> None:
    from bs4 import BeautifulSoup

    from generator.site.render import make_environment, render

    site = Site(load_catalog(catalog_copy.root))
    (page,) = faq_pages.pages(site)
    assert (page.url, page.in_nav, page.sections) == (urls.FAQ, True, [])
    context = {"site": site, "platform": site.platform, "catalog": site.catalog, **page.context()}
    body = BeautifulSoup(render(make_environment(), page.template, page.url, context), "html.parser")
    assert not body.select("details") and "手册暂未收录问答。" in text(body)
    assert body.find("a", href="../../consult/") is not None
