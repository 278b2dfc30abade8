"""Policies as data: grading scale, checklists, disposition rules and refund policy.

A warehouse changes how units are graded, what inspectors are asked, where units go and what
customers get back by replacing four TOML files in its policy folder, without code changes.
``load_policies`` reads and cross-checks all four at start; every problem is a ``PolicyError``
naming the file and the key, e.g. ``refunds.toml: grade_deductions.C.percent: must be between 0
and 100``. Entries of a list are numbered from 1, as a person counts ``[[rules]]`` blocks.

Money and percentages are written as quoted strings (or whole numbers) and read as ``Decimal``;
an unquoted ``12.5`` is a binary float, so it is refused rather than silently rounded.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import TypeVar

from returnsdesk.domain.errors import PolicyError
from returnsdesk.domain.money import Money
from returnsdesk.domain.return_window import ReturnWindow, WindowBasis, customer_tier
from returnsdesk.domain.vocabulary import Disposition, InspectionFlag, RefundStatus
from returnsdesk.domain.weighing import WeightCheck

GRADING_FILE = "grading.toml"
CHECKLISTS_FILE = "checklists.toml"
DISPOSITIONS_FILE = "dispositions.toml"
REFUNDS_FILE = "refunds.toml"

ANY = "*"  # in a list of categories, reasons or grades: matches every value

ITEM_NOT_RETURNED = "Item not returned"
WRONG_ITEM_RETURNED = "Wrong item returned"
SERIAL_MISMATCH = "Serial number does not match the unit shipped"
WITHIN_POLICY = "Within policy"

# Text limits keep values inside the database columns they are stored in.
_GRADE_CODE = re.compile(r"\S{1,8}")
_QUESTION_ID = re.compile(r"[a-z0-9_]{1,64}")  # a JSON key in every stored checklist
_CURRENCY = re.compile(r"[A-Z]{3}")
_NAME_MAX = 120
_LOCATION_MAX = 64
_REASON_CODE_MAX = 64
_LABEL_MAX = 80
_TEXT_MAX = 200  # deduction reasons, questions: room left for a waiver note in a 300 column
_MAX_GRADES = 9  # one digit key each

_NOT_RETURNED_FLAGS = frozenset({InspectionFlag.MISSING, InspectionFlag.EMPTY_BOX})


# --- grading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Grade:
    code: str
    label: str
    description: str
    key: str  # the digit "1".."9" that selects it at the station, following file order


@dataclass(frozen=True)
class EvidenceRule:
    """Which units need a photo before the inspector may finish them (disputes need evidence)."""

    photo_grades: frozenset[str] = frozenset()
    photo_flags: frozenset[InspectionFlag] = frozenset()

    def photo_required(self, *, grade: str | None, flags: Collection[InspectionFlag]) -> str | None:
        """Why a photo is required for this unit, or None when it is not."""
        if grade is not None and grade in self.photo_grades:
            return f"grade {grade}"
        needing = sorted(flag.label.lower() for flag in flags if flag in self.photo_flags)
        return ", ".join(needing) if needing else None


@dataclass(frozen=True)
class GradingScale:
    grades: tuple[Grade, ...]
    evidence: EvidenceRule = EvidenceRule()
    # Share of graded units (in percent) picked for a blind second grading by another
    # inspector (grader consistency, services/regrades.py); 0: none.
    regrade_percent: Decimal = Decimal(0)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(grade.code for grade in self.grades)

    def by_key(self, key: str) -> Grade | None:
        return next((grade for grade in self.grades if grade.key == key), None)

    def by_code(self, code: str) -> Grade:
        for grade in self.grades:
            if grade.code == code:
                return grade
        raise KeyError(code)


# --- checklists ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChecklistQuestion:
    id: str
    text: str


@dataclass(frozen=True)
class Checklist:
    name: str
    categories: frozenset[str] | None  # None: every category
    reasons: frozenset[str] | None  # None: every reason
    questions: tuple[ChecklistQuestion, ...]


@dataclass(frozen=True)
class Checklists:
    lists: tuple[Checklist, ...]

    @property
    def question_ids(self) -> frozenset[str]:
        return frozenset(q.id for checklist in self.lists for q in checklist.questions)

    def questions_for(self, *, category: str, reason_code: str) -> tuple[ChecklistQuestion, ...]:
        """Questions of every list that applies, in file order; a question asked twice once."""
        questions: dict[str, ChecklistQuestion] = {}
        for checklist in self.lists:
            if _allows(checklist.categories, category) and _allows(checklist.reasons, reason_code):
                for question in checklist.questions:
                    questions.setdefault(question.id, question)
        return tuple(questions.values())


def _allows(allowed: Collection[str] | None, value: str | None) -> bool:
    return allowed is None or value in allowed


# --- amounts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AmountByCurrency:
    """An amount written once for every currency, optionally overridden for some (``JPY``)."""

    default: Decimal
    overrides: Mapping[str, Decimal] = field(default_factory=lambda: MappingProxyType({}))

    def amount(self, currency: str) -> Decimal:
        return self.overrides.get(currency, self.default)

    def money(self, currency: str) -> Money:
        return Money(self.amount(currency), currency)


# --- dispositions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DispositionSuggestion:
    disposition: Disposition
    location: str
    rule: str  # name of the rule that matched, kept with the decision


@dataclass(frozen=True)
class DispositionRule:
    """Where a unit goes when every condition given holds; a condition left as None holds always."""

    name: str
    disposition: Disposition
    location: str
    grades: frozenset[str] | None = None
    categories: frozenset[str] | None = None
    reasons: frozenset[str] | None = None
    flags: frozenset[InspectionFlag] | None = None  # the unit carries at least one of them
    min_value: AmountByCurrency | None = None  # unit value at least this
    max_value: AmountByCurrency | None = None  # unit value below this, so min/max pairs tile
    checklist: Mapping[str, bool] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def is_catch_all(self) -> bool:
        conditions = (self.grades, self.categories, self.reasons, self.flags)
        bounds = (self.min_value, self.max_value)
        return all(c is None for c in conditions + bounds) and not self.checklist

    def matches(
        self,
        *,
        grade: str,
        category: str,
        reason_code: str | None,
        unit_value: Money,
        flags: frozenset[InspectionFlag],
        checklist: Mapping[str, bool],
    ) -> bool:
        currency = unit_value.currency
        return (
            _allows(self.grades, grade)
            and _allows(self.categories, category)
            and _allows(self.reasons, reason_code)
            and (self.flags is None or not self.flags.isdisjoint(flags))
            and (self.min_value is None or unit_value >= self.min_value.money(currency))
            and (self.max_value is None or unit_value < self.max_value.money(currency))
            # An unanswered question matches neither answer.
            and all(checklist.get(q) == answer for q, answer in self.checklist.items())
        )


@dataclass(frozen=True)
class DispositionRules:
    rules: tuple[DispositionRule, ...]
    default: DispositionRule
    locations: Mapping[Disposition, str]

    def suggest(
        self,
        *,
        grade: str,
        category: str,
        reason_code: str | None,
        unit_value: Money,
        flags: frozenset[InspectionFlag],
        checklist: Mapping[str, bool],
    ) -> DispositionSuggestion:
        """The first rule that matches, in file order, else the default."""
        rule = next(
            (
                rule
                for rule in self.rules
                if rule.matches(
                    grade=grade,
                    category=category,
                    reason_code=reason_code,
                    unit_value=unit_value,
                    flags=flags,
                    checklist=checklist,
                )
            ),
            self.default,
        )
        return DispositionSuggestion(rule.disposition, rule.location, rule.name)

    def location_for(self, disposition: Disposition) -> str:
        return self.locations[disposition]


# --- refunds ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReasonCode:
    code: str
    label: str
    waives_deduction: bool  # the shop is at fault: the customer pays no grade deduction


@dataclass(frozen=True)
class GradeDeduction:
    percent: Decimal  # of the price paid
    fee: AmountByCurrency  # fixed amount on top of the percentage
    reason: str  # shown to the customer on the refund line

    def charges(self, currency: str) -> bool:
        return self.percent > 0 or self.fee.amount(currency) > 0

    def on(self, gross: Money) -> Money:
        """The deduction from a rounded gross: never more than the gross, rounded the same way."""
        raw = gross.amount * self.percent / 100 + self.fee.amount(gross.currency)
        # Rounding half-up a value at or below an already-rounded gross cannot pass the gross.
        return Money(min(raw, gross.amount), gross.currency).rounded()


@dataclass(frozen=True)
class UnitRefund:
    gross: Money
    deduction: Money
    amount: Money
    deduction_reason: str


@dataclass(frozen=True)
class RefundReview:
    status: RefundStatus
    reason: str


@dataclass(frozen=True)
class InstantRefundRule:
    """Trusted customers are refunded when their parcel is received; inspection follows and a
    problem it finds opens a recovery case for a lead (never a second refund)."""

    min_returns: int  # completed returns of the customer before this one, none with findings
    max_value: AmountByCurrency  # the parcel's refund (price paid) must be below this

    def applies(self, *, clean_returns: int, returns_with_findings: int, value: Money) -> bool:
        return (
            returns_with_findings == 0
            and clean_returns >= self.min_returns
            and value < self.max_value.money(value.currency)
        )


@dataclass(frozen=True)
class ReturnWindows:
    """Longer return windows for some categories and customer tiers (days from delivery).

    The longest applicable window wins: the return's own (set by the shop), any category of
    its goods, the customer's tier.
    """

    categories: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    tiers: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))

    def days(self, *, base: int, categories: Collection[str], tier: str | None) -> int:
        return self.applying(base=base, categories=categories, tier=tier).days

    def applying(self, *, base: int, categories: Collection[str], tier: str | None) -> ReturnWindow:
        """The longest window and where it comes from; on a tie the return's own, then the
        tier's, then the first category by name (so the same return always says the same)."""
        best = ReturnWindow(base)
        if tier is not None and self.tiers.get(tier, 0) > best.days:
            best = ReturnWindow(self.tiers[tier], WindowBasis.TIER, tier)
        for category in sorted(set(categories)):
            if self.categories.get(category, 0) > best.days:
                best = ReturnWindow(self.categories[category], WindowBasis.CATEGORY, category)
        return best


@dataclass(frozen=True)
class RefundPolicy:
    reasons: Mapping[str, ReasonCode]
    grade_deductions: Mapping[str, GradeDeduction]
    approval_threshold: AmountByCurrency
    needs_approval_flags: frozenset[InspectionFlag] = frozenset()
    transit_grace_days: int = 0
    serial_mismatch_full_deduction: bool = True
    # An inspector who overrides the suggested disposition changes where the goods go: a second
    # person looks at the refund (issue: refunds no one can push alone).
    overrides_need_approval: bool = True
    # Stations with a scale weigh each parcel against what was shipped (domain/weighing.py).
    weight_check: WeightCheck = WeightCheck()
    instant_refund: InstantRefundRule | None = None  # None: every refund waits for inspection
    windows: ReturnWindows = ReturnWindows()

    def reason(self, code: str) -> ReasonCode:
        # Shops add reason codes on their own schedule; an unknown one is shown as written.
        return self.reasons.get(code) or ReasonCode(code, code, waives_deduction=False)

    def unit_refund(
        self,
        *,
        price_paid: Money,
        grade: str | None,
        reason_code: str,
        flags: frozenset[InspectionFlag],
    ) -> UnitRefund:
        """What one unit refunds; ``grade`` None means the unit was not received."""
        if price_paid.amount < 0:
            raise ValueError(f"Price paid cannot be negative: {price_paid}")
        gross = price_paid.rounded()
        if grade is None or not flags.isdisjoint(_NOT_RETURNED_FLAGS):
            return _refund(gross, gross, ITEM_NOT_RETURNED)
        if InspectionFlag.WRONG_ITEM in flags:
            return _refund(gross, gross, WRONG_ITEM_RETURNED)
        if InspectionFlag.SERIAL_MISMATCH in flags and self.serial_mismatch_full_deduction:
            return _refund(gross, gross, SERIAL_MISMATCH)
        try:
            deduction = self.grade_deductions[grade]
        except KeyError:
            raise KeyError(f"Refund policy has no deduction for grade {grade!r}") from None
        zero = Money.zero(gross.currency).rounded()
        if not deduction.charges(gross.currency):
            return _refund(gross, zero, "")
        reason = self.reason(reason_code)
        if reason.waives_deduction:
            return _refund(gross, zero, f"{deduction.reason} (waived: {reason.label})")
        return _refund(gross, deduction.on(gross), deduction.reason)

    def review(
        self,
        *,
        total: Money,
        days_since_delivery: int | None,
        window: ReturnWindow,
        flags: frozenset[InspectionFlag],
        overridden_units: int = 0,
    ) -> RefundReview:
        """Approved, or pending a shift lead's approval with every reason why."""
        reasons: list[str] = []
        threshold = self.approval_threshold.money(total.currency)
        if total >= threshold:
            reasons.append(f"Refund {total} is at or above the approval limit of {threshold}")
        # The window is for sending the parcel; the grace days cover its trip back to us.
        if window.is_late(days_since_delivery, grace_days=self.transit_grace_days):
            why = f" ({window.why})" if window.why else ""
            reasons.append(
                f"Received {days_since_delivery} days after delivery, past the {window}{why}"
            )
        needing_approval = flags & self.needs_approval_flags
        flagged = [flag.label for flag in InspectionFlag if flag in needing_approval]  # enum order
        if flagged:
            reasons.append(f"Flagged: {', '.join(flagged)}")
        if overridden_units and self.overrides_need_approval:
            units = "1 unit" if overridden_units == 1 else f"{overridden_units} units"
            reasons.append(f"Disposition overridden on {units}")
        if reasons:
            return RefundReview(RefundStatus.PENDING_APPROVAL, "; ".join(reasons))
        return RefundReview(RefundStatus.APPROVED, WITHIN_POLICY)


def _refund(gross: Money, deduction: Money, reason: str) -> UnitRefund:
    return UnitRefund(gross, deduction, gross - deduction, reason)


# --- loading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Policies:
    grading: GradingScale
    checklists: Checklists
    dispositions: DispositionRules
    refunds: RefundPolicy


def load_policies(directory: Path) -> Policies:
    """Read and cross-check the four policy files in ``directory``."""
    grading = _parse_grading(_read(directory, GRADING_FILE))
    refunds = _parse_refunds(_read(directory, REFUNDS_FILE), grading)
    checklists = _parse_checklists(_read(directory, CHECKLISTS_FILE), refunds.reasons)
    dispositions = _parse_dispositions(
        _read(directory, DISPOSITIONS_FILE),
        grading=grading,
        reason_codes=refunds.reasons,
        question_ids=sorted(checklists.question_ids),
    )
    return Policies(grading, checklists, dispositions, refunds)


def _read(directory: Path, name: str) -> _Table:
    path = directory / name
    try:
        with path.open("rb") as file:
            data = tomllib.load(file)
    except FileNotFoundError:
        raise PolicyError(f"{name}: file not found in {directory}") from None
    except OSError as exc:
        raise PolicyError(f"{name}: cannot read {path}: {exc}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise PolicyError(f"{name}: not valid TOML: {exc}") from exc
    return _Table(name, "", data)


class _Table:
    """A TOML table being read; knows its file and key path so that errors can name both."""

    def __init__(self, file: str, path: str, data: Mapping[str, object]) -> None:
        self.file = file
        self.path = path
        self._data = data

    def __contains__(self, key: str) -> bool:
        return key in self._data

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def where(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def error(self, key: str, message: str) -> PolicyError:
        return PolicyError(f"{self.file}: {self.where(key)}: {message}")

    def only(self, *allowed: str) -> None:
        """Refuse unknown keys: a misspelt key would otherwise be silently ignored."""
        for key in self._data:
            if key not in allowed:
                raise self.error(key, f"unknown key (expected one of: {', '.join(allowed)})")

    def _get(self, key: str, default: object) -> object:
        value = self._data.get(key, default)
        if value is None:
            raise self.error(key, "missing")
        return value

    def text(self, key: str, *, max_length: int, default: str | None = None) -> str:
        """Stripped text; empty only where the default is empty (an optional note)."""
        value = self._get(key, default)
        if not isinstance(value, str):
            raise self.error(key, f"must be text in quotes, not {value!r}")
        value = value.strip()
        if not value and default != "":
            raise self.error(key, "must not be empty")
        if len(value) > max_length:
            raise self.error(key, f"must be at most {max_length} characters")
        return value

    def boolean(self, key: str, *, default: bool | None = None) -> bool:
        value = self._get(key, default)
        if not isinstance(value, bool):
            raise self.error(key, f"must be true or false, not {value!r}")
        return value

    def integer(self, key: str, *, default: int | None = None) -> int:
        value = self._get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.error(key, f"must be a whole number of 0 or more, not {value!r}")
        return value

    def decimal(
        self, key: str, *, default: Decimal | None = None, maximum: Decimal | None = None
    ) -> Decimal:
        value = self._get(key, default)
        if isinstance(value, float):
            raise self.error(
                key, f'write the number in quotes, e.g. "{value}": unquoted decimals are inexact'
            )
        if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
            raise self.error(key, f'must be a number in quotes, e.g. "12.50", not {value!r}')
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise self.error(key, f"not a number: {value!r}") from None
        if not number.is_finite():
            raise self.error(key, f"not a number: {value!r}")
        if maximum is not None and not 0 <= number <= maximum:
            raise self.error(key, f"must be between 0 and {maximum}")
        if number < 0:
            raise self.error(key, "must not be negative")
        return number

    def amounts(self, key: str, *, default: Decimal | None = None) -> AmountByCurrency:
        """``"50.00"`` for every currency, or ``{ default = "50.00", JPY = "7500" }``."""
        if not isinstance(self._data.get(key), dict):
            return AmountByCurrency(self.decimal(key, default=default))
        table = self.table(key)
        for currency in table:
            if currency != "default" and not _CURRENCY.fullmatch(currency):
                raise table.error(currency, "expected 'default' or a currency code such as EUR")
        overrides = {c: table.decimal(c) for c in table if c != "default"}
        return AmountByCurrency(table.decimal("default"), MappingProxyType(overrides))

    def strings(self, key: str) -> list[str] | None:
        value = self._data.get(key)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.error(key, 'must be a list of codes in quotes, e.g. ["apparel", "home"]')
        return [v.strip() for v in value]

    def words(self, key: str) -> frozenset[str] | None:
        """A condition on codes: None (any) when left out or holding ``"*"``."""
        values = self.strings(key)
        if values is not None and not values:
            raise self.error(key, 'must not be empty (leave it out, or write ["*"], to match any)')
        return None if values is None or ANY in values else frozenset(values)

    def table(self, key: str) -> _Table:
        value = self._get(key, None)
        if not isinstance(value, dict):
            raise self.error(key, f"must be a table, not {value!r}")
        return _Table(self.file, self.where(key), value)

    def children(self) -> Iterator[tuple[str, _Table]]:
        """Every key of this table with the table it holds (``[reasons]``: code -> reason)."""
        for key in self._data:
            yield key, self.table(key)

    def tables(self, key: str) -> list[_Table]:
        value = self._get(key, None)
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            raise self.error(key, "must be a list of tables")
        where = self.where(key)
        return [_Table(self.file, f"{where}[{n}]", item) for n, item in enumerate(value, start=1)]


_E = TypeVar("_E", bound=StrEnum)
_GRADE_IN_SCALE = f"grade in {GRADING_FILE}"
_KNOWN_REASON = f"reason in {REFUNDS_FILE} [reasons]"
_KNOWN_QUESTION = f"question id in {CHECKLISTS_FILE}"


def _choice(table: _Table, key: str, kind: type[_E], value: str, noun: str) -> _E:
    try:
        return kind(value)
    except ValueError:
        options = ", ".join(member.value for member in kind)
        raise table.error(key, f"unknown {noun} {value!r} (expected one of: {options})") from None


def _check_known(
    table: _Table, key: str, values: Collection[str] | None, known: Collection[str], what: str
) -> None:
    for value in values or ():
        if value not in known:
            raise table.error(key, f"{value!r} is not a {what} ({', '.join(known)})")


def _parse_grading(root: _Table) -> GradingScale:
    root.only("grades", "evidence", "regrade")
    entries = root.tables("grades")
    if not 1 <= len(entries) <= _MAX_GRADES:
        raise root.error("grades", f"must list 1 to {_MAX_GRADES} grades (one per digit key)")
    grades: list[Grade] = []
    for key, entry in enumerate(entries, start=1):
        entry.only("code", "label", "description")
        code = entry.text("code", max_length=8)
        if not _GRADE_CODE.fullmatch(code):
            raise entry.error("code", f"must be 1 to 8 characters without spaces, not {code!r}")
        if code in (grade.code for grade in grades):
            raise entry.error("code", f"duplicate grade code {code!r}")
        label = entry.text("label", max_length=_LABEL_MAX)
        description = entry.text("description", max_length=_TEXT_MAX, default="")
        grades.append(Grade(code, label, description, str(key)))
    regrade_percent = Decimal(0)
    if "regrade" in root:
        regrade = root.table("regrade")
        regrade.only("share_percent")
        regrade_percent = regrade.decimal("share_percent", maximum=Decimal(100))
    return GradingScale(
        tuple(grades), _parse_evidence(root, [g.code for g in grades]), regrade_percent
    )


def _parse_evidence(root: _Table, grade_codes: Collection[str]) -> EvidenceRule:
    if "evidence" not in root:
        return EvidenceRule()
    table = root.table("evidence")
    table.only("photo_required_grades", "photo_required_flags")
    grades = table.strings("photo_required_grades") or []
    _check_known(table, "photo_required_grades", grades, grade_codes, "grade in [[grades]]")
    flags = frozenset(
        _choice(table, "photo_required_flags", InspectionFlag, name, "flag")
        for name in table.strings("photo_required_flags") or ()
    )
    return EvidenceRule(frozenset(grades), flags)


def _parse_refunds(root: _Table, grading: GradingScale) -> RefundPolicy:
    root.only(
        "reasons",
        "grade_deductions",
        "serial_mismatch",
        "approval",
        "weight_check",
        "instant_refund",
        "windows",
    )
    reasons: dict[str, ReasonCode] = {}
    reasons_table = root.table("reasons")
    for code, entry in reasons_table.children():
        if len(code) > _REASON_CODE_MAX:
            raise reasons_table.error(code, f"must be at most {_REASON_CODE_MAX} characters")
        entry.only("label", "waives_deduction")
        label = entry.text("label", max_length=_LABEL_MAX)
        reasons[code] = ReasonCode(code, label, entry.boolean("waives_deduction"))

    deductions: dict[str, GradeDeduction] = {}
    deductions_table = root.table("grade_deductions")
    for code, entry in deductions_table.children():
        _check_known(deductions_table, code, [code], grading.codes, _GRADE_IN_SCALE)
        entry.only("percent", "fee", "reason")
        deduction = GradeDeduction(
            percent=entry.decimal("percent", default=Decimal(0), maximum=Decimal(100)),
            fee=entry.amounts("fee", default=Decimal(0)),
            reason=entry.text("reason", max_length=_TEXT_MAX, default=""),
        )
        charges = deduction.percent > 0 or any(
            amount > 0 for amount in (deduction.fee.default, *deduction.fee.overrides.values())
        )
        if charges and not deduction.reason:
            raise entry.error("reason", "missing: say why the customer pays this deduction")
        deductions[code] = deduction
    for code in grading.codes:
        if code not in deductions:
            raise deductions_table.error(code, 'missing (write { percent = "0" } for none)')

    full_deduction = True
    if "serial_mismatch" in root:
        serial = root.table("serial_mismatch")
        serial.only("full_deduction")
        full_deduction = serial.boolean("full_deduction")

    approval = root.table("approval")
    approval.only(
        "threshold", "transit_grace_days", "needs_approval_flags", "overrides_need_approval"
    )
    flags = frozenset(
        _choice(approval, "needs_approval_flags", InspectionFlag, name, "flag")
        for name in approval.strings("needs_approval_flags") or ()
    )
    return RefundPolicy(
        reasons=MappingProxyType(reasons),
        grade_deductions=MappingProxyType(deductions),
        approval_threshold=approval.amounts("threshold"),
        needs_approval_flags=flags,
        transit_grace_days=approval.integer("transit_grace_days", default=0),
        serial_mismatch_full_deduction=full_deduction,
        overrides_need_approval=approval.boolean("overrides_need_approval", default=True),
        weight_check=_parse_weight_check(root),
        instant_refund=_parse_instant_refund(root),
        windows=_parse_windows(root),
    )


def _parse_instant_refund(root: _Table) -> InstantRefundRule | None:
    if "instant_refund" not in root:
        return None
    table = root.table("instant_refund")
    table.only("min_returns", "max_value")
    min_returns = table.integer("min_returns")
    if min_returns < 1:
        raise table.error("min_returns", "must be at least 1 (a customer we know)")
    return InstantRefundRule(min_returns, table.amounts("max_value"))


_MAX_WINDOW_DAYS = 3660  # ten years: anything longer is a typo


def _parse_windows(root: _Table) -> ReturnWindows:
    if "windows" not in root:
        return ReturnWindows()
    table = root.table("windows")
    table.only("categories", "tiers")
    found: dict[str, dict[str, int]] = {}
    for key in ("categories", "tiers"):
        found[key] = {}
        if key not in table:
            continue
        days = table.table(key)
        for name in days:
            value = days.integer(name)
            if not 1 <= value <= _MAX_WINDOW_DAYS:
                raise days.error(name, f"must be between 1 and {_MAX_WINDOW_DAYS} days")
            # Tiers and categories arrive in lower case, single-spaced: another spelling of a
            # key would never match, silently.
            if customer_tier(name) != name:
                raise days.error(name, f"write it as {customer_tier(name) or '...'!r}")
            found[key][name] = value
    return ReturnWindows(MappingProxyType(found["categories"]), MappingProxyType(found["tiers"]))


def _parse_weight_check(root: _Table) -> WeightCheck:
    if "weight_check" not in root:
        return WeightCheck()
    table = root.table("weight_check")
    table.only("packaging_grams", "tolerance_percent")
    default = WeightCheck()
    return WeightCheck(
        packaging_grams=table.integer("packaging_grams", default=default.packaging_grams),
        tolerance_percent=table.decimal(
            "tolerance_percent", default=default.tolerance_percent, maximum=Decimal(100)
        ),
    )


def _parse_checklists(root: _Table, reason_codes: Collection[str]) -> Checklists:
    root.only("checklists")
    first_asked: dict[str, tuple[str, str]] = {}  # question id -> (text, where)
    lists: list[Checklist] = []
    for entry in root.tables("checklists"):
        entry.only("name", "categories", "reasons", "questions")
        reasons = entry.words("reasons")
        _check_known(entry, "reasons", reasons, reason_codes, _KNOWN_REASON)
        questions: list[ChecklistQuestion] = []
        for item in entry.tables("questions"):
            item.only("id", "text")
            question = ChecklistQuestion(
                item.text("id", max_length=64), item.text("text", max_length=_TEXT_MAX)
            )
            if not _QUESTION_ID.fullmatch(question.id):
                raise item.error("id", "use lowercase letters, digits and _ only")
            if question.id in (q.id for q in questions):
                raise item.error("id", f"duplicate question {question.id!r} in this checklist")
            # Answers are stored by id, so one id must keep one wording across lists.
            text, where = first_asked.setdefault(question.id, (question.text, item.where("text")))
            if text != question.text:
                raise item.error(
                    "text", f"question {question.id!r} is worded differently at {where}"
                )
            questions.append(question)
        if not questions:
            raise entry.error("questions", "must list at least one question")
        name = entry.text("name", max_length=_NAME_MAX)
        lists.append(Checklist(name, entry.words("categories"), reasons, tuple(questions)))
    return Checklists(tuple(lists))


def _parse_dispositions(
    root: _Table,
    *,
    grading: GradingScale,
    reason_codes: Collection[str],
    question_ids: Collection[str],
) -> DispositionRules:
    root.only("locations", "rules", "default")
    locations_table = root.table("locations")
    locations_table.only(*Disposition)
    locations = {d: locations_table.text(d.value, max_length=_LOCATION_MAX) for d in Disposition}

    rules: list[DispositionRule] = []
    for entry in root.tables("rules"):
        rule = _parse_rule(
            entry,
            locations=locations,
            grading=grading,
            reason_codes=reason_codes,
            question_ids=question_ids,
        )
        if rule.name in (r.name for r in rules):
            raise entry.error("name", f"duplicate rule name {rule.name!r}")
        if rule.is_catch_all:
            raise entry.error(
                "name", "has no conditions, so no later rule could apply: use [default]"
            )
        rules.append(rule)

    default_table = root.table("default")
    default_table.only("name", "disposition", "location")
    disposition = _choice(
        default_table,
        "disposition",
        Disposition,
        default_table.text("disposition", max_length=_LOCATION_MAX),
        "disposition",
    )
    default = DispositionRule(
        name=default_table.text("name", max_length=_NAME_MAX, default="Default"),
        disposition=disposition,
        location=default_table.text(
            "location", max_length=_LOCATION_MAX, default=locations[disposition]
        ),
    )
    if default.name in (r.name for r in rules):
        raise default_table.error("name", f"duplicate rule name {default.name!r}")
    return DispositionRules(tuple(rules), default, MappingProxyType(locations))


def _parse_rule(
    entry: _Table,
    *,
    locations: Mapping[Disposition, str],
    grading: GradingScale,
    reason_codes: Collection[str],
    question_ids: Collection[str],
) -> DispositionRule:
    entry.only(
        "name",
        "disposition",
        "location",
        "grades",
        "categories",
        "reasons",
        "flags",
        "min_value",
        "max_value",
        "checklist",
    )
    name = entry.text("name", max_length=_NAME_MAX)
    disposition = _choice(
        entry,
        "disposition",
        Disposition,
        entry.text("disposition", max_length=_LOCATION_MAX),
        "disposition",
    )
    grades = entry.words("grades")
    _check_known(entry, "grades", grades, grading.codes, _GRADE_IN_SCALE)
    reasons = entry.words("reasons")
    _check_known(entry, "reasons", reasons, reason_codes, _KNOWN_REASON)
    flag_names = entry.strings("flags")
    if flag_names is not None and not flag_names:
        raise entry.error("flags", "must not be empty (leave it out to match any unit)")
    flags = None
    if flag_names is not None:
        flags = frozenset(_choice(entry, "flags", InspectionFlag, f, "flag") for f in flag_names)
    min_value = entry.amounts("min_value") if "min_value" in entry else None
    max_value = entry.amounts("max_value") if "max_value" in entry else None
    if min_value is not None and max_value is not None:
        currencies = {*min_value.overrides, *max_value.overrides}
        if min_value.default >= max_value.default or any(
            min_value.amount(c) >= max_value.amount(c) for c in currencies
        ):
            raise entry.error("max_value", "must be above min_value")
    answers: dict[str, bool] = {}
    if "checklist" in entry:
        checklist = entry.table("checklist")
        for question_id in checklist:
            _check_known(checklist, question_id, [question_id], question_ids, _KNOWN_QUESTION)
            answers[question_id] = checklist.boolean(question_id)
    return DispositionRule(
        name=name,
        disposition=disposition,
        location=entry.text("location", max_length=_LOCATION_MAX, default=locations[disposition]),
        grades=grades,
        categories=entry.words("categories"),
        reasons=reasons,
        flags=flags,
        min_value=min_value,
        max_value=max_value,
        checklist=MappingProxyType(answers),
    )
