"""A document in both formats, with the sha256 of each: what a reply event records and what a
download is checked against."""

import hashlib
from dataclasses import dataclass

from shared.documents.model import Document
from shared.documents.pdf import render_pdf
from shared.documents.word import render_docx


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    docx: bytes

    @property
    def pdf_sha256(self) -> str:
        return hashlib.sha256(self.pdf).hexdigest()

    @property
    def docx_sha256(self) -> str:
        return hashlib.sha256(self.docx).hexdigest()


def render(document: Document) -> Rendered:
    return Rendered(pdf=render_pdf(document), docx=render_docx(document))
