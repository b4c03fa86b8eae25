"""Uploads: the type sniffed from the content, the checks' messages, durable storage."""

from __future__ import annotations

import hashlib
import io
import os
import stat
import struct
import zipfile
from pathlib import Path

import openpyxl
import pytest

from forms_api.storage import filetypes, uploads
from forms_api.storage.filetypes import MB, check, sniff
from forms_api.storage.uploads import StoredFile, path_of, remove, save

# --- minimal real files ----------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 32 + b"\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/{part}" ContentType="{content_type}"/>'
    "</Types>"
)
WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def make_docx(part: str = "word/document.xml", *, macros: bool = False) -> bytes:
    """A Word document as Word lays it out, with one paragraph (and a VBA project)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if macros:
            archive.writestr("word/vbaProject.bin", _OLE2_HEADER_FOR_VBA)
        archive.writestr("[Content_Types].xml", CONTENT_TYPES.format(part=part, content_type=WORD_MAIN))
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            f'relationships/officeDocument" Target="{part}"/></Relationships>',
        )
        archive.writestr(
            part,
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            "<w:body><w:p><w:r><w:t>专利权质押登记申请表</w:t></w:r></w:p></w:body></w:document>",
        )
    return buffer.getvalue()


_OLE2_HEADER_FOR_VBA = bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504)


def make_xlsx() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(["专利号", "名称"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def make_zip(entries: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in entries.items():
            archive.writestr(name, text)
    return buffer.getvalue()


# OLE2 compound files ([MS-CFB]) built sector by sector: sector 0 is the FAT, sector 1 the
# directory, sector 2 a stream's content; empty streams and storages have no sectors.

FREE, END_OF_CHAIN, FAT_SECTOR, NO_ENTRY = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
STORAGE, STREAM, ROOT = 1, 2, 5


def entry(name: str, kind: int, left: int = NO_ENTRY, right: int = NO_ENTRY, child: int = NO_ENTRY) -> bytes:
    encoded = (name + "\0").encode("utf-16-le")
    record = bytearray(128)
    record[: len(encoded)] = encoded
    struct.pack_into("<HBB", record, 64, len(encoded), kind, 1)  # name length, type, black
    struct.pack_into("<III", record, 68, left, right, child)
    struct.pack_into("<IQ", record, 116, END_OF_CHAIN, 0)  # start sector, size
    return bytes(record)


def make_ole2(entries: list[bytes], *, version: int = 3, content: bytes = b"") -> bytes:
    """A compound file whose directory holds ``entries`` (entry 0 the root)."""
    shift = 9 if version == 3 else 12
    size = 1 << shift
    per_sector = size // 4
    header = bytearray(512)
    header[:8] = bytes.fromhex("D0CF11E0A1B11AE1")
    struct.pack_into("<HHHHH", header, 24, 0x3E, version, 0xFFFE, shift, 6)
    struct.pack_into("<III", header, 44, 1, 1, 0)  # FAT sectors, first directory sector
    struct.pack_into("<IIIII", header, 56, 4096, END_OF_CHAIN, 0, END_OF_CHAIN, 0)
    struct.pack_into("<109I", header, 76, 0, *[FREE] * 108)
    fat = [FAT_SECTOR, END_OF_CHAIN, END_OF_CHAIN] + [FREE] * (per_sector - 3)
    directory = b"".join(entries).ljust(size, b"\0")
    assert len(directory) == size, "this builder keeps the directory in one sector"
    return (
        bytes(header).ljust(size, b"\0")
        + struct.pack(f"<{per_sector}I", *fat)
        + directory
        + content.ljust(size, b"\0")
    )


def make_doc(version: int = 3) -> bytes:
    """The streams at the root of a Word 97-2003 document."""
    return make_ole2(
        [
            entry("Root Entry", ROOT, child=2),
            entry("1Table", STREAM),
            entry("WordDocument", STREAM, left=1, right=3),
            entry("\x05SummaryInformation", STREAM),
        ],
        version=version,
    )


def make_xls(name: str = "Workbook") -> bytes:
    return make_ole2(
        [
            entry("Root Entry", ROOT, child=1),
            entry(name, STREAM, right=2),
            entry("\x05SummaryInformation", STREAM),
        ]
    )


# --- sniff -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (PDF, "pdf"),
        (JPEG, "jpg"),
        (PNG, "png"),
        (make_doc(), "doc"),
        (make_doc(version=4), "doc"),
        (make_xls(), "xls"),
        (make_xls("Book"), "xls"),  # Excel 5/95
        (make_docx(), "docx"),
        (make_docx("word/document2.xml"), "docx"),  # found through [Content_Types].xml
        (make_xlsx(), "xlsx"),
    ],
    ids=["pdf", "jpeg", "png", "doc", "doc-v4", "xls", "xls-excel5", "docx", "docx-document2", "xlsx"],
)
def test_sniff_recognises_each_accepted_type(data: bytes, expected: str) -> None:
    assert sniff(data) == expected


def test_the_type_comes_from_the_content_not_the_name() -> None:
    """sniff never sees the client's name: a PNG uploaded as 营业执照.pdf is still a PNG."""
    assert sniff(PNG) == "png"
    assert check(PNG, ["pdf"], 10 * MB) == "文件类型为 PNG 图片，本材料只接受 PDF 文档"


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 100,  # a Windows executable
        b"\x7fELF\x02\x01\x01" + b"\x00" * 100,
        b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>",
        b"  %PDF-1.4",  # the signature must open the file
        b"%PDF",
        b"\xff\xd8",
        b"\x89PNG\r\n",
        bytes.fromhex("D0CF11E0A1B11AE1"),  # an OLE2 signature and nothing else
        b"PK\x03\x04",
        "专利权质押登记申请表".encode(),
    ],
    ids=[
        "empty",
        "exe",
        "elf",
        "html",
        "pdf-not-at-start",
        "pdf-cut",
        "jpeg-cut",
        "png-cut",
        "ole2-cut",
        "zip-cut",
        "text",
    ],
)
def test_anything_else_is_not_recognised(data: bytes) -> None:
    assert sniff(data) is None


def test_a_zip_that_is_not_office_is_not_recognised() -> None:
    assert sniff(make_zip({"材料/说明.txt": "hello"})) is None
    odt = make_zip({"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<office/>"})
    assert sniff(odt) is None
    # A part named in [Content_Types].xml counts only when it is in the archive.
    missing = make_zip(
        {"[Content_Types].xml": CONTENT_TYPES.format(part="word/document.xml", content_type=WORD_MAIN)}
    )
    assert sniff(missing) is None


def test_a_broken_zip_is_not_recognised() -> None:
    docx = make_docx()
    assert sniff(docx[: len(docx) // 2]) is None  # the central directory is cut off
    assert sniff(docx[:-30]) is None


def test_an_executable_with_a_docx_appended_is_not_a_docx() -> None:
    """zipfile finds an archive at the end of any file: the ZIP must open the file."""
    assert sniff(b"MZ" + b"\x00" * 200 + make_docx()) is None


def test_an_ole2_file_that_is_neither_word_nor_excel_is_not_recognised() -> None:
    powerpoint = make_ole2([entry("Root Entry", ROOT, child=1), entry("PowerPoint Document", STREAM)])
    assert sniff(powerpoint) is None


def test_word_and_excel_are_told_by_the_streams_at_the_root() -> None:
    """A workbook with a Word document embedded in a substorage is a workbook."""
    embedded = make_ole2(
        [
            entry("Root Entry", ROOT, child=1),
            entry("Workbook", STREAM, right=2),
            entry("MBD0001", STORAGE, child=3),
            entry("WordDocument", STREAM),
        ]
    )
    assert sniff(embedded) == "xls"


def test_names_in_a_streams_content_do_not_count() -> None:
    """What looks like a "WordDocument" entry inside a stream's content is not in the directory."""
    lookalike = entry("WordDocument", STREAM)
    powerpoint = make_ole2(
        [entry("Root Entry", ROOT, child=1), entry("PowerPoint Document", STREAM)], content=lookalike * 4
    )
    assert sniff(powerpoint) is None


def test_the_directory_of_a_large_compound_file_is_found_through_the_difat() -> None:
    """Past 109 FAT sectors (7 MB), the FAT's sectors are listed in DIFAT sectors; Word writes
    the directory at the end of the file. (A Word document embedded in a workbook: only the
    directory tree tells that this is a workbook.)"""
    fat_sectors, difat, directory = 110, 110, 109 * 128  # the directory's FAT entry is in FAT sector 109
    fat = [FREE] * (fat_sectors * 128)
    fat[:fat_sectors] = [FAT_SECTOR] * fat_sectors
    fat[difat] = 0xFFFFFFFC  # DIFSECT
    fat[directory] = END_OF_CHAIN
    small = make_ole2(
        [
            entry("Root Entry", ROOT, child=1),
            entry("Workbook", STREAM, right=2),
            entry("MBD0001", STORAGE, child=3),
            entry("WordDocument", STREAM),
        ]
    )
    header = bytearray(small[:512])
    struct.pack_into("<III", header, 44, fat_sectors, directory, 0)
    struct.pack_into("<II", header, 68, difat, 1)
    struct.pack_into("<109I", header, 76, *range(109))
    difat_sector = struct.pack("<128I", 109, *[FREE] * 126, END_OF_CHAIN)
    filler = bytes(512 * (directory - difat - 1))
    data = bytes(header) + struct.pack(f"<{len(fat)}I", *fat) + difat_sector + filler + small[1024:1536]
    assert len(data) == 512 * (directory + 2)
    assert sniff(data) == "xls"


def test_a_damaged_compound_file_is_still_told_by_its_directory_entries() -> None:
    doc = bytearray(make_doc())
    struct.pack_into("<I", doc, 48, 1000)  # the first directory sector lies beyond the file
    assert sniff(bytes(doc)) == "doc"
    xls = bytearray(make_xls())
    struct.pack_into("<I", xls, 512 + 4, 1)  # the directory chain loops onto itself
    assert sniff(bytes(xls)) == "xls"
    assert sniff(make_doc()[:512]) is None  # the header alone


# --- check -----------------------------------------------------------------------------------


def test_check_accepts_an_allowed_type_within_the_limit() -> None:
    assert check(PDF, ["pdf"], 10 * MB) is None
    assert check(make_docx(), ["pdf", "doc", "docx"], 10 * MB) is None
    assert check(JPEG, ["jpeg"], 10 * MB) is None  # jpeg is jpg
    assert check(JPEG, ["PDF", ".JPG"], 10 * MB) is None


def test_check_names_an_empty_file() -> None:
    message = check(b"", ["pdf"], 10 * MB)
    assert message is not None and "文件为空" in message


def test_check_gives_the_size_and_the_limit() -> None:
    data = b"%PDF-" + bytes(12 * MB + 300 * 1024 - 5)  # 12.29 MB
    assert check(data, ["pdf"], 10 * MB) == "文件过大（12.3 MB），上限为 10 MB"
    just_over = b"%PDF-" + bytes(10 * MB - 4)
    assert check(just_over, ["pdf"], 10 * MB) == "文件过大（10.1 MB），上限为 10 MB"
    assert check(just_over[:-1], ["pdf"], 10 * MB) is None


def test_check_names_the_type_found_and_the_types_expected() -> None:
    assert check(PNG, ["pdf"], 10 * MB) == "文件类型为 PNG 图片，本材料只接受 PDF 文档"
    assert (
        check(make_xls(), ["pdf", "docx"], 10 * MB)
        == "文件类型为 Excel 97-2003 工作簿，本材料只接受 PDF 文档、Word 文档"
    )


def test_check_says_when_the_type_is_unknown() -> None:
    html = b"<html><body>not a pdf</body></html>"
    assert check(html, ["pdf", "jpeg"], 10 * MB) == "无法识别文件类型，本材料只接受 PDF 文档、JPEG 图片"


def test_a_macro_enabled_document_is_refused_by_name() -> None:
    data = make_docx(macros=True)
    assert filetypes.sniff(data) == "docm"
    message = filetypes.check(data, ["docx", "pdf"], MB)
    assert message == "文件类型为 含宏的 Word 文档，本材料只接受 Word 文档、PDF 文档"


def test_check_lists_every_problem_of_a_file() -> None:
    data = PNG + bytes(11 * MB)
    assert (
        check(data, ["pdf"], 10 * MB)
        == "文件过大（11.1 MB），上限为 10 MB；文件类型为 PNG 图片，本材料只接受 PDF 文档"
    )


def test_type_names_are_the_catalogs() -> None:
    from generator.schema.tables import UPLOAD_TYPES

    assert UPLOAD_TYPES.entries == filetypes.TYPE_NAMES


# --- save, remove, path_of -------------------------------------------------------------------


def test_save_stores_the_content_under_a_generated_name(tmp_path: Path) -> None:
    folder = tmp_path / "uploads"
    data = make_docx()
    stored = save(data, folder)
    assert stored == StoredFile(stored.stored_name, len(data), hashlib.sha256(data).hexdigest(), "docx")
    assert len(stored.stored_name) == 32 and int(stored.stored_name, 16) >= 0
    path = path_of(stored.stored_name, folder)
    assert path == folder / stored.stored_name[:2] / stored.stored_name
    assert path.read_bytes() == data
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in folder.rglob("*") if p.is_file()] == [
        stored.stored_name
    ]  # no client name, no .docx
    assert list((folder / "tmp").iterdir()) == []


def test_save_gives_every_file_its_own_name(tmp_path: Path) -> None:
    first, second = save(PDF, tmp_path), save(PDF, tmp_path)
    assert first.stored_name != second.stored_name
    assert first.sha256 == second.sha256


def test_save_is_mode_600_whatever_the_umask(tmp_path: Path) -> None:
    previous = os.umask(0)
    try:
        stored = save(PDF, tmp_path)
    finally:
        os.umask(previous)
    assert stat.S_IMODE(path_of(stored.stored_name, tmp_path).stat().st_mode) == 0o600


def test_save_fsyncs_the_file_and_its_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    synced: list[str] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        synced.append("dir" if stat.S_ISDIR(os.fstat(fd).st_mode) else "file")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    save(PDF, tmp_path)
    assert "file" in synced and synced[-1] == "dir"  # the rename is made durable last


def test_save_leaves_nothing_when_it_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def replace(source: object, target: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(OSError):
        save(PDF, tmp_path)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_save_refuses_content_it_cannot_recognise(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        save(b"<html></html>", tmp_path)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_remove_deletes_a_stored_file(tmp_path: Path) -> None:
    stored = save(PNG, tmp_path)
    remove(stored, tmp_path)
    assert not path_of(stored.stored_name, tmp_path).exists()
    remove(stored, tmp_path)  # rolling back twice is harmless


def test_clear_tmp_deletes_what_a_crash_left(tmp_path: Path) -> None:
    kept = save(PDF, tmp_path)
    (tmp_path / "tmp" / ("0" * 32 + ".part")).write_bytes(b"%PDF-cut short")
    assert uploads.clear_tmp(tmp_path) == 1
    assert list((tmp_path / "tmp").iterdir()) == []
    assert path_of(kept.stored_name, tmp_path).read_bytes() == PDF
    assert uploads.clear_tmp(tmp_path / "elsewhere") == 0


@pytest.mark.parametrize(
    "name",
    [
        "../x",
        "../" + "a" * 29,
        "a" * 31,
        "a" * 33,
        "A" * 32,
        "a" * 32 + "\n",
        "/etc/passwd",
        "",
        "a" * 30 + "/.",
    ],
)
def test_path_of_accepts_only_generated_names(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError):
        path_of(name, tmp_path)


def test_path_of_places_a_name_under_its_first_two_characters(tmp_path: Path) -> None:
    name = "0123456789abcdef0123456789abcdef"
    assert path_of(name, tmp_path) == tmp_path / "01" / name
