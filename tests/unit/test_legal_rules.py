"""The legal rules as data: refusal grounds, per-kind deadlines and written notices, delegation
and the minimum reception frequencies, each against the instrument that sets it
(docs/legal-basis.md)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot import config as configuration
from bot.config import ConfigError
from bot.core import deadlines, refusals, triage
from bot.core.content import RefusalText
from bot.core.deadlines import Deadlines, NoticeForm
from bot.core.model import (
    LeaderRole,
    RegistrationStatus,
    RegistrationView,
    RequestKind,
    Track,
    Unit,
    UnitKind,
    UnitLevel,
)
from bot.core.refusals import Misfit, Stage
from bot.core.triage import OutcomeType
from bot.core.workdays import WorkCalendar
from bot.dialogue.officer.decisions import DECISIONS
from bot.records.frequency import DEFAULT_MINIMUMS, Per, stretches

WORK = WorkCalendar()
LAW = Deadlines()
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
K = RequestKind

# --- refusal grounds -------------------------------------------------------------------------

# code -> (article, tracks, stages, written notice 01/TCD, kinds)
STATE, PARTY = Track.STATE, Track.PARTY
BOTH = frozenset({STATE, PARTY})
ONLY_STATE = frozenset({STATE})
DOSSIER, RECEPTION = Stage.DOSSIER, Stage.RECEPTION
ANY = frozenset(K)
GROUNDS_OF_THE_LAW = {
    "incapacitated": ("law-9.1", BOTH, {RECEPTION}, False, ANY),
    "misconduct": ("law-9.2", BOTH, {RECEPTION}, False, ANY),
    "resolved": (
        "law-9.3",
        ONLY_STATE,
        {DOSSIER, RECEPTION},
        True,
        {K.COMPLAINT, K.DENUNCIATION},
    ),
    "weapons": ("decree-154-4.a", BOTH, {RECEPTION}, False, ANY),
    "security_check": ("decree-154-4.b", BOTH, {RECEPTION}, False, ANY),
    "filming": ("decree-154-4.c", BOTH, {RECEPTION}, False, ANY),
    "disorder": ("decree-154-4.d", BOTH, {RECEPTION}, False, ANY),
    "no_capacity": ("decree-154-4.đ", ONLY_STATE, {DOSSIER, RECEPTION}, False, ANY),
    "no_authority": ("decree-154-4.e", ONLY_STATE, {DOSSIER, RECEPTION}, False, ANY),
    "not_request": ("decree-154-4.g", BOTH, {DOSSIER, RECEPTION}, False, ANY),
    "answered": (
        "decree-154-4.h",
        ONLY_STATE,
        {DOSSIER, RECEPTION},
        True,
        {K.PETITION, K.FEEDBACK},
    ),
    "judgment": ("decree-154-4.i", ONLY_STATE, {DOSSIER, RECEPTION}, False, ANY),
    "handled_elsewhere": ("decree-154-4.k", ONLY_STATE, {DOSSIER, RECEPTION}, False, ANY),
    "outside": ("law-28", BOTH, {DOSSIER}, False, ANY),
}


def test_the_grounds_are_exactly_law_article_9_and_decree_154_article_4() -> None:
    assert set(refusals.BY_CODE) == set(GROUNDS_OF_THE_LAW)
    points = [g.article for g in refusals.GROUNDS if g.article.startswith("decree")]
    assert [p.rsplit(".", 1)[1] for p in points] == list("abcdđeghik")
    assert [g.article for g in refusals.GROUNDS if g.article.startswith("law-9")] == [
        "law-9.1",
        "law-9.2",
        "law-9.3",
    ]


@pytest.mark.parametrize("code", sorted(GROUNDS_OF_THE_LAW))
def test_each_ground_has_its_track_stage_kinds_and_written_notice(code: str) -> None:
    article, tracks, stages, written, kinds = GROUNDS_OF_THE_LAW[code]
    ground = refusals.ground(code)
    assert ground is not None
    assert ground.article == article
    assert ground.tracks == tracks
    assert ground.stages == frozenset(stages)
    assert ground.written_notice is written
    assert ground.kinds == frozenset(kinds)
    # Decree 154/2026 is known from one transcription: every one of its points says so.
    assert ground.single_source is article.startswith("decree-154")


def test_only_law_9_3_and_decree_point_h_call_for_form_01_tcd() -> None:
    assert {g.code for g in refusals.GROUNDS if g.written_notice} == {"resolved", "answered"}


def test_no_ground_of_the_law_is_the_basis_of_a_party_refusal_except_conduct_and_scope() -> None:
    party = {g.code for g in refusals.GROUNDS if Track.PARTY in g.tracks}
    assert party == {
        "incapacitated",
        "misconduct",
        "weapons",
        "security_check",
        "filming",
        "disorder",
        "not_request",
        "outside",
    }


@pytest.mark.parametrize(
    ("code", "track", "stage", "kind", "misfit"),
    [
        ("resolved", Track.PARTY, Stage.DOSSIER, K.COMPLAINT, Misfit.TRACK),
        ("resolved", Track.STATE, Stage.DOSSIER, K.PETITION, Misfit.KIND),
        ("answered", Track.STATE, Stage.DOSSIER, K.COMPLAINT, Misfit.KIND),
        ("weapons", Track.STATE, Stage.DOSSIER, K.COMPLAINT, Misfit.STAGE),
        ("outside", Track.STATE, Stage.RECEPTION, K.COMPLAINT, Misfit.STAGE),
        ("judgment", Track.PARTY, Stage.RECEPTION, K.COMPLAINT, Misfit.TRACK),
        ("resolved", Track.STATE, Stage.RECEPTION, K.DENUNCIATION, None),
        ("answered", Track.STATE, Stage.DOSSIER, K.FEEDBACK, None),
        ("weapons", Track.PARTY, Stage.RECEPTION, K.PETITION, None),
    ],
)
def test_a_ground_fits_its_track_stage_and_kind_only(
    code: str, track: Track, stage: Stage, kind: RequestKind, misfit: Misfit | None
) -> None:
    ground = refusals.ground(code)
    assert ground is not None
    assert refusals.misfit(ground, track, stage, kind) is misfit
    assert (ground in refusals.usable(track, stage, kind)) is (misfit is None)


def test_grounds_are_found_by_code_whatever_the_case() -> None:
    assert refusals.ground(" Resolved ") is refusals.BY_CODE["resolved"]
    assert refusals.ground("repeat") is None


def test_the_written_refusal_notice_is_due_3_working_days_after_the_refusal() -> None:
    # Thursday 10 December 2026: Fri 11, Mon 14, Tue 15.
    duty = deadlines.after_refusal(refusals.BY_CODE["resolved"], date(2026, 12, 10), LAW, WORK)
    assert duty is not None
    assert duty.form is NoticeForm.REFUSAL
    assert duty.due == date(2026, 12, 15)
    assert duty.changes() == {
        "notice_form": "refusal",
        "notice_due": date(2026, 12, 15),
        "notice_letter": "",
        "notice_issued_on": None,
    }


@pytest.mark.parametrize("code", sorted(set(GROUNDS_OF_THE_LAW) - {"resolved", "answered"}))
def test_no_other_refusal_owes_a_written_notice(code: str) -> None:
    assert deadlines.after_refusal(refusals.BY_CODE[code], MONDAY, LAW, WORK) is None


def test_the_refusal_notice_deadline_skips_the_tet_holiday() -> None:
    # Wednesday 3 February 2027; Tết closes offices from Thursday 4 to Wednesday 10 February:
    # Thu 11, Fri 12, Mon 15.
    duty = deadlines.after_refusal(refusals.BY_CODE["answered"], date(2027, 2, 3), LAW, WORK)
    assert duty is not None and duty.due == date(2027, 2, 15)


@pytest.mark.parametrize(
    ("code", "track", "kind", "transferred"),
    [
        ("outside", Track.PARTY, K.COMPLAINT, True),
        ("outside", Track.STATE, K.DENUNCIATION, True),
        ("outside", Track.STATE, K.COMPLAINT, False),
        ("not_request", Track.PARTY, K.COMPLAINT, False),
    ],
)
def test_outside_competence_is_transferred_on_the_party_track_and_for_a_denunciation(
    code: str, track: Track, kind: RequestKind, transferred: bool
) -> None:
    assert refusals.transferred_instead(refusals.BY_CODE[code], track, kind) is transferred


# --- deadlines by kind of request -----------------------------------------------------------

MONDAY = date(2026, 11, 30)


@pytest.mark.parametrize(
    ("kind", "days", "due"),
    [
        (K.COMPLAINT, 10, date(2026, 12, 14)),
        (K.DENUNCIATION, 7, date(2026, 12, 9)),
        (K.PETITION, 10, date(2026, 12, 14)),
        (K.FEEDBACK, 10, date(2026, 12, 14)),
    ],
)
def test_each_kind_has_its_own_answer_deadline(kind: RequestKind, days: int, due: date) -> None:
    assert LAW.to_answer(kind) == days
    assert LAW.answer_due(kind, MONDAY, WORK) == due


def test_a_denunciation_may_take_10_working_days_at_most_and_is_forwarded_within_5() -> None:
    # Extended from its current deadline (Wed 9 Dec, or later after a pause) by 3 working days.
    assert LAW.extended(date(2026, 12, 9), WORK) == date(2026, 12, 14)
    since = deadlines.Received(MONDAY)
    duty = deadlines.after_transfer(_registration(K.DENUNCIATION), since, LAW, WORK)
    assert duty is not None
    assert (duty.form, duty.due) == (NoticeForm.DENUNCIATION_FORWARD, date(2026, 12, 7))


def test_a_configured_deadline_is_used() -> None:
    faster = Deadlines(complaint=5)
    assert faster.answer_due(K.COMPLAINT, MONDAY, WORK) == date(2026, 12, 7)


def test_a_transfer_on_the_party_track_owes_the_heads_written_notice_within_10_days() -> None:
    since = deadlines.Received(MONDAY)
    for kind in K:
        duty = deadlines.after_transfer(
            _registration(kind, UnitKind.PARTY_COMMITTEE), since, LAW, WORK
        )
        assert duty is not None, kind
        assert (duty.form, duty.due) == (NoticeForm.PARTY_ANSWER, date(2026, 12, 14)), kind


def test_the_party_heads_notice_stands_still_while_the_officers_wait_for_the_citizen() -> None:
    """Submitted Mon 30 Nov, due Mon 14 Dec; 3 working days waiting for the citizen's answer
    moved the registration's deadline to Thu 17 Dec: the head's notice moves with it."""
    party = replace(
        _registration(K.PETITION, UnitKind.PARTY_COMMITTEE), due_date=date(2026, 12, 17)
    )
    since = deadlines.received(party, ZONE, LAW, WORK)
    assert since == deadlines.Received(MONDAY, paused=3)
    duty = deadlines.after_transfer(party, since, LAW, WORK)
    assert duty is not None and duty.due == date(2026, 12, 17)


def test_a_transfer_on_the_state_track_owes_no_written_notice_except_for_a_denunciation() -> None:
    since = deadlines.Received(MONDAY)
    assert deadlines.after_transfer(_registration(K.COMPLAINT), since, LAW, WORK) is None


@pytest.mark.parametrize(
    ("unit_kind", "outcome", "ground", "expected"),
    [
        (UnitKind.PARTY_COMMITTEE, OutcomeType.ACCEPTED, None, (NoticeForm.PARTY_ANSWER, 29)),
        (UnitKind.PARTY_COMMITTEE, OutcomeType.TRANSFERRED, None, (NoticeForm.PARTY_ANSWER, 29)),
        (UnitKind.PEOPLES_COMMITTEE, OutcomeType.ACCEPTED, None, None),
        (UnitKind.PEOPLES_COMMITTEE, OutcomeType.TRANSFERRED, None, None),
        (UnitKind.PEOPLES_COMMITTEE, OutcomeType.REFUSED, "resolved", (NoticeForm.REFUSAL, 18)),
        (UnitKind.PARTY_COMMITTEE, OutcomeType.REFUSED, "weapons", None),
        (UnitKind.PEOPLES_COMMITTEE, OutcomeType.ANSWERED, None, None),
    ],
)
def test_a_receptions_result_owes_its_notice_from_the_reception_day(
    unit_kind: UnitKind,
    outcome: OutcomeType,
    ground: str | None,
    expected: tuple[NoticeForm, int] | None,
) -> None:
    """Received at the session of Tue 15 Dec 2026, whenever the result is typed in: the
    refusal notice by Fri 18 Dec, the Party head's notice by Tue 29 Dec."""
    received = replace(
        _registration(K.COMPLAINT, unit_kind),
        session_starts_at=datetime(2026, 12, 15, 1, tzinfo=UTC),
    )
    duty = deadlines.after_outcome(
        received,
        outcome,
        refusals.BY_CODE[ground] if ground else None,
        ZONE,
        LAW,
        WORK,
    )
    if expected is None:
        assert duty is None
    else:
        assert duty is not None
        assert (duty.form, duty.due) == (expected[0], date(2026, 12, expected[1]))


def _registration(
    kind: RequestKind, unit_kind: UnitKind = UnitKind.PEOPLES_COMMITTEE
) -> RegistrationView:
    at = datetime(2026, 11, 30, 2, tzinfo=UTC)
    return RegistrationView(
        id=1,
        code="K7MQ-X4PG",
        citizen_id=1,
        kind=kind,
        status=RegistrationStatus.SUBMITTED,
        full_name="Nguyễn Văn An",
        summary="…",
        request="…",
        people_count=1,
        leader_name="Lãnh đạo",
        leader_title="Chủ tịch",
        session_id=1,
        session_starts_at=at,
        session_location="Trụ sở",
        submitted_at=at,
        due_date=MONDAY,
        unit_kind=unit_kind,
    )


def test_the_track_follows_the_unit_kind() -> None:
    assert _registration(K.COMPLAINT, UnitKind.PARTY_COMMITTEE).track is Track.PARTY
    assert _registration(K.COMPLAINT, UnitKind.PEOPLES_COMMITTEE).track is Track.STATE
    assert _registration(K.COMPLAINT, UnitKind.AGENCY).track is Track.STATE


def test_a_notice_is_pending_until_it_is_issued() -> None:
    owed = replace(_registration(K.COMPLAINT), notice_form="refusal", notice_due=MONDAY)
    assert owed.notice_pending
    assert not replace(owed, notice_issued_on=MONDAY).notice_pending
    assert not _registration(K.COMPLAINT).notice_pending


# --- delegation (tiếp thay) ------------------------------------------------------------------


def _unit(kind: UnitKind, code: str = "u") -> Unit:
    return Unit(1, code, "Đơn vị", kind, UnitLevel.PROVINCE, None)


@pytest.mark.parametrize(
    ("kind", "allowed"),
    [
        (UnitKind.PEOPLES_COMMITTEE, False),
        (UnitKind.AGENCY, False),
        (UnitKind.PARTY_COMMITTEE, True),
    ],
)
def test_no_head_of_a_state_body_may_delegate_by_default(kind: UnitKind, allowed: bool) -> None:
    assert triage.delegation_allowed(_unit(kind), frozenset(), frozenset()) is allowed


def test_the_configuration_allows_an_agency_or_forbids_a_party_committee() -> None:
    agency = _unit(UnitKind.AGENCY, "so-tnmt")
    party = _unit(UnitKind.PARTY_COMMITTEE, "tinh-uy")
    assert triage.delegation_allowed(agency, frozenset(), frozenset({"so-tnmt"}))
    assert not triage.delegation_allowed(party, frozenset({"tinh-uy"}), frozenset())
    # Forbidding wins over allowing.
    assert not triage.delegation_allowed(agency, frozenset({"so-tnmt"}), frozenset({"so-tnmt"}))


# --- minimum reception frequencies -----------------------------------------------------------


def _required(role: LeaderRole, level: UnitLevel, first: date, last: date) -> list[int | None]:
    return [s.required for s in stretches(DEFAULT_MINIMUMS, role, level, first, last, ())]


def test_the_commune_party_head_owes_2_days_a_month_only_from_conclusion_215() -> None:
    """Regulation 11 of 2019 bound the heads of province and district Party committees; the
    commune Party head's two days a month come from Conclusion 215-KL/TW of 23/11/2025."""
    secretary, commune = LeaderRole.PARTY_SECRETARY, UnitLevel.COMMUNE
    assert _required(secretary, commune, date(2025, 10, 1), date(2025, 10, 31)) == []
    # November 2025 is only partly under the conclusion: no month-long duty to check.
    assert _required(secretary, commune, date(2025, 11, 1), date(2025, 11, 30)) == []
    assert _required(secretary, commune, date(2025, 12, 1), date(2025, 12, 31)) == [2]
    short = stretches(
        DEFAULT_MINIMUMS,
        secretary,
        commune,
        date(2025, 12, 1),
        date(2025, 12, 31),
        {date(2025, 12, 15)},
    )
    assert [(s.per, s.held, s.short) for s in short] == [(Per.MONTH, 1, True)]


def test_the_provincial_party_head_owes_one_day_a_month_since_2019() -> None:
    secretary, province = LeaderRole.PARTY_SECRETARY, UnitLevel.PROVINCE
    assert _required(secretary, province, date(2019, 1, 1), date(2019, 1, 31)) == []
    assert _required(secretary, province, date(2019, 3, 1), date(2019, 3, 31)) == [1]
    assert _required(secretary, province, date(2025, 11, 1), date(2025, 11, 30)) == [1]


def test_the_commune_chair_goes_from_weekly_to_twice_a_month_on_1_july_2026() -> None:
    chair, commune = LeaderRole.COMMITTEE_CHAIR, UnitLevel.COMMUNE
    june = stretches(DEFAULT_MINIMUMS, chair, commune, date(2026, 6, 1), date(2026, 6, 30), ())
    assert {(s.per, s.required) for s in june} == {(Per.WEEK, 1)}
    july = stretches(DEFAULT_MINIMUMS, chair, commune, date(2026, 7, 1), date(2026, 7, 31), ())
    assert [(s.per, s.required) for s in july] == [(Per.MONTH, 2)]


def test_the_officers_help_names_every_ground_where_it_can_be_used() -> None:
    def named(text: str) -> set[str]:
        return {word for word in re.findall(r"[a-z_]+", text) if word in refusals.BY_CODE}

    dossier = {g.code for g in refusals.GROUNDS if Stage.DOSSIER in g.stages}
    only_at_reception = {g.code for g in refusals.GROUNDS if g.stages == {Stage.RECEPTION}}
    assert named(DECISIONS["reject"].what) == dossier
    # The outcome types are named there too, and one of them is also a ground: "answered".
    outcome_types = {outcome.value for outcome in OutcomeType}
    assert named(DECISIONS["outcome"].what) - outcome_types == only_at_reception


def test_a_party_refusal_never_falls_back_to_the_laws_basis() -> None:
    """A Party-track registration refused before grounds had tracks (on "judgment", say)
    cites no basis rather than the Law on Citizen Reception."""
    text = RefusalText("judgment", "Title", "Explanation", "Luật Tiếp công dân, Điều 9")
    assert text.basis_for(party=False) == "Luật Tiếp công dân, Điều 9"
    assert text.basis_for(party=True) == ""


def test_an_extension_must_give_a_denunciation_more_time() -> None:
    with pytest.raises(ConfigError, match="denunciation_extended must be longer"):
        configuration.parse({"deadlines": {"denunciation": 7, "denunciation_extended": 7}}, {})
    parsed = configuration.parse({"deadlines": {"complaint": 5}}, {})
    assert Deadlines(**parsed.deadlines.model_dump()).to_answer(K.COMPLAINT) == 5
