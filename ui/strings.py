"""Every user-facing string of the pages, in one place, in English and Arabic (ui.strings_ar).

`t(key)` looks a key up in the session's language (`current_language()`) and falls back to English.
Field labels that are not listed here come from the report model's field titles
(pv.form.field_meta), translated by ui.field_labels.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from ui.strings_ar import ARABIC

LANGUAGE = "language"  # st.session_state key: "en" or "ar"

ENGLISH: dict[str, str] = {
    "app.title": "LEMTRADA adverse event report",
    "language.label": "Language · اللغة",
    "nav.report": "Report a reaction",
    "nav.log": "Submission log",
    "nav.about": "About and guide",
    "report.intro": (
        "Report a suspected adverse reaction to LEMTRADA (alemtuzumab). The form follows the "
        "LEMTRADA risk-management guide; fields marked * are required. When the report is "
        "complete it is checked, saved to the submission log, and you get the ICH E2B(R3) file "
        "and an e-mail addressed to the Saudi FDA National Pharmacovigilance Centre and the "
        "marketing-authorisation holder."
    ),
    "report.new": "Start a new report",
    "report.save_draft": "Save draft",
    "report.resume_draft": "Resume a saved draft",
    "report.draft_saved": "Draft saved at {time}. You can resume it from this browser session.",
    "report.draft_none": "No saved drafts in this session.",
    "report.draft_resumed": "Draft from {time} restored.",
    "report.cleared": "The form is empty: a new report has started.",
    "errors.title": "The report cannot be submitted yet: {count} problem(s) to fix.",
    "errors.general": "Other problems",
    "warnings.title": "Please check (the report can still be submitted)",
    "expert.toggle": "Expert view (E2B element numbers)",
    "expert.help": (
        "Shows the ICH E2B(R3) element numbers in messages and help, for safety officers and "
        "developers."
    ),
    "severity.error": "Error",
    "severity.warning": "Warning",
    # sections
    "section.reporter": "1. Reporter",
    "section.patient": "2. Patient",
    "section.reactions": "3. What happened",
    "section.lemtrada": "4. LEMTRADA treatment",
    "section.other_drugs": "5. Other medicines",
    "section.tests": "6. Other tests and results",
    "section.narrative": "7. Narrative",
    "section.review": "8. Review and submit",
    "progress.title": "Sections of the report",
    "progress.line": "{section} ({status})",
    "progress.complete": "complete",
    "progress.problems": "{count} to fix",
    # reporter
    "reporter.hint": "Your details, so the safety team can contact you for follow-up.",
    "reporter.qualification": "Your profession",
    "profession.physician": "Physician",
    "profession.pharmacist": "Pharmacist",
    "profession.other_health_professional": "Other health professional (e.g. nurse)",
    # patient
    "patient.hint": (
        "Enough to identify the patient without naming them: initials, age or date of birth, "
        "sex. Never enter the patient's name or ID number."
    ),
    "patient.age": "Age",
    "patient.age_unit": "Age unit",
    "age_unit.decade": "Decades",
    "age_unit.year": "Years",
    "age_unit.month": "Months",
    "age_unit.week": "Weeks",
    "age_unit.day": "Days",
    "age_unit.hour": "Hours",
    "age.decade.one": "{n} decade",
    "age.decade.other": "{n} decades",
    "age.year.one": "{n} year",
    "age.year.other": "{n} years",
    "age.month.one": "{n} month",
    "age.month.other": "{n} months",
    "age.week.one": "{n} week",
    "age.week.other": "{n} weeks",
    "age.day.one": "{n} day",
    "age.day.other": "{n} days",
    "age.hour.one": "{n} hour",
    "age.hour.other": "{n} hours",
    "patient.sex.unknown": "Not known",
    "patient.history": "Relevant medical history",
    "patient.history.placeholder": "e.g. RRMS diagnosed 2019; hypothyroidism since 2023",
    "patient.prior_dmts": "Previous MS therapies",
    "patient.prior_dmts.other": "Other previous medicines (one per line)",
    "patient.death": "Death details",
    "patient.death.hint": (
        "A reaction has a fatal outcome or results in death: give the cause of death (in words, "
        "or as a MedDRA code) and what else is known."
    ),
    "patient.death.cause": "Cause(s) of death as reported (one per line)",
    "patient.death.cause.placeholder": "e.g. Progressive multifocal leukoencephalopathy",
    "patient.death.cause_code": "Cause of death: MedDRA LLT code (8 digits)",
    "patient.death.autopsy": "Autopsy done",
    "yes": "Yes",
    "no": "No",
    "unknown": "Not known",
    # reactions
    "reactions.hint": (
        "Start from the guide's event groups. Pick the category, then the closest MedDRA term; "
        "for anything the guide does not list choose 'Other' and type the MedDRA code."
    ),
    "reaction.title": "Reaction {n}",
    "reaction.group": "Event group",
    "reaction.category": "Guide category",
    "reaction.term": "MedDRA term",
    "reaction.term.other": "Other MedDRA term (type the code)",
    "reaction.code": "MedDRA LLT code (8 digits)",
    "reaction.code.help": "From your MedDRA browser; the tool ships only the guide's terms.",
    "reaction.code.found": "MedDRA {version}: {name}",
    "reaction.verbatim": "Reaction in the reporter's words",
    "reaction.treatment": "Treatment given for the reaction",
    "reaction.treatment.placeholder": "e.g. IVIG 1 g/kg on days 1-2, prednisolone 1 mg/kg/day",
    "reaction.treatment.help": (
        "Medicines, procedures or other measures used to treat this reaction. Sent with the "
        "narrative."
    ),
    "reaction.dechallenge": "Did the reaction abate after LEMTRADA was stopped or reduced?",
    "reaction.dechallenge.help": (
        "Dechallenge. LEMTRADA is given in courses: choose 'not applicable' when no infusion "
        "was stopped or given after the reaction began."
    ),
    "dechallenge.abated": "Yes, it abated",
    "dechallenge.not_abated": "No, it did not abate",
    "dechallenge.not_applicable": "Not applicable (not stopped, or no infusion after onset)",
    "dechallenge.unknown": "Unknown",
    "reaction.confirmed": "Medically confirmed",
    "reaction.confirmed.help": "Confirmed by a health professional (e.g. you saw the patient).",
    "reaction.causality.help": "WHO-UMC causality category.",
    "reaction.recurrence.help": "Whether the reaction came back when LEMTRADA was given again.",
    "reaction.seriousness": "Seriousness (tick all that apply)",
    "reaction.serious_none": "Not serious (no criterion ticked)",
    "reaction.hint.frequency": "Frequency",
    "reaction.hint.monitoring": "Monitoring",
    "reaction.hint.management": "Management",
    "reaction.add": "Add another reaction",
    "reaction.remove": "Remove reaction {n}",
    "reaction.infusion": "Infusion details",
    "reaction.course": "During or after LEMTRADA course",
    "reaction.infusion_day": "Infusion day of the course",
    "reaction.time_since": "Time from the infusion to onset",
    "reaction.time_since_unit": "Unit of time since infusion",
    "reaction.pregnancy": "Pregnancy",
    "reaction.gestation": "Gestational age at exposure (weeks)",
    "reaction.pregnancy_outcome": "Pregnancy outcome",
    "reaction.pregnancy_outcome_date": "Date of the pregnancy outcome",
    "reaction.labs": "Tests the guide monitors for this event",
    "reaction.labs.hint": "Fill the ones you have; leave the others empty.",
    "reaction.causality": "Your assessment: is LEMTRADA related?",
    "reaction.recurrence": "Did it recur on re-administration?",
    "lab.value": "{name}: result",
    "lab.unit": "{name}: unit",
    "lab.date": "{name}: date",
    "lab.low": "{name}: normal low",
    "lab.high": "{name}: normal high",
    "lab.text": "{name}: result as text",
    "lab.row.date": "{name} ({n}): date",
    "lab.row.value": "{name} ({n}): result",
    "lab.row.text": "{name} ({n}): result as text",
    "lab.add": "Add another result: {name}",
    "lab.remove": "Remove {name} result {n}",
    "unit.ucum": "Sent as UCUM {code}",
    # LEMTRADA
    "lemtrada.hint": (
        "LEMTRADA 12 mg/day by IV infusion: course 1 on 5 consecutive days, later courses on "
        "3 consecutive days, at least 12 months apart."
    ),
    "lemtrada.courses": "Number of courses received",
    "lemtrada.course": "Course {n}",
    "lemtrada.course.start": "Course {n}: first infusion date",
    "lemtrada.course.end": "Course {n}: last infusion date",
    "lemtrada.course.batch": "Course {n}: batch / lot number",
    "lemtrada.course.expiry": "Course {n}: batch expiry",
    "lemtrada.course.expiry.placeholder": "YYYY-MM, as on the vial",
    "lemtrada.premedication": "Premedication and prophylaxis given",
    "lemtrada.action": "Action taken with LEMTRADA",
    # other drugs
    "drugs.hint": "Other medicines the patient was taking (concomitant), or other suspects.",
    "drug.title": "Medicine {n}",
    "drug.role": "Role",
    "drug.name": "Medicine {n}: name",
    "drug.dose": "Medicine {n}: dose and frequency",
    "drug.start": "Medicine {n}: start date",
    "drug.end": "Medicine {n}: stop date",
    "drug.indication": "Medicine {n}: given for",
    "drug.add": "Add a medicine",
    "drug.remove": "Remove medicine {n}",
    # tests
    "tests.hint": "Other relevant tests, imaging or procedures not asked for above.",
    "test.name": "Test {n}: name",
    "test.date": "Test {n}: date",
    "test.value": "Test {n}: result",
    "test.unit": "Test {n}: unit",
    "test.low": "Test {n}: normal low",
    "test.high": "Test {n}: normal high",
    "test.text": "Test {n}: result as text",
    "test.add": "Add a test",
    "test.remove": "Remove test {n}",
    # narrative and review
    "narrative.hint": (
        "Describe the case in your own words: what happened, when, how it was treated, and how "
        "the patient is now."
    ),
    "narrative.narrative": "Case narrative",
    "narrative.comments": "Your comments",
    "review.hint": "Check the summary. Submitting validates the report and saves it.",
    "review.submit": "Check and submit report",
    "review.check": "Check my report",
    "review.ok": "No problems found: the report is ready to submit.",
    "review.serious": "serious",
    "review.non_serious": "non-serious",
    "review.reporter": "Reporter",
    "review.patient": "Patient",
    "review.reaction": "Reaction {n}",
    "review.no_term": "no MedDRA term yet",
    "review.no_outcome": "outcome not given",
    "review.from": "from",
    "review.date_to_fix": "{date} (not a valid date yet)",
    "review.lemtrada": "LEMTRADA: {courses} course(s); other medicines: {drugs}",
    "review.tests": "Tests: {count}",
    # confirmation
    "done.title": "Report {case_id} submitted",
    "done.body": (
        "Thank you. The report is saved in the submission log under case ID **{case_id}**. "
        "Send it to both recipients: download the e-mail (.eml, with the E2B file attached) or "
        "open the pre-filled e-mail and attach the XML file."
    ),
    "done.receipt": "Download receipt (PDF)",
    "done.cioms": "Download CIOMS I form (PDF)",
    "done.xml": "Download E2B(R3) XML",
    "done.eml": "Download e-mail with attachment (.eml)",
    "done.mailto": "Open pre-filled e-mail",
    "done.validation": "Validation report",
    "done.valid": "The XML passed the ICH E2B(R3) schema and business rules.",
    "done.save_failed": "The report could not be saved: {reason}. Nothing was lost; try again.",
    # dates
    "date.placeholder": "YYYY-MM-DD, YYYY-MM or YYYY (or DD/MM/YYYY)",
    "date.help": "A partial date is fine: give the year, or the month and year, if that is all "
    "you know.",
    "choose": "Choose…",
    # checks of one input, when it is left
    "check.not_a_date": "This is not a date: type it as 2025-03-14, 2025-03 or 2025 (or "
    "14/03/2025).",
    "check.future": "This date is in the future.",
    "check.before_start": "This date is before the start date ({detail}).",
    "check.not_positive": "This must be more than 0.",
    "check.too_high": "This is not plausible: at most {detail}.",
    # about
    "about.title": "About this tool and the LEMTRADA guide",
    "about.recipients": "Where reports go",
    "about.sfda": "Saudi FDA National Pharmacovigilance Centre",
    "about.mah": "Marketing-authorisation holder (Sanofi) pharmacovigilance",
    "about.monitoring": (
        "The guide asks for monitoring for 48 months after the last LEMTRADA infusion: full "
        "blood count with differential, serum creatinine and urinalysis with microscopy monthly, "
        "thyroid function every 3 months."
    ),
    "about.categories": "Events the guide names",
    # officer workspace
    "log.login_needed": "The submission log is for safety officers. Please log in.",
    "log.username": "User name",
    "log.password": "Password",
    "log.login": "Log in",
    "log.login_failed": "User name or password is not right.",
    "log.logout": "Log out",
    "log.sso": "Log in with your organisation account",
    "log.sso_unknown": "{email} has no active officer account here; ask an administrator.",
    "log.signed_in": "Logged in as {name}",
    "log.tab.list": "Cases",
    "log.tab.case": "Case",
    "log.tab.dashboard": "Dashboard",
    "log.filters": "Filter the log",
    "log.search": "Search case ID, reporter, terms",
    "log.status": "Status",
    "log.category": "Guide category",
    "log.seriousness": "Seriousness",
    "log.seriousness.all": "All",
    "log.seriousness.serious": "Serious",
    "log.seriousness.non_serious": "Non-serious",
    "log.received": "Received between",
    "log.overdue_only": "Overdue only",
    "log.sort": "Sort by",
    "log.descending": "Newest / highest first",
    "log.page_size": "Cases per page",
    "log.count": "{total} case(s) · page {page} of {pages}",
    "log.col.case_id": "Case ID",
    "log.col.version": "Version",
    "log.col.status": "Status",
    "log.col.serious": "Serious",
    "log.col.terms": "Reactions (MedDRA)",
    "log.col.categories": "Guide categories",
    "log.col.reporter": "Reporter",
    "log.col.received_at": "Received",
    "log.col.first_received": "First received",
    "log.col.updated_at": "Last change",
    "log.col.days_open": "Days since receipt",
    "log.col.due_date": "Due to SFDA",
    "log.col.overdue": "Clock",
    "log.overdue": "overdue",
    "log.previous": "Previous page",
    "log.next": "Next page",
    "log.open": "Open case {case_id}",
    "log.opened": "Case {case_id} opened: see the Case tab.",
    "log.exports": "Export",
    "log.download_csv": "Download CSV of the filtered list",
    "log.download_batch": "Download E2B(R3) batch of {count} selected case(s)",
    "log.case_id": "Case ID",
    "log.case_hint": "Select a case in the list and open it, or type its case ID.",
    "log.case_missing": "There is no case {case_id}.",
    "log.case_title": "Case {case_id}",
    "log.overdue_case": "Overdue: due to SFDA on {due}.",
    "log.verbatims": "As reported",
    "log.workflow": "Workflow",
    "log.move_to": "Move to",
    "log.comment": "Comment",
    "log.apply": "Apply",
    "log.from": "From",
    "log.to": "To",
    "log.follow_up": "Add a follow-up (E2B(R3) file)",
    "log.follow_up.file": "Follow-up report for this case (XML)",
    "log.follow_up.add": "Add as the next version",
    "log.follow_up.refused": "The file was not added:",
    "log.follow_up.done": "Follow-up saved as version {version}.",
    "log.queue": "Queue",
    "log.queue.all": "All cases",
    "log.queue.mine": "My cases",
    "log.queue.due_soon": "Due in 3 days",
    "log.queue.overdue": "Overdue",
    "log.queue.unassigned": "Unassigned",
    "log.owner": "Owner",
    "log.owner.none": "Unassigned",
    "log.owner.assign": "Assign",
    "log.col.owner": "Owner",
    "log.download_cioms": "Download CIOMS I form (PDF)",
    "log.nullify": "Nullify or amend this case",
    "log.nullify.kind": "What the next version says (C.1.11.1)",
    "log.nullify.nullification": "Nullification: the report was made in error",
    "log.nullify.amendment": "Amendment: a correction of what was sent",
    "log.nullify.reason": "Reason (sent as C.1.11.2)",
    "log.nullify.go": "Save as the next version",
    "log.nullify.done.nullification": (
        "Nullified: version {version} says so; the case leaves the list."
    ),
    "log.nullify.done.amendment": "Amendment saved as version {version}.",
    "log.nullified": (
        "This case is nullified (version {version}); it stays in the log, out of the list."
    ),
    "log.show_nullified": "Show nullified cases",
    "log.import": "Import E2B(R3) files from partners",
    "log.import.files": "E2B(R3) files (XML; a batch may hold several reports)",
    "log.import.go": "Import",
    "log.import.created": "Saved as a new case.",
    "log.import.follow_up": "Follow-up saved as version {version}; the case is open for review.",
    "log.import.stale": (
        "Saved as version {version}, flagged stale: its information is older than the current "
        "version's."
    ),
    "log.import.already_imported": "This file was imported before; nothing changed.",
    "log.notes": "Notes",
    "log.note": "New note",
    "log.add_note": "Add note",
    "log.audit": "Audit trail",
    "log.audit.at": "When (UTC)",
    "log.audit.user": "Who",
    "log.audit.action": "What",
    "log.audit.detail": "Details",
    "log.tab.audit": "Audit trail",
    "log.audit.filter.user": "Who",
    "log.audit.filter.case": "Case ID",
    "log.audit.filter.action": "What",
    "log.audit.filter.any": "Anything",
    "log.audit.filter.since": "Since (UTC day)",
    "log.audit.count": "{shown} row(s), newest first (at most {limit}; the CSV has them all)",
    "log.audit.download": "Download the matching audit rows (CSV)",
    "log.dash.total": "Cases",
    "log.dash.serious_share": "Serious share",
    "log.dash.overdue": "Overdue",
    "log.dash.per_month": "Cases per month",
    "log.dash.per_category": "Cases per guide category",
    # drafts kept server-side (ui/drafts.py)
    "drafts.link": "Private link to this draft",
    "drafts.link.help": (
        "Keep this link private; it reopens this draft for 30 days, on any device. This "
        "page's address holds it too, so a bookmark works. The form is saved as you go."
    ),
    "drafts.link.submitted": (
        "Keep this link private; it shows that this report was submitted as case {case_id}."
    ),
    "drafts.save_now": "Save draft now",
    "drafts.saved": "Draft saved at {time} UTC. The private link reopens it for 30 days.",
    "drafts.restored": "Your draft saved at {time} UTC is back. It is kept until {expires} UTC.",
    "drafts.unknown": (
        "This draft link is unknown or has expired (drafts are kept for 30 days after the last "
        "change). The form below is empty."
    ),
    "drafts.submitted": (
        "This report was submitted as case {case_id}. Its answers are no longer kept as a "
        "draft; anything you type now starts a new report."
    ),
    "drafts.not_saved": "The draft was not saved: {reason}",
    # documents attached to a report (ui.attachments)
    "attachments.title": "Documents: ECG, discharge letter, lab report (optional)",
    "attachments.hint": (
        "Attach PDF, JPEG or PNG files: at most {files} files, {per_file} each and {total} "
        "together. They are sent inside the E2B(R3) file and attached to the e-mail. Remove the "
        "patient's name and other identifying details from the documents first."
    ),
    "attachments.uploader": "Add documents (PDF, JPEG, PNG)",
    "attachments.refused": "Not attached: {reason}",
    "attachments.file": "{name} ({size})",
    "attachments.description": "Description of {name} (optional)",
    "attachments.remove": "Remove {name}",
    # consent to be contacted, copy of the e-mail
    "consent.title": "Contact and copy",
    "consent.contact": "I agree to be contacted about this report",
    "consent.copy": "Send me a copy of the e-mail (to my e-mail address above)",
    "consent.copy_hint": (
        "The e-mail is addressed with a copy to you. Tick 'I agree to be contacted' and give "
        "your e-mail address in section 1."
    ),
    # case view
    "case.not_given": "not given",
    "case.patient": "Patient",
    "case.initials": "Initials",
    "case.sex": "Sex",
    "case.age": "Age",
    "case.weight": "Weight",
    "case.reactions": "Reactions",
    "case.col.number": "No.",
    "case.col.term": "MedDRA term",
    "case.col.verbatim": "As reported",
    "case.col.start": "Onset",
    "case.col.end": "End",
    "case.col.outcome": "Outcome",
    "case.col.seriousness": "Seriousness criteria",
    "case.seriousness": "Seriousness",
    "case.serious": "Serious: {criteria}",
    "case.not_serious": "Not serious",
    "case.drugs": "Suspect drug and courses",
    "case.action": "Action taken with the drug: {action}",
    "case.col.course": "Course",
    "case.col.first": "First administration",
    "case.col.last": "Last administration",
    "case.col.dose": "Dose",
    "case.col.route": "Route",
    "case.col.batch": "Batch",
    "case.col.expiry": "Batch expiry",
    "case.tests": "Tests and lab values",
    "case.tests.none": "No tests reported.",
    "case.tests.range": "Normal range: {range}",
    "case.tests.chart": "Chart: {name} over time ({unit})",
    "case.tests.table": "Table: {name}, every value (the chart's text alternative)",
    "case.col.date": "Date",
    "case.col.result": "Result",
    "case.col.comments": "Comments",
    "case.narrative": "Narrative",
    "case.reporter_comments": "Reporter's comments",
    "case.native_summary": "Case summary in the reporter's language ({language})",
    "case.reporters": "Reporter",
    "case.reporter.primary": "Primary source",
    "case.reporter.other": "Other reporter",
    "case.reporter.name": "Name",
    "case.reporter.profession": "Profession",
    "case.reporter.institution": "Institution",
    "case.reporter.department": "Department",
    "case.reporter.city": "City",
    "case.reporter.country": "Country",
    "case.versions": "Versions",
    "case.version": "Version {n}, received {at} by {user}",
    "case.xml.download": "Download the XML of version {n}",
    "case.xml.show": "Read the XML of version {n}",
    "case.diff": "What changed from version {old} to version {new}",
    "case.diff.none": "No field changed.",
    "case.diff.col.field": "Field",
    "case.diff.col.element": "E2B element",
    "case.diff.col.kind": "Change",
    "case.diff.col.old": "Before",
    "case.diff.col.new": "After",
    "case.diff.added": "added",
    "case.diff.removed": "removed",
    "case.diff.changed": "changed",
    "log.pick": "Case to open",
    "log.pick.open": "Open case",
    "log.pick.export": "Cases for the E2B batch (or tick rows in the table)",
    # reporter follow-up
    "follow_up.title": "Add follow-up information to your report {case_id}",
    "follow_up.intro": (
        "This link belongs to a report already sent. Tell us what is new since then; it is added "
        "to the same case for the safety officers, who send it on to SFDA and the marketing "
        "authorisation holder."
    ),
    "follow_up.text": "What is new (required): course, new results, treatment, diagnosis",
    "follow_up.outcome": "Outcome now: {reaction}",
    "follow_up.ended": "Ended on (if it has)",
    "follow_up.files": "New documents (PDF, JPEG or PNG), if any",
    "follow_up.send": "Send follow-up",
    "follow_up.done": "Thank you. Your follow-up was added to case {case_id} as version {version}.",
    "follow_up.text_required": "Say what is new (at most {limit} characters).",
    "follow_up.refused": "The follow-up could not be added: {reasons}",
    "follow_up.nullified": "Case {case_id} was withdrawn; it takes no follow-up.",
    # submissions panel
    "log.move_to.choose": "Choose a status",
    "log.move_to.none": "Choose the status to move the case to, then apply.",
    "log.dash.month": "Month",
    "log.dash.cases": "Cases",
    "log.dash.as_table": "The same numbers as a table",
    "log.submit_by_record": (
        "To mark the case submitted to SFDA, record the submission below: its date, channel "
        "and reference are the evidence."
    ),
    "sub.title": "Submissions to SFDA and the MAH",
    "sub.col.recipient": "Recipient",
    "sub.col.status": "Status",
    "sub.col.due": "Due date",
    "sub.col.batch": "Batch ID",
    "sub.col.submitted": "Submitted on",
    "sub.col.channel": "Channel",
    "sub.col.reference": "Reference",
    "sub.col.ack": "Acknowledgement",
    "sub.col.ack_text": "Receiver's message",
    "sub.state.pending": "Pending ({clock})",
    "sub.state.prepared": "File prepared ({clock})",
    "sub.state.on_time": "Submitted on time",
    "sub.state.late": "Submitted {days} day(s) late",
    "sub.state.acknowledged": "Acknowledged",
    "sub.state.rejected": "Rejected by receiver",
    "sub.clock.due": "due in {days} day(s)",
    "sub.clock.overdue": "overdue by {days} day(s)",
    "sub.prepare.sfda": "Prepare file for SFDA",
    "sub.prepare.mah": "Prepare file for MAH",
    "sub.record.title": "Record a submission",
    "sub.record.date": "Submitted on",
    "sub.record.go": "Record submission",
    "sub.record.no_date": "Choose the date the file was submitted.",
    "sub.record.done": "Recorded: {batch_id}, {late} day(s) late.",
    "sub.channel.email": "E-mail",
    "sub.channel.portal": "Portal",
    "sub.channel.gateway": "Gateway",
    "sub.send.go": "Send to SFDA and MAH",
    "sub.send.unconfigured": (
        "No SMTP server is configured: download the files and record each submission by hand."
    ),
    "sub.ack.title": "Acknowledgements from SFDA and the MAH",
    "sub.ack.files": "Acknowledgements received (E2B(R3) ACK, XML)",
    "sub.ack.go": "Record acknowledgements",
    "sub.ack.unreadable": "{name} is not an acknowledgement: {reason}",
    "sub.on_time.title": "On-time submissions per month and recipient",
    "sub.on_time.none": "No submission recorded yet.",
    "sub.on_time.month": "Month",
    "sub.on_time.submitted": "Submitted",
    "sub.on_time.on_time": "On time",
    "sub.on_time.rate": "On time (%)",
    # duplicates panel
    "dup.title": "Possible duplicates",
    "dup.none": "No other case looks like a report of the same event.",
    "dup.candidate": "{case_id}: score {score}",
    "dup.for": "For",
    "dup.against": "Against",
    "dup.mark_duplicate": "Duplicate of {case_id}",
    "dup.mark_not_duplicate": "Not a duplicate",
    "dup.decided.duplicate_of": ("Marked a duplicate of {other} by {user} at {at}."),
    "dup.decided.has_duplicate": "{other} was marked a duplicate of this case by {user} at {at}.",
    "dup.decided.not_duplicate": "Marked not a duplicate of {other} by {user} at {at}.",
    "dup.filter": "Possible duplicates only",
    # officer follow-up
    "officer_follow_up.title": "Follow-up in the report form",
    "officer_follow_up.intro": (
        "Opens the report form filled in with this case's latest version; what you submit "
        "there becomes the case's next version."
    ),
    "officer_follow_up.start": "Start a follow-up in the form",
    "officer_follow_up.open": "Open the follow-up form",
    "officer_follow_up.link": "Private link of the follow-up draft (for you only, 30 days):",
    "officer_follow_up.nullified": (
        "Case {case_id} was withdrawn (nullified); it takes no follow-up."
    ),
    "officer_follow_up.not_from_form": (
        "The latest version of case {case_id} did not come from the report form; add its "
        "follow-up as an E2B(R3) file."
    ),
    "officer_follow_up.outdated": (
        "Case {case_id} has a newer version than the one this follow-up was started from; "
        "start a new follow-up from the case page so nothing it brought is lost."
    ),
    "officer_follow_up.banner": "Follow-up to case {case_id}: change or add what is new.",
    "officer_follow_up.done": "Follow-up added to case {case_id} as version {version}",
    "officer_follow_up.done.body": (
        "The case is back in review with its clock restarted from today's information."
    ),
}

LANGUAGES: dict[str, dict[str, str]] = {"en": ENGLISH, "ar": ARABIC}


def current_language() -> str:
    """The session's language ("en" or "ar"); English outside a Streamlit run or when unset."""
    if get_script_run_ctx(suppress_warning=True) is None:
        return "en"
    chosen = st.session_state.get(LANGUAGE, "en")
    return chosen if chosen in LANGUAGES else "en"


def t(key: str, language: str | None = None, **values: object) -> str:
    """The string for `key` in `language` (default: the session's; English when missing),
    formatted with `values`."""
    table = LANGUAGES.get(language or current_language(), ENGLISH)
    text = table.get(key) or ENGLISH[key]
    return text.format(**values) if values else text
