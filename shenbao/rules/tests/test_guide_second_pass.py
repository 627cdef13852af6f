"""The second pass of the formal review (issue #11): the guide's sentences about people, places and
codes, each with its boundary and normalisation cases. Pure rule tests; the same cases run through
`manage.py review` in test_second_pass_command.py and through the live form in test_second_pass_form.py."""

import datetime as dt

import pytest

from shenbao import normalise
from shenbao.accounts.id_number import check_digit
from shenbao.organisations.uscc import check_character
from shenbao.rules.context import OngoingProject, Registries, ReviewContext
from shenbao.rules.findings import Severity, yuan
from shenbao.rules.ruleset import has_bar, review
from shenbao.rules.snapshot import Snapshot

PI = "150105199007160025"
BEIJING_PARTNER = "北京草业科学研究中心"


def _review(data, spec, **context):
    return review(Snapshot(data, key="me"), ReviewContext(spec, **context))


def _codes(data, spec, **context):
    return {f.code for f in _review(data, spec, **context)}


def _bars(data, spec, **context):
    return {f.code for f in _review(data, spec, **context) if f.severity == Severity.BAR}


def _uscc(body17):
    return body17 + check_character(body17)


def _id(body17):
    return body17 + check_digit(body17)


def _full_width(text):
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def _agreement(name):
    return {"kind": "joint_agreement", "partner": name, "file": "agreement.pdf"}


# --- 1. 项目参与人所在单位非牵头单位的，均视为合作单位 (一(三)9) ------------------------------------------


def test_a_team_members_unit_that_is_not_the_lead_is_a_partner_and_needs_its_joint_agreement(example, call_spec):
    example["team"].append({"name": "李华", "id_number": "", "unit": "清华大学", "role": "骨干"})
    findings = _review(example, call_spec)
    implied = [f for f in findings if f.code == "unit.implied_partner"]
    assert implied and implied[0].clause == "一(三)9" and "清华大学" in implied[0].message
    missing = [f for f in findings if f.code == "attachments.missing"]
    assert any("清华大学" in f.message and "联合申报协议" in f.message for f in missing)
    assert all(f.severity == Severity.INCOMPLETE for f in missing) and has_bar(missing)  # blocks a submission


def test_a_subprojects_undertaking_unit_is_a_partner_whether_or_not_it_is_listed(example, call_spec):
    example["subprojects"][1]["unit"] = "浙江大学"
    codes = _codes(example, call_spec)
    assert "unit.implied_partner" in codes and "attachments.missing" in codes
    example["attachments"].append(_agreement("浙江大学"))
    assert not has_bar(_review(example, call_spec))


def _listed_partners(data, count):
    for i in range(count):
        data["partners"].append(
            {
                "name": f"区外单位{i}",
                "uscc": _uscc(f"121100004000{i:05d}"),
                "unit_type": "科研院所",
                "location": {"scope": "domestic_out_of_region", "province": "北京市"},
            }
        )
        data["attachments"].append(_agreement(f"区外单位{i}"))


def test_units_made_partners_by_their_people_count_towards_the_five_units(example, call_spec):
    _listed_partners(example, 2)  # lead + 3 listed = 4
    example["team"].append({"name": "李华", "unit": "清华大学"})
    example["attachments"].append(_agreement("清华大学"))
    assert "project.too_many_units" not in _codes(example, call_spec)  # 5: allowed (含)
    example["team"].append({"name": "王芳", "unit": "复旦大学"})
    example["attachments"].append(_agreement("复旦大学"))
    finding = next(f for f in _review(example, call_spec) if f.code == "project.too_many_units")
    assert finding.severity == Severity.BAR and "6家" in finding.message and "视为合作单位" in finding.message


def test_a_listed_partner_named_with_other_spacing_or_width_is_not_a_second_partner(example, call_spec):
    example["team"][0]["unit"] = f"  {BEIJING_PARTNER}　"  # ideographic space
    example["subprojects"][1]["unit"] = BEIJING_PARTNER + " "
    assert "unit.implied_partner" not in _codes(example, call_spec)
    assert not has_bar(_review(example, call_spec))


# --- 2. 与区外（国外）单位联合申报 (一(一)2): where a partner is, is a fact ----------------------------------


def test_a_partner_in_inner_mongolia_is_never_out_of_region_however_it_is_marked(example, call_spec):
    example["partners"][0]["location"] = {"scope": "domestic_out_of_region", "province": "内蒙古自治区"}
    findings = _review(example, call_spec)
    codes = {f.code for f in findings}
    assert "unit.no_required_partner" in codes
    corrected = next(f for f in findings if f.code == "unit.partner_scope_corrected")
    assert corrected.severity == Severity.WARNING and "区内" in corrected.message


def test_a_partner_in_beijing_is_never_in_region_however_it_is_marked(example, call_spec):
    example["partners"][0]["location"] = {"scope": "domestic_in_region", "province": "北京市"}
    assert "unit.no_required_partner" not in _codes(example, call_spec)


def test_the_out_of_region_share_of_funds_follows_the_partners_province_not_its_mark(example, call_spec):
    example["partners"][0]["location"] = {"scope": "domestic_in_region", "province": "北京"}
    example["budget"]["by_unit"] = [
        {"unit": "内蒙古草原生态研究院", "fiscal": 400000, "self_raised": 200000},
        {"unit": BEIJING_PARTNER, "fiscal": 520000, "self_raised": 0},
    ]
    assert "budget.out_of_region_share" in _bars(example, call_spec)


@pytest.mark.parametrize(
    "location",
    [
        {"scope": "domestic_out_of_region", "province": "香港特别行政区"},
        {"scope": "domestic_out_of_region", "province": "香港特別行政區"},  # traditional characters
        {"scope": "foreign", "country": "中国香港"},  # marked foreign: still domestic, out of region
        {"scope": "", "country": "Hong Kong"},
        {"scope": "domestic_out_of_region", "province": "澳門"},
        {"scope": "domestic_out_of_region", "country": "中國臺灣"},
    ],
)
def test_a_hong_kong_macao_or_taiwan_unit_is_a_valid_out_of_region_partner_without_a_uscc(example, call_spec, location):
    example["partners"] = [{"name": "香港大学", "unit_type": "高等院校", "location": location}]
    example["team"][0]["unit"] = example["subprojects"][1]["unit"] = "香港大学"
    example["budget"]["by_unit"][1]["unit"] = "香港大学"
    example["attachments"] = [_agreement("香港大学"), {"kind": "integrity_commitment", "file": "c.pdf"}]
    findings = _review(example, call_spec)
    assert not has_bar(findings), [f for f in findings if f.severity in ("bar", "incomplete")]
    assert not any(f.code.startswith("unit.uscc") for f in findings)


def test_a_partner_abroad_is_foreign_whatever_it_is_marked_and_needs_both_texts_of_its_agreement(example, call_spec):
    example["category"], example["priority_tags"] = "2001", []
    example["budget"]["fiscal"]["业务费"] = 130000
    example["budget"]["by_unit"][1]["fiscal"] = 20000
    example["partners"][0] = {"name": "Leibniz-Institut", "unit_type": "科研院所", "location": {"country": "德国"}}
    example["team"][0]["unit"] = example["subprojects"][1]["unit"] = "Leibniz-Institut"
    example["budget"]["by_unit"][1]["unit"] = "Leibniz-Institut"
    example["attachments"] = [_agreement("Leibniz-Institut"), {"kind": "integrity_commitment", "file": "c.pdf"}]
    findings = _review(example, call_spec)
    assert "unit.no_required_partner" not in {f.code for f in findings}
    assert any("外文" in f.message for f in findings if f.code == "attachments.missing")


def test_a_partner_with_neither_province_nor_country_is_unanswered_not_a_breach(example, call_spec):
    example["partners"][0]["location"] = {"scope": ""}
    finding = next(f for f in _review(example, call_spec) if f.code == "unit.partner_location_missing")
    assert finding.severity == Severity.INCOMPLETE


# --- 3. Codes and names compared after NFKC, trimming and case folding ------------------------------------


def test_a_pi_id_number_in_full_width_digits_is_the_same_number(example, call_spec):
    example["pi"]["id_number"] = _full_width(PI)
    example["subprojects"][0]["leader_id_number"] = PI
    assert not has_bar(_review(example, call_spec))
    registries = Registries(dishonest_id_numbers=frozenset({PI}))
    assert "pi.dishonest" in _bars(example, call_spec, registries=registries)


def test_a_subproject_leaders_id_with_a_trailing_space_or_lower_case_x_is_the_same_id(example, call_spec):
    pi = _id("15010519900716005")
    assert pi.endswith("X")
    example["pi"]["id_number"] = pi
    example["pi"]["sex"] = ""
    example["subprojects"][0]["leader_id_number"] = pi.lower() + " "
    assert "pi.leads_no_subproject" not in _codes(example, call_spec)


def test_a_uscc_in_full_width_letters_or_with_hyphens_is_the_same_code(example, call_spec):
    example["lead_unit"]["uscc"] = _full_width("12150000460012345q")
    example["partners"][0]["uscc"] = "121000-0040001-2345P"
    codes = _codes(example, call_spec)
    assert not any(code.startswith("unit.uscc") and code != "unit.uscc_division_outside_region" for code in codes)
    registries = Registries(dishonest_usccs=frozenset({"12100000400012345P"}))
    assert "unit.dishonest" in _bars(example, call_spec, registries=registries)


def test_a_division_code_in_full_width_digits_is_in_the_region(example, call_spec):
    example["lead_unit"]["division_code"] = "１５０１０２"
    assert "unit.outside_region" not in _codes(example, call_spec)


def test_a_cooperation_form_with_a_trailing_space_is_the_guides_form(example, call_spec):
    example["cooperation_form"] = "联合攻关 "
    assert "project.cooperation_form" not in _codes(example, call_spec)


@pytest.mark.parametrize(
    "written",
    [
        "参照公务员法管理事业单位",
        "参公事业单位 ",
        "政府機關",
        " 政府机关",
        "參公事業單位",
        "参照公务员法管理的事业单位",
    ],
)
def test_government_organs_and_civil_service_managed_units_may_be_neither_lead_nor_participant(
    example, call_spec, written
):
    example["lead_unit"]["unit_type"] = written
    lead = next(f for f in _review(example, call_spec) if f.code == "unit.barred_type")
    assert lead.clause == "一(一)5" and lead.severity == Severity.BAR
    example["lead_unit"]["unit_type"] = "科研院所"
    example["partners"][0]["unit_type"] = written
    assert "unit.partner_barred_type" in _bars(example, call_spec)


def test_a_lead_type_in_traditional_characters_or_with_spaces_is_its_type(example, call_spec):
    example["lead_unit"]["unit_type"] = " 科研院所　"
    assert not has_bar(_review(example, call_spec))
    example["lead_unit"]["unit_type"] = "高等院校"
    assert not has_bar(_review(example, call_spec))


def test_the_normalisation_helper_makes_one_spelling():
    assert normalise.code(" １５０１０５１９９００７１６００２ｘ ") == "15010519900716002X"
    assert normalise.code("12100000-4000 12345p") == "12100000400012345P"
    assert normalise.text("政府機關 ") == normalise.text("政府机关")
    assert normalise.text("Leibniz  Institut") == normalise.text("leibniz institut")
    assert normalise.code(None) == normalise.text(None) == ""


# --- 4. 具有独立法人资格 (一(一)1): a 个体工商户 (USCC 92…) has none -------------------------------------------


def test_an_individual_business_uscc_has_no_legal_personality_whatever_the_flag_says(example, call_spec):
    example["lead_unit"]["uscc"] = _uscc("92150102MA0123456")
    example["lead_unit"]["independent_legal_person"] = True
    finding = next(f for f in _review(example, call_spec) if f.code == "unit.not_legal_person")
    assert finding.severity == Severity.BAR and "个体工商户" in finding.message and finding.clause == "一(一)1"


def test_an_enterprise_uscc_is_not_an_individual_business(example, call_spec):
    example["lead_unit"]["uscc"] = _uscc("91150102MA0123456")
    assert "unit.not_legal_person" not in _codes(example, call_spec)


# --- 5. 企业作为牵头单位 (一(一)3, 一(三)8): a 中央驻自治区 enterprise is an enterprise -----------------------


def test_a_central_enterprise_in_the_region_leading_a_project_needs_statements_and_matching(example, call_spec):
    example["lead_unit"]["unit_type"] = "中央驻自治区企事业单位"
    example["lead_unit"]["uscc"] = _uscc("91150000MA0123456")
    findings = _review(example, call_spec)
    missing = " ".join(f.message for f in findings if f.code == "attachments.missing")
    assert "2022年度财务报表" in missing and "2024年度财务报表" in missing and "承诺函" in missing
    assert "budget.enterprise_matching" in {f.code for f in findings if f.severity == Severity.BAR}


def test_a_central_public_institution_in_the_region_is_not_an_enterprise(example, call_spec):
    example["lead_unit"]["unit_type"] = "中央驻自治区企事业单位"
    example["lead_unit"]["uscc"] = _uscc("12150000MA0123456")
    codes = _codes(example, call_spec)
    assert "budget.enterprise_matching" not in codes and "attachments.missing" not in codes


# --- 6. 已承担自治区科技计划项目在研2项及以上的，不得申报 (一(二)3) -----------------------------------------------


def _ongoing(plan, kind, code, until="2027-12-31"):
    return {"plan": plan, "type": kind, "code": code, "until": until}


def test_a_national_key_rd_project_is_not_a_regional_project(example, call_spec):
    example["pi"]["ongoing_projects"].append(_ongoing("国家重点研发计划", "重点专项", "2023YFD1300000"))
    assert "pi.too_many_ongoing" not in _codes(example, call_spec)


def test_a_second_regional_project_bars(example, call_spec):
    example["pi"]["ongoing_projects"].append(_ongoing("自治区科技重大专项", "重大专项", "2025ZD0001"))
    assert "pi.too_many_ongoing" in _bars(example, call_spec)


@pytest.mark.parametrize(
    ("plan", "kind"),
    [
        ("内蒙古自治区自然科学基金", "面上项目"),
        ("自治区自然科学基金", "自治区自然科学基金 面上项目"),
        ("内蒙古自治区自然科学基金", "自然科學基金 "),
        ("内蒙古自治区科技计划", "揭榜挂帅项目"),
        ("内蒙古自治区科技计划", "科技领军人才团队"),
    ],
)
def test_an_exempt_family_is_exempt_whatever_its_sub_type_and_spelling(example, call_spec, plan, kind):
    example["pi"]["ongoing_projects"].append(_ongoing(plan, kind, "2025MS0001"))
    assert "pi.too_many_ongoing" not in _codes(example, call_spec)


def test_a_declared_project_is_never_counted_twice_when_the_registry_writes_its_code_in_another_case(
    example, call_spec
):
    registries = Registries(
        ongoing_by_id_number={
            PI: [
                OngoingProject("内蒙古自治区重点研发和成果转化计划", "重点研发", "2024yfhh0001 ", dt.date(2026, 12, 31))
            ]
        }
    )
    codes = _codes(example, call_spec, registries=registries)
    assert "pi.too_many_ongoing" not in codes and "pi.undeclared_ongoing" not in codes


def test_an_undeclared_regional_project_in_the_registry_still_counts(example, call_spec):
    registries = Registries(
        ongoing_by_id_number={PI: [OngoingProject("内蒙古自治区重点研发计划", "重点研发", "2025ZD0009", None)]}
    )
    assert {"pi.too_many_ongoing", "pi.undeclared_ongoing"} <= _codes(example, call_spec, registries=registries)


# --- 7. 所有申报单位和项目人员 (一(四)1) ----------------------------------------------------------------------


def test_every_person_of_the_project_is_checked_against_the_dishonesty_registry(example, call_spec):
    member = "310104198205040015"  # 张明: team member and 课题负责人
    registries = Registries(dishonest_id_numbers=frozenset({member}))
    findings = [f for f in _review(example, call_spec, registries=registries) if f.code == "team.dishonest"]
    assert {f.field for f in findings} == {"subprojects[1].leader_id_number", "team[0].id_number"}
    assert all(f.severity == Severity.BAR and f.clause == "一(四)1" for f in findings)


def test_a_partner_made_by_its_people_is_checked_against_the_dishonesty_registry_by_name(example, call_spec):
    example["team"].append({"name": "李华", "unit": "失信科技有限公司 "})
    registries = Registries(dishonest_unit_names=frozenset({normalise.text("失信科技有限公司")}))
    assert "unit.dishonest" in _bars(example, call_spec, registries=registries)


def test_a_partner_uscc_on_the_registry_is_barred_whichever_way_it_is_written(example, call_spec):
    example["partners"][0]["uscc"] = " 12100000 40001 2345p"
    registries = Registries(dishonest_usccs=frozenset({"12100000400012345P"}))
    assert "unit.dishonest" in _bars(example, call_spec, registries=registries)


# --- 8. 政府部门（含参公事业单位）工作人员不能作为项目（课题）负责人 (一(二)5) -----------------------------------


def test_a_subproject_leader_who_is_a_civil_servant_is_barred(example, call_spec):
    example["subprojects"][1]["leader_civil_servant"] = True
    finding = next(f for f in _review(example, call_spec) if f.code == "subproject.leader_civil_servant")
    assert finding.severity == Severity.BAR and finding.clause == "一(二)5"
    assert finding.field == "subprojects[1].leader_civil_servant"


def test_a_subproject_leader_who_is_not_a_civil_servant_passes(example, call_spec):
    example["subprojects"][1]["leader_civil_servant"] = False
    findings = _review(example, call_spec)
    assert not [f for f in findings if f.code.startswith("subproject.leader_civil_servant")]


def test_an_unanswered_subproject_leader_question_is_incomplete_not_a_breach(example, call_spec):
    example["subprojects"][1]["leader_civil_servant"] = None
    finding = next(f for f in _review(example, call_spec) if f.field == "subprojects[1].leader_civil_servant")
    assert finding.severity == Severity.INCOMPLETE and "未填写" in finding.message


def test_a_subproject_the_pi_leads_takes_the_pis_answer(example, call_spec):
    example["pi"]["civil_servant"] = True
    fields = {f.field for f in _review(example, call_spec) if f.severity == Severity.BAR}
    assert "pi.civil_servant" in fields and "subprojects[0].leader_civil_servant" not in fields


# --- 9. 附件大小不超过10M，PDF格式 (二(一)3): a file under review is checked like an upload ---------------------


@pytest.mark.parametrize(
    ("row", "words"),
    [
        ({"size": 10_485_761}, "超过10MB"),
        ({"file": "integrity-commitment.docx"}, "不是PDF"),
        ({"content_type": "application/msword"}, "不是PDF"),
    ],
)
def test_a_listed_attachment_over_the_limit_or_not_a_pdf_is_barred(example, call_spec, row, words):
    example["attachments"][1].update(row)
    findings = _review(example, call_spec)
    refused = next(f for f in findings if f.code == "attachments.refused")
    assert refused.severity == Severity.BAR and words in refused.message and refused.clause == "二(一)3"
    assert any("诚信承诺书" in f.message for f in findings if f.code == "attachments.missing")


def test_an_attachment_of_exactly_ten_megabytes_in_pdf_is_accepted(example, call_spec):
    example["attachments"][1].update({"size": 10_485_760, "file": "承诺书.PDF", "content_type": "application/pdf"})
    assert not has_bar(_review(example, call_spec))


# --- 10. Money as 元 with thousands separators, always --------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "text"),
    [(1_000_000, "1,000,000元"), (1_000_000.5, "1,000,000.50元"), (3000, "3,000元"), (0, "0元"), (92.5, "92.50元")],
)
def test_money_is_printed_in_yuan_with_thousands_separators(amount, text):
    assert yuan(amount) == text


def test_the_over_cap_message_never_prints_an_exponent(example, call_spec):
    example["budget"]["fiscal"]["业务费"] = 450000.5 + 80000
    finding = next(f for f in _review(example, call_spec) if f.code == "budget.over_cap")
    assert "1,000,000.50元" in finding.message and "1,000,000元" in finding.message and "e+" not in finding.message


# --- issue #13: an unanswered question is 未填写, never a breach ---------------------------------------------


def test_a_blank_application_has_no_breach_only_unanswered_questions(call_spec):
    findings = _review({"format": "shenbao.application/2", "call": "nmg-2026-kjhz"}, call_spec)
    assert findings and has_bar(findings)  # still blocks a submission
    breaches = [f for f in findings if f.severity == Severity.BAR]
    assert breaches == [], breaches
    civil = next(f for f in findings if f.field == "pi.civil_servant")
    assert civil.severity == Severity.INCOMPLETE and "未填写" in civil.message


def test_answering_no_to_a_declaration_is_a_breach_and_leaving_it_blank_is_not(example, call_spec):
    example["declarations"]["integrity_commitment_pi"] = None
    assert next(f for f in _review(example, call_spec) if f.code == "integrity.pi_commitment").severity == (
        Severity.INCOMPLETE
    )
    example["declarations"]["integrity_commitment_pi"] = False
    assert "integrity.pi_commitment" in _bars(example, call_spec)


@pytest.mark.parametrize("province", ["内蒙古", "內蒙古自治區", "Inner Mongolia", " 内蒙古自治区呼和浩特市 "])
def test_a_partner_in_inner_mongolia_is_in_region_in_any_spelling(example, call_spec, province):
    example["partners"][0]["location"] = {"scope": "domestic_out_of_region", "province": province}
    assert "unit.no_required_partner" in _bars(example, call_spec)
