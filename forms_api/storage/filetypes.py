"""What type an uploaded file really is, and whether a material accepts it.

Type
    :func:`sniff` reads the content, never the client's file name or ``Content-Type``: a PNG
    sent as ``营业执照.pdf`` is a PNG, an executable or an HTML page renamed ``.pdf`` is
    nothing the service accepts. Office formats are told apart by their structure: a DOC or
    XLS is an OLE2 compound file whose root holds a ``WordDocument`` resp. ``Workbook``
    (``Book`` for Excel 5/95) stream; a DOCX or XLSX is a ZIP whose central directory lists
    ``word/document.xml`` resp. ``xl/workbook.xml``. Nothing is extracted.

Checks
    :func:`check` answers one Chinese sentence per file saying what is wrong and what the
    material expects (empty, too large, wrong or unknown type), for the one-shot list of
    problems of an application.

It lives with storage because :func:`forms_api.storage.uploads.save` records the sniffed type
of every file it keeps.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Sequence

from generator.schema.tables import UPLOAD_TYPES

KB = 1024
MB = 1024 * 1024

TYPE_NAMES: dict[str, str] = dict(UPLOAD_TYPES.entries)
"""Chinese names of the types a material may accept, as the catalog names them (上传文件类型)."""

MACRO_TYPES = {"docm": "含宏的 Word 文档", "xlsm": "含宏的 Excel 工作簿"}
"""What :func:`sniff` calls a DOCX or XLSX that carries a VBA project: never accepted, since
macros run code on the reviewer's machine."""

ALIASES = {"jpeg": "jpg"}

OLE_SCAN_LIMIT = 32 * MB
"""How far into a damaged OLE2 file :func:`sniff` looks for directory entries."""

CONTENT_TYPES_LIMIT = 1 * MB
"""Most of ``[Content_Types].xml`` read from a ZIP whose main part has an unusual name."""

# --- type sniffing ---------------------------------------------------------------------------

_PDF = b"%PDF-"
_JPEG = b"\xff\xd8\xff"
_PNG = b"\x89PNG\r\n\x1a\n"
_OLE2 = bytes.fromhex("D0CF11E0A1B11AE1")
_ZIP = b"PK\x03\x04"


def sniff(data: bytes) -> str | None:
    """The type of ``data`` (a key of :data:`TYPE_NAMES`), or None when it is none of them."""
    if data.startswith(_PDF):
        return "pdf"
    if data.startswith(_JPEG):
        return "jpg"
    if data.startswith(_PNG):
        return "png"
    if data.startswith(_OLE2):
        return _ole2_type(data)
    if data.startswith(_ZIP):  # at the start: an executable with a ZIP appended is no DOCX
        return _zip_type(data)
    return None


# OLE2 compound files ([MS-CFB]): a 512-byte header, then sectors of 512 (version 3) or 4096
# bytes (version 4); the directory is a chain of sectors of 128-byte entries, linked through
# the FAT; entry 0 is the root, whose children form a tree through left and right siblings.

_FREE = 0xFFFFFFFF
_END_OF_CHAIN = 0xFFFFFFFE
_MAX_SECTOR = 0xFFFFFFFA
_NO_ENTRY = 0xFFFFFFFF
_STORAGE, _STREAM, _ROOT = 1, 2, 5
_ENTRY = 128

_WORD_STREAMS = {"worddocument"}
_EXCEL_STREAMS = {"workbook", "book"}


class _Damaged(Exception):
    """The compound file's structure cannot be followed."""


def _ole2_type(data: bytes) -> str | None:
    try:
        streams = _ole2_root_streams(data)
    except (_Damaged, struct.error, IndexError):
        streams = _ole2_scan(data)
    if streams & _WORD_STREAMS:
        return "doc"
    if streams & _EXCEL_STREAMS:
        return "xls"
    return None


def _ole2_root_streams(data: bytes) -> set[str]:
    """Names (lower case) of the streams directly under the root storage."""
    if len(data) < 512:
        raise _Damaged
    byte_order, shift = struct.unpack_from("<HH", data, 28)
    if byte_order != 0xFFFE or shift not in (9, 12):
        raise _Damaged
    size = 1 << shift
    sectors = (len(data) - 1) // size  # sector n starts at (n + 1) * size; the last may be short
    per_sector = size // 4
    view = memoryview(data)

    def sector(number: int) -> memoryview:
        if number >= sectors:
            raise _Damaged
        return view[(number + 1) * size : (number + 2) * size]

    fat_count, first_directory = struct.unpack_from("<II", data, 44)
    next_difat, difat_count = struct.unpack_from("<II", data, 68)
    if fat_count > sectors or difat_count > sectors:
        raise _Damaged
    fat_sectors = list(struct.unpack_from("<109I", data, 76))
    seen: set[int] = set()
    while len(fat_sectors) < fat_count and next_difat <= _MAX_SECTOR:
        if next_difat in seen:
            raise _Damaged
        seen.add(next_difat)
        entries = struct.unpack_from(f"<{per_sector}I", sector(next_difat))
        fat_sectors.extend(entries[:-1])
        next_difat = entries[-1]
    fat_sectors = fat_sectors[:fat_count]

    def next_sector(number: int) -> int:
        index, position = divmod(number, per_sector)
        if index >= len(fat_sectors) or fat_sectors[index] > _MAX_SECTOR:
            raise _Damaged
        return struct.unpack_from("<I", sector(fat_sectors[index]), position * 4)[0]

    directory: list[memoryview] = []
    number, visited = first_directory, set()
    while number != _END_OF_CHAIN:
        if number > _MAX_SECTOR or number in visited:
            raise _Damaged
        visited.add(number)
        block = sector(number)
        directory.extend(
            block[offset : offset + _ENTRY] for offset in range(0, len(block) - _ENTRY + 1, _ENTRY)
        )
        number = next_sector(number)
    if not directory or directory[0][66] != _ROOT:
        raise _Damaged

    streams: set[str] = set()
    pending, walked = [struct.unpack_from("<I", directory[0], 76)[0]], set()
    while pending:
        index = pending.pop()
        if index == _NO_ENTRY:
            continue
        if index >= len(directory) or index in walked:
            raise _Damaged
        walked.add(index)
        entry = directory[index]
        name = _entry_name(entry)
        if name is not None and entry[66] == _STREAM:
            streams.add(name.lower())
        pending.extend(struct.unpack_from("<II", entry, 68))  # left and right siblings
    return streams


def _entry_name(entry: memoryview | bytes) -> str | None:
    length = struct.unpack_from("<H", entry, 64)[0]  # in bytes, with the terminating NUL
    if entry[66] not in (_STORAGE, _STREAM) or not 2 <= length <= 64 or length % 2:
        return None
    if bytes(entry[length - 2 : length]) != b"\0\0":
        return None
    return bytes(entry[: length - 2]).decode("utf-16-le", errors="replace")


def _ole2_scan(data: bytes) -> set[str]:
    """Streams named like Word's or Excel's in anything laid out as a directory entry (a
    damaged file): every 128-byte boundary up to :data:`OLE_SCAN_LIMIT`, at most 0.1 s."""
    found: set[str] = set()
    wanted = _WORD_STREAMS | _EXCEL_STREAMS
    limit = min(len(data), OLE_SCAN_LIMIT)
    for offset in range(512, limit - _ENTRY + 1, _ENTRY):
        if data[offset + 66] != _STREAM:
            continue
        name = _entry_name(data[offset : offset + _ENTRY])
        if name is not None and name.lower() in wanted:
            found.add(name.lower())
    return found


# Office Open XML: a ZIP with the main part named by [Content_Types].xml; Office names it
# word/document.xml resp. xl/workbook.xml, now and then word/document2.xml.

_MAIN_PARTS = {"word/document.xml": "docx", "xl/workbook.xml": "xlsx"}
_MAIN_CONTENT_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "xlsx",
}
_OVERRIDE = re.compile(r"<(?:\w+:)?Override\b([^>]*)>")
_ATTRIBUTE = re.compile(r"""\b(PartName|ContentType)\s*=\s*["']([^"']*)["']""")


def _zip_type(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            found = {kind for part, kind in _MAIN_PARTS.items() if part in names}
            if not found and "[Content_Types].xml" in names:
                found = _main_part_types(archive, names)
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                found = {f"{kind[:-1]}m" for kind in found}
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        OSError,
        EOFError,
        ValueError,
        NotImplementedError,
        RuntimeError,
    ):
        return None
    return found.pop() if len(found) == 1 else None


def _main_part_types(archive: zipfile.ZipFile, names: set[str]) -> set[str]:
    with archive.open("[Content_Types].xml") as handle:
        text = handle.read(CONTENT_TYPES_LIMIT).decode("utf-8", errors="replace")
    found = set()
    for override in _OVERRIDE.finditer(text):
        attributes = dict(_ATTRIBUTE.findall(override.group(1)))
        kind = _MAIN_CONTENT_TYPES.get(attributes.get("ContentType", ""))
        if kind and attributes.get("PartName", "").lstrip("/") in names:
            found.add(kind)
    return found


# --- checks ----------------------------------------------------------------------------------


def normalize_types(allowed: Sequence[str]) -> list[str]:
    """``allowed`` in lower case without dots, ``jpeg`` as ``jpg``, each once, in order."""
    result: list[str] = []
    for value in allowed:
        key = value.strip().lower().lstrip(".")
        key = ALIASES.get(key, key)
        if key and key not in result:
            result.append(key)
    return result


def type_name(kind: str) -> str:
    return TYPE_NAMES.get(kind) or MACRO_TYPES.get(kind) or kind.upper()


def format_size(size: int, *, round_up: bool = False) -> str:
    """``size`` bytes for people: ``12.3 MB``, ``10 MB``, ``512 KB``, ``100 字节``.

    ``round_up`` rounds up to the tenth shown, so that a size just over a limit never reads
    as equal to it.
    """
    if size < KB:
        return f"{size} 字节"
    unit, label = (MB, "MB") if size >= MB else (KB, "KB")
    tenths = -(-size * 10 // unit) if round_up else (size * 10 + unit // 2) // unit
    whole, tenth = divmod(tenths, 10)
    return f"{whole} {label}" if tenth == 0 else f"{whole}.{tenth} {label}"


def check(data: bytes, allowed: Sequence[str], max_bytes: int) -> str | None:
    """None when ``data`` may be stored for a material accepting ``allowed`` types up to
    ``max_bytes``; otherwise what is wrong and what is expected, in Chinese."""
    if not data:
        return "文件为空（0 字节），请重新选择要上传的文件"
    problems = []
    if len(data) > max_bytes:
        problems.append(
            f"文件过大（{format_size(len(data), round_up=True)}），上限为 {format_size(max_bytes)}"
        )
    accepted = normalize_types(allowed)
    kind = sniff(data)
    if not accepted:
        problems.append("本材料不接受网上上传")
    elif kind not in accepted:
        expected = "、".join(type_name(t) for t in accepted)
        if kind is None:
            problems.append(f"无法识别文件类型，本材料只接受 {expected}")
        else:
            problems.append(f"文件类型为 {type_name(kind)}，本材料只接受 {expected}")
    return "；".join(problems) or None
