"""The whole flow of a call through the pages of a running shenbao, as its people do it: a unit
registers, its bureau approves it, the unit admin sets a password and opens an applicant account, the
applicant fills and uploads and submits, the unit admin approves, seals and sends, the bureau
recommends and confirms the list. Used by the stack test against `make serve`'s stack; needs the
demo call open now and the bureau's demo account (`seed_demo`, or the lighter `PREPARE`).

    python -m deploy.walkthrough http://127.0.0.1:8000
"""

from __future__ import annotations

import io
import itertools
import json
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from stdnum.cn.uscc import calc_check_digit

from .client import PageError, Visitor

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "docs" / "examples" / "application-1001.json"
DEMO_PASSWORD = "shenbao-demo"
BUREAU = "rec-150781"  # 满洲里市工信和科技局, the recommender of a unit registered in 满洲里
ID_NUMBER = "150105199007160025"  # the example's PI (valid check digit)


# What the walk needs on a stack whose call files are loaded, run with `manage.py shell -c`: the demo
# copy of each call, open now, and the bureau's account (one password hash, not seed_demo's fifteen).
PREPARE = f"""
from django.utils import timezone
from shenbao.accounts.models import User
from shenbao.calls.loading import load_demo_copy
from shenbao.calls.models import Call
from shenbao.organisations.models import Recommender
for call in Call.objects.filter(is_demo=False):
    load_demo_copy(call, timezone.now())
if not User.objects.filter(username={BUREAU!r}).exists():
    bureau = User(username={BUREAU!r}, role=User.Role.RECOMMENDER, real_name="满洲里市工信和科技局",
                  recommender=Recommender.objects.get(code={BUREAU.removeprefix("rec-")!r}))
    bureau.set_password({DEMO_PASSWORD!r})
    bureau.save()
"""


@dataclass
class Outcome:
    application: str  # public id
    receipt: str
    sealed_pdf: bytes
    list_pdf: bytes


def pdf_bytes(title: str, pages: int = 1) -> bytes:
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page()
    pdf.docinfo["/Title"] = title
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def fresh_uscc(division: str, salt: int) -> str:
    """A valid 统一社会信用代码 not used before on this database (time-based organisation code)."""
    serial = int(time.time() * 1000) % 10**8 * 10 + salt % 10
    body = f"12{division}{serial:09d}"
    return body + calc_check_digit(body)


_salt = itertools.count()


def walk(base_url: str, *, seal_timeout: float = 120.0) -> Outcome:
    person = Visitor(base_url)
    try:
        return _walk(person, seal_timeout)
    finally:
        person.close()


def _walk(person: Visitor, seal_timeout: float) -> Outcome:
    suffix = f"{int(time.time()) % 100000}{next(_salt)}"
    unit_name = f"满洲里口岸生态研究所{suffix}"
    uscc = fresh_uscc("150781", next(_salt))

    # A unit registers.
    person.get("/units/register/")
    person.submit(
        person.form(field="uscc"),
        {
            "name": unit_name,
            "uscc": uscc,
            "unit_type": "科研院所",
            "independent_legal_person": "yes",
            "registered_on": "2012-05-20",
            "division_code": "150781",
            "route": "local",
            "competent_department": "",
            "legal_representative": "赵明",
            "contact_name": "孙丽",
            "phone": "0470-6200000",
            "email": "office@example.net",
            "address": "满洲里市",
        },
    )
    status_url = str(person.page.url)
    assert "满洲里市工信和科技局" in person.text, person.text[:2000]

    # Its bureau approves it.
    person.log_in(BUREAU, DEMO_PASSWORD)
    person.get("/units/registrations/")
    target = None
    for pk in sorted(set(re.findall(r"/units/registrations/(\d+)/", person.text)), key=int, reverse=True):
        person.get(f"/units/registrations/{pk}/")
        if unit_name in person.text:
            target = pk
            break
    assert target, f"the registration of {unit_name} is not in the bureau's queue"
    person.submit(person.form(field="decision"), {"decision": "approve"})
    person.log_out()

    # The unit admin sets a password and opens an applicant account.
    person.get(status_url)
    set_password = re.search(r'href="(/accounts/set-password/[^"]+)"', person.text)
    assert set_password, person.text[:2000]
    person.get(set_password.group(1))
    admin_password = f"Unit-Admin-{suffix}"
    person.submit(
        person.form(field="new_password1"), {"new_password1": admin_password, "new_password2": admin_password}
    )
    person.log_in(uscc, admin_password)
    person.get("/accounts/applicants/new/")
    applicant = f"pi{suffix}"
    person.submit(
        person.form(field="id_number"),
        {
            "real_name": "巴图",
            "id_number": ID_NUMBER,
            "username": applicant,
            "phone": "13900000001",
            "email": f"{applicant}@example.org",
        },
    )
    temporary = re.search(r'<code class="secret">([^<]+)</code>', person.text)
    assert temporary, person.text[:2000]
    person.log_out()

    # The applicant logs in, chooses a password, fills the 申报书 (import, then a section by hand) and
    # uploads the attachments.
    person.log_in(applicant, temporary.group(1))
    person.get("/accounts/password/")
    applicant_password = f"Grassland-{suffix}"
    person.submit(
        person.form(field="old_password"),
        {"old_password": temporary.group(1), "new_password1": applicant_password, "new_password2": applicant_password},
    )
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    data["subprojects"][0]["leader_id_number"] = ID_NUMBER
    data["title"] = f"草原退化区乡土牧草种质创新与示范{suffix}"
    person.get("/applications/")
    person.submit(
        person.form(field="file"),
        files={"file": ("application.json", json.dumps(data, ensure_ascii=False).encode(), "application/json")},
    )
    public_id = re.search(r"/applications/([0-9a-f-]{36})/review/", str(person.page.url)).group(1)
    person.get(f"/applications/{public_id}/basic/")
    basic = person.form(field="title")
    person.submit(basic, {"title": data["title"] + "（修订）"})  # the form posted without JavaScript
    for kind, partner in (("joint_agreement", "北京草业科学研究中心"), ("integrity_commitment", "")):
        person.get(f"/attachments/{public_id}/")
        person.submit(
            person.form(field="kind"),
            {"kind": kind, "partner": partner, "year": ""},
            files={"file": (f"{kind}.pdf", pdf_bytes(kind), "application/pdf")},
        )
        assert "已上传" in person.text, person.text[:3000]

    # ... and submits it (the button pressed twice: one receipt).
    receipts = set()
    person.get(f"/applications/{public_id}/review/")
    submit = person.form(button="提交单位审核")
    for _ in range(2):
        person.submit(submit)
        receipts.update(re.findall(r"受理编号\s*(?:<strong>)?\s*(NMG-[0-9A-Z-]+)", person.text))
    assert len(receipts) == 1, receipts
    person.log_out()

    # The unit admin approves, seals (in the task workers) and sends it to the bureau.
    person.log_in(uscc, admin_password)
    _unit_action(person, public_id, "审核通过")
    _unit_action(person, public_id, "电子签章")
    deadline = time.monotonic() + seal_timeout
    while True:
        try:
            _unit_action(person, public_id, "报送归口管理部门")
        except PageError:
            pass  # still sealing: the queue offers 报送 once a row is sealed
        else:
            if "已报送归口管理部门1份" in person.text:
                break
        if time.monotonic() > deadline:
            raise AssertionError(f"not sealed after {seal_timeout:.0f} s:\n{person.text[:3000]}")
        time.sleep(1)
    sealed_link = re.search(rf'href="(/documents/[^"]*{public_id}[^"]*)"', _review_page(person, public_id))
    person.log_out()

    # The bureau recommends it and confirms its list.
    person.log_in(BUREAU, DEMO_PASSWORD)
    person.get("/review/recommender/")
    person.submit(person.form(button="推荐"), [("application", public_id)], button="推荐")
    person.get("/review/recommender/")
    person.submit(person.form(button="确认推荐项目清单"), button="确认推荐项目清单")
    deadline = time.monotonic() + seal_timeout
    while "推荐项目清单已确认" not in person.text and time.monotonic() < deadline:
        time.sleep(1)
        person.get("/review/recommender/")
    list_link = re.search(r'href="(/review/lists/\d+/pdf/)"', person.text)
    assert list_link, person.text[:3000]
    list_pdf = person.get(list_link.group(1)).content
    sealed_pdf = person.get(sealed_link.group(1)).content if sealed_link else b""
    person.log_out()
    return Outcome(public_id, receipts.pop(), sealed_pdf, list_pdf)


def _unit_action(person: Visitor, public_id: str, button: str) -> None:
    person.get("/review/unit/")
    person.submit(person.form(button=button), [("application", public_id)], button=button)


def _review_page(person: Visitor, public_id: str) -> str:
    return person.get(f"/applications/{public_id}/review/").text


if __name__ == "__main__":
    outcome = walk(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000")
    print(outcome.application, outcome.receipt, len(outcome.sealed_pdf), len(outcome.list_pdf))
