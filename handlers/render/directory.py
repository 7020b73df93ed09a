"""Render directory entries as Telegram HTML: the full card of /help_near_me and the short line under answers."""

from __future__ import annotations

import html
from collections.abc import Iterable

from aiogram.utils.i18n import gettext as _

from handlers.deps import LANGUAGE_NAMES
from knowledge.directory import ContactType, Kind, Organisation, Service

TELEGRAM_LIMIT = 4096
EXTRA_LANGUAGE_NAMES = {"is": "Íslenska", "de": "Deutsch", "fr": "Français", "es": "Español"}
CONTACT_ICONS = {ContactType.phone: "☎", ContactType.email: "✉", ContactType.address: "📮", ContactType.web: "💬"}


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code) or EXTRA_LANGUAGE_NAMES.get(code) or code


def service_name(service: str) -> str:
    names = {
        Service.find_person: _("Finding where someone is held"), Service.legal: _("Legal help"),
        Service.consular: _("Embassy and consulate"), Service.visits: _("Visits"),
        Service.contact: _("Calls, letters, money"), Service.health: _("Health care"),
        Service.mental_health: _("Someone to talk to, crisis help"), Service.complaints: _("Complaints"),
        Service.parole: _("Parole and leave"), Service.transfer: _("Transfer to the home country"),
        Service.expulsion: _("Expulsion"), Service.immigration: _("Residence permits"),
        Service.documents: _("Documents"), Service.release: _("After release"), Service.housing: _("Housing"),
        Service.employment: _("Work and training"), Service.benefits: _("Benefits"),
        Service.substance_use: _("Alcohol and drugs"), Service.family: _("Support for families"),
        Service.children: _("Children of prisoners"), Service.peer_support: _("Peer support"),
    }
    return names.get(service, service)  # type: ignore[call-overload]


def kind_name(kind: Kind) -> str:
    names = {
        Kind.ngo: _("Non-governmental organisation"), Kind.authority: _("Public authority"),
        Kind.ombudsman: _("Ombudsman"), Kind.monitoring: _("Monitoring body"), Kind.legal_aid: _("Legal aid"),
        Kind.consulate_info: _("Consular information"), Kind.helpline: _("Helpline"),
    }
    return names.get(kind, kind.value)


def site_link(url: str) -> str:
    """A link showing the site's name (readable for internationalised domains: мвд.рф, not xn--b1aew.xn--p1ai)."""
    from urllib.parse import urlparse

    parsed = urlparse(url)
    host = parsed.hostname or url
    try:
        host = host.encode("ascii").decode("idna")
    except UnicodeError:
        pass
    shown = host.removeprefix("www.") + (parsed.path.rstrip("/") if parsed.path not in ("", "/") else "")
    if len(shown) > 48:
        shown = host.removeprefix("www.")
    return f'<a href="{html.escape(url, quote=True)}">{html.escape(shown)}</a>'


def org_card(org: Organisation, lang: str, number: int | None = None) -> str:
    """Everything a person needs to reach one organisation: name, what it does, languages, site, contacts."""
    head = f"{number}. " if number is not None else ""
    lines = [f"<b>{head}{html.escape(org.display_name(lang))}</b>"]
    facts = [kind_name(org.kind)]
    if org.cities:
        facts.append(", ".join(org.cities))
    facts.append(", ".join(language_name(code) for code in org.languages))
    lines.append("<i>" + html.escape(" · ".join(facts)) + "</i>")
    if org.nationalities:
        lines.append("<i>" + html.escape(_("Only for citizens of: {countries}")
                                         .format(countries=", ".join(org.nationalities))) + "</i>")
    summary = org.summary_in(lang)
    if summary:
        lines.append(html.escape(summary))
    if org.website:
        lines.append("🌐 " + site_link(str(org.website)))
    for contact in org.contacts:
        value = site_link(contact.value) if contact.type is ContactType.web else html.escape(contact.value)
        extra = [contact.label.get(lang) or contact.label.get("en") or ""] if contact.label else []
        if contact.languages and contact.languages != org.languages:
            extra.append(", ".join(language_name(code) for code in contact.languages))
        tail = " — " + html.escape("; ".join(e for e in extra if e)) if any(extra) else ""
        lines.append(f"{CONTACT_ICONS[contact.type]} {value}{tail}")
    if org.contacts:
        oldest = min(c.checked for c in org.contacts if c.checked is not None)
        lines.append("<i>" + html.escape(_("Contact details checked on the organisation's own page on {date}.")
                                         .format(date=oldest.isoformat())) + "</i>")
    elif not org.website:
        lines.append("<i>" + html.escape(_("No verified website or contact details yet.")) + "</i>")
    return "\n".join(lines)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def pack(header: str, blocks: Iterable[str], limit: int = TELEGRAM_LIMIT - 96) -> list[str]:
    """Join blocks into as few messages as fit Telegram's limit; a block is never split."""
    messages: list[str] = []
    current = header
    for block in blocks:
        candidate = f"{current}\n\n{block}" if current else block
        if utf16_len(candidate) > limit and current:
            messages.append(current)
            current = block
        else:
            current = candidate
    if current:
        messages.append(current)
    return messages


def footer(orgs: list[Organisation]) -> str:
    """The short list an answer ends with: the name (as the organisation writes it) and a link, for one or two."""
    if not orgs:
        return ""
    items = [f"• {html.escape(o.name['local'])} — {site_link(str(o.website))}" for o in orgs if o.website]
    return _("Organisations that can help:") + "\n" + "\n".join(items) + "\n" + _("More: /help_near_me")
