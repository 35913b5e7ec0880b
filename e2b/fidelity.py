"""What a received file says that the model did not keep: anything dropped is a finding.

The reader takes every ICH element into the model; a partner's file also carries regional
elements (FDA's, the EU's ...), labels (displayName), code list versions and elements this
library does not know. `not_kept` rebuilds each report read from the file with the writer and
names every attribute value and text of the original that the rebuilt message lacks, grouped by
where it sits. The received bytes themselves are not changed: an application that must keep
everything stores them as they came (pv does), and these findings say what its model view omits.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from lxml import etree

from e2b.findings import Finding
from e2b.reader import MESSAGE_TAG, ReadBatch
from e2b.writer import BatchHeader, build_batch

E = etree._Element
Leaf = tuple[str, str, str]  # (path of local names, "@attribute" or "#text", value)
# Values that only say how the file was made, not what it reports: the batch's and the
# message's identity and time are the writer's (given here by `header`).
NOT_CONTENT = frozenset({"PORR_IN049016UV/creationTime"})
EXAMPLES = 3


def _leaves(message: E) -> Counter[Leaf]:
    """Every attribute value and non-blank text under `message`, by its path of local names."""
    out: Counter[Leaf] = Counter()
    paths: dict[E, str] = {message: etree.QName(message).localname}
    for node in message.iterdescendants():
        if not isinstance(node.tag, str):
            continue  # comments and processing instructions
        parent = node.getparent()
        assert parent is not None
        path = paths[node] = f"{paths[parent]}/{etree.QName(node).localname}"
        if path in NOT_CONTENT:
            continue
        for name, value in node.attrib.items():
            out[(path, "@" + etree.QName(name).localname, value)] += 1
        text = (node.text or "").strip()
        if text:
            out[(path, "#text", text)] += 1
    return out


def not_kept(root: E, batch: ReadBatch) -> list[list[Finding]]:
    """For each message of `root` (as `batch` read it), warnings naming what the model lacks.

    A message the model could not take at all has no report; its list is then empty (its read
    findings already say why).
    """
    messages = [root] if root.tag == MESSAGE_TAG else list(root.iterchildren(MESSAGE_TAG))
    header = BatchHeader(
        batch_id=batch.batch_id or "-",
        sender_id=batch.sender_id or "-",
        receiver_id=batch.receiver_id or "-",
        created_at=datetime(2000, 1, 1, tzinfo=UTC),
    )
    out: list[list[Finding]] = []
    for message, read in zip(messages, batch.reports, strict=True):
        if read.report is None:
            out.append([])
            continue
        rebuilt = build_batch([read.report], header).find(MESSAGE_TAG)
        assert rebuilt is not None
        missing = _leaves(message) - _leaves(rebuilt)
        out.append(_grouped(missing))
    return out


def _grouped(missing: Counter[Leaf]) -> list[Finding]:
    """One warning per path and attribute, with how many values and a few examples."""
    groups: dict[tuple[str, str], list[str]] = {}
    for (path, part, value), count in sorted(missing.items()):
        groups.setdefault((path, part), []).extend([value] * count)
    findings = []
    for (path, part), values in groups.items():
        where = f"/{path}/{part}" if part.startswith("@") else f"/{path}"
        shown = ", ".join(repr(v[:60]) for v in list(dict.fromkeys(values))[:EXAMPLES])
        what = "text" if part == "#text" else part
        findings.append(
            Finding(
                "warning",
                "-",
                where,
                f"not kept by the model: {len(values)} {what} value(s) here, e.g. {shown}",
            )
        )
    return findings
