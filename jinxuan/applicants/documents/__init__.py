"""Django-free. Printable application documents: the watermarked PDF 申报书, the 承诺函 and the Word 申报案例说明.

`printable` turns a preset and its answers into plain dataclasses (no Django);
`pdf` and `word` render those to bytes.
"""

from .pdf import application_pdf, commitment_pdf
from .printable import PrintableApplication, PrintSection, build_printable
from .word import case_description_docx, commitment_docx

__all__ = [
    "PrintSection",
    "PrintableApplication",
    "application_pdf",
    "build_printable",
    "case_description_docx",
    "commitment_docx",
    "commitment_pdf",
]
