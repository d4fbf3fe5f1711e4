"""What each error code of Zalo's APIs means for a message, as data: the Bot Platform's,
the OA API's and ZNS's; every entry names its source (docs/zalo.md, "Error codes").

A code not listed is logged once with the raw answer, and read by its HTTP class: 401 the
token, 429 too many calls, 408 and 5xx the service in trouble (try again later), another 4xx
a refusal of this message, and an error answered with 200 as its API's table says.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

log = logging.getLogger(__name__)

# Zalo's own table of OA API errors (docs.zaloplatforms.com mirrors developers.zalo.me).
OA_TABLE = "https://developers.zalo.me/docs/official-account/phu-luc/ma-loi"
# The conditions of consultation messages: the citizen wrote within 7 days.
OA_WINDOW = (
    "https://developers.zalo.me/docs/official-account/tin-nhan/tin-tu-van/dieu-kien-gui-tin-tu-van"
)
# Zalo's table of ZNS errors, with what to do about each.
ZNS_TABLE = "https://zalo.cloud/zns/guidelines/handle-error-code"
# The Bot Platform documents no codes but 408 for an empty long poll (its documentation, a
# copy of 10/12/2025); its answers mirror HTTP's statuses, read by their meaning.
BOT_DOCS = "https://bot.zaloplatforms.com/docs/build-your-bot/"
HTTP = "https://www.rfc-editor.org/rfc/rfc9110#name-status-codes"
# A help desk's table for the OA API before v3: some codes meant other things then.
CARESOFT = "https://doc.caresoft.vn/danh-sach-tinh-nang/zalo/bang-ma-khi-gui-tin-nhan-theo-zalo-id"


class Meaning(StrEnum):
    """What a refusal says, and so what becomes of the message."""

    TOKEN = "token"  # the access token was refused: renew it, try again
    FLOOD = "flood"  # too many calls: wait a little, try again
    LATER = "later"  # the service is in trouble: try again later
    NIGHT = "night"  # not sent at night (22:00-06:00): try again in an hour
    WINDOW = "window"  # this citizen cannot be written to by consultation message now
    QUOTA = "quota"  # the OA's or the recipient's quota is used up
    GONE = "gone"  # the citizen can no longer receive anything from the OA
    SETUP = "setup"  # the OA or the app is not set up for this: an administrator must act
    REFUSED = "refused"  # this message is wrong; sending it again changes nothing


@dataclass(frozen=True, slots=True)
class ErrorCode:
    code: int
    message: str
    meaning: Meaning
    source: str


def _table(*entries: tuple[int, str, Meaning, str]) -> Mapping[int, ErrorCode]:
    return {
        code: ErrorCode(code, message, meaning, source)
        for code, message, meaning, source in entries
    }


BOT_ERRORS: Mapping[int, ErrorCode] = _table(
    (400, "Bad Request", Meaning.REFUSED, HTTP),
    # A token being replaced in the console: the message waits for the new one.
    (401, "Unauthorized", Meaning.LATER, HTTP),
    (403, "Forbidden: the user blocked the bot", Meaning.GONE, HTTP),
    (404, "Not Found: no such chat", Meaning.REFUSED, HTTP),
    (408, "Request Timeout (getUpdates: nothing new)", Meaning.LATER, BOT_DOCS),
    (413, "Content Too Large", Meaning.REFUSED, HTTP),
    (429, "Too Many Requests", Meaning.FLOOD, HTTP),
)

OA_ERRORS: Mapping[int, ErrorCode] = _table(
    (-32, "Your application (or OA) reached limit call api", Meaning.FLOOD, OA_TABLE),
    (-100, "attachment_id was expired", Meaning.REFUSED, OA_TABLE),
    (-200, "Send message failed", Meaning.LATER, OA_TABLE),
    # -201 meant an invalid access token before v3 (CARESOFT); v3 names the field at fault.
    (-201, "<field> is invalid!", Meaning.REFUSED, OA_TABLE),
    (-204, "Offical Account is disable", Meaning.SETUP, OA_TABLE),
    (-205, "Offical Account is not exist", Meaning.SETUP, OA_TABLE),
    (-209, "Not supported this api", Meaning.SETUP, OA_TABLE),
    (-210, "Parameter exceeds allowable limit", Meaning.REFUSED, OA_TABLE),
    (-211, "Out of quota", Meaning.QUOTA, OA_TABLE),
    (-212, "App has not registed this api", Meaning.SETUP, OA_TABLE),
    (-213, "User has not followed OA", Meaning.GONE, OA_TABLE),
    (-216, "Access token is invalid", Meaning.TOKEN, OA_TABLE),
    (-217, "User has blocked invitation from OA", Meaning.GONE, OA_TABLE),
    (-218, "Out of quota receive", Meaning.QUOTA, OA_TABLE),
    (-219, "App is removed or disabled", Meaning.SETUP, OA_TABLE),
    (-220, "access_token is expired or removed", Meaning.TOKEN, OA_TABLE),
    (-221, "The OA needs to be verified to use this feature", Meaning.SETUP, OA_TABLE),
    (-223, "Official Account has not authorized this API", Meaning.SETUP, OA_TABLE),
    (-224, "The OA needs to upgrade OA Tier Package", Meaning.SETUP, OA_TABLE),
    (-227, "User is banned or has been inactive for more than 45 days", Meaning.GONE, OA_TABLE),
    (-230, "User has not interacted with the OA in the past 7 days", Meaning.WINDOW, OA_WINDOW),
    (
        -232,
        "User has not interacted with the OA, or the last interaction has expired",
        Meaning.WINDOW,
        OA_TABLE,
    ),
    (-233, "message type is invalid or not support", Meaning.REFUSED, OA_TABLE),
    (-234, "This message cannot be sent at night (10:00PM - 6:00AM)", Meaning.NIGHT, OA_TABLE),
    (-235, "This API does not support this type of OA", Meaning.SETUP, OA_TABLE),
    (
        -240,
        "MessageV2 API has been shut down, please switch to MessageV3",
        Meaning.SETUP,
        OA_TABLE,
    ),
    (-242, "Invalid appsecret_proof provided in the API argument", Meaning.SETUP, OA_TABLE),
    # Consultation messages refused, not the OA: another way (ZNS) may still reach them.
    (-244, "User has restricted this message type from your OA", Meaning.WINDOW, OA_TABLE),
    (-248, "Violates our platform standards", Meaning.REFUSED, OA_TABLE),
    (-320, "Your app needs to connect with Zalo Cloud Account", Meaning.SETUP, OA_TABLE),
    # ZNS is charged to the same account: nothing paid goes until an administrator acts.
    (-321, "Zalo Cloud Account out of money or unable to be charged", Meaning.SETUP, OA_TABLE),
    # ZNS's code for a refused token, which the OA API gave before v3 too; renewing the token
    # costs one call, keeping a dead one loses every message.
    (-124, "Access token invalid", Meaning.TOKEN, ZNS_TABLE),
)

ZNS_ERRORS: Mapping[int, ErrorCode] = _table(
    (-32, "Your application reached limit call api", Meaning.FLOOD, OA_TABLE),
    (-100, "Unknown error", Meaning.LATER, ZNS_TABLE),
    (-101, "Application invalid", Meaning.SETUP, ZNS_TABLE),
    (-102, "Application not existed", Meaning.SETUP, ZNS_TABLE),
    (-103, "Application not activated", Meaning.SETUP, ZNS_TABLE),
    (-104, "App secret key invalid", Meaning.SETUP, ZNS_TABLE),
    (-105, "Application not link to any OA", Meaning.SETUP, ZNS_TABLE),
    (-108, "Phone number invalid", Meaning.REFUSED, ZNS_TABLE),
    (-109, "Template ID invalid", Meaning.SETUP, ZNS_TABLE),
    (-110, "Zalo version unsupported", Meaning.GONE, ZNS_TABLE),
    (-111, "Template data empty", Meaning.REFUSED, ZNS_TABLE),
    (-112, "Template data invalid", Meaning.REFUSED, ZNS_TABLE),
    (
        -114,
        "User is inactive, or rejects the message, or uses an outdated Zalo",
        Meaning.GONE,
        ZNS_TABLE,
    ),
    (-115, "Out of quota", Meaning.QUOTA, ZNS_TABLE),
    (-116, "Text invalid", Meaning.REFUSED, ZNS_TABLE),
    (-117, "No permission to access the template", Meaning.SETUP, ZNS_TABLE),
    (-118, "Zalo account does not exist or is deactivated", Meaning.GONE, ZNS_TABLE),
    (-119, "Account cannot receive message", Meaning.GONE, ZNS_TABLE),
    (-120, "OA has no permission for this feature", Meaning.SETUP, ZNS_TABLE),
    (-124, "Access token invalid", Meaning.TOKEN, ZNS_TABLE),
    (-125, "Official Account ID invalid", Meaning.SETUP, ZNS_TABLE),
    (-131, "ZNS template not approved", Meaning.SETUP, ZNS_TABLE),
    (-133, "Cannot send at night (22:00-06:00)", Meaning.NIGHT, ZNS_TABLE),
    (-135, "OA has no permission to send ZNS", Meaning.SETUP, ZNS_TABLE),
    (-137, "Charge failed: not enough balance", Meaning.QUOTA, ZNS_TABLE),
    (-139, "User refused this kind of ZNS", Meaning.GONE, ZNS_TABLE),
    (-141, "User refused ZNS from this OA", Meaning.GONE, ZNS_TABLE),
    (-144, "OA exceeded its daily ZNS limit", Meaning.QUOTA, ZNS_TABLE),
    (-146, "Template disabled for low sending quality", Meaning.SETUP, ZNS_TABLE),
    (-147, "Template exceeded its daily sending limit", Meaning.QUOTA, ZNS_TABLE),
)

_reported: set[tuple[str, int]] = set()


def meaning(
    table: Mapping[int, ErrorCode],
    api: str,
    code: int,
    status: int,
    raw: str = "",
    *,
    undocumented: Meaning = Meaning.REFUSED,
) -> Meaning:
    """What ``code`` (answered with HTTP ``status``) means in ``table``; a code the table
    does not know is logged once per API and code, with the raw answer, and read by its
    HTTP class (``undocumented`` for an error answered with a success status)."""
    known = table.get(code)
    if known is not None:
        return known.meaning
    if (api, code) not in _reported:
        _reported.add((api, code))
        log.warning(
            "Zalo %s answered an error code not in its table (HTTP %s, code %s): %s",
            api,
            status,
            code,
            raw[:500],
        )
    if status == 401:
        return Meaning.TOKEN
    if status == 429:
        return Meaning.FLOOD
    if status >= 500 or status == 408:
        return Meaning.LATER
    return Meaning.REFUSED if status >= 400 else undocumented
