"""The guide's reportable event categories with their MedDRA terms and labs, read from pv/data."""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources

# Rows of meddra_guide_terms.csv that are term lists offered on the form, not event categories.
SYMPTOM_SIGN = "symptom_sign"
LAB_TEST_NAME = "lab_test_name_F.r.2.2b"
LAB_RESULT_ABNORMAL = "lab_result_abnormal"
TERM_LISTS = (SYMPTOM_SIGN, LAB_TEST_NAME, LAB_RESULT_ABNORMAL)

# The guide nests lists in brackets ("urinalysis (protein; blood)"): split only outside them.
_LIST_SEPARATOR = re.compile(r";(?![^(]*\))")


class CatalogueDataError(Exception):
    """The package's data files contradict each other: a packaging bug, never the user's input."""


@dataclass(frozen=True)
class GuideTerm:
    """A MedDRA term offered for a category or list, with how well its code was checked."""

    category_id: str  # a category id, or one of TERM_LISTS
    term: str
    level: str  # "PT" or "LLT"
    code: str  # 8 digits; E.i.2.1b wants LLT level, and every PT code is also an LLT code
    version_seen: str  # MedDRA versions the code was seen in (shared/codes/SOURCES.md)
    confidence: str  # "high" or "medium"


@dataclass(frozen=True)
class GuideLab:
    """A test the guide says to capture; the ICSR needs its MedDRA code, LOINC serves elsewhere."""

    name: str
    loinc: str | None
    unit: str | None  # default UCUM unit (F.r.3.3); None for panels and ordinal tests
    meddra_code: str | None  # test name for F.r.2.2b; None when no code was sourced


@dataclass(frozen=True)
class GuideCategory:
    """One reportable event category in the guide's wording; empty text: the guide says nothing."""

    id: str
    group_id: str
    group_name: str
    name: str
    frequency: str
    monitoring: str
    management: str
    terms: tuple[GuideTerm, ...]
    labs: tuple[GuideLab, ...]


class Catalogue:
    """Look-ups over the guide's categories and term lists; the shared one is load_catalogue()."""

    def __init__(
        self, categories: Iterable[GuideCategory], term_lists: Mapping[str, Iterable[GuideTerm]]
    ) -> None:
        self._categories = tuple(categories)
        self._by_id = {c.id: c for c in self._categories}
        self._lists = {name: tuple(terms) for name, terms in term_lists.items()}
        self._by_code: dict[str, GuideTerm] = {}
        self._category_ids_by_code: dict[str, list[str]] = {}
        for category in self._categories:
            for term in category.terms:
                self._by_code.setdefault(term.code, term)
                self._category_ids_by_code.setdefault(term.code, []).append(category.id)
        for terms in self._lists.values():
            for term in terms:
                self._by_code.setdefault(term.code, term)

    def categories(self) -> list[GuideCategory]:
        """All categories in the guide's order."""
        return list(self._categories)

    def category(self, category_id: str) -> GuideCategory:
        """The category with this id; KeyError names the known ids, as an unknown id is a bug."""
        try:
            return self._by_id[category_id]
        except KeyError:
            known = ", ".join(self._by_id)
            raise KeyError(f"Unknown guide category {category_id!r}; known: {known}") from None

    def groups(self) -> list[tuple[str, str]]:
        """(group_id, group_name) pairs in the order the guide first lists them."""
        seen: dict[str, str] = {}
        for category in self._categories:
            seen.setdefault(category.group_id, category.group_name)
        return list(seen.items())

    def in_group(self, group_id: str) -> list[GuideCategory]:
        """The categories of one group in the guide's order; KeyError for an unknown group."""
        found = [c for c in self._categories if c.group_id == group_id]
        if not found:
            known = ", ".join(g for g, _ in self.groups())
            raise KeyError(f"Unknown guide group {group_id!r}; known: {known}")
        return found

    def term_by_code(self, code: str) -> GuideTerm | None:
        """The shipped term with this MedDRA code, a category's term before a list's."""
        return self._by_code.get(code.strip())

    def categories_for_code(self, code: str) -> list[str]:
        """Ids of the categories offering this code, so a coded reaction can suggest one."""
        return list(self._category_ids_by_code.get(code.strip(), []))

    def symptom_terms(self) -> list[GuideTerm]:
        """Signs and symptoms the guide asks patients to report (not categories themselves)."""
        return list(self._lists.get(SYMPTOM_SIGN, ()))

    def lab_test_terms(self) -> list[GuideTerm]:
        """MedDRA test names for F.r.2.2b."""
        return list(self._lists.get(LAB_TEST_NAME, ()))

    def lab_result_terms(self) -> list[GuideTerm]:
        """Abnormal lab results that may themselves be reported as reactions."""
        return list(self._lists.get(LAB_RESULT_ABNORMAL, ()))


def _read_csv(name: str, required: set[str]) -> list[dict[str, str]]:
    """Rows of one package data file, checked for the columns the loader uses."""
    text = (resources.files("pv") / "data" / name).read_text(encoding="utf-8")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = required - set(reader.fieldnames or ())
    if missing:
        raise CatalogueDataError(f"pv/data/{name} lacks the columns {', '.join(sorted(missing))}")
    return list(reader)


def _split_guide_list(text: str) -> list[str]:
    """The items of a guide cell such as "serum creatinine; urinalysis (protein; blood)"."""
    return [item.strip() for item in _LIST_SEPARATOR.split(text) if item.strip()]


def _optional(value: str) -> str | None:
    return value.strip() or None


def _read_terms() -> dict[str, list[GuideTerm]]:
    rows = _read_csv(
        "meddra_guide_terms.csv",
        {"guide_category", "term", "level", "meddra_code", "meddra_version_seen", "confidence"},
    )
    terms: dict[str, list[GuideTerm]] = {}
    for row in rows:
        term = GuideTerm(
            category_id=row["guide_category"],
            term=row["term"],
            level=row["level"],
            code=row["meddra_code"].strip(),
            version_seen=row["meddra_version_seen"],
            confidence=row["confidence"],
        )
        terms.setdefault(term.category_id, []).append(term)
    return terms


def _read_labs(lab_test_codes: set[str]) -> dict[str, list[GuideLab]]:
    """Guide lab wording -> labs; codes missing from the sourced tables are refused."""
    loinc_codes = {row["loinc_code"] for row in _read_csv("loinc_labs.csv", {"loinc_code"})}
    labs: dict[str, list[GuideLab]] = {}
    for row in _read_csv("guide_labs.csv", {"guide_lab", "name", "loinc", "unit", "meddra_code"}):
        lab = GuideLab(
            name=row["name"],
            loinc=_optional(row["loinc"]),
            unit=_optional(row["unit"]),
            meddra_code=_optional(row["meddra_code"]),
        )
        if lab.loinc is not None and lab.loinc not in loinc_codes:
            raise CatalogueDataError(f"guide_labs.csv: LOINC {lab.loinc} is not in loinc_labs.csv")
        if lab.meddra_code is not None and lab.meddra_code not in lab_test_codes:
            raise CatalogueDataError(
                f"guide_labs.csv: MedDRA {lab.meddra_code} is not a {LAB_TEST_NAME} term"
            )
        labs.setdefault(row["guide_lab"].strip(), []).append(lab)
    return labs


@functools.cache
def load_catalogue() -> Catalogue:
    """The catalogue from the package data, read and cross-checked once per process."""
    terms = _read_terms()
    lab_test_codes = {t.code for t in terms.get(LAB_TEST_NAME, [])}
    labs_by_wording = _read_labs(lab_test_codes)
    rows = _read_csv(
        "guide_categories.csv",
        {
            "id",
            "group_id",
            "group",
            "name",
            "frequency_in_guide",
            "monitoring_in_guide",
            "labs_to_capture",
            "management_in_guide",
        },
    )
    categories: list[GuideCategory] = []
    group_names: dict[str, str] = {}
    for row in rows:
        group_id, group_name = row["group_id"], row["group"]
        if group_names.setdefault(group_id, group_name) != group_name:
            raise CatalogueDataError(f"guide_categories.csv: group {group_id!r} has two names")
        labs: list[GuideLab] = []
        for wording in _split_guide_list(row["labs_to_capture"]):
            if wording not in labs_by_wording:
                raise CatalogueDataError(f"guide_labs.csv has no row for the lab {wording!r}")
            labs.extend(lab for lab in labs_by_wording[wording] if lab not in labs)
        categories.append(
            GuideCategory(
                id=row["id"],
                group_id=group_id,
                group_name=group_name,
                name=row["name"],
                frequency=row["frequency_in_guide"],
                monitoring=row["monitoring_in_guide"],
                management=row["management_in_guide"],
                terms=tuple(terms.get(row["id"], [])),
                labs=tuple(labs),
            )
        )
    known = {c.id for c in categories}
    if len(known) != len(categories):
        raise CatalogueDataError("guide_categories.csv repeats a category id")
    stray = set(terms) - known - set(TERM_LISTS)
    if stray:
        raise CatalogueDataError(
            f"meddra_guide_terms.csv names unknown categories: {', '.join(sorted(stray))}"
        )
    return Catalogue(categories, {name: terms.get(name, []) for name in TERM_LISTS})
