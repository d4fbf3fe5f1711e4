"""What a citizen needs to know before coming to a reception: what to bring, how to behave at
the reception place, and which answer is the official one (docs/legal-basis.md)."""

from __future__ import annotations

from bot.core.i18n import Translator
from bot.core.model import RegistrationView, Track


def what_to_bring(tr: Translator, registration: RegistrationView) -> str:
    """What a citizen brings to the reception (Law on Citizen Reception Arts. 7 and 29)."""
    papers = (
        # Form 02/TCD is the state reception's receipt (Decree 154/2026).
        tr._(
            "your written petition, if you have one, and the documents about your matter, "
            "originals and copies (you get a receipt for the papers you hand in)"
        )
        if registration.track is Track.PARTY
        else tr._(
            "your written petition, if you have one, and the documents about your matter, "
            "originals and copies (you get a receipt, form 02/TCD, for the papers you hand in)"
        )
    )
    bring = [tr._("your identity card (căn cước) or VNeID"), papers]
    if registration.representatives:
        bring.append(
            tr._("the paper, signed by the whole group, that appoints the representatives")
        )
    bring.append(
        tr._(
            "if you come for someone else: the power of attorney, or the papers that prove "
            "you are their legal representative"
        )
    )
    return tr._("Please bring: {items}.", items="; ".join(bring))


def conduct(tr: Translator) -> str:
    return tr._(
        "At the reception place there is a security check; do not bring weapons or dangerous "
        "items; record or film only as the host allows, and follow the posted rules."
    )


def party_answer(tr: Translator) -> str:
    return tr._(
        "This is the reception of a Party committee's head (Regulation 11-QĐi/TW): the official "
        "answer on your matter is the committee's written notice; messages here only keep you "
        "informed."
    )
