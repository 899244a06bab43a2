"""Bulk import: reading a seller's CSV and checking every row and field before anything is
written. Pure: the caller loads the context (categories, the seller's SKUs and profiles) and
applies the resulting plan.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first data row is row 2.
Rows sharing a ``listing_ref`` (or, without one, a title) are the variants of one listing; the
first row of a group carries the listing's fields, later rows may leave them blank.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from mercato.catalog.policy.attributes import AttributeSpec, check_attributes
from mercato.catalog.policy.listings import (
    RuleBroken,
    check_currency,
    check_options,
    check_sku,
    clean_description,
    clean_option_names,
    clean_title,
    parse_price,
)

MAX_ROWS = 50_000
MAX_OPTIONS = 3
REQUIRED_COLUMNS = ("sku", "title", "category", "price", "currency", "stock")
LISTING_COLUMNS = (
    "title",
    "description",
    "kind",
    "category",
    "currency",
    "shipping_profile",
    "duration_minutes",
    "capacity",
    "status",
)
OPTION_COLUMNS = tuple(
    f"option{i}_{part}" for i in range(1, MAX_OPTIONS + 1) for part in ("name", "value")
)
KNOWN_COLUMNS = (
    "listing_ref",
    "sku",
    *LISTING_COLUMNS,
    "price",
    "stock",
    "weight_grams",
    *OPTION_COLUMNS,
)
ATTRIBUTE_PREFIX = "attr:"

COLUMN_HELP: tuple[tuple[str, str], ...] = (
    (
        "listing_ref",
        "Optional. Rows with the same reference are variants of one listing "
        "(without it, rows with the same title are).",
    ),
    ("sku", "Required, unique in the file. Re-importing a SKU updates it instead of adding one."),
    ("title", "Required on a listing's first row."),
    ("description", "Optional, plain text."),
    ("kind", "goods (default) or service."),
    ("category", "Required: the category's slug, e.g. ceramics."),
    ("price", "Required, in major units: 12.50 (no more decimals than the currency has)."),
    ("currency", "Required: ISO 4217 code, e.g. EUR."),
    ("stock", "Required: a whole number, 0 or more."),
    ("weight_grams", "Optional, goods only: a whole number of grams."),
    ("shipping_profile", "Optional, goods only: the name of one of your shipping profiles."),
    ("duration_minutes", "Services only, required for them."),
    ("capacity", "Optional, services only: people or units per booking."),
    ("status", "Optional: draft (default for new listings), published or archived."),
    (
        "option1_name … option3_name",
        "Optional variant options, e.g. Size; the same on every row of a listing.",
    ),
    ("option1_value … option3_value", "The variant's value for each option, e.g. M."),
    ("attr:<code>", "A category attribute, e.g. attr:material; required ones must be given."),
)


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    reason: str


@dataclass(frozen=True)
class CategoryInfo:
    id: uuid.UUID
    slug: str
    name: str
    attributes: tuple[AttributeSpec, ...]


@dataclass(frozen=True)
class ExistingListing:
    id: uuid.UUID
    kind: str
    currency: str
    option_names: tuple[str, ...]
    skus: frozenset[str]  # casefolded


@dataclass(frozen=True)
class ImportContext:
    categories: Mapping[str, CategoryInfo]  # by slug
    shipping_profiles: Mapping[str, uuid.UUID]  # by casefolded name
    existing_skus: Mapping[str, uuid.UUID]  # the seller's casefolded SKU -> its listing
    existing_listings: Mapping[uuid.UUID, ExistingListing]
    can_publish: bool


@dataclass
class VariantRow:
    row: int
    sku: str
    options: dict[str, str]
    price_minor: int
    stock: int
    weight_grams: int | None


@dataclass
class ListingPlan:
    first_row: int
    kind: str
    title: str
    description: str
    category_id: uuid.UUID
    currency: str
    attributes: dict[str, Any]
    option_names: list[str]
    shipping_profile_id: uuid.UUID | None
    duration_minutes: int | None
    capacity: int | None
    status: str | None  # None: keep the current status (draft for a new listing)
    existing_listing_id: uuid.UUID | None
    variants: list[VariantRow] = field(default_factory=list)


@dataclass
class ImportPlan:
    listings: list[ListingPlan]
    problems: list[Problem]
    total_rows: int
    valid_rows: int
    fatal: bool = False  # a file-level problem: no row can be imported
    columns: frozenset[str] = frozenset()  # the file's columns: absent ones keep stored values

    @property
    def ok(self) -> bool:
        return not self.problems


Progress = Callable[[int], None]


def _fatal(row: int, column: str, reason: str) -> ImportPlan:
    return ImportPlan([], [Problem(row, column, reason)], 0, 0, fatal=True)


def _decode(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        row = data[: error.start].count(b"\n") + 1
        raise _FileProblem(
            row,
            f"The file is not UTF-8 text (byte 0x{data[error.start]:02X} on row {row}). "
            "Save it as “CSV UTF-8” and upload it again.",
        ) from None
    if "\x00" in text:
        row = text[: text.index("\x00")].count("\n") + 1
        raise _FileProblem(row, "The file contains NUL bytes: is it a spreadsheet, not a CSV?")
    return text


class _FileProblem(Exception):
    def __init__(self, row: int, reason: str, column: str = "") -> None:
        super().__init__(reason)
        self.row, self.reason, self.column = row, reason, column


def _read_rows(text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if ";" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[tuple[int, list[str]]] = []
    header: list[str] | None = None
    number = 0
    try:
        for number, values in enumerate(reader, start=1):
            if header is None:
                header = [value.strip().lower() for value in values]
                continue
            if not any(value.strip() for value in values):
                continue
            rows.append((number, values))
            if len(rows) > MAX_ROWS:
                raise _FileProblem(number, f"The file has more than {MAX_ROWS} rows; split it.")
    except csv.Error as error:
        raise _FileProblem(number + 1, f"The file is not valid CSV: {error}.") from None
    if header is None or not any(header):
        raise _FileProblem(1, "The file is empty: the first row must name the columns.")
    return header, rows


def _check_header(header: list[str], context: ImportContext) -> list[Problem]:
    problems = []
    known_codes = {spec.code for info in context.categories.values() for spec in info.attributes}
    seen: set[str] = set()
    for name in header:
        if name in seen:
            problems.append(Problem(1, name, "This column appears twice."))
        seen.add(name)
        if name.startswith(ATTRIBUTE_PREFIX):
            if name.removeprefix(ATTRIBUTE_PREFIX) not in known_codes:
                problems.append(Problem(1, name, "No category has this attribute."))
        elif name not in KNOWN_COLUMNS:
            problems.append(Problem(1, name or "(blank)", "Unknown column."))
    for name in REQUIRED_COLUMNS:
        if name not in seen:
            problems.append(Problem(1, name, "This column is missing."))
    return problems


def parse_import(
    data: bytes, context: ImportContext, progress: Progress | None = None
) -> ImportPlan:
    """Read and check the whole file; the plan lists what to write and every problem found."""
    try:
        header, raw_rows = _read_rows(_decode(data))
    except _FileProblem as problem:
        return _fatal(problem.row, problem.column, problem.reason)
    header_problems = _check_header(header, context)
    if header_problems:
        return ImportPlan([], header_problems, len(raw_rows), 0, fatal=True)
    checker = _Checker(header, context)
    for index, (number, values) in enumerate(raw_rows, start=1):
        checker.add_row(number, values)
        if progress is not None and index % 250 == 0:
            progress(index)
    plan = checker.finish()
    plan.columns = frozenset(header)
    if progress is not None:
        progress(len(raw_rows))
    return plan


# --- row checking ----------------------------------------------------------------------------


def _whole_number(text: str, what: str, *, minimum: int, maximum: int) -> int:
    cleaned = text.strip()
    if not cleaned.lstrip("-").isdigit() or not cleaned.isascii():
        raise RuleBroken(f"{what} must be a whole number, like 12.")
    value = int(cleaned)
    if value < 0 <= minimum:
        raise RuleBroken(f"{what} cannot be negative.")
    if value < minimum:
        raise RuleBroken(f"{what} must be at least {minimum}.")
    if value > maximum:
        raise RuleBroken(f"{what} must be at most {maximum}.")
    return value


@dataclass
class _Row:
    number: int
    cells: dict[str, str]
    problems: list[Problem] = field(default_factory=list)

    def cell(self, name: str) -> str:
        return self.cells.get(name, "").strip()

    def fail(self, column: str, reason: str) -> None:
        self.problems.append(Problem(self.number, column, reason))


@dataclass
class _Group:
    rows: list[_Row] = field(default_factory=list)
    listing_problems: list[Problem] = field(default_factory=list)


class _Checker:
    def __init__(self, header: list[str], context: ImportContext) -> None:
        self.header = header
        self.context = context
        self.groups: dict[str, _Group] = {}
        self.orphans: list[_Row] = []
        self.total = 0

    def add_row(self, number: int, values: list[str]) -> None:
        self.total += 1
        row = _Row(number, dict(zip(self.header, values, strict=False)))
        if len(values) > len(self.header):
            row.fail("", f"This row has {len(values)} values but the header {len(self.header)}.")
        ref, title = row.cell("listing_ref"), row.cell("title")
        key = f"ref:{ref.casefold()}" if ref else f"title:{title.casefold()}" if title else None
        if key is None:
            row.fail("title", "Give a title (or a listing_ref) so the row belongs to a listing.")
            self.orphans.append(row)
            return
        self.groups.setdefault(key, _Group()).rows.append(row)

    def finish(self) -> ImportPlan:
        plans: list[ListingPlan] = []
        problems: list[Problem] = []
        seen_skus: dict[str, int] = {}
        valid_rows = 0
        for row in self.orphans:
            problems.extend(row.problems)
        for group in self.groups.values():
            plan = self._check_group(group, seen_skus)
            for row in group.rows:
                problems.extend(row.problems)
            problems.extend(group.listing_problems)
            if plan is not None and plan.variants:
                plans.append(plan)
                valid_rows += len(plan.variants)
        problems.sort(key=lambda p: (p.row, p.column))
        return ImportPlan(plans, problems, self.total, valid_rows)

    # -- one listing ------------------------------------------------------------------------

    def _check_group(self, group: _Group, seen_skus: dict[str, int]) -> ListingPlan | None:
        first = group.rows[0]
        self._check_consistency(group)
        plan = self._listing(first)
        option_names = self._option_names(first)
        variants: list[tuple[_Row, VariantRow]] = []
        for row in group.rows:
            variant = self._variant(row, plan, option_names, seen_skus)
            if variant is not None and not row.problems:
                variants.append((row, variant))
        if plan is None or option_names is None:
            for row in group.rows[1:]:
                if not row.problems:
                    row.fail(
                        "", f"Skipped: the listing's first row (row {first.number}) has errors."
                    )
            return None
        plan.option_names = option_names
        self._check_against_existing(plan, variants)
        self._check_combinations(variants)
        plan.variants = [variant for row, variant in variants if not row.problems]
        return plan

    def _check_consistency(self, group: _Group) -> None:
        first = group.rows[0]
        columns = [c for c in self.header if c in LISTING_COLUMNS or c.startswith(ATTRIBUTE_PREFIX)]
        columns += [f"option{i}_name" for i in range(1, MAX_OPTIONS + 1)]
        for row in group.rows[1:]:
            for column in columns:
                value = row.cell(column)
                if value and value.casefold() != first.cell(column).casefold():
                    row.fail(
                        column,
                        f"Differs from row {first.number}, the listing's first row: leave it "
                        "blank or repeat the same value.",
                    )

    def _listing(self, row: _Row) -> ListingPlan | None:
        before = len(row.problems)
        kind = row.cell("kind").lower() or "goods"
        if kind not in ("goods", "service"):
            row.fail("kind", "Use goods or service.")
        title = self._apply(row, "title", lambda v: clean_title(v) if len(v) <= 200 else _long(200))
        description = self._apply(
            row,
            "description",
            lambda v: clean_description(v) if len(v) <= 20_000 else _long(20_000),
        )
        category = self.context.categories.get(row.cell("category"))
        if category is None:
            shown = row.cell("category")
            row.fail("category", f"Unknown category “{shown[:80]}”." if shown else "Required.")
        currency = self._apply(
            row, "currency", lambda v: check_currency(v.upper()) if v else _req()
        )
        profile_id = self._shipping_profile(row, kind)
        duration, capacity = self._service_fields(row, kind)
        status = row.cell("status").lower() or None
        if status not in (None, "draft", "published", "archived"):
            row.fail("status", "Use draft, published or archived.")
        elif status == "published" and not self.context.can_publish:
            row.fail("status", "Your seller account cannot publish yet: use draft.")
        attributes = self._attributes(row, category)
        if len(row.problems) > before or category is None:
            return None
        return ListingPlan(
            first_row=row.number,
            kind=kind,
            title=title or "",
            description=description or "",
            category_id=category.id,
            currency=currency or "",
            attributes=attributes,
            option_names=[],
            shipping_profile_id=profile_id,
            duration_minutes=duration,
            capacity=capacity,
            status=status,
            existing_listing_id=None,
        )

    @staticmethod
    def _apply(row: _Row, column: str, check: Callable[[str], str]) -> str | None:
        try:
            return check(row.cell(column))
        except RuleBroken as problem:
            row.fail(column, str(problem))
            return None

    def _shipping_profile(self, row: _Row, kind: str) -> uuid.UUID | None:
        name = row.cell("shipping_profile")
        if not name:
            return None
        if kind == "service":
            row.fail("shipping_profile", "Services are not shipped: leave it blank.")
            return None
        profile_id = self.context.shipping_profiles.get(name.casefold())
        if profile_id is None:
            row.fail("shipping_profile", f"You have no shipping profile named “{name[:80]}”.")
        return profile_id

    def _service_fields(self, row: _Row, kind: str) -> tuple[int | None, int | None]:
        values: dict[str, int | None] = {}
        limits = {"duration_minutes": ("Duration", 60 * 24 * 30), "capacity": ("Capacity", 100_000)}
        for column, (what, maximum) in limits.items():
            text = row.cell(column)
            values[column] = None
            if not text:
                if column == "duration_minutes" and kind == "service":
                    row.fail(column, "Services need their duration in minutes.")
                continue
            if kind != "service":
                row.fail(column, "Only services have this: leave it blank for goods.")
                continue
            try:
                values[column] = _whole_number(text, what, minimum=1, maximum=maximum)
            except RuleBroken as problem:
                row.fail(column, str(problem))
        return values["duration_minutes"], values["capacity"]

    def _attributes(self, row: _Row, category: CategoryInfo | None) -> dict[str, Any]:
        if category is None:
            return {}
        codes = {spec.code for spec in category.attributes}
        raw: dict[str, object] = {}
        for column in self.header:
            if not column.startswith(ATTRIBUTE_PREFIX) or not row.cell(column):
                continue
            code = column.removeprefix(ATTRIBUTE_PREFIX)
            if code in codes:
                raw[code] = row.cell(column)
            else:
                row.fail(column, f"The category “{category.slug}” has no attribute “{code}”.")
        values, errors = check_attributes(category.attributes, raw, prefix="attr")
        for error in errors:
            row.fail("attr:" + error.field.split(".", 1)[1], error.message)
        return values

    def _option_names(self, row: _Row) -> list[str] | None:
        names = [row.cell(f"option{i}_name") for i in range(1, MAX_OPTIONS + 1)]
        if any(names[i] and not names[i - 1] for i in range(1, MAX_OPTIONS)):
            row.fail("option1_name", "Fill the option names in order, from option1_name on.")
            return None
        try:
            return clean_option_names([name for name in names if name])
        except RuleBroken as problem:
            row.fail("option1_name", str(problem))
            return None

    def _variant(
        self,
        row: _Row,
        plan: ListingPlan | None,
        option_names: Sequence[str] | None,
        seen_skus: dict[str, int],
    ) -> VariantRow | None:
        sku = self._apply(row, "sku", lambda v: check_sku(v) if v else _req())
        if sku is not None:
            folded = sku.casefold()
            if folded in seen_skus:
                row.fail("sku", f"Duplicate SKU: “{sku}” is already on row {seen_skus[folded]}.")
            else:
                seen_skus[folded] = row.number
        price = None
        if plan is not None:
            price = self._apply(
                row, "price", lambda v: str(parse_price(v, plan.currency)) if v else _req()
            )
        elif not row.cell("price"):
            row.fail("price", "Required.")
        stock = self._apply(
            row,
            "stock",
            lambda v: (
                str(_whole_number(v, "Stock", minimum=0, maximum=1_000_000_000)) if v else _req()
            ),
        )
        weight = self._weight(row, plan)
        options: dict[str, str] = {}
        if option_names is not None:
            raw = {
                name: row.cell(f"option{i}_value") for i, name in enumerate(option_names, start=1)
            }
            extra = [
                i
                for i in range(len(option_names) + 1, MAX_OPTIONS + 1)
                if row.cell(f"option{i}_value")
            ]
            if extra:
                row.fail(f"option{extra[0]}_value", "This option has no name on the first row.")
            try:
                options = check_options(option_names, raw)
            except RuleBroken as problem:
                missing = next((i for i, n in enumerate(option_names, 1) if not raw[n]), 1)
                row.fail(f"option{missing}_value", str(problem))
        if sku is None or price is None or stock is None:
            return None
        return VariantRow(row.number, sku, options, int(price), int(stock), weight)

    def _weight(self, row: _Row, plan: ListingPlan | None) -> int | None:
        text = row.cell("weight_grams")
        if not text:
            return None
        if plan is not None and plan.kind == "service":
            row.fail("weight_grams", "Services have no weight: leave it blank.")
            return None
        try:
            return _whole_number(text, "The weight", minimum=0, maximum=1_000_000)
        except RuleBroken as problem:
            row.fail("weight_grams", str(problem))
            return None

    def _check_against_existing(
        self, plan: ListingPlan, variants: list[tuple[_Row, VariantRow]]
    ) -> None:
        targets = [self.context.existing_skus.get(v.sku.casefold()) for _, v in variants]
        known = [t for t in targets if t is not None]
        if not known:
            return
        target = known[0]
        for (row, variant), listing_id in zip(variants, targets, strict=True):
            if listing_id is not None and listing_id != target:
                row.fail(
                    "sku", f"The SKU “{variant.sku}” belongs to another listing than this row's."
                )
        existing = self.context.existing_listings[target]
        first = variants[0][0]
        if existing.kind != plan.kind:
            first.fail("kind", f"The SKU's listing is {existing.kind}; its kind cannot change.")
        if existing.currency != plan.currency:
            first.fail("currency", f"The SKU's listing is priced in {existing.currency}.")
        in_file = {v.sku.casefold() for _, v in variants}
        if not existing.skus <= in_file and tuple(plan.option_names) != existing.option_names:
            names = ", ".join(existing.option_names) or "none"
            first.fail(
                "option1_name",
                f"The listing's other variants use the options {names}: use the same ones.",
            )
        plan.existing_listing_id = target

    @staticmethod
    def _check_combinations(variants: list[tuple[_Row, VariantRow]]) -> None:
        seen: dict[tuple[tuple[str, str], ...], int] = {}
        for row, variant in variants:
            key = tuple(sorted((k, v.casefold()) for k, v in variant.options.items()))
            if key in seen:
                row.fail("option1_value", f"Same options as row {seen[key]} of this listing.")
            else:
                seen[key] = row.number


def _req() -> str:
    raise RuleBroken("Required.")


def _long(limit: int) -> str:
    raise RuleBroken(f"Use at most {limit} characters.")


def problems_csv(problems: Sequence[Problem]) -> str:
    """The error report as CSV. Cells that a spreadsheet would run as a formula are defused."""
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(["row", "column", "reason"])
    for problem in problems:
        writer.writerow([problem.row, _defuse(problem.column), _defuse(problem.reason)])
    return output.getvalue()


def _defuse(text: str) -> str:
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def template_csv() -> str:
    """A small example file naming every standard column."""
    rows = [
        [
            "listing_ref",
            "sku",
            "title",
            "description",
            "kind",
            "category",
            "price",
            "currency",
            "stock",
            "weight_grams",
            "option1_name",
            "option1_value",
        ],
        [
            "mug-1",
            "MUG-S",
            "Stoneware mug",
            "Hand-thrown, dishwasher safe.",
            "goods",
            "ceramics",
            "18.00",
            "EUR",
            "12",
            "320",
            "Size",
            "Small",
        ],
        ["mug-1", "MUG-L", "", "", "", "", "22.00", "EUR", "8", "420", "Size", "Large"],
    ]
    output = io.StringIO()
    csv.writer(output).writerows(rows)
    return output.getvalue()
