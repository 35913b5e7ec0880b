"""The Arabic catalogue of ui.strings (Modern Standard Arabic, the clinical register of Saudi
hospitals). MedDRA terms, product names, codes, units and numbers stay as they are."""

from __future__ import annotations

ARABIC: dict[str, str] = {
    "app.title": "بلاغ عن عرض جانبي لدواء LEMTRADA",
    "language.label": "اللغة · Language",
    "nav.report": "الإبلاغ عن تفاعل",
    "nav.log": "سجل البلاغات",
    "nav.about": "عن الأداة والدليل",
    "report.intro": (
        "أبلغ عن تفاعل دوائي ضار مشتبه به لدواء LEMTRADA ‏(alemtuzumab). يتبع النموذج دليل "
        "إدارة المخاطر الخاص بدواء LEMTRADA؛ الحقول المعلَّمة بـ * إلزامية. عند اكتمال البلاغ "
        "يُتحقَّق منه ويُحفظ في سجل البلاغات، وتحصل على ملف ICH E2B(R3) ورسالة بريد إلكتروني "
        "موجهة إلى المركز الوطني للتيقظ الدوائي في الهيئة العامة للغذاء والدواء وإلى حامل "
        "رخصة التسويق."
    ),
    "report.new": "بدء بلاغ جديد",
    "report.save_draft": "حفظ المسودة",
    "report.resume_draft": "استئناف مسودة محفوظة",
    "report.draft_saved": "حُفظت المسودة في {time}. يمكنك استئنافها من جلسة المتصفح هذه.",
    "report.draft_none": "لا توجد مسودات محفوظة في هذه الجلسة.",
    "report.draft_resumed": "استُعيدت مسودة {time}.",
    "report.cleared": "النموذج فارغ: بدأ بلاغ جديد.",
    "errors.title": "لا يمكن إرسال البلاغ بعد: عدد المشكلات التي يلزم تصحيحها {count}.",
    "errors.general": "مشكلات أخرى",
    "warnings.title": "يرجى المراجعة (يمكن إرسال البلاغ مع ذلك)",
    "expert.toggle": "عرض الخبير (أرقام عناصر \u2066E2B\u2069)",
    "expert.help": (
        "يعرض أرقام عناصر ICH E2B(R3) في الرسائل والمساعدة، لمسؤولي السلامة والمطورين."
    ),
    "severity.error": "خطأ",
    "severity.warning": "تنبيه",
    # sections
    "section.reporter": "1. المُبلِّغ",
    "section.patient": "2. المريض",
    "section.reactions": "3. ما الذي حدث",
    "section.lemtrada": "4. العلاج بدواء LEMTRADA",
    "section.other_drugs": "5. أدوية أخرى",
    "section.tests": "6. فحوصات ونتائج أخرى",
    "section.narrative": "7. وصف الحالة",
    "section.review": "8. المراجعة والإرسال",
    # reporter
    "reporter.hint": "بياناتك، ليتمكن فريق السلامة من التواصل معك للمتابعة.",
    "reporter.qualification": "مهنتك",
    "profession.physician": "طبيب",
    "profession.pharmacist": "صيدلي",
    "profession.other_health_professional": "ممارس صحي آخر (مثل التمريض)",
    # patient
    "patient.hint": (
        "ما يكفي لتمييز المريض دون ذكر اسمه: الأحرف الأولى، والعمر أو تاريخ الميلاد، والجنس. "
        "لا تُدخل اسم المريض أو رقم هويته أبدًا."
    ),
    "patient.age": "العمر",
    "patient.age_unit": "وحدة العمر",
    "age_unit.decade": "عقود",
    "age_unit.year": "سنوات",
    "age_unit.month": "أشهر",
    "age_unit.week": "أسابيع",
    "age_unit.day": "أيام",
    "age_unit.hour": "ساعات",
    "age.decade.one": "{n} عقد",
    "age.decade.other": "{n} عقود",
    "age.year.one": "{n} سنة",
    "age.year.other": "{n} سنة",
    "age.month.one": "{n} شهر",
    "age.month.other": "{n} شهر",
    "age.week.one": "{n} أسبوع",
    "age.week.other": "{n} أسبوع",
    "age.day.one": "{n} يوم",
    "age.day.other": "{n} يوم",
    "age.hour.one": "{n} ساعة",
    "age.hour.other": "{n} ساعة",
    "patient.sex.unknown": "غير معروف",
    "patient.history": "التاريخ المرضي ذو الصلة",
    "patient.history.placeholder": "مثال: تشخيص RRMS عام 2019؛ قصور الغدة الدرقية منذ 2023",
    "patient.prior_dmts": "علاجات التصلب المتعدد السابقة",
    "patient.prior_dmts.other": "أدوية سابقة أخرى (دواء في كل سطر)",
    "patient.death": "تفاصيل الوفاة",
    "patient.death.hint": (
        "أحد التفاعلات مآله الوفاة أو أدى إلى الوفاة: اذكر سبب الوفاة (نصًا أو برمز MedDRA) "
        "وأي معلومات أخرى معروفة."
    ),
    "patient.death.cause": "سبب (أسباب) الوفاة كما أُبلغ عنها (سبب في كل سطر)",
    "patient.death.cause.placeholder": "مثال: Progressive multifocal leukoencephalopathy",
    "patient.death.cause_code": "سبب الوفاة: رمز MedDRA LLT ‏(8 أرقام)",
    "patient.death.autopsy": "أُجري تشريح للجثة",
    "yes": "نعم",
    "no": "لا",
    "unknown": "غير معروف",
    # reactions
    "reactions.hint": (
        "ابدأ من مجموعات الأحداث في الدليل. اختر الفئة، ثم أقرب مصطلح MedDRA؛ لأي حدث لا "
        "يذكره الدليل اختر «آخر» واكتب رمز MedDRA."
    ),
    "reaction.title": "التفاعل {n}",
    "reaction.group": "مجموعة الحدث",
    "reaction.category": "فئة الدليل",
    "reaction.term": "مصطلح MedDRA",
    "reaction.term.other": "مصطلح MedDRA آخر (اكتب الرمز)",
    "reaction.code": "رمز MedDRA LLT ‏(8 أرقام)",
    "reaction.code.help": "من متصفح MedDRA لديك؛ لا تتضمن الأداة إلا مصطلحات الدليل.",
    "reaction.code.found": "MedDRA {version}: {name}",
    "reaction.verbatim": "التفاعل بكلمات المُبلِّغ",
    "reaction.treatment": "العلاج المقدَّم للتفاعل",
    "reaction.treatment.placeholder": "مثال: IVIG 1 g/kg في اليومين 1-2، prednisolone 1 mg/kg/day",
    "reaction.treatment.help": (
        "الأدوية أو الإجراءات أو التدابير الأخرى المستخدمة لعلاج هذا التفاعل. تُرسل مع وصف الحالة."
    ),
    "reaction.dechallenge": "هل خفّ التفاعل بعد إيقاف LEMTRADA أو تقليله؟",
    "reaction.dechallenge.help": (
        "سحب الدواء. يُعطى LEMTRADA على دورات: اختر «لا ينطبق» إذا لم تُوقف أي تسريب وريدي "
        "أو لم يُعطَ تسريب بعد بدء التفاعل."
    ),
    "dechallenge.abated": "نعم، خفّ",
    "dechallenge.not_abated": "لا، لم يخفّ",
    "dechallenge.not_applicable": "لا ينطبق (لم يُوقف، أو لا تسريب بعد بدء التفاعل)",
    "dechallenge.unknown": "غير معروف",
    "reaction.confirmed": "مؤكد طبيًا",
    "reaction.confirmed.help": "أكده ممارس صحي (مثلًا: عاينت المريض بنفسك).",
    "reaction.causality.help": "فئة العلاقة السببية وفق WHO-UMC.",
    "reaction.recurrence.help": "هل عاد التفاعل عند إعطاء LEMTRADA مرة أخرى.",
    "reaction.seriousness": "الخطورة (اختر كل ما ينطبق)",
    "reaction.serious_none": "غير خطير (لم يُختر أي معيار)",
    "reaction.hint.frequency": "التكرار",
    "reaction.hint.monitoring": "المراقبة",
    "reaction.hint.management": "التدبير العلاجي",
    "reaction.add": "إضافة تفاعل آخر",
    "reaction.remove": "حذف التفاعل {n}",
    "reaction.infusion": "تفاصيل التسريب الوريدي",
    "reaction.course": "أثناء دورة LEMTRADA أو بعدها",
    "reaction.infusion_day": "يوم التسريب في الدورة",
    "reaction.time_since": "المدة من التسريب إلى بدء التفاعل",
    "reaction.time_since_unit": "وحدة المدة منذ التسريب",
    "reaction.pregnancy": "الحمل",
    "reaction.gestation": "عمر الحمل عند التعرض (بالأسابيع)",
    "reaction.pregnancy_outcome": "مآل الحمل",
    "reaction.pregnancy_outcome_date": "تاريخ مآل الحمل",
    "reaction.labs": "الفحوصات التي يوصي الدليل بمراقبتها لهذا الحدث",
    "reaction.labs.hint": "املأ ما لديك منها؛ واترك الباقي فارغًا.",
    "reaction.causality": "تقييمك: هل للتفاعل علاقة بدواء LEMTRADA؟",
    "reaction.recurrence": "هل عاود الظهور عند إعادة إعطاء الدواء؟",
    "lab.value": "{name}: النتيجة",
    "lab.unit": "{name}: الوحدة",
    "lab.date": "{name}: التاريخ",
    "lab.low": "{name}: الحد الأدنى الطبيعي",
    "lab.high": "{name}: الحد الأعلى الطبيعي",
    "lab.text": "{name}: النتيجة نصًا",
    "unit.ucum": "تُرسل بوحدة UCUM \u2066{code}\u2069",  # the code isolated left to right
    # LEMTRADA
    "lemtrada.hint": (
        "LEMTRADA ‏12 mg/day بالتسريب الوريدي: الدورة الأولى 5 أيام متتالية، والدورات "
        "اللاحقة 3 أيام متتالية، بفاصل 12 شهرًا على الأقل."
    ),
    "lemtrada.courses": "عدد الدورات التي تلقاها المريض",
    "lemtrada.course": "الدورة {n}",
    "lemtrada.course.start": "الدورة {n}: تاريخ أول تسريب",
    "lemtrada.course.end": "الدورة {n}: تاريخ آخر تسريب",
    "lemtrada.course.batch": "الدورة {n}: رقم التشغيلة",
    "lemtrada.course.expiry": "الدورة {n}: تاريخ انتهاء التشغيلة",
    "lemtrada.course.expiry.placeholder": "YYYY-MM، كما هو على القارورة",
    "lemtrada.premedication": "الأدوية التمهيدية والوقائية المعطاة",
    "lemtrada.action": "الإجراء المتخذ بشأن LEMTRADA",
    # other drugs
    "drugs.hint": "أدوية أخرى كان المريض يتناولها (مصاحبة)، أو أدوية أخرى مشتبه بها.",
    "drug.title": "الدواء {n}",
    "drug.role": "الدور",
    "drug.name": "الدواء {n}: الاسم",
    "drug.dose": "الدواء {n}: الجرعة وعدد المرات",
    "drug.start": "الدواء {n}: تاريخ البدء",
    "drug.end": "الدواء {n}: تاريخ الإيقاف",
    "drug.indication": "الدواء {n}: دواعي الاستعمال",
    "drug.add": "إضافة دواء",
    "drug.remove": "حذف الدواء {n}",
    # tests
    "tests.hint": "فحوصات أو صور أشعة أو إجراءات أخرى ذات صلة لم تُطلب أعلاه.",
    "test.name": "الفحص {n}: الاسم",
    "test.date": "الفحص {n}: التاريخ",
    "test.value": "الفحص {n}: النتيجة",
    "test.unit": "الفحص {n}: الوحدة",
    "test.low": "الفحص {n}: الحد الأدنى الطبيعي",
    "test.high": "الفحص {n}: الحد الأعلى الطبيعي",
    "test.text": "الفحص {n}: النتيجة نصًا",
    "test.add": "إضافة فحص",
    "test.remove": "حذف الفحص {n}",
    # narrative and review
    "narrative.hint": ("صف الحالة بكلماتك: ما الذي حدث، ومتى، وكيف عولج، وما حالة المريض الآن."),
    "narrative.narrative": "وصف الحالة",
    "narrative.comments": "تعليقاتك",
    "review.hint": "راجع الملخص. عند الإرسال يُتحقَّق من البلاغ ويُحفظ.",
    "review.submit": "التحقق من البلاغ وإرساله",
    "review.check": "التحقق من بلاغي",
    "review.ok": "لم تُوجد مشكلات: البلاغ جاهز للإرسال.",
    "review.serious": "خطير",
    "review.non_serious": "غير خطير",
    "review.reporter": "المُبلِّغ",
    "review.patient": "المريض",
    "review.reaction": "التفاعل {n}",
    "review.no_term": "لم يُحدَّد مصطلح MedDRA بعد",
    "review.no_outcome": "لم يُذكر المآل",
    "review.from": "منذ",
    "review.date_to_fix": "{date} (ليس تاريخًا صحيحًا بعد)",
    "review.lemtrada": "LEMTRADA: عدد الدورات {courses}؛ أدوية أخرى: {drugs}",
    "review.tests": "الفحوصات: {count}",
    # confirmation
    "done.title": "أُرسل البلاغ {case_id}",
    "done.body": (
        "شكرًا لك. حُفظ البلاغ في سجل البلاغات برقم الحالة **{case_id}**. أرسله إلى الجهتين: "
        "نزّل رسالة البريد الإلكتروني (.eml، ومعها ملف E2B مرفقًا) أو افتح الرسالة المعبأة "
        "مسبقًا وأرفق ملف XML."
    ),
    "done.xml": "تنزيل ملف E2B(R3) XML",
    "done.eml": "تنزيل رسالة البريد مع المرفق (.eml)",
    "done.mailto": "فتح رسالة بريد معبأة مسبقًا",
    "done.validation": "تقرير التحقق",
    "done.valid": "اجتاز ملف XML مخطط ICH E2B(R3) وقواعد العمل.",
    "done.save_failed": "تعذّر حفظ البلاغ: {reason}. لم يُفقد شيء؛ حاول مرة أخرى.",
    # dates
    "date.placeholder": "YYYY-MM-DD أو YYYY-MM أو YYYY ‏(أو DD/MM/YYYY)",
    "date.help": "يُقبل التاريخ الجزئي: اذكر السنة، أو الشهر والسنة، إن كان هذا كل ما تعرفه.",
    "choose": "اختر…",
    # checks of one input, when it is left
    "check.not_a_date": "هذا ليس تاريخًا: اكتبه بصيغة 2025-03-14 أو 2025-03 أو 2025 ‏(أو "
    "14/03/2025).",
    "check.future": "هذا التاريخ في المستقبل.",
    "check.before_start": "هذا التاريخ يسبق تاريخ البدء ({detail}).",
    "check.not_positive": "يجب أن تكون القيمة أكبر من 0.",
    "check.too_high": "هذه القيمة غير معقولة: الحد الأقصى {detail}.",
    # about
    "about.title": "عن هذه الأداة ودليل LEMTRADA",
    "about.recipients": "إلى أين تُرسل البلاغات",
    "about.sfda": "المركز الوطني للتيقظ الدوائي - الهيئة العامة للغذاء والدواء",
    "about.mah": "إدارة التيقظ الدوائي لدى حامل رخصة التسويق (Sanofi)",
    "about.monitoring": (
        "يطلب الدليل المراقبة مدة 48 شهرًا بعد آخر تسريب لدواء LEMTRADA: تعداد دم كامل مع "
        "التفريقي، وكرياتينين المصل، وتحليل البول مع الفحص المجهري شهريًا، ووظائف الغدة "
        "الدرقية كل 3 أشهر."
    ),
    "about.categories": "الأحداث التي يذكرها الدليل",
    # officer workspace
    "log.login_needed": "سجل البلاغات مخصص لمسؤولي السلامة. يرجى تسجيل الدخول.",
    "log.username": "اسم المستخدم",
    "log.password": "كلمة المرور",
    "log.login": "تسجيل الدخول",
    "log.login_failed": "اسم المستخدم أو كلمة المرور غير صحيحة.",
    "log.logout": "تسجيل الخروج",
    "log.sso": "تسجيل الدخول بحساب جهتك",
    "log.sso_unknown": "لا يوجد حساب مسؤول نشط هنا لـ {email}؛ راجع مسؤول النظام.",
    "log.signed_in": "مسجل الدخول باسم {name}",
    "log.tab.list": "الحالات",
    "log.tab.case": "الحالة",
    "log.tab.dashboard": "لوحة المؤشرات",
    "log.filters": "تصفية السجل",
    "log.search": "البحث برقم الحالة أو المُبلِّغ أو المصطلحات",
    "log.status": "الحالة الإجرائية",
    "log.category": "فئة الدليل",
    "log.seriousness": "الخطورة",
    "log.seriousness.all": "الكل",
    "log.seriousness.serious": "خطير",
    "log.seriousness.non_serious": "غير خطير",
    "log.received": "تاريخ الاستلام بين",
    "log.overdue_only": "المتأخرة فقط",
    "log.sort": "الترتيب حسب",
    "log.descending": "الأحدث / الأعلى أولًا",
    "log.page_size": "عدد الحالات في الصفحة",
    "log.count": "عدد الحالات {total} · الصفحة {page} من {pages}",
    "log.col.case_id": "رقم الحالة",
    "log.col.version": "النسخة",
    "log.col.status": "الحالة الإجرائية",
    "log.col.serious": "خطير",
    "log.col.terms": "التفاعلات (MedDRA)",
    "log.col.categories": "فئات الدليل",
    "log.col.reporter": "المُبلِّغ",
    "log.col.received_at": "تاريخ الاستلام",
    "log.col.first_received": "أول استلام",
    "log.col.updated_at": "آخر تعديل",
    "log.col.days_open": "الأيام منذ الاستلام",
    "log.col.due_date": "موعد الإرسال إلى SFDA",
    "log.col.overdue": "المهلة",
    "log.overdue": "متأخرة",
    "log.previous": "الصفحة السابقة",
    "log.next": "الصفحة التالية",
    "log.open": "فتح الحالة {case_id}",
    "log.opened": "فُتحت الحالة {case_id}: انظر تبويب «الحالة».",
    "log.exports": "التصدير",
    "log.download_csv": "تنزيل القائمة المصفاة بصيغة CSV",
    "log.download_batch": "تنزيل دفعة E2B(R3) للحالات المختارة ({count})",
    "log.case_id": "رقم الحالة",
    "log.case_hint": "اختر حالة من القائمة وافتحها، أو اكتب رقمها.",
    "log.case_missing": "لا توجد حالة برقم {case_id}.",
    "log.case_title": "الحالة {case_id}",
    "log.overdue_case": "متأخرة: كان موعد إرسالها إلى SFDA في {due}.",
    "log.verbatims": "كما أُبلغ عنها",
    "log.workflow": "سير العمل",
    "log.move_to": "نقل إلى",
    "log.comment": "تعليق",
    "log.apply": "تطبيق",
    "log.from": "من",
    "log.to": "إلى",
    "log.versions": "النسخ",
    "log.version": "النسخة {n}، استُلمت في {at} UTC",
    "log.download_xml": "تنزيل XML",
    "log.follow_up": "إضافة بلاغ متابعة (ملف E2B(R3))",
    "log.follow_up.file": "بلاغ المتابعة لهذه الحالة (XML)",
    "log.follow_up.add": "إضافته نسخةً تالية",
    "log.follow_up.refused": "لم يُضف الملف:",
    "log.follow_up.done": "حُفظت المتابعة بوصفها النسخة {version}.",
    "log.notes": "الملاحظات",
    "log.note": "ملاحظة جديدة",
    "log.add_note": "إضافة ملاحظة",
    "log.audit": "سجل التدقيق",
    "log.audit.at": "الوقت (UTC)",
    "log.audit.user": "المستخدم",
    "log.audit.action": "الإجراء",
    "log.audit.detail": "التفاصيل",
    "log.tab.audit": "سجل التدقيق",
    "log.audit.filter.user": "المستخدم",
    "log.audit.filter.case": "رقم الحالة",
    "log.audit.filter.action": "الإجراء",
    "log.audit.filter.any": "أي إجراء",
    "log.audit.filter.since": "منذ (يوم بتوقيت UTC)",
    "log.audit.count": "عدد الصفوف {shown}، الأحدث أولًا (بحد أقصى {limit}؛ ملف CSV يتضمنها كلها)",
    "log.audit.download": "تنزيل صفوف التدقيق المطابقة (CSV)",
    "log.dash.total": "الحالات",
    "log.dash.serious_share": "نسبة الحالات الخطيرة",
    "log.dash.overdue": "المتأخرة",
    "log.dash.per_month": "الحالات في كل شهر",
    "log.dash.per_category": "الحالات حسب فئة الدليل",
    # drafts kept server-side (ui/drafts.py)
    "drafts.link": "رابط خاص لهذه المسودة",
    "drafts.link.help": (
        "احتفظ بهذا الرابط لنفسك؛ فهو يعيد فتح هذه المسودة مدة 30 يومًا، على أي جهاز. عنوان "
        "هذه الصفحة يتضمنه أيضًا، لذا تعمل الإشارة المرجعية. يُحفظ النموذج أثناء الكتابة."
    ),
    "drafts.link.submitted": (
        "احتفظ بهذا الرابط لنفسك؛ فهو يبيّن أن هذا البلاغ أُرسل بوصفه الحالة {case_id}."
    ),
    "drafts.save_now": "حفظ المسودة الآن",
    "drafts.saved": "حُفظت المسودة في {time} UTC. يعيد الرابط الخاص فتحها مدة 30 يومًا.",
    "drafts.restored": "عادت مسودتك المحفوظة في {time} UTC. تُحفظ حتى {expires} UTC.",
    "drafts.unknown": (
        "رابط المسودة هذا غير معروف أو انتهت صلاحيته (تُحفظ المسودات 30 يومًا بعد آخر "
        "تعديل). النموذج أدناه فارغ."
    ),
    "drafts.submitted": (
        "أُرسل هذا البلاغ بوصفه الحالة {case_id}. لم تعد إجاباته محفوظة مسودةً؛ وأي شيء "
        "تكتبه الآن يبدأ بلاغًا جديدًا."
    ),
    "drafts.not_saved": "لم تُحفظ المسودة: {reason}",
    # documents attached to a report (ui.attachments)
    "attachments.title": "المستندات: تخطيط القلب، ملخص الخروج، تقرير المختبر (اختياري)",
    "attachments.hint": (
        "أرفق ملفات PDF أو JPEG أو PNG: بحد أقصى {files} ملفات، حجم كل ملف {per_file} "
        "والمجموع {total}. تُرسل داخل ملف E2B(R3) وتُرفق بالبريد الإلكتروني. احذف اسم المريض "
        "وأي بيانات تعريفية أخرى من المستندات أولًا."
    ),
    "attachments.uploader": "إضافة مستندات (PDF، JPEG، PNG)",
    "attachments.refused": "لم يُرفق: {reason}",
    "attachments.file": "{name} ({size})",
    "attachments.description": "وصف {name} (اختياري)",
    "attachments.remove": "حذف {name}",
    # consent to be contacted, copy of the e-mail
    "consent.title": "التواصل والنسخة",
    "consent.contact": "أوافق على التواصل معي بشأن هذا البلاغ",
    "consent.copy": "أرسل لي نسخة من البريد الإلكتروني (إلى بريدي المذكور أعلاه)",
    "consent.copy_hint": (
        "تُرسل نسخة من الرسالة إليك. اختر «أوافق على التواصل معي» واذكر بريدك الإلكتروني في القسم 1."
    ),
}
