"""The checks' messages in the page's language. The domain words its findings in English
(e2b, pv); this table turns them into Arabic in one place, English staying the fallback:
'Reaction 1: outcome is required' -> 'التفاعل 1: يلزم إدخال المآل'.

Messages are matched as clinicians read them, without element numbers
(pv.clinical.without_elements). A message is `owner: body` (e2b.model_rules.owner_label) or one
whole sentence. The body is matched against English templates; `{field}` is a field title,
translated through ui.field_labels' table, any other placeholder (a date, a number, a code) is
kept as typed.
"""

from __future__ import annotations

import re
from functools import cache

from pv.form import field_meta
from ui.field_labels import arabic_titles
from ui.strings import ENGLISH, current_language
from ui.strings_ar import ARABIC

# e2b.model_rules.owner_label's words -> Arabic.
OWNERS = {
    "Report": "البلاغ",
    "Case": "الحالة",
    "Sender": "المُرسِل",
    "Study": "الدراسة",
    "Patient": "المريض",
    "Narrative": "وصف الحالة",
    "Reporter": "المُبلِّغ",
    "Reaction": "التفاعل",
    "Test": "الفحص",
    "Drug": "الدواء",
    "dosage": "الجرعة",
    "assessment": "التقييم",
    "medical history": "التاريخ المرضي",
    "past drug": "الدواء السابق",
    "cause of death": "سبب الوفاة",
    "autopsy cause": "سبب الوفاة حسب التشريح",
    "indication": "دواعي الاستعمال",
    "substance": "المادة الفعالة",
    "causality": "العلاقة السببية",
    "case summary": "ملخص الحالة",
    "document": "المستند",
    "parent": "الوالد",
    "death": "الوفاة",
}

# Whole messages, without an owner (pv.submission).
SENTENCES = {
    "Your institution is needed: it is sent as the sender of this report.": (
        "يلزم ذكر جهتك الصحية: فهي تُرسل بوصفها مُرسِل هذا البلاغ."
    ),
    "The sending organisation is not configured (PV_SENDER_ORGANISATION): the reporter was "
    "sent as the sender.": (
        "لم تُضبط الجهة المُرسِلة (PV_SENDER_ORGANISATION): أُرسل المُبلِّغ بوصفه المُرسِل."
    ),
}

# Bodies after 'owner: ' (English template -> Arabic template); each matches the whole body.
BODIES = {
    # e2b.validation: the model's own checks of one value
    "{field} is required": "يلزم إدخال {field}",
    "{field} is too long (at most {limit} characters)": (
        "{field}: النص طويل جدًا (الحد الأقصى {limit} حرفًا)"
    ),
    "{field} has too many entries (at most {limit})": (
        "{field}: عدد المدخلات كبير جدًا (الحد الأقصى {limit})"
    ),
    "{field} needs at least one entry": "{field}: يلزم إدخال واحد على الأقل",
    "{field} must be a two-letter country code in capitals, e.g. SA": (
        "{field}: يجب أن يكون رمز الدولة من حرفين كبيرين، مثل SA"
    ),
    "{field} must be a three-letter language code, e.g. eng or ara": (
        "{field}: يجب أن يكون رمز اللغة من ثلاثة أحرف، مثل eng أو ara"
    ),
    "{field} must be a MedDRA version such as 27.1": "{field}: يجب أن يكون إصدار MedDRA مثل 27.1",
    "{field} must be an 8-digit MedDRA code": "{field}: يجب أن يكون رمز MedDRA من 8 أرقام",
    "{field} must not contain spaces": "{field}: يجب ألا يحتوي على مسافات",
    "{field} is not a valid e-mail address (name@example.org)": (
        "{field}: عنوان البريد الإلكتروني غير صحيح (name@example.org)"
    ),
    "{field} may contain only digits, spaces and + ( ) - / x": (
        "{field}: يُسمح فقط بالأرقام والمسافات والرموز + ( ) - / x"
    ),
    "{field} must look like SA-SENDER-000123 (country-sender-number)": (
        "{field}: يجب أن يكون بصيغة SA-SENDER-000123 (الدولة-المُرسِل-الرقم)"
    ),
    "{field} must be an internal ID in UUID form": "{field}: يجب أن يكون معرّفًا داخليًا بصيغة UUID",
    "{field} is not in the expected format": "{field}: الصيغة غير صحيحة",
    "{field} must be one of the listed choices ({choices})": (
        "{field}: يجب أن يكون أحد الخيارات المعروضة ({choices})"
    ),
    "{field} must be a number": "{field}: يجب أن يكون رقمًا",
    "{field} must be more than {value}": "{field}: يجب أن يكون أكبر من {value}",
    "{field} must be at least {value}": "{field}: يجب ألا يقل عن {value}",
    "{field} must be less than {value}": "{field}: يجب أن يكون أقل من {value}",
    "{field} must be at most {value}": "{field}: يجب ألا يزيد على {value}",
    "{field} has too many digits": "{field}: عدد الأرقام كبير جدًا",
    "{field} must be yes or no": "{field}: يجب أن تكون الإجابة نعم أو لا",
    "{field} must be a date and time": "{field}: يجب أن يكون تاريخًا ووقتًا",
    "{field} must not be blank": "{field}: يجب ألا يكون فارغًا",
    "{field} '{value}' is not a date: use YYYY, YYYY-MM or YYYY-MM-DD (optionally THH:MM)": (
        "{field}: ‏'{value}' ليس تاريخًا: استخدم YYYY أو YYYY-MM أو YYYY-MM-DD"
    ),
    "{field} '{value}' is not a real calendar date ({reason})": (
        "{field}: ‏'{value}' ليس تاريخًا موجودًا في التقويم"
    ),
    "{field} '{value}' is before 1900": "{field}: ‏'{value}' يسبق عام 1900",
    "{field} contains an invisible control character (U+{code}) that cannot be sent; please "
    "retype this text": (
        "{field}: يحتوي على حرف تحكم غير مرئي (U+{code}) لا يمكن إرساله؛ يرجى إعادة كتابة النص"
    ),
    "{field} give the expiry date as YYYY-MM or YYYY-MM-DD, as printed on the pack": (
        "{field}: اكتب تاريخ الانتهاء بصيغة YYYY-MM أو YYYY-MM-DD كما هو مطبوع على العبوة"
    ),
    # e2b.model_rules: ICH rules across fields
    "{field} {value} is in the future": "{field} ‏{value} تاريخ في المستقبل",
    "end date {end} is before the start date {start}": (
        "تاريخ الانتهاء {end} يسبق تاريخ البدء {start}"
    ),
    "{field} needs at least a full date (day, month and year)": (
        "{field}: يلزم تاريخ كامل (اليوم والشهر والسنة)"
    ),
    "{field} cannot be sent as nullFlavor {flavor} (allowed: {allowed})": (
        "{field}: لا يمكن إرساله بقيمة nullFlavor ‏{flavor} (المسموح: {allowed})"
    ),
    "the patient must be identifiable: give initials, age, age group, date of birth or sex": (
        "يجب أن يكون المريض قابلًا للتمييز: اذكر الأحرف الأولى أو العمر أو الفئة العمرية أو "
        "تاريخ الميلاد أو الجنس"
    ),
    "the reporter must be identifiable: give a name, organisation, contact or qualification": (
        "يجب أن يكون المُبلِّغ قابلًا للتمييز: اذكر الاسم أو الجهة أو وسيلة التواصل أو المهنة"
    ),
    "'results in death' is ticked but no reaction has a fatal outcome": (
        "اختير «أدى إلى الوفاة» لكن لا يوجد تفاعل مآله الوفاة"
    ),
    "the outcome is fatal, so 'results in death' must be ticked": (
        "المآل هو الوفاة، لذا يجب اختيار «أدى إلى الوفاة»"
    ),
    "give the date of death, a reported cause or whether an autopsy was done": (
        "اذكر تاريخ الوفاة أو سببًا مُبلَّغًا عنه أو ما إذا أُجري تشريح للجثة"
    ),
    "autopsy-determined causes are given, so 'autopsy done' must be yes": (
        "ذُكرت أسباب حددها التشريح، لذا يجب أن تكون إجابة «أُجري تشريح للجثة» نعم"
    ),
    "the reaction has resolved: give the end date if known": (
        "زال التفاعل: اذكر تاريخ الانتهاء إن كان معروفًا"
    ),
    "an end date is given but the outcome says the reaction is ongoing": (
        "ذُكر تاريخ انتهاء لكن المآل يشير إلى أن التفاعل مستمر"
    ),
    "give the test name (as text or MedDRA code)": "اذكر اسم الفحص (نصًا أو برمز MedDRA)",
    "give the result: a value with its unit, a coded result or a text": (
        "اذكر النتيجة: قيمة مع وحدتها، أو نتيجة مرمزة، أو نصًا"
    ),
    "give the cause of death as a MedDRA code or as text": "اذكر سبب الوفاة برمز MedDRA أو نصًا",
    "the number of units and the interval unit go together": (
        "عدد الوحدات ووحدة الفاصل الزمني يُذكران معًا"
    ),
    "an assessment needs a causality result, a time to onset or a recurrence": (
        "يحتاج التقييم إلى نتيجة العلاقة السببية أو المدة حتى البدء أو معاودة الظهور"
    ),
    "give the result of the causality assessment": "اذكر نتيجة تقييم العلاقة السببية",
    "the same reaction is assessed twice for this drug": "قُيِّم التفاعل نفسه مرتين لهذا الدواء",
    "the assessed reaction is not one of this report's reactions": (
        "التفاعل المُقيَّم ليس من تفاعلات هذا البلاغ"
    ),
    "the reaction started before the first dose of {product}": (
        "بدأ التفاعل قبل أول جرعة من {product}"
    ),
    "two reactions share the same internal ID": "تفاعلان يحملان المعرّف الداخلي نفسه",
    "two drugs share the same internal ID": "دواءان يحملان المعرّف الداخلي نفسه",
    "at least one drug must be suspect, interacting or not administered": (
        "يجب أن يكون دواء واحد على الأقل مشتبهًا به أو متداخلًا أو غير مُعطى"
    ),
    "MedDRA version {version} differs from version {other} of the reactions; one report uses "
    "one MedDRA version": (
        "إصدار MedDRA ‏{version} يختلف عن إصدار التفاعلات {other}؛ يستخدم البلاغ إصدارًا واحدًا "
        "من MedDRA"
    ),
    "country is required for the primary reporter": "الدولة مطلوبة للمُبلِّغ الأساسي",
    "sender's organisation is required": "جهة المُرسِل مطلوبة",
    # pv.entry_rules: this form's own rules
    "Give the full date of birth (day, month and year), or leave it empty and give the age "
    "instead.": "اذكر تاريخ الميلاد كاملًا (اليوم والشهر والسنة)، أو اتركه فارغًا واذكر العمر.",
    "initials are given and also marked as withheld: choose one": (
        "ذُكرت الأحرف الأولى وعُلِّمت أيضًا بأنها محجوبة: اختر أحد الأمرين"
    ),
    "a last menstrual period is given but the patient's sex is male": (
        "ذُكر تاريخ آخر دورة شهرية لكن جنس المريض ذكر"
    ),
    "exposure during pregnancy needs a female patient, or the parent's details when the report "
    "is about the child": (
        "التعرض أثناء الحمل يتطلب مريضة أنثى، أو بيانات الوالد إذا كان البلاغ عن الطفل"
    ),
    "exposure during pregnancy is reported with a male parent; check whether the father was "
    "exposed": "أُبلغ عن تعرض أثناء الحمل مع والد ذكر؛ تحقق مما إذا كان الأب هو من تعرض للدواء",
    "a last menstrual period is given but the parent's sex is male": (
        "ذُكر تاريخ آخر دورة شهرية لكن جنس الوالد ذكر"
    ),
    "a report from a study must say the study type": (
        "يجب أن يذكر البلاغ الصادر عن دراسة نوع الدراسة"
    ),
    "a reaction resulted in death: give the cause of death, and the date of death if known": (
        "أدى أحد التفاعلات إلى الوفاة: اذكر سبب الوفاة، وتاريخ الوفاة إن كان معروفًا"
    ),
    "death details are given but no reaction has a fatal outcome or results in death": (
        "ذُكرت تفاصيل الوفاة لكن لا يوجد تفاعل مآله الوفاة أو أدى إلى الوفاة"
    ),
    "a reaction resulted in death: give the cause of death, as a MedDRA code or as reported": (
        "أدى أحد التفاعلات إلى الوفاة: اذكر سبب الوفاة برمز MedDRA أو كما ورد"
    ),
    "{field} {value} is not plausible (at most {limit})": (
        "{field} ‏{value} قيمة غير معقولة (الحد الأقصى {limit})"
    ),
    "date of birth is after the start of reaction {n}": "تاريخ الميلاد بعد بدء التفاعل {n}",
    "date of death is before the start of reaction {n}": "تاريخ الوفاة يسبق بدء التفاعل {n}",
    "dosage text is too long (at most {limit} characters)": (
        "نص الجرعة طويل جدًا (الحد الأقصى {limit} حرفًا)"
    ),
    "give the batch number the expiry date belongs to": (
        "اذكر رقم التشغيلة الذي يخصه تاريخ الانتهاء"
    ),
    "the narrative with the treatment and dechallenge of each reaction is too long (at most "
    "{limit} characters in all)": (
        "وصف الحالة مع علاج كل تفاعل وسحب الدواء طويل جدًا (الحد الأقصى {limit} حرفًا إجمالًا)"
    ),
    "the additional information with the batch expiry dates is too long (at most {limit} "
    "characters in all)": (
        "المعلومات الإضافية مع تواريخ انتهاء التشغيلات طويلة جدًا (الحد الأقصى {limit} حرفًا إجمالًا)"
    ),
    "a copy can be sent to you only if you agree to be contacted about this report": (
        "لا يمكن إرسال نسخة إليك إلا إذا وافقت على التواصل معك بشأن هذا البلاغ"
    ),
    "give your e-mail address to receive a copy of the report": (
        "اذكر بريدك الإلكتروني لتصلك نسخة من البلاغ"
    ),
    "this form files spontaneous reports; it does not collect the study details a report from "
    "a study needs": (
        "يُستخدم هذا النموذج للبلاغات التلقائية؛ ولا يجمع تفاصيل الدراسة التي يحتاجها بلاغ صادر "
        "عن دراسة"
    ),
}

# Whole messages with values: why a file was not attached (pv.attachments.check_upload).
FILES = {
    "{name} is empty; choose the file again or export it once more.": (
        "الملف {name} فارغ؛ اختر الملف مرة أخرى أو صدّره من جديد."
    ),
    "{name} is {size}; the limit is {limit} per file. Save a smaller copy (for example a scan "
    "at lower resolution) and attach that.": (
        "حجم الملف {name} هو {size}؛ والحد الأقصى {limit} لكل ملف. احفظ نسخة أصغر (مثل مسح "
        "ضوئي بدقة أقل) وأرفقها."
    ),
    "{name} is not a PDF, JPEG or PNG file, so it cannot be attached. Save or export it as one "
    "of these first.": (
        "الملف {name} ليس بصيغة PDF أو JPEG أو PNG، لذا لا يمكن إرفاقه. احفظه أو صدّره بإحدى "
        "هذه الصيغ أولًا."
    ),
    "{name} is named like {named} but its content is {kind}. Check that this is the right "
    "file; rename it or export it again.": (
        "اسم الملف {name} يوحي بأنه ({named}) لكن محتواه ({kind}). تأكد أنه الملف الصحيح؛ "
        "أعد تسميته أو صدّره من جديد."
    ),
    "{name} was offered by the browser as {declared} but its content is {kind}. Check that "
    "this is the right file.": (
        "قدّم المتصفح الملف {name} على أنه ({declared}) لكن محتواه ({kind}). تأكد أنه الملف الصحيح."
    ),
    "{name} is already attached.": "الملف {name} مرفق بالفعل.",
    "{name} was not attached: at most {count} files can be attached to one report. Remove one "
    "to add another.": (
        "لم يُرفق الملف {name}: يمكن إرفاق {count} ملفات كحد أقصى بالبلاغ الواحد. احذف ملفًا "
        "لإضافة آخر."
    ),
    "{name} was not attached: with it the files would be {total} together; the limit is "
    "{limit} for all files of one report.": (
        "لم يُرفق الملف {name}: سيصبح حجم الملفات معه {total}؛ والحد الأقصى {limit} لجميع "
        "ملفات البلاغ الواحد."
    ),
}

# Field titles the messages use that the form's labels do not (e.g. a measure's short name).
EXTRA_TITLES = {"age": "العمر", "weight": "الوزن", "height": "الطول"}

_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_OWNER_PART = re.compile(r"^(?P<name>[A-Za-z' ]+?)(?: (?P<n>\d+))?$")


def _pattern(template: str) -> re.Pattern[str]:
    """A template as a regex: `{field}` matches a known field title (longest first, so 'end
    date 2030-01' splits after 'end date'), any other placeholder any text."""
    fields = "|".join(re.escape(title) for title in sorted(titles(), key=len, reverse=True))
    parts = _PLACEHOLDER.split(template)
    regex = "".join(
        (f"(?P<{part}>(?i:{fields}))" if part == "field" else f"(?P<{part}>.+?)")
        if n % 2
        else re.escape(part)
        for n, part in enumerate(parts)
    )
    return re.compile(f"^{regex}$", re.DOTALL)


def _field_checks() -> dict[str, str]:
    """The checks of one input when it is left (ui.strings 'check.*'), English -> Arabic."""
    return {ENGLISH[k]: ARABIC[k] for k in ENGLISH if k.startswith("check.")}


@cache
def _bodies() -> tuple[tuple[re.Pattern[str], str], ...]:
    # A rule's own sentence before the general '{field} ...' ones that could also match it.
    every = {**_field_checks(), **BODIES, **FILES}
    templates = sorted(every.items(), key=lambda pair: "{field}" in pair[0])
    return tuple((_pattern(en), ar) for en, ar in templates)


@cache
def titles() -> dict[str, str]:
    """English field title (as messages name it) -> Arabic, from ui.field_labels' table; a
    pair's title ('MedDRA term (MedDRA code)') as e2b.validation.describe words it."""
    table = {field_meta(path).title: title for path, title in arabic_titles().items()}
    table = {**EXTRA_TITLES, **table}
    for path, title in arabic_titles().items():
        parent = path.rpartition(".")[0]
        if parent in arabic_titles():
            pair = f"{field_meta(parent).title} ({field_meta(path).title})"
            table.setdefault(pair, f"{arabic_titles()[parent]} ({title})")
    return table


def _title(english: str) -> str | None:
    return titles().get(english) or titles().get(english[:1].lower() + english[1:])


def _owner(english: str) -> str | None:
    """'Drug 1, dosage 2' -> 'الدواء 1، الجرعة 2'."""
    out = []
    for piece in english.split(", "):
        match = _OWNER_PART.match(piece)
        name = OWNERS.get(match["name"]) if match else None
        if match is None or name is None:
            return None
        out.append(f"{name} {match['n']}" if match["n"] else name)
    return "، ".join(out)


def _body(english: str) -> str | None:
    for pattern, arabic in _bodies():
        match = pattern.match(english)
        if match is None:
            continue
        values = match.groupdict()
        if "field" in values:
            field = _title(values["field"])
            if field is None:
                continue
            values["field"] = field
        return arabic.format(**values)
    return None


def to_arabic(message: str) -> str | None:
    """The Arabic of a finding's message (element numbers already taken off), or None."""
    if message in SENTENCES:
        return SENTENCES[message]
    owner, sep, body = message.partition(": ")
    if sep:
        where, text = _owner(owner), _body(body)
        if where is not None and text is not None:
            return f"{where}: {text}"
    return _body(message)


def translated(message: str, language: str | None = None) -> str:
    """`message` in `language` (default: the session's); English when no template matches."""
    if (language or current_language()) != "ar":
        return message
    return to_arabic(message) or message
