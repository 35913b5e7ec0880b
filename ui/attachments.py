"""The report page's documents (ECG, discharge letter, lab report: C.1.6.1.r) and the reporter's
consent to be contacted and request for a copy of the e-mail.

Accepted files live in the form's answers (ui.widgets), so a rerun, a saved draft and "Start a
new report" treat them like anything typed; which files are accepted is pv.attachments' call.
"""

from __future__ import annotations

import hashlib
from typing import Any

import streamlit as st

from pv.attachments import (
    ACCEPTED_EXTENSIONS,
    MAX_FILE_BYTES,
    MAX_FILES,
    MAX_TOTAL_BYTES,
    MB,
    Upload,
    check_upload,
    held_documents,
    megabytes,
)
from pv.form import ReportInput
from ui import widgets as w
from ui.messages import translated
from ui.strings import t
from ui.widgets import plain

FILES = "attachments.files"  # answer: the accepted files, a tuple of Upload, in order
REFUSED = "attachments.refused"  # answer: why the files last offered were not attached
DESCRIPTION = "attachments.description."  # answer key prefix + file id: the reporter's title
GENERATION = "attachments.generation"  # bumped to give the uploader a fresh, empty widget
UPLOADER = "attachments.uploader."


def file_id(upload: Upload) -> str:
    """A stable id for a file (the same content is never attached twice)."""
    return hashlib.sha256(upload.data).hexdigest()[:16]


def uploads() -> tuple[Upload, ...]:
    """The accepted files, each with the description the reporter gave it."""
    files: tuple[Upload, ...] = w.answer(FILES, ())
    return tuple(f.with_description(w.answer(DESCRIPTION + file_id(f))) for f in files)


def _uploader_key() -> str:
    return UPLOADER + str(st.session_state.get(GENERATION, 0))


def _take_files(key: str) -> None:
    """The uploader's new files checked one by one; then the uploader starts empty again."""
    offered: list[Any] = st.session_state.get(key) or []
    files: list[Upload] = list(w.answer(FILES, ()))
    refused: list[str] = []
    for item in offered:
        result = check_upload(item.name, item.getvalue(), item.type, files)
        if isinstance(result, Upload):
            files.append(result)
        else:
            refused.append(result.message)
    w.answers()[FILES] = tuple(files)
    w.answers()[REFUSED] = refused
    st.session_state[GENERATION] = st.session_state.get(GENERATION, 0) + 1


def _remove(upload_id: str) -> None:
    files: tuple[Upload, ...] = w.answer(FILES, ())
    w.answers()[FILES] = tuple(f for f in files if file_id(f) != upload_id)
    w.answers()[REFUSED] = []
    w.answers().pop(DESCRIPTION + upload_id, None)
    st.session_state.pop(w.WIDGET + DESCRIPTION + upload_id, None)


def size_text(size: int) -> str:
    """A file's size as the list shows it: KB below a megabyte."""
    return megabytes(size) if size >= MB else f"{max(1, round(size / 1024))} KB"


def documents_section(form: ReportInput) -> None:
    """Upload, list and remove documents; the accepted ones go to C.1.6.1.r of the report."""
    st.header(t("attachments.title"), anchor="section-documents")
    st.caption(
        t(
            "attachments.hint",
            files=MAX_FILES,
            per_file=megabytes(MAX_FILE_BYTES),
            total=megabytes(MAX_TOTAL_BYTES),
        )
    )
    key = _uploader_key()
    st.file_uploader(
        t("attachments.uploader"),
        type=list(ACCEPTED_EXTENSIONS),
        accept_multiple_files=True,
        key=key,
        on_change=_take_files,
        args=(key,),
        # No max_upload_size: the drop zone would refuse a larger file with its reason hidden
        # in a tooltip; pv.attachments' refusal names the size and the limit beside it.
    )
    for reason in w.answer(REFUSED, []):
        st.markdown(f":red[⚠ {plain(t('attachments.refused', reason=translated(reason)))}]")
    w.show_errors(FILES)
    files = uploads()
    for upload in files:
        upload_id = file_id(upload)
        with st.container(border=True):
            st.markdown(plain(t("attachments.file", name=upload.name, size=size_text(upload.size))))
            w.text(
                form,
                DESCRIPTION + upload_id,
                None,
                t("attachments.description", name=upload.name),
                max_chars=200,
            )
            st.button(
                t("attachments.remove", name=upload.name),
                key=f"attachments.remove.{upload_id}",
                on_click=_remove,
                args=(upload_id,),
            )
    if files:
        form.put("case.additional_documents", True, FILES)
        documents = [d.model_dump(mode="json") for d in held_documents(files)]
        form.put("case.documents", documents, FILES)
    else:
        form.bind("case.documents", FILES)


def consent_section(form: ReportInput) -> None:
    """The reporter's consent to be contacted and request for a copy (local to this tool)."""
    st.header(t("consent.title"), anchor="section-consent")
    w.checkbox(form, "consent.contact", "reporter_consents_to_contact", t("consent.contact"))
    w.checkbox(
        form,
        "consent.copy",
        "copy_to_reporter",
        t("consent.copy"),
        help_text=t("consent.copy_hint"),
    )
