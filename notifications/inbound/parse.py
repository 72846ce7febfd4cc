"""Turn raw MIME into what a help desk needs: who, what, which thread, the new text
without the quoted history, and the files. Pure: no database."""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser

TICKET_NUMBER = re.compile(r"\[#(\d{1,12})\]")
MESSAGE_ID = re.compile(r"<[^<>\s]+>")
#: Where a reply's quoted history starts, in the languages we serve.
QUOTE_MARKERS = [
    re.compile(r"^On .{3,200} wrote:\s*$"),  # Gmail, Apple Mail
    re.compile(r"^-{2,}\s*Original Message\s*-{2,}", re.I),  # Outlook
    re.compile(r"^From: .+", re.I),  # Outlook, forwarded headers
    re.compile(r"^W dniu .{3,200} pisze:\s*$"),  # Polish
    re.compile(r"^.{0,200}در تاریخ .{3,200} نوشت:\s*$"),  # Persian
    re.compile(r"^.{0,200}写道[:：]\s*$"),  # Chinese
    re.compile(r"^-{2,}\s*原始邮件\s*-{2,}"),
    re.compile(r"^_{10,}\s*$"),
]
SIGNATURE_MARKER = re.compile(r"^-- ?$")


@dataclass
class ParsedAttachment:
    filename: str
    content: bytes


@dataclass
class ParsedEmail:
    sender: str
    sender_name: str
    to: list[str]
    cc: list[str]
    subject: str
    message_id: str
    in_reply_to: list[str]
    text: str
    attachments: list[ParsedAttachment] = field(default_factory=list)
    automated: str = ""  # why this is an auto-reply, bounce or bulk mail ("" if not)

    @property
    def ticket_number(self) -> int | None:
        match = TICKET_NUMBER.search(self.subject)
        return int(match.group(1)) if match else None


class _TextFromHtml(HTMLParser):
    BLOCKS = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "blockquote"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "head"):
            self.skip += 1
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head") and self.skip:
            self.skip -= 1
        if tag in ("p", "div", "li", "tr"):
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Plain text of an HTML body; scripts, styles and tags are dropped (sanitised)."""
    parser = _TextFromHtml()
    parser.feed(markup)
    text = "".join(parser.parts)
    return re.sub(r"\n{3,}", "\n\n", re.sub(r"[ \t]+", " ", text)).strip()


def strip_quoted(text: str) -> str:
    """The new part of a reply: stop at the quoted history or the signature."""
    kept: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith(">") or SIGNATURE_MARKER.match(stripped):
            break
        if any(marker.match(stripped) for marker in QUOTE_MARKERS):
            break
        kept.append(line)
    return "\n".join(kept).strip()


def _automated(message: EmailMessage, sender: str) -> str:
    auto_submitted = str(message.get("Auto-Submitted", "no")).strip().lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {auto_submitted}"
    precedence = str(message.get("Precedence", "")).strip().lower()
    if precedence in ("bulk", "junk", "list", "auto_reply"):
        return f"Precedence: {precedence}"
    if message.get("X-Autoreply") or message.get("X-Autorespond") or message.get("List-Id"):
        return "auto-reply or list headers"
    local = sender.split("@")[0].lower()
    if local in ("mailer-daemon", "postmaster", "noreply", "no-reply") or not sender:
        return f"sender {sender or '<>'}"
    if message.get_content_type() == "multipart/report":
        return "delivery report"
    return ""


def _body_text(message: EmailMessage) -> str:
    plain = message.get_body(preferencelist=("plain",))
    if plain is not None:
        return str(plain.get_content())
    html_part = message.get_body(preferencelist=("html",))
    if html_part is not None:
        return html_to_text(str(html_part.get_content()))
    return ""


def parse_email(raw: bytes) -> ParsedEmail:
    """Raises ValueError when the bytes are not a usable message."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    if not isinstance(message, EmailMessage) or not message.keys():
        raise ValueError("not an email message")
    sender_name, sender = parseaddr(str(message.get("From", "")))
    if "@" not in sender:
        raise ValueError("no sender address")
    attachments = []
    for part in message.iter_attachments():
        payload = part.get_content()
        if isinstance(payload, str):
            payload = payload.encode()
        if isinstance(payload, bytes):
            attachments.append(ParsedAttachment(part.get_filename() or "attachment", payload))
    references = MESSAGE_ID.findall(
        f"{message.get('In-Reply-To', '')} {message.get('References', '')}"
    )
    return ParsedEmail(
        sender=sender.lower(),
        sender_name=sender_name,
        to=[
            address.lower()
            for _, address in getaddresses([str(v) for v in message.get_all("To", [])])
            if address
        ],
        cc=[
            address.lower()
            for _, address in getaddresses([str(v) for v in message.get_all("Cc", [])])
            if address
        ],
        subject=str(message.get("Subject", "")).strip()[:500],
        message_id=str(message.get("Message-ID", "")).strip()[:255],
        in_reply_to=references,
        text=_body_text(message),
        attachments=attachments,
        automated=_automated(message, sender),
    )
