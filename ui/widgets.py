"""Form inputs whose answers live in one session dict, so nothing typed is lost on a rerun, on an
error, or when the user visits another page and comes back (Streamlit forgets the state of
widgets that were not drawn; the answers dict does not).

Each input is tied to a model path through `pv.form`: the label's required marker, the help's
E2B element and the length limit come from the model, and findings come back to the input.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from datetime import date as calendar_date
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

import streamlit as st

from e2b.codelists import AgeUnit
from pv.catalogue import GuideCategory
from pv.clinical import without_elements
from pv.dates import from_user_text
from pv.form import FieldMeta, ReportInput, field_meta
from pv.validation import FieldProblem, check_date, check_number
from ui import choices, field_labels
from ui.a11y import anchor_id, messages_key
from ui.messages import translated
from ui.strings import t

ANSWERS = "answers"  # input key -> value: the form as typed
ERRORS = "errors"  # input key -> messages, from the last check
CHECKS = "field_checks"  # input key -> messages, from checking the input when it was left
EXPERT = "expert_view"  # True: messages and help name the E2B elements
WIDGET = "f:"  # prefix of widget keys in st.session_state

T = TypeVar("T")

_ELEMENTS = re.compile(r"\b[A-HN](?:\.(?:\d+[a-z]?|[a-z]))+\b")  # E.i.7, G.k.9.i.2.r, D.2.2a
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~<$:])")


# Markdown turns bare addresses and URLs into links even when escaped, and Streamlit turns
# ":smile:" and ":material/home:" into emoji and icons whatever the backslashes; an invisible word
# joiner after "@", "www" and ":" keeps them text (copying them may carry the joiner along).
_AUTOLINK = str.maketrans({"@": "@\u2060"})
_JOINER_AFTER = re.compile(r"(www|:)(?=[./\w+-])", re.IGNORECASE)


def plain(text: str) -> str:
    """Text shown through Markdown exactly as typed (no formatting, links or HTML)."""
    unlinked = _JOINER_AFTER.sub("\\1\u2060", text.translate(_AUTOLINK))
    return _MARKDOWN.sub(r"\\\1", unlinked)


def answers() -> dict[str, Any]:
    """The form's answers, created empty on first use."""
    store: dict[str, Any] = st.session_state.setdefault(ANSWERS, {})
    return store


def answer(key: str, default: Any = None) -> Any:
    return answers().get(key, default)


def current(key: str) -> Any:
    """An answer as it stands at the start of this run (the widget's value, if drawn before)."""
    name = WIDGET + key
    return st.session_state[name] if name in st.session_state else answers().get(key)


def set_answer(key: str, value: Any) -> None:
    """Change an answer from code (e.g. a button); the widget shows it on the next run."""
    answers()[key] = value
    st.session_state.pop(WIDGET + key, None)


def clear_answers(values: dict[str, Any] | None = None) -> None:
    """Empty the form (or replace it with saved `values`), widgets included."""
    for name in [k for k in st.session_state if isinstance(k, str) and k.startswith(WIDGET)]:
        del st.session_state[name]
    st.session_state[ANSWERS] = dict(values or {})
    st.session_state[ERRORS] = {}
    st.session_state[CHECKS] = {}


def _widget_key(key: str, default: Any) -> str:
    name = WIDGET + key
    if name not in st.session_state:
        st.session_state[name] = answers().get(key, default)
    return name


def _keep(key: str) -> Any:
    value = st.session_state[WIDGET + key]
    answers()[key] = value
    return value


def expert() -> bool:
    """Expert view: E2B element numbers shown in messages and help (off for clinicians)."""
    return bool(st.session_state.get(EXPERT, False))


def shown(message: str) -> str:
    """A finding's message as this user reads it: in the page's language (ui.messages), with
    element numbers only in expert view."""
    bare = without_elements(message)
    text = translated(bare)
    if not expert():
        return text
    if text == bare:
        return message
    elements = sorted(set(_ELEMENTS.findall(message)), key=message.index)
    return f"{text} ({', '.join(elements)})" if elements else text


def element_help(text: str, element: str) -> str:
    """Help text, with the E2B element in expert view."""
    return f"{text} · E2B(R3) {element}" if expert() else text


def messages(key: str) -> list[str]:
    """What is wrong with this input: its findings from the last check, then its field checks."""
    found: list[str] = st.session_state.get(ERRORS, {}).get(key, [])
    checked: list[str] = st.session_state.get(CHECKS, {}).get(key, [])
    return [*found, *(m for m in checked if m not in found)]


def _anchor(key: str) -> None:
    """A link target just above an input that has problems (only those, to keep pages light)."""
    if messages(key):
        st.markdown(f'<span id="{anchor_id(key)}"></span>', unsafe_allow_html=True)


def show_errors(key: str) -> None:
    """The findings for this input, right under it (in a container the input's
    aria-describedby names: ui.a11y)."""
    found = messages(key)
    if not found:
        return
    with st.container(key=messages_key(key)):
        for message in found:
            st.markdown(f":red[⚠ {plain(shown(message))}]")


def invalid_keys() -> list[str]:
    """The inputs that have messages: their findings from the last check or field checks."""
    keys = [*st.session_state.get(ERRORS, {}), *st.session_state.get(CHECKS, {})]
    return [key for key in dict.fromkeys(keys) if messages(key)]


def _field_checked(key: str, problems: list[FieldProblem]) -> None:
    """Keep the field check's reasons for `key`; its findings from the last check are stale."""
    st.session_state.setdefault(ERRORS, {}).pop(key, None)
    checks: dict[str, list[str]] = st.session_state.setdefault(CHECKS, {})
    # Kept in English, like the findings: shown() words them in the page's language then.
    checks[key] = [t(f"check.{p.kind}", "en", detail=p.detail) for p in problems]
    if not checks[key]:
        del checks[key]


def _today() -> calendar_date:
    """Today as the submission will see it (pv.submission checks with the UTC date)."""
    return datetime.now(UTC).date()


def _typed_date(key: str | None) -> str | None:
    value = current(key) if key else None
    return from_user_text(value) if isinstance(value, str) and value.strip() else None


def _check_date(key: str, start_key: str | None, end_key: str | None) -> None:
    """on_change of a date: a real date, not in the future, not before its start."""
    _keep(key)
    typed = _typed_date(key)
    _field_checked(key, check_date(typed, _today(), start=_typed_date(start_key)))
    if end_key and _typed_date(end_key):
        _field_checked(end_key, check_date(_typed_date(end_key), _today(), start=typed))


def _check_number(key: str, path: str | None, unit_key: str | None) -> None:
    """on_change of a number: above 0 and plausible where the model or the form says so."""
    value = _keep(key)
    unit = current(unit_key) if unit_key else None
    number = Decimal(str(value)) if value is not None else None
    _field_checked(
        key, check_number(path, number, unit=unit if isinstance(unit, AgeUnit) else None)
    )


def _meta(path: str | None) -> FieldMeta | None:
    return field_meta(path) if path else None


def _label(meta: FieldMeta | None, label: str | None) -> str:
    if meta is None:
        return label or ""
    return meta.label(label or field_labels.title(meta))


def _help(meta: FieldMeta | None, help_text: str | None) -> str | None:
    if meta is None:
        return help_text
    return meta.help(help_text, expert=expert()) or None


def text(
    form: ReportInput,
    key: str,
    path: str | None,
    label: str | None = None,
    *,
    help_text: str | None = None,
    area: bool = False,
    placeholder: str | None = None,
    default: str = "",
    max_chars: int | None = None,
) -> str | None:
    """A text input; its stripped value (None when empty) goes to `path` in the report."""
    meta = _meta(path)
    limit = max_chars or (meta.max_length if meta else None)
    widget = st.text_area if area else st.text_input
    _anchor(key)
    widget(
        _label(meta, label),
        key=_widget_key(key, default),
        help=_help(meta, help_text),
        placeholder=placeholder,
        max_chars=limit,
    )
    value = _keep(key)
    show_errors(key)
    cleaned = value.strip() if isinstance(value, str) and value.strip() else None
    if path:
        form.put(path, cleaned, key)
    return cleaned


def date(
    form: ReportInput,
    key: str,
    path: str | None,
    label: str | None = None,
    *,
    start_key: str | None = None,
    end_key: str | None = None,
) -> str | None:
    """A partial date typed as text: 2025, 2025-03, 2025-03-14 or 14/03/2025. Checked when
    left: a real date, not in the future, not before `start_key`'s date (and `end_key`'s date
    is checked again when this start changes)."""
    meta = _meta(path)
    _anchor(key)
    st.text_input(
        _label(meta, label),
        key=_widget_key(key, ""),
        help=_help(meta, t("date.help")),
        placeholder=t("date.placeholder"),
        max_chars=25,
        on_change=_check_date,
        args=(key, start_key, end_key),
    )
    value = _keep(key)
    show_errors(key)
    cleaned = from_user_text(value) if isinstance(value, str) and value.strip() else None
    if path:
        form.put(path, cleaned, key)
    return cleaned


def number(
    form: ReportInput,
    key: str,
    path: str | None,
    label: str | None = None,
    *,
    help_text: str | None = None,
    minimum: float | None = None,
    integer: bool = False,
    unit_key: str | None = None,
) -> Decimal | None:
    """A number input (empty allowed); the value is passed on as a Decimal string. Checked when
    left against the form's limits for `path` (an age's limit depends on `unit_key`'s unit)."""
    meta = _meta(path)
    _anchor(key)
    st.number_input(
        _label(meta, label),
        value=None,
        key=_widget_key(key, None),
        help=_help(meta, help_text),
        min_value=int(minimum) if integer and minimum is not None else minimum,
        step=1 if integer else None,
        format="%d" if integer else "%g",
        on_change=_check_number,
        args=(key, path, unit_key),
    )
    value = _keep(key)
    show_errors(key)
    result: Decimal | None = None
    if value is not None:
        try:
            result = Decimal(str(value)).normalize()
        except InvalidOperation:
            result = None
    if path:
        form.put(path, str(result) if result is not None else None, key)
    return result


def select(
    form: ReportInput,
    key: str,
    path: str | None,
    options: Sequence[T],
    label: str | None = None,
    *,
    format_func: Callable[[T], str] = str,
    help_text: str | None = None,
    default: T | None = None,
    horizontal: bool = False,
    value_of: Callable[[T], Any] | None = None,
) -> T | None:
    """A drop-down (or radio buttons), empty until chosen unless `default` is given."""
    meta = _meta(path)
    name = _widget_key(key, default)
    _anchor(key)
    if st.session_state[name] is not None and st.session_state[name] not in options:
        st.session_state[name] = default  # an answer the options no longer offer
    format_func = _named(options, format_func)
    if horizontal:
        st.radio(
            _label(meta, label),
            options,
            key=name,
            format_func=format_func,
            help=_help(meta, help_text),
            horizontal=True,
            index=None,
        )
    else:
        st.selectbox(
            _label(meta, label),
            options,
            key=name,
            format_func=format_func,
            help=_help(meta, help_text),
            index=None,
            placeholder=t("choose"),
        )
    value: T | None = _keep(key)
    show_errors(key)
    if path:
        form.put(path, None if value is None else (value_of or _plain_value)(value), key)
    return value


def _named(options: Sequence[T], format_func: Callable[[T], str]) -> Callable[[T], str]:
    """The options' names as this run words them (in the page's language), so whoever formats
    an option later, even outside the script run, shows the same name."""
    names = {option: format_func(option) for option in options}
    return lambda option: names[option] if option in names else format_func(option)


def _plain_value(value: Any) -> Any:
    return getattr(value, "value", value)


def checkbox(
    form: ReportInput,
    key: str,
    path: str | None,
    label: str | None = None,
    *,
    help_text: str | None = None,
    default: bool = False,
) -> bool:
    """A tick box; ticked sends True, unticked leaves the model default."""
    meta = _meta(path)
    _anchor(key)
    st.checkbox(
        label or (meta.label(field_labels.title(meta)) if meta else ""),
        key=_widget_key(key, default),
        help=_help(meta, help_text),
    )
    value = bool(_keep(key))
    show_errors(key)
    if path:
        form.put(path, True if value else None, key)
    return value


def multiselect(
    key: str,
    options: Sequence[T],
    label: str,
    *,
    format_func: Callable[[T], str] = str,
    help_text: str | None = None,
) -> list[T]:
    """Several choices; the caller decides what they add to the report."""
    name = _widget_key(key, [])
    st.session_state[name] = [v for v in st.session_state[name] if v in options]
    format_func = _named(options, format_func)
    st.multiselect(label, options, key=name, format_func=format_func, help=help_text)
    value: list[T] = list(_keep(key))
    show_errors(key)
    return value


def repeating(
    key: str,
    render: Callable[[int, str], None],
    *,
    add_label: str,
    remove_label: Callable[[int], str],
) -> int:
    """A repeating group (medicines, tests): each item in a box with its remove button, then
    an add button. `render(n, item_id)` draws item n. Returns how many items there are."""
    ids = items(key)
    for n, item_id in enumerate(ids):
        with st.container(border=True):
            render(n, item_id)
            st.button(
                remove_label(n),
                key=f"remove.{key}.{item_id}",
                on_click=remove_item,
                args=(key, item_id),
            )
    st.button(add_label, key=f"add.{key}", on_click=add_item, args=(key, str(uuid.uuid4())))
    return len(ids)


def guide_facts(category: GuideCategory) -> list[str]:
    """The guide's frequency, monitoring and management notes for a category, as Markdown."""
    facts = (
        ("frequency", category.frequency),
        ("monitoring", category.monitoring),
        ("management", category.management),
    )
    return [
        f"**{t(f'reaction.hint.{kind}')}:** {plain(choices.name(kind, category.id, value))}"
        for kind, value in facts
        if value
    ]


def items(key: str) -> list[str]:
    """The ids of a repeating group's items (reactions, medicines, tests), in order."""
    value: list[str] = answers().setdefault(key, [])
    return value


def add_item(key: str, item_id: str) -> None:
    items(key).append(item_id)


def remove_item(key: str, item_id: str) -> None:
    """Drop an item and every answer under it."""
    answers()[key] = [i for i in items(key) if i != item_id]
    prefix = f"{key}.{item_id}."
    for name in [k for k in answers() if k.startswith(prefix)]:
        del answers()[name]
        st.session_state.pop(WIDGET + name, None)
