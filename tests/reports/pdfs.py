"""Reading rendered PDFs back: page text, XMP claims, fonts, embedded files."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pikepdf
from pypdf import PdfReader


def page_texts(pdf: bytes) -> list[str]:
    """The extracted text of every page."""
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]


def bookmarks(pdf: bytes) -> list[str]:
    """The titles of the PDF outline (bookmarks), depth first."""
    titles: list[str] = []

    def walk(items: list[object]) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(str(getattr(item, "title", "")))

    walk(PdfReader(io.BytesIO(pdf)).outline)
    return titles


def squash(text: str) -> str:
    """Text without any whitespace, so words broken across lines still match."""
    return re.sub(r"\s+", "", text)


def contains(text: str, phrase: str) -> bool:
    """Whether `phrase` occurs in `text`, ignoring whitespace and line breaks."""
    return squash(phrase) in squash(text)


def contents_page(contents: str, title: str) -> int | None:
    """The page number the table of contents gives for `title` (read right after the title), or None."""
    match = re.search(re.escape(squash(title)) + r"(\d+)", squash(contents))
    return int(match.group(1)) if match else None


def xmp(pdf: bytes) -> dict[str, str]:
    """The XMP properties of a PDF, by prefixed name (e.g. 'pdfaid:part')."""
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        meta = doc.open_metadata()
        return {key: str(meta.get(key)) for key in _xmp_keys(meta)}


def _xmp_keys(meta: pikepdf.models.metadata.PdfMetadata) -> Iterator[str]:
    prefixes = {
        "http://www.aiim.org/pdfa/ns/id/": "pdfaid",
        "http://www.aiim.org/pdfua/ns/id/": "pdfuaid",
        "http://purl.org/dc/elements/1.1/": "dc",
        "http://ns.adobe.com/pdf/1.3/": "pdf",
        "http://ns.adobe.com/xap/1.0/": "xmp",
    }
    for key in meta:
        match = re.match(r"\{(.*)\}(.*)", key)
        if match and match.group(1) in prefixes:
            yield f"{prefixes[match.group(1)]}:{match.group(2)}"


def font_embedding(pdf: bytes) -> dict[str, bool]:
    """Every font used on any page or form XObject (by base name) and whether its program is embedded."""
    found: dict[str, bool] = {}

    def walk(resources: pikepdf.Dictionary, seen: set[tuple[int, int]]) -> None:
        for font in resources.get("/Font", {}).values():
            descendants = font.get("/DescendantFonts")
            for leaf in list(descendants) if descendants is not None else [font]:
                descriptor = leaf.get("/FontDescriptor")
                embedded = descriptor is not None and any(
                    k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")
                )
                found[str(font.get("/BaseFont"))] = embedded
        for xobject in resources.get("/XObject", {}).values():
            if xobject.get("/Subtype") == "/Form" and xobject.objgen not in seen:
                seen.add(xobject.objgen)
                walk(xobject.get("/Resources", pikepdf.Dictionary()), seen)

    with pikepdf.open(io.BytesIO(pdf)) as doc:
        for page in doc.pages:
            walk(page.obj.get("/Resources", pikepdf.Dictionary()), set())
    return found


def attachments(pdf: bytes) -> dict[str, tuple[bytes, str, str]]:
    """Embedded files: name -> (content, MIME subtype, AFRelationship)."""
    out: dict[str, tuple[bytes, str, str]] = {}
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        for name, spec in doc.attachments.items():
            stream = spec.obj.EF.F
            out[name] = (
                stream.read_bytes(),
                str(stream.get("/Subtype", "")),
                str(spec.obj.get("/AFRelationship", "")),
            )
    return out


def catalog(pdf: bytes) -> dict[str, object]:
    """A few document-catalog facts: language, tagging, title display, output intents, associated files."""
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        root = doc.Root
        mark_info = root.get("/MarkInfo")
        prefs = root.get("/ViewerPreferences")
        return {
            "lang": str(root.get("/Lang", "")),
            "marked": bool(mark_info is not None and mark_info.get("/Marked")),
            "struct_tree": "/StructTreeRoot" in root,
            "display_doc_title": bool(prefs is not None and prefs.get("/DisplayDocTitle")),
            "output_intents": len(root.get("/OutputIntents", [])),
            "associated_files": len(root.get("/AF", [])),
            "title": str(doc.docinfo.get("/Title", "")),
            "author": str(doc.docinfo.get("/Author", "")),
        }
