"""What a user reads on a page, and the internal identifiers and English words in it.

Visible text is the text of the body outside script, style and template elements and outside what the user typed
into a form (textarea content, input values), plus the attributes a user reads or hears (title, placeholder,
aria-label, alt, the value of buttons). Elements marked `translate="no"` (HTML's mark for code and names that must
not be translated: a mail template's variables, a verification command) are not prose and are skipped.

User-entered text (case titles and texts, organisation and account names, file names, reasons) may legitimately
hold Latin product names and abbreviations: the Latin words of that stored content are collected from the database
(`user_vocabulary`) and allowed; everything else — the chrome, labels, headings, table headers, messages, choices —
must be Chinese prose: no snake_case or dotted key anywhere, no English word outside `ALLOWED`. Tokens holding a
digit are codes (application numbers, digests, A4, UTF-8), not words. E-mail addresses, URLs and file names are
removed before the check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# English words and abbreviations a Chinese page may use (file formats, standards, common technical acronyms).
ALLOWED = frozenset("""
PDF Excel Word API ID URL SMS HTTP HTTPS HTML JSON CSV OCR QR AI IT IoT App APP ESG KYC SaaS OA ERP CRM RPA
IP Email E-mail email OK MB KB GB TB UTC Beijing
GB/T WCAG ISO GB T ICP DOCX XLSX ZIP JPG JPEG PNG 5G G RMB CNY No Token
""".split())
# A key: words joined by _ or by a dot between lowercase words (application.attachment_added, tech_empowered_rnd).
KEY = re.compile(r"(?<![\w./@-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w/@])|(?<![\w./@-])[a-z]+(?:\.[a-z_]+)+(?![\w./@])")
WORD = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z][A-Za-z0-9+-]*[A-Za-z0-9+]|(?<![A-Za-z0-9_-])[A-Za-z](?![A-Za-z0-9])")
EMAIL = re.compile(r"[\w.*+-]+@[\w-]+(?:\.[\w-]+)+")
URL = re.compile(r"(?:https?://|/)[\w./?=&%#:+-]*")
FILE = re.compile(r"[^\s/]+\.(?:pdf|docx?|xlsx?|png|jpe?g|zip|txt|json)\b", re.I)
ATTRS = ("title", "placeholder", "aria-label", "alt")
SKIP = {"script", "style", "template", "noscript", "textarea"}
XX = frozenset({"XX", "XXX", "X", "Y", "Z"})  # placeholders in form instructions (“基于XX技术”)


def visible_text(html: str) -> str:
    import lxml.html

    doc = lxml.html.document_fromstring(html)
    parts = []
    title = doc.find(".//title")
    if title is not None and title.text:
        parts.append(title.text)
    body = doc.find("body")
    _text(body if body is not None else doc, parts)
    return "\n".join(p.strip() for p in parts if p and p.strip())


def _text(el, parts: list[str]) -> None:
    """The text of an element and its children (each child's tail belongs to the parent)."""
    if not isinstance(el.tag, str) or _skipped(el):
        return
    parts.append(el.text or "")
    parts.extend(el.get(a) for a in ATTRS if el.get(a))
    if el.tag == "input" and el.get("type") in ("submit", "button", "reset") and el.get("value"):
        parts.append(el.get("value"))
    for child in el:
        _text(child, parts)
        parts.append(child.tail or "")


def _skipped(el) -> bool:
    return el.tag in SKIP or el.get("translate") == "no"


def _plain(text: str) -> str:
    return FILE.sub(" ", URL.sub(" ", EMAIL.sub(" ", text)))


@dataclass(frozen=True)
class Finding:
    kind: str  # "key" or "word"
    token: str
    context: str


def findings(text: str, vocabulary: frozenset[str] = frozenset()) -> list[Finding]:
    out, seen = [], set()
    for line in text.splitlines():
        plain = _plain(line)
        for m in KEY.finditer(plain):
            if m.group() not in seen:
                seen.add(m.group())
                out.append(Finding("key", m.group(), line.strip()[:120]))
        for m in WORD.finditer(KEY.sub(" ", plain)):
            token = m.group()
            if token in ALLOWED or token in XX or token in vocabulary or token in seen or any(c.isdigit() for c in token):
                continue
            seen.add(token)
            out.append(Finding("word", token, line.strip()[:120]))
    return out


# Stored user-entered content: model → fields (answers are JSON: every string value counts).
USER_TEXT = {
    "applicants.Organisation": ("name",),
    "applicants.OrganisationClaim": ("claimed_name", "reason", "licence_name"),
    "applicants.Application": ("title", "answers", "state_reason"),
    "applicants.ApplicationUnit": ("answers", "typed_name"),
    "applicants.StoredAttachment": ("name", "issuer"),
    "library.Case": ("title", "organisations", "paragraphs", "captions", "track", "tier", "special"),
    "accounts.User": ("username", "display_name", "email"),
}


def user_vocabulary() -> frozenset[str]:
    """The Latin words of user-entered content stored in the database (`USER_TEXT`)."""
    from django.apps import apps

    words: set[str] = set()
    for label, fields in USER_TEXT.items():
        for row in apps.get_model(label).objects.values_list(*fields).iterator():
            for value in row:
                _collect(value, words)
    return frozenset(words)


def _collect(value, words: set[str]) -> None:
    if isinstance(value, str):
        words.update(WORD.findall(value))
    elif isinstance(value, dict):
        for v in value.values():
            _collect(v, words)
    elif isinstance(value, list):
        for v in value:
            _collect(v, words)
