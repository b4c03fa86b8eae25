"""Synthetic catalogs of any size, made from the sample catalog.

The sample items are kept as they are; further items are copies of them with their own
file name, codes and name, so that every item is distinct and the copy validates clean.
Used by the validation and build benchmarks:

    python -m benchmarks.synthetic 10000 /tmp/catalog-10k
"""

from __future__ import annotations

import argparse
import re
import shutil
from pathlib import Path

SAMPLE = Path(__file__).resolve().parent.parent / "catalog"

_BASIC = re.compile(r"^basic_code: (\S+)$", re.MULTILINE)
_NAME = re.compile(r"^name: (.+)$", re.MULTILINE)


def make_catalog(dest: Path, size: int, sample: Path = SAMPLE) -> Path:
    """Write a catalog of ``size`` items to ``dest`` (replacing it) and return ``dest``."""
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(sample, dest)
    templates = sorted((sample / "items").glob("*.yml"))
    for serial in range(len(templates), size):
        template = templates[serial % len(templates)]
        text = template.read_text(encoding="utf-8")
        if "state: 取消" in text:  # keep cancelled items rare, as in a real catalog
            template = templates[(serial + 1) % len(templates)]
            text = template.read_text(encoding="utf-8")
        basic = _BASIC.search(text)
        assert basic, template
        old_code = basic.group(1)
        new_code = old_code[:5] + f"{serial:05d}"
        text = text.replace(old_code, new_code)
        text = _NAME.sub(rf"name: \g<1>（{serial:05d}）", text, count=1)
        (dest / "items" / f"{template.stem}-{serial:05d}.yml").write_text(text, encoding="utf-8")
    return dest


def main() -> None:
    parser = argparse.ArgumentParser(description="生成指定规模的合成目录（用于性能测试）")
    parser.add_argument("size", type=int, help="事项数量")
    parser.add_argument("dest", type=Path, help="输出目录")
    args = parser.parse_args()
    make_catalog(args.dest, args.size)
    print(f"已生成 {args.size} 个事项：{args.dest}")


if __name__ == "__main__":
    main()
