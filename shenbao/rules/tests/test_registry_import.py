"""Registries a department can actually fill (issue #11): template, row-by-row validation in Chinese,
preview, an audited import rolled back as a whole, department staff only; page and command alike."""

import csv
import io

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from shenbao.audit.models import AuditEntry
from shenbao.rules import registry_import
from shenbao.rules.models import DishonestyRecord, FundedProject, OngoingProjectRecord, RegistryImport

PI = "150105199007160025"
PREFIXES = ("内蒙古", "自治区")


def _csv(rows):
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def _xlsx(rows):
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


ONGOING_HEADER = ["负责人身份证号", "负责人姓名", "计划类别", "项目类型", "项目编号", "执行期至"]


@pytest.mark.parametrize("kind", RegistryImport.Kind.values)
def test_each_registry_has_a_template_whose_headers_the_import_reads_back(kind):
    table = registry_import.read_table("t.xlsx", registry_import.template(kind))
    headers = [str(h).replace("（选填）", "") for h in table[0]]
    assert headers == [c.header for c in registry_import.columns(kind)]
    assert registry_import.validate(kind, table, PREFIXES).errors == []  # the example row is valid


def test_rows_are_validated_one_by_one_with_chinese_messages_naming_row_and_column():
    table = registry_import.read_table(
        "在研.csv",
        _csv(
            [
                ONGOING_HEADER,
                ["150105199007160026", "甲", "内蒙古自治区重点研发计划", "重点研发", "2025A1", "2026-12-31"],
                [PI, "乙", "国家重点研发计划", "重点专项", "2023YFD01", "2027-06-30"],
                [PI, "丙", "自治区科技重大专项", "重大专项", "2025ZD01", "2026-13-01"],
                [PI, "丁", "", "重大专项", "2025ZD02", ""],
            ]
        ),
    )
    errors = registry_import.validate("ongoing", table, PREFIXES).errors
    assert any(e.startswith("第2行“负责人身份证号”") and "校验码" in e for e in errors)
    assert any(e.startswith("第3行“计划类别”") and "不是自治区科技计划" in e for e in errors)
    assert any(e.startswith("第4行“执行期至”") and "2026-13-01" in e for e in errors)
    assert any(e.startswith("第5行“计划类别”") and "不能为空" in e for e in errors)


def test_codes_and_dates_in_any_spelling_are_read_as_one():
    table = [
        ONGOING_HEADER,
        [
            " １５０１０５１９９００７１６００２５ ",
            "乙",
            "内蒙古自治区自然科学基金",
            "面上项目",
            "2025ms0001",
            "2026年6月30日",
        ],
    ]
    checked = registry_import.validate("ongoing", table, PREFIXES)
    assert checked.errors == []
    assert checked.rows[0] | {} == {
        "id_number": PI,
        "leader_name": "乙",
        "plan": "内蒙古自治区自然科学基金",
        "project_type": "面上项目",
        "code": "2025MS0001",
        "until": "2026-06-30",
    }


def test_a_dishonesty_row_checks_the_code_its_type_names():
    table = [
        ["类型", "身份证号或统一社会信用代码", "名称", "处罚期至", "事由"],
        ["单位", "12150000460012345A", "某单位", "2027-01-01", ""],
        ["个人", "12150000460012345Q", "某人", "", ""],
        ["机构", PI, "某人", "", ""],
    ]
    errors = registry_import.validate("dishonesty", table, PREFIXES).errors
    assert any(e.startswith("第2行") and "校验位" in e for e in errors)
    assert any(e.startswith("第3行") and "身份证号" in e for e in errors)
    assert any(e.startswith("第4行“类型”") and "个人" in e for e in errors)


def test_a_file_without_the_templates_headers_is_refused_saying_which_column_is_missing():
    errors = registry_import.validate("funded", [["年度", "名称"], ["2024", "x"]], PREFIXES).errors
    assert errors == ["表头缺少“立项年度”列（请使用模板）。", "表头缺少“项目名称”列（请使用模板）。"]


def test_a_file_that_is_neither_excel_nor_csv_is_refused():
    with pytest.raises(registry_import.ImportRefused, match="只接受Excel"):
        registry_import.read_table("a.pdf", b"%PDF-1.7")
    with pytest.raises(registry_import.ImportRefused, match="不是有效的Excel"):
        registry_import.read_table("a.xlsx", b"not a workbook")


def test_preview_counts_what_changes_then_the_import_writes_it_audited_and_rolls_back_whole(department_staff):
    existing = OngoingProjectRecord.objects.create(
        id_number=PI, plan="内蒙古自治区重点研发计划", project_type="重点研发", code="2024YFHH0001"
    )
    untouched = OngoingProjectRecord.objects.create(
        id_number=PI, plan="内蒙古自治区科技重大专项", project_type="重大专项", code="2023ZD0001"
    )
    content = _xlsx(
        [
            ONGOING_HEADER,
            [PI, "乌云其其格", "内蒙古自治区重点研发计划", "重点研发", "2024yfhh0001", "2026-12-31"],  # update
            [PI, None, "内蒙古自治区科技重大专项", "重大专项", "2023ZD0001", None],  # unchanged
            [PI, "乌云其其格", "自治区科技成果转化专项", "成果转化", "2025CG0002", "2027-06-30"],  # new
        ]
    )
    entry, checked = registry_import.preview(department_staff, "ongoing", "在研.xlsx", content, PREFIXES)
    assert checked.errors == [] and (entry.created, entry.updated, entry.unchanged) == (1, 1, 1)
    assert OngoingProjectRecord.objects.count() == 2  # nothing written by the preview
    registry_import.apply(entry, department_staff)
    existing.refresh_from_db()
    assert str(existing.until) == "2026-12-31" and OngoingProjectRecord.objects.count() == 3
    assert AuditEntry.objects.filter(action="registry.imported", object_id=str(entry.pk)).exists()
    registry_import.rollback(entry, department_staff)
    existing.refresh_from_db()
    assert existing.until is None and existing.leader_name == ""
    assert set(OngoingProjectRecord.objects.values_list("pk", flat=True)) == {existing.pk, untouched.pk}
    assert AuditEntry.objects.filter(action="registry.import_rolled_back").exists()
    with pytest.raises(registry_import.ImportRefused, match="只有已导入的批次可以撤销"):
        registry_import.rollback(entry, department_staff)


def test_an_import_is_applied_once_only(department_staff):
    content = _csv([["立项年度", "项目名称"], ["2024", "草原生态修复关键技术研究"]])
    entry, _ = registry_import.preview(department_staff, "funded", "f.csv", content, PREFIXES)
    registry_import.apply(entry, department_staff)
    with pytest.raises(registry_import.ImportRefused):
        registry_import.apply(entry, department_staff)
    assert FundedProject.objects.count() == 1


def test_only_department_staff_may_import(client, unit_admin, recommender_staff):
    content = _csv([["立项年度", "项目名称"], ["2024", "x"]])
    for user in (unit_admin, recommender_staff):
        with pytest.raises(registry_import.PermissionDenied):
            registry_import.preview(user, "funded", "f.csv", content, PREFIXES)
        client.force_login(user)
        assert client.get(reverse("rules:registries")).status_code == 403
        assert client.get(reverse("rules:registry_template", args=["funded"])).status_code == 403
        upload = io.BytesIO(content)
        upload.name = "f.csv"
        assert client.post(reverse("rules:registry_upload", args=["funded"]), {"file": upload}).status_code == 403
    assert not RegistryImport.objects.exists()


def test_the_page_previews_then_imports_then_rolls_back(client, department_staff, call):
    client.force_login(department_staff)
    assert "下载模板" in client.get(reverse("rules:registries")).content.decode()
    template = client.get(reverse("rules:registry_template", args=["dishonesty"]))
    assert template.status_code == 200 and template.content[:2] == b"PK"
    upload = io.BytesIO(
        _csv([["类型", "身份证号或统一社会信用代码", "名称"], ["单位", "12100000-40001 2345p", "北京草业科学研究中心"]])
    )
    upload.name = "失信.csv"
    page = client.post(reverse("rules:registry_upload", args=["dishonesty"]), {"file": upload})
    assert page.status_code == 200 and "将新增1行" in page.content.decode()
    assert DishonestyRecord.objects.count() == 0
    entry = RegistryImport.objects.get()
    client.post(reverse("rules:registry_apply", args=[entry.pk]))
    assert DishonestyRecord.objects.get().identifier == "12100000400012345P"
    client.post(reverse("rules:registry_rollback", args=[entry.pk]))
    assert DishonestyRecord.objects.count() == 0


def test_the_page_shows_every_bad_row_and_writes_nothing(client, department_staff, call):
    client.force_login(department_staff)
    upload = io.BytesIO(_csv([["立项年度", "项目名称"], ["二〇二四", "x"], ["2024", ""]]))
    upload.name = "f.csv"
    page = client.post(reverse("rules:registry_upload", args=["funded"]), {"file": upload})
    text = page.content.decode()
    assert page.status_code == 400 and "第2行“立项年度”" in text and "第3行“项目名称”：不能为空" in text
    assert not RegistryImport.objects.exists() and not FundedProject.objects.exists()


def test_the_command_imports_previews_and_rolls_back_like_the_page(department_staff, call, tmp_path, capsys):
    path = tmp_path / "funded.csv"
    path.write_bytes(_csv([["立项年度", "项目名称", "摘要"], ["2024", "草原生态修复", "摘要"]]))
    call_command("import_registry", "funded", str(path), "--dry-run")
    assert "新增1行" in capsys.readouterr().out and not FundedProject.objects.exists()
    call_command("import_registry", "已立项项目", str(path))
    assert FundedProject.objects.count() == 1
    batch = RegistryImport.objects.get(status="applied")
    call_command("import_registry", "--rollback", str(batch.pk))
    assert not FundedProject.objects.exists()
    template = tmp_path / "t.xlsx"
    call_command("import_registry", "ongoing", "--template", str(template))
    assert template.read_bytes()[:2] == b"PK"


def test_the_command_exits_1_listing_bad_rows(department_staff, call, tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_bytes(_csv([ONGOING_HEADER, [PI, "", "国家重点研发计划", "重点专项", "X1", ""]]))
    with pytest.raises(SystemExit) as exit_:
        call_command("import_registry", "ongoing", str(path))
    assert exit_.value.code == 1 and "第2行“计划类别”" in capsys.readouterr().err


def test_the_command_refuses_an_unknown_registry(department_staff, tmp_path):
    with pytest.raises(CommandError, match="请给出登记库"):
        call_command("import_registry", "people", str(tmp_path / "x.csv"))
