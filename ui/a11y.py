"""ARIA that Streamlit's widgets take no argument for (WCAG 2.1: 1.3.1, 3.3.1, 4.1.2, 2.4.3).

One small script, run in the page itself (`st.html` with JavaScript runs in the document, not
in an iframe, in Streamlit 1.67), keeps the page marked up as the widgets are redrawn:
- a field with problems: `aria-invalid="true"`, `aria-describedby` its messages' stable id;
- a field whose label ends in "*": `aria-required="true"` (the star alone is not announced);
- a container keyed `group:<name>`: `role="group"`, labelled by its first line of text;
- focus moved once per request (`request_focus`): to the problem list after a failed check, a
  new reaction's heading, the confirmation heading.
Python says what (keys, selectors); the script only finds elements by the classes Streamlit
gives keyed elements (`st-key-<key>`).
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import streamlit as st

FOCUS = "a11y_focus"  # {"selector", "nonce"}: the focus move the last action asked for
MESSAGES = "msg:"  # key prefix of the container holding an input's messages
GROUP = "group:"  # key prefix of a container that is a labelled group of fields
SCRIPT_ID = "pv-a11y"  # the id of the page's own script element
WIDGET = "f:"  # ui.widgets' widget key prefix (widgets imports this module, not the reverse)


def key_class(key: str) -> str:
    """The class Streamlit 1.67 gives the element (or container) with this key."""
    return "st-key-" + re.sub(r"[^A-Za-z0-9_-]", "-", key.strip())


def anchor_id(key: str) -> str:
    """The page anchor of an input, for links from the problem lists."""
    return "field-" + re.sub(r"[^A-Za-z0-9_-]", "-", key)


def message_id(key: str) -> str:
    """The stable id of an input's messages, which its aria-describedby names."""
    return anchor_id(key) + "-error"


def messages_key(key: str) -> str:
    """The key of the container that holds an input's messages."""
    return MESSAGES + key


def group_key(name: str) -> str:
    """The key of a container whose fields form one labelled group (e.g. seriousness)."""
    return GROUP + name


def request_focus(selector: str) -> None:
    """Move the keyboard focus to `selector`'s element once, after the next drawing of the page."""
    st.session_state[FOCUS] = {"selector": selector, "nonce": uuid.uuid4().hex}


def problems_selector(container_key: str) -> str:
    return f".{key_class(container_key)} [data-testid='stAlert']"


def heading_selector(anchor: str) -> str:
    return f"h1#{anchor}, h2#{anchor}, h3#{anchor}"


def page_data(invalid: list[str]) -> dict[str, Any]:
    """What the script applies: each input with problems, and the pending focus move."""
    return {
        "invalid": [
            {
                "field": key_class(WIDGET + key),
                "messages": key_class(messages_key(key)),
                "id": message_id(key),
            }
            for key in invalid
        ],
        "groups": key_class(GROUP),
        "focus": st.session_state.pop(FOCUS, None),
    }


def script(data: dict[str, Any]) -> str:
    """The page's script with its data (JSON; "</" escaped so it cannot end the element)."""
    payload = json.dumps(data, sort_keys=True).replace("</", "<\\/")
    return f'<script id="{SCRIPT_ID}">\nwindow.__pvA11y = {payload};\n{_SCRIPT}</script>'


def inject(invalid: list[str]) -> None:
    """Draw the script (last on the page): inputs `invalid` have messages under them."""
    st.html(script(page_data(invalid)), unsafe_allow_javascript=True)


_SCRIPT = """(() => {
  const doc = document;
  const REQUIRED = '[role=radiogroup], textarea, input:not([type=checkbox]):not([type=radio])'
    + ':not([type=hidden])';
  const CONTROL = '[role=radiogroup], textarea, input:not([type=radio]):not([type=hidden])';
  const apply = () => {
    const data = window.__pvA11y;
    if (!data) return;
    for (const box of doc.querySelectorAll('[data-testid="stElementContainer"]')) {
      const label = box.querySelector('[data-testid="stWidgetLabel"]');
      const control = label && box.querySelector(REQUIRED);
      if (!control) continue;
      const required = label.textContent.trim().endsWith('*');
      if (required && control.getAttribute('aria-required') !== 'true') {
        control.setAttribute('aria-required', 'true');
      } else if (!required && control.hasAttribute('aria-required')) {
        control.removeAttribute('aria-required');
      }
    }
    const wanted = new Map();
    for (const item of data.invalid) {
      const box = doc.querySelector('.' + item.field);
      const messages = doc.querySelector('.' + item.messages);
      const control = box && box.querySelector(CONTROL);
      if (!control || !messages) continue;
      if (messages.id !== item.id) messages.id = item.id;
      wanted.set(control, item.id);
    }
    for (const control of doc.querySelectorAll('[data-pv-invalid]')) {
      if (wanted.has(control)) continue;
      control.removeAttribute('aria-invalid');
      const kept = (control.getAttribute('aria-describedby') || '').split(/\\s+/)
        .filter((id) => id && id !== control.dataset.pvInvalid);
      if (kept.length) control.setAttribute('aria-describedby', kept.join(' '));
      else control.removeAttribute('aria-describedby');
      control.removeAttribute('data-pv-invalid');
    }
    for (const [control, id] of wanted) {
      const ids = (control.getAttribute('aria-describedby') || '').split(/\\s+/)
        .filter((x) => x && x !== control.dataset.pvInvalid && x !== id);
      const described = [...ids, id].join(' ');
      if (control.getAttribute('aria-invalid') !== 'true') {
        control.setAttribute('aria-invalid', 'true');
      }
      if (control.getAttribute('aria-describedby') !== described) {
        control.setAttribute('aria-describedby', described);
      }
      if (control.dataset.pvInvalid !== id) control.dataset.pvInvalid = id;
    }
    for (const group of doc.querySelectorAll('[class*="' + data.groups + '"]')) {
      const label = group.querySelector('[data-testid="stMarkdownContainer"] p');
      if (!label) continue;
      if (!label.id) label.id = 'pv-group-' + Math.random().toString(36).slice(2);
      if (group.getAttribute('role') !== 'group') group.setAttribute('role', 'group');
      if (group.getAttribute('aria-labelledby') !== label.id) {
        group.setAttribute('aria-labelledby', label.id);
      }
    }
    const focus = data.focus;
    if (focus && window.__pvFocused !== focus.nonce) {
      const target = doc.querySelector(focus.selector);
      if (target && !target.closest('[data-stale="true"]')) {
        if (!target.hasAttribute('tabindex')) target.setAttribute('tabindex', '-1');
        target.focus();
        target.scrollIntoView({block: 'center'});
        if (doc.activeElement === target) window.__pvFocused = focus.nonce;
      }
    }
  };
  // A link to a field's anchor moves the focus to the field, not only the view.
  const follow = (event) => {
    const link = event.target.closest && event.target.closest('a[href^="#field-"]');
    if (!link) return;
    const anchor = doc.getElementById(decodeURIComponent(link.getAttribute('href').slice(1)));
    const holder = anchor && anchor.closest('[data-testid="stElementContainer"]');
    let next = holder && holder.nextElementSibling;
    while (next && !next.querySelector(CONTROL)) next = next.nextElementSibling;
    const control = next && next.querySelector(CONTROL);
    if (!control) return;
    event.preventDefault();
    control.focus();
    control.scrollIntoView({block: 'center'});
  };
  let pending = false;
  const schedule = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; apply(); });
  };
  if (!window.__pvA11yObserver) {
    window.__pvA11yObserver = new MutationObserver(schedule);
    window.__pvA11yObserver.observe(doc.body, {childList: true, subtree: true});
    doc.addEventListener('click', follow);
  }
  schedule();
})();
"""
