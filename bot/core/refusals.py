"""The grounds on which a citizen may be refused, each as the law states it, as data.

A ground says on which track it may be used (the Law's grounds are never the basis of a Party
committee head's reception under Regulation 11-QĐi/TW), when it can be known (from the
registration, or only from the citizen's conduct at the reception), to which kinds of request
it applies, and whether the head must follow it with the written notice of form 01/TCD within
3 working days. How each ground reads, with its basis, is in
``bot/locales/<locale>/content/refusals.toml`` under the same code.

Decree 154/2026/NĐ-CP is known from one transcription only: its points are flagged
``single_source`` and citizens are told so (docs/legal-basis.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from bot.core.model import RequestKind, Track

ALL_KINDS = frozenset(RequestKind)
STATE_ONLY = frozenset({Track.STATE})
BOTH_TRACKS = frozenset(Track)


class Stage(StrEnum):
    """When a ground can be established."""

    # From the registration itself, before the session (/reject).
    DOSSIER = "dossier"
    # From what happens at the reception place (/outcome CODE refused GROUND).
    RECEPTION = "reception"


BOTH_STAGES = frozenset(Stage)
AT_RECEPTION = frozenset({Stage.RECEPTION})


@dataclass(frozen=True, slots=True)
class Ground:
    code: str
    # Where the law states it: "law-9.1", "decree-154-4.h", ...
    article: str
    tracks: frozenset[Track]
    stages: frozenset[Stage]
    kinds: frozenset[RequestKind] = ALL_KINDS
    # The head issues form 01/TCD (Thông báo từ chối tiếp công dân) within 3 working days.
    written_notice: bool = False
    # Known from one transcription of the text only.
    single_source: bool = False
    # Not a refusal of the matter but of this body's competence: the citizen is guided to
    # the competent body (state track), or the matter transferred to it (Party track).
    outside_competence: bool = False

    def fits(self, track: Track, stage: Stage, kind: RequestKind) -> bool:
        return track in self.tracks and stage in self.stages and kind in self.kinds


COMPLAINTS_AND_DENUNCIATIONS = frozenset({RequestKind.COMPLAINT, RequestKind.DENUNCIATION})
PETITIONS_AND_FEEDBACK = frozenset({RequestKind.PETITION, RequestKind.FEEDBACK})

GROUNDS: tuple[Ground, ...] = (
    # Law on Citizen Reception Art. 9.
    Ground("incapacitated", "law-9.1", BOTH_TRACKS, AT_RECEPTION),
    Ground("misconduct", "law-9.2", BOTH_TRACKS, AT_RECEPTION),
    Ground(
        "resolved",
        "law-9.3",
        STATE_ONLY,
        BOTH_STAGES,
        COMPLAINTS_AND_DENUNCIATIONS,
        written_notice=True,
    ),
    # Decree 154/2026/NĐ-CP Art. 4: the "other cases provided by law" of Art. 9 cl. 4.
    Ground("weapons", "decree-154-4.a", BOTH_TRACKS, AT_RECEPTION, single_source=True),
    Ground("security_check", "decree-154-4.b", BOTH_TRACKS, AT_RECEPTION, single_source=True),
    Ground("filming", "decree-154-4.c", BOTH_TRACKS, AT_RECEPTION, single_source=True),
    Ground("disorder", "decree-154-4.d", BOTH_TRACKS, AT_RECEPTION, single_source=True),
    Ground("no_capacity", "decree-154-4.đ", STATE_ONLY, BOTH_STAGES, single_source=True),
    Ground("no_authority", "decree-154-4.e", STATE_ONLY, BOTH_STAGES, single_source=True),
    Ground("not_request", "decree-154-4.g", BOTH_TRACKS, BOTH_STAGES, single_source=True),
    Ground(
        "answered",
        "decree-154-4.h",
        STATE_ONLY,
        BOTH_STAGES,
        PETITIONS_AND_FEEDBACK,
        written_notice=True,
        single_source=True,
    ),
    Ground("judgment", "decree-154-4.i", STATE_ONLY, BOTH_STAGES, single_source=True),
    Ground("handled_elsewhere", "decree-154-4.k", STATE_ONLY, BOTH_STAGES, single_source=True),
    # Law Arts. 8 and 28 (guidance); Regulation 11-QĐi/TW Art. 5 (transfer).
    Ground(
        "outside",
        "law-28",
        BOTH_TRACKS,
        frozenset({Stage.DOSSIER}),
        outside_competence=True,
    ),
)

BY_CODE: Mapping[str, Ground] = {ground.code: ground for ground in GROUNDS}


def ground(code: str) -> Ground | None:
    return BY_CODE.get(code.strip().lower())


def usable(track: Track, stage: Stage, kind: RequestKind) -> tuple[Ground, ...]:
    """The grounds an officer may choose for a registration of ``kind`` on ``track``."""
    return tuple(g for g in GROUNDS if g.fits(track, stage, kind))


class Misfit(StrEnum):
    """Why a known ground does not fit a registration."""

    TRACK = "track"
    STAGE = "stage"
    KIND = "kind"


def misfit(g: Ground, track: Track, stage: Stage, kind: RequestKind) -> Misfit | None:
    if track not in g.tracks:
        return Misfit.TRACK
    if stage not in g.stages:
        return Misfit.STAGE
    if kind not in g.kinds:
        return Misfit.KIND
    return None


def transferred_instead(g: Ground, track: Track, kind: RequestKind) -> bool:
    """A matter outside competence is not refused on the Party track (Regulation 11-QĐi/TW
    Art. 5), nor when it is a denunciation (Law on Denunciations Art. 24): it is transferred
    to the competent body."""
    return g.outside_competence and (track is Track.PARTY or kind is RequestKind.DENUNCIATION)
