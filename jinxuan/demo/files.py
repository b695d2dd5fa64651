"""Small valid files for demo attachments and tests (a PDF, a Word file, a JPEG)."""

import io


def tiny_pdf(text: str = "license") -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text=text)
    return bytes(pdf.output())


def tiny_docx(text: str = "方案书") -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def tiny_jpg(size=(800, 800), colour=(180, 40, 40)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG", quality=70)
    return buffer.getvalue()


def sample_file(rule) -> tuple[str, bytes]:
    """A valid file for an attachment rule of a preset."""
    if rule.image:
        low, high = rule.image.min_px, rule.image.max_px or rule.image.min_px * 2
        return f"{rule.name}.jpg", tiny_jpg((max(low, min(800, high)),) * 2)
    if "pdf" in rule.formats:
        return f"{rule.name}.pdf", tiny_pdf()
    if "jpg" in rule.formats:
        return f"{rule.name}.jpg", tiny_jpg()
    if "docx" in rule.formats:
        return f"{rule.name}.docx", tiny_docx()
    raise ValueError(f"no sample for formats {rule.formats}")
