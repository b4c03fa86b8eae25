"""The fast YAML path gives exactly what the reference parser gives, or declines."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import yamlfast, yamlsource
from generator.yamlsource import YamlSyntaxError, parse_reference, parse_yaml
from tests.conftest import SAMPLE_CATALOG

HERE = Path("test.yml")


def reference(text: str) -> object:
    return parse_reference(text, HERE).data


def test_every_sample_file_reads_the_same_both_ways() -> None:
    files = sorted(SAMPLE_CATALOG.rglob("*.yml"))
    fast_count = 0
    for path in files:
        text = path.read_text(encoding="utf-8")
        fast = yamlfast.load(text)
        if fast is not None:
            fast_count += 1
            assert fast[0] == reference(text), path
    assert fast_count >= 0.9 * len(files), "the fast path should read most real files"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: 8:30\nb: yes\nc: no\nd: on\n", {"a": "8:30", "b": "yes", "c": "no", "d": "on"}),
        ("d: 2026-01-05\n", {"d": "2026-01-05"}),
        ('n: "20"\nm: 20\nf: 1.5\ne: 1e3\n', {"n": "20", "m": 20, "f": 1.5, "e": 1000.0}),
        ("t: true\nT: TRUE\nF: False\n", {"t": True, "T": True, "F": False}),
        ("a: ~\nb: null\nc: Null\nd:\n", {"a": None, "b": None, "c": None, "d": None}),
        ("a: 012\nb: 0o17\nc: 0x1F\nd: +5\n", {"a": 12, "b": 15, "c": 31, "d": 5}),
        ("a: .inf\nb: -.Inf\n", {"a": float("inf"), "b": float("-inf")}),
        ("a: 0123-88120000\nb: 1_000\nc: 1.2.3\n", {"a": "0123-88120000", "b": "1_000", "c": "1.2.3"}),
        ("x: &a {k: 1}\ny: *a\n", {"x": {"k": 1}, "y": {"k": 1}}),
        ("a: |\n  一\n  二\nb: >-\n  三\n  四\n", {"a": "一\n二\n", "b": "三 四"}),
        (
            "a: 'it''s'\nb: \"tab\\there\"\nc: 'back\\slash'\n",
            {"a": "it's", "b": "tab\there", "c": "back\\slash"},
        ),
        ("- 1\n- [a, 'b']\n- {k: v}\n", [1, ["a", "b"], {"k": "v"}]),
    ],
)
def test_yaml_1_2_core_schema(text: str, expected: object) -> None:
    assert reference(text) == expected
    assert parse_yaml(text, HERE).data == expected
    fast = yamlfast.load(text)
    assert fast is None or fast[0] == expected


@pytest.mark.parametrize(
    "text",
    ["a: 1\na: 2\n", "a:\n\t- x\n", "a: [1, 2\n", "a: 1\n---\nb: 2\n", "", 'k: "\\x01"\n', "a: !!str 1\n"],
)
def test_the_fast_path_declines_what_it_cannot_vouch_for(text: str) -> None:
    assert yamlfast.load(text) is None


def test_fast_path_errors_are_not_printed(capfd: pytest.CaptureFixture[str]) -> None:
    assert yamlfast.load("a: [1, 2\nb: 3\n") is None
    assert capfd.readouterr().err == ""


def test_syntax_errors_come_from_the_reference_parser() -> None:
    with pytest.raises(YamlSyntaxError) as raised:
        parse_yaml("a: [1, 2\nb: 3\n", HERE)
    assert raised.value.message.startswith("YAML 语法错误")


tricky_text = st.sampled_from(
    [
        "yes",
        "no",
        "~",
        "null",
        "Null",
        "true",
        "TRUE",
        "012",
        "0o17",
        "0x1F",
        ".inf",
        "1e3",
        "8:30",
        "2026-01-05",
        "-",
        "- x",
        ": x",
        "#注释",
        "a: b",
        "'",
        '"',
        "\\",
        "  leading",
        "trailing ",
        "多行\n文本",
        "",
        "@at",
        "%p",
        "`",
    ]
)
scalars = st.one_of(
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=20),
    tricky_text,
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
    st.none(),
)
keys = st.one_of(
    st.from_regex(r"[a-z_][a-z0-9_]{0,8}", fullmatch=True), st.sampled_from(["名称", "材料", "说明"])
)
documents = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=5),
    max_leaves=25,
)


@settings(max_examples=400, deadline=None)
@given(data=st.dictionaries(keys, documents, min_size=1, max_size=6), flow=st.booleans())
def test_fast_path_agrees_with_the_reference_on_generated_documents(data: dict, flow: bool) -> None:
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=flow)
    fast = yamlfast.load(text)
    if fast is not None:
        assert fast[0] == reference(text)


@pytest.mark.parametrize("text", ["inf: []\n", "nan: 1\n", "-inf: 1\n", "a:\n  .Inf: x\n", ".inf: 1\n"])
def test_keys_rapidyaml_would_rewrite_are_left_to_the_reference(text: str) -> None:
    # found by the property test above: rapidyaml emits the plain key `inf` as `.inf`
    assert yamlfast.load(text) is None


def _mixed_files(tmp_path: Path) -> list[Path]:
    paths = []
    for n in range(30):
        path = tmp_path / f"f{n:02d}.yml"
        if n % 10 == 3:
            path.write_text("a: [1, 2\nb: 3\n", encoding="utf-8")  # syntax error
        elif n % 10 == 5:
            path.write_text("a: 1\na: 2\n", encoding="utf-8")  # duplicate key
        else:
            path.write_text(f"name: 第 {n} 项\nvalue: {n}\nwhen: 2026-01-05\n", encoding="utf-8")
        paths.append(path)
    return paths


def _summary(results: list) -> list:
    return [
        ("error", r.message, r.position) if isinstance(r, YamlSyntaxError) else ("ok", r.data, r.duplicates)
        for r in results
    ]


def test_reading_in_worker_processes_gives_the_same_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = _mixed_files(tmp_path)
    serial = _summary(list(yamlsource.read_many(paths, jobs=1)))
    monkeypatch.setattr(yamlsource, "PARALLEL_MIN_FILES", 10)
    monkeypatch.setattr(yamlsource, "_CHUNK", 7)
    parallel = _summary(list(yamlsource.read_many(paths, jobs=2)))
    assert parallel == serial
    assert [kind for kind, *_ in serial].count("error") == 3
    assert sum(1 for kind, _, dups in (s for s in serial if s[0] == "ok") if dups) == 3


def test_reading_falls_back_when_no_worker_can_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = _mixed_files(tmp_path)

    class NoWorkers:
        def __init__(self, *args: object, **kwargs: object) -> None:
            raise OSError("no processes allowed here")

    monkeypatch.setattr(yamlsource, "PARALLEL_MIN_FILES", 10)
    monkeypatch.setattr(yamlsource, "ProcessPoolExecutor", NoWorkers)
    assert _summary(list(yamlsource.read_many(paths, jobs=2))) == _summary(
        list(yamlsource.read_many(paths, jobs=1))
    )
