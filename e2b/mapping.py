"""Where E2B(R3) elements live in the HL7 v3 ICSR message: namespaces, OIDs and codes.

Writer and reader both take their codes from here (ICH IG Appendix I; shared/e2b-r3/OIDS.md).
"""

from __future__ import annotations

HL7 = "urn:hl7-org:v3"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
NS = {"h": HL7, "xsi": XSI}

# ---- identifier roots (id/@root, value in @extension)
OID_BATCH_ID = "2.16.840.1.113883.3.989.2.1.3.22"  # N.1.2
OID_BATCH_SENDER = "2.16.840.1.113883.3.989.2.1.3.13"  # N.1.3
OID_BATCH_RECEIVER = "2.16.840.1.113883.3.989.2.1.3.14"  # N.1.4
OID_MESSAGE_ID = "2.16.840.1.113883.3.989.2.1.3.1"  # N.2.r.1 and C.1.1
OID_MESSAGE_SENDER = "2.16.840.1.113883.3.989.2.1.3.11"  # N.2.r.2
OID_MESSAGE_RECEIVER = "2.16.840.1.113883.3.989.2.1.3.12"  # N.2.r.3
OID_WORLDWIDE_ID = "2.16.840.1.113883.3.989.2.1.3.2"  # C.1.8.1, C.1.10.r
OID_OTHER_CASE_ID = "2.16.840.1.113883.3.989.2.1.3.3"  # C.1.9.1.r
OID_AUTHORISATION = "2.16.840.1.113883.3.989.2.1.3.4"  # G.k.3.1
OID_SPONSOR_STUDY = "2.16.840.1.113883.3.989.2.1.3.5"  # C.5.3
OID_STUDY_REGISTRATION = "2.16.840.1.113883.3.989.2.1.3.6"  # C.5.1.r.1
# D.1.1.1-D.1.1.4: the patient's record numbers, each under its own id root, with the kind of
# record (list .4: 1 GP, 2 specialist, 3 hospital, 4 investigation).
RECORD_NUMBERS = {
    "gp_record_number": ("2.16.840.1.113883.3.989.2.1.3.7", "1"),
    "specialist_record_number": ("2.16.840.1.113883.3.989.2.1.3.8", "2"),
    "hospital_record_number": ("2.16.840.1.113883.3.989.2.1.3.9", "3"),
    "investigation_number": ("2.16.840.1.113883.3.989.2.1.3.10", "4"),
}
# G.k.2.1.1 MPID and G.k.2.1.2 PhPID (D.8.r.2/3) share kindOfProduct/code, and ICH has no OIDs
# for them yet ("TBD"): a PhPID is sent with this HL7 codeSystemName, a code without it is an MPID
# (as FDA sends NDC codes; ICH examples name the system "TBD-MPID", so "TBD-PhPID" is one too).
PHPID_SYSTEM_NAME = "PhPID"

# ---- code systems
OID_ICH = "2.16.840.1.113883.3.989.2.1.1"
OID_MESSAGE_TYPE = OID_ICH + ".1"  # N.1.1
OID_OBSERVATION = OID_ICH + ".19"  # observation codes (table in OIDS.md section 3)
OID_VALUE_GROUP = OID_ICH + ".20"  # organizer codes
OID_AUTHOR_ROLE = OID_ICH + ".21"  # 1 sender, 2 reporter, 3 source reporter
OID_RELATIONSHIP = OID_ICH + ".22"  # 1 initial report, 2 source report
OID_CHARACTERISTIC = OID_ICH + ".23"  # investigationCharacteristic codes
OID_DOCUMENT = OID_ICH + ".27"  # 1 documents held by sender, 2 literature
OID_PRODUCT_EVENT = OID_ICH + ".18"  # 1 retail supply (G.k.2.4)
OID_RECORD_SOURCE = OID_ICH + ".4"  # D.1.1.1-4: source of the record number
OID_MEDDRA = "2.16.840.1.113883.6.163"
OID_COUNTRY = "1.0.3166.1.2.2"
OID_SEX = "1.0.5218"
OID_ROLE_CODE = "2.16.840.1.113883.5.111"  # PRN = parent
OID_INTERPRETATION = "2.16.840.1.113883.5.83"  # L / H reference range
OID_INTERACTION = "2.16.840.1.113883.1.6"
OID_TRIGGER = "2.16.840.1.113883.1.18"
OID_ACT_CODE = "2.16.840.1.113883.5.4"
OID_ROUTE = OID_ICH + ".14"

CODELIST_VERSION = "2.0"


class Obs:
    """Observation codes, list 2.16.840.1.113883.3.989.2.1.1.19."""

    ADDITIONAL_DOCUMENTS = "1"  # C.1.6.1
    ADDITIONAL_INFORMATION = "2"  # G.k.11
    AGE = "3"  # D.2.2, D.10.2.2
    AGE_GROUP = "4"  # D.2.3
    AUTOPSY = "5"  # D.9.3
    BLINDED = "6"  # G.k.2.5
    BODY_WEIGHT = "7"  # D.3, D.10.4
    CAUSE_OF_DEATH = "8"  # D.9.4.r
    CODED_DRUG_INFORMATION = "9"  # G.k.10.r
    COMMENT = "10"  # D.7.1.r.5, F.r.6, H.2, H.4
    CONCOMITANT_THERAPY = "11"  # D.7.3
    CONGENITAL_ANOMALY = "12"  # E.i.3.2e
    CONTINUING = "13"  # D.7.1.r.3
    CUMULATIVE_DOSE = "14"  # G.k.5
    DIAGNOSIS = "15"  # H.3.r
    GESTATION_PERIOD = "16"  # D.2.2.1, G.k.6
    HEIGHT = "17"  # D.4, D.10.5
    HISTORY_TEXT = "18"  # D.7.2, D.10.7.2
    INDICATION = "19"  # G.k.7.r, D.8.r.6
    DRUG_ROLE = "20"  # G.k.1
    LIFE_THREATENING = "21"  # E.i.3.2b
    LAST_MENSTRUAL_PERIOD = "22"  # D.6, D.10.3
    EXPEDITED = "23"  # C.1.7
    MEDICAL_CONFIRMATION = "24"  # E.i.8
    MORE_INFORMATION = "25"  # F.r.7
    OTHER_MEDICALLY_IMPORTANT = "26"  # E.i.3.2f
    OUTCOME = "27"  # E.i.7
    PARENT_ROUTE = "28"  # G.k.4.r.11
    REACTION = "29"  # E.i, D.8.r.7
    REACTION_TRANSLATION = "30"  # E.i.1.2
    RECURRENCE = "31"  # G.k.9.i.4
    REPORTED_CAUSE_OF_DEATH = "32"  # D.9.2.r
    HOSPITALISATION = "33"  # E.i.3.2c
    DEATH = "34"  # E.i.3.2a
    DISABILITY = "35"  # E.i.3.2d
    SUMMARY = "36"  # H.5.r
    TERM_HIGHLIGHTED = "37"  # E.i.3.1
    FAMILY_HISTORY = "38"  # D.7.1.r.6
    CAUSALITY = "39"  # G.k.9.i.2.r


class Group:
    """Organizer codes, list .20."""

    MEDICAL_HISTORY = "1"
    DRUG_HISTORY = "2"
    TESTS = "3"
    DRUGS = "4"


class Author:
    """Author roles, list .21."""

    SENDER = "1"
    REPORTER = "2"
    SOURCE_REPORTER = "3"


class Characteristic:
    """investigationCharacteristic codes, list .23."""

    REPORT_TYPE = "1"  # C.1.3
    OTHER_CASE_IDS = "2"  # C.1.9.1
    NULLIFICATION = "3"  # C.1.11.1
    NULLIFICATION_REASON = "4"  # C.1.11.2


# Seriousness criteria E.i.3.2a-f: model field -> observation code.
SERIOUSNESS_CODES = {
    "death": Obs.DEATH,
    "life_threatening": Obs.LIFE_THREATENING,
    "hospitalisation": Obs.HOSPITALISATION,
    "disability": Obs.DISABILITY,
    "congenital_anomaly": Obs.CONGENITAL_ANOMALY,
    "other_medically_important": Obs.OTHER_MEDICALLY_IMPORTANT,
}

# G.k.9.i.3.1 / 3.2 are pauseQuantity on outboundRelationship1, told apart by typeCode.
TIME_FROM_FIRST_DOSE = "SAS"  # start after start
TIME_FROM_LAST_DOSE = "SAE"  # start after end
