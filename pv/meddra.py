"""A licensed MedDRA release read from the MSSO ASCII files, for LLT look-up and search."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pv.catalogue import load_catalogue
from pv.config import load_settings

_CODE = re.compile(r"[0-9]{8}")

# MSSO ASCII distribution: field counts per record, from the MedDRA ASCII file descriptions.
_LLT_FIELDS = 11  # llt_code$llt_name$pt_code$...$llt_currency$llt_jart_code$
_PT_FIELDS = 11  # pt_code$pt_name$null_field$pt_soc_code$...$pt_jart_code$


class MeddraReleaseError(Exception):
    """The MedDRA release folder is missing, incomplete or not in MSSO ASCII format."""


@dataclass(frozen=True)
class Llt:
    """A lowest level term with its preferred term; non-current LLTs are kept only for old data."""

    code: str
    name: str
    pt_code: str
    pt_name: str
    current: bool


@dataclass(frozen=True)
class FoundTerm:
    """A code resolved to its name, and whether the licensed release or the guide's table has it."""

    code: str
    name: str
    source: Literal["release", "guide"]
    version: str | None  # the release's MedDRA version (E.i.2.1a); None for the guide's table
    current: bool | None  # None when the source does not say


class MeddraDictionary:
    """The LLTs of one MedDRA release, by code and by name."""

    def __init__(
        self, llts: Iterable[Llt], version: str | None, language: str | None = None
    ) -> None:
        self.version = version
        self.language = language
        self._by_code = {llt.code: llt for llt in llts}
        self._folded = [(llt.name.casefold(), llt) for llt in self._by_code.values()]

    def __len__(self) -> int:
        return len(self._by_code)

    def llt(self, code: str) -> Llt | None:
        """The LLT with this code (PT codes are LLT codes too), or None."""
        return self._by_code.get(code.strip())

    def search(self, text: str, limit: int = 20) -> list[Llt]:
        """LLTs whose name contains text, ignoring case.

        Current LLTs come first, because MSSO advises against coding to non-current ones; then
        exact matches, then names starting with the text, then the rest alphabetically.
        """
        query = text.strip().casefold()
        if not query or limit <= 0:
            return []
        ranked: list[tuple[bool, int, str, Llt]] = []
        for folded, llt in self._folded:
            position = folded.find(query)
            if position < 0:
                continue
            kind = 0 if folded == query else 1 if position == 0 else 2
            ranked.append((not llt.current, kind, folded, llt))
        ranked.sort(key=lambda item: item[:3])
        return [item[3] for item in ranked[:limit]]

    @classmethod
    def from_path(cls, folder: str | Path, default_version: str | None = None) -> MeddraDictionary:
        """Read llt.asc and pt.asc (and meddra_release.asc for the version) from a MedAscii folder.

        default_version is used only when the release has no meddra_release.asc.
        """
        files = _release_files(Path(folder))
        pt_names = {
            fields[0]: fields[1] for _, fields in _records(files["pt.asc"], _PT_FIELDS, (0, 3))
        }
        llts: list[Llt] = []
        seen: set[str] = set()
        for number, fields in _records(files["llt.asc"], _LLT_FIELDS, (0, 2)):
            code, name, pt_code, currency = fields[0], fields[1], fields[2], fields[9]
            problem = ""
            if currency not in ("Y", "N"):
                problem = f"llt_currency is {currency!r}, expected Y or N"
            elif pt_code not in pt_names:
                problem = f"PT {pt_code} of LLT {code} is not in pt.asc"
            elif code in seen:
                problem = f"LLT code {code} appears twice"
            if problem:
                raise MeddraReleaseError(f"{files['llt.asc']} line {number}: {problem}.")
            seen.add(code)
            llts.append(Llt(code, name, pt_code, pt_names[pt_code], currency == "Y"))
        version, language = default_version, None
        if "meddra_release.asc" in files:
            version, language = _release_version(files["meddra_release.asc"])
        return cls(llts, version, language)


def _release_files(folder: Path) -> dict[str, Path]:
    """The release's files by lower-case name; MSSO ships them in a MedAscii subfolder."""
    if not folder.is_dir():
        raise MeddraReleaseError(f"MedDRA release folder {folder} does not exist.")
    try:
        for candidate in (folder, *(p for p in folder.iterdir() if p.name.lower() == "medascii")):
            files = {p.name.lower(): p for p in candidate.iterdir() if p.is_file()}
            if "llt.asc" in files or "pt.asc" in files:
                break
    except OSError as error:
        raise MeddraReleaseError(f"Cannot list {folder}: {error.strerror}.") from error
    for needed in ("llt.asc", "pt.asc"):
        if needed not in files:
            raise MeddraReleaseError(
                f"MedDRA release folder {folder} has no {needed}; point MEDDRA_PATH at the "
                "MedAscii folder of a licensed MSSO release."
            )
    return files


def _read_text(path: Path) -> str:
    """The file's text; releases come as utf-8 or latin-1, and latin-1 decodes anything, so last."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise MeddraReleaseError(f"Cannot read {path}: {error.strerror}.") from error
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _records(
    path: Path, expected: int, code_columns: tuple[int, ...]
) -> Iterable[tuple[int, list[str]]]:
    """(line number, fields) of each non-blank `$`-separated record, checked for shape and codes."""
    for number, line in enumerate(_read_text(path).splitlines(), start=1):
        if not line.strip():
            continue
        fields = line.split("$")
        if fields[-1] == "":
            fields.pop()  # every record ends with a `$`
        if len(fields) < expected:
            raise MeddraReleaseError(
                f"{path} line {number}: expected {expected} '$'-separated fields, "
                f"found {len(fields)}."
            )
        for column in code_columns:
            if not _CODE.fullmatch(fields[column]):
                raise MeddraReleaseError(
                    f"{path} line {number}: field {column + 1} is {fields[column]!r}, "
                    "expected an 8-digit MedDRA code."
                )
        yield number, fields


def _release_version(path: Path) -> tuple[str, str | None]:
    """(version, language) from meddra_release.asc, which reads e.g. `27.1$English$`."""
    for line in _read_text(path).splitlines():
        if line.strip():
            fields = line.split("$")
            version = fields[0].strip()
            if not version:
                break
            language = fields[1].strip() if len(fields) > 1 and fields[1].strip() else None
            return version, language
    raise MeddraReleaseError(
        f"{path} does not start with a MedDRA version such as '27.1$English$'."
    )


@functools.lru_cache(maxsize=4)
def _load_cached(folder: str, default_version: str) -> MeddraDictionary:
    # A release is read once per folder and process: MSSO releases each go into a new folder.
    return MeddraDictionary.from_path(folder, default_version)


def load_configured_meddra() -> MeddraDictionary | None:
    """The release at MEDDRA_PATH, or None when none is configured; a broken one raises."""
    settings = load_settings()
    if not settings.meddra_path:
        return None
    return _load_cached(settings.meddra_path, settings.meddra_version)


def lookup_llt(code: str) -> FoundTerm | None:
    """Resolve a code through the configured release first, then the guide's shipped terms."""
    code = code.strip()
    dictionary = load_configured_meddra()
    if dictionary is not None:
        llt = dictionary.llt(code)
        if llt is not None:
            return FoundTerm(llt.code, llt.name, "release", dictionary.version, llt.current)
    term = load_catalogue().term_by_code(code)
    if term is not None:
        return FoundTerm(term.code, term.term, "guide", None, None)
    return None
