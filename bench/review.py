"""Formal review of a whole call: 10,000 varied applications.

    .venv/bin/python bench/review.py [--applications 10000] [--repeat 5]

Prints medians of --repeat runs for:
- baseline: serialising every application to JSON once (the cheapest pass over all of them);
- rules: the rule set over every application, context already built;
- near-duplicates: MinHash LSH + rapidfuzz over the whole call;
- whole call: reading the call from the database (a fixed number of queries, counted and printed),
  near-duplicates, then the rules: what `manage.py review --call` does (rules in forked workers);
- whole call, one process: the same with no worker processes, so the rules themselves — not the
  number of cores — decide the time.
Every run starts cold: the memories of normalised codes, checked IDs and places are emptied.
Goal (issues #3, #11): the whole call in under 2 s on a 2-core machine.
"""

import argparse
import copy
import json
import random

from _django import EXAMPLE, call_with_a_unit, median_seconds
from django.db import connection
from django.test.utils import CaptureQueriesContext
from stdnum.cn.uscc import calc_check_digit as uscc_check

from shenbao import normalise
from shenbao.accounts.id_number import check_digit as id_check
from shenbao.accounts.id_number import check_id_number
from shenbao.applications.models import Application
from shenbao.attachments.models import Attachment
from shenbao.organisations.uscc import check_uscc
from shenbao.rules.batch import document, peers_by_pi, review_call
from shenbao.rules.context import Registries, ReviewContext
from shenbao.rules.duplicates import find_similar
from shenbao.rules.places import place_of
from shenbao.rules.ruleset import review
from shenbao.rules.snapshot import Snapshot

SUBJECTS = "草原 牧草 稀土 氢能 煤化工 乳业 马铃薯 沙棘 风电 光伏 储能".split()
SUBJECTS += "荒漠化 黄河 盐碱地 肉羊 奶牛 蒙药 数字 智能 装备".split()
ACTIONS = "种质创新 关键技术 示范应用 联合攻关 成果转化 平台建设 装备研制 工艺优化 生态修复 精深加工".split()
PROVINCES = "北京市 上海市 江苏省 浙江省 广东省 湖北省 陕西省 四川省".split()
COUNTRIES = "德国 俄罗斯 蒙古国 以色列 荷兰 日本".split()
# Abstracts are eight phrases drawn from this pool: as varied as real ones, so near-duplicates are rare.
PHRASES = [f"{a}{b}{c}，" for a in SUBJECTS for b in ACTIONS for c in ("需求迫切", "瓶颈突出", "基础薄弱", "前景广阔")]


def _id_number(rng: random.Random) -> str:
    body = f"1501{rng.randint(1, 5):02d}{rng.randint(1966, 1998)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    body += f"{rng.randint(0, 999):03d}"
    return body + id_check(body)


def _uscc(rng: random.Random, division: str = "150102") -> str:
    body = f"{rng.choice(['12', '91', '52'])}{division}{rng.randint(0, 10**9 - 1):09d}"
    return body + uscc_check(body)


def generate(count: int, seed: int = 2026) -> list[dict]:
    """Varied applications: both categories, 1-4 partners, budgets near and over the caps, enterprise
    leads, repeated PIs, and a few renamed re-submissions."""
    rng = random.Random(seed)
    example = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    units = [_uscc(rng) for _ in range(count // 5)]
    applications = []
    for i in range(count):
        data = copy.deepcopy(example)
        international = rng.random() < 0.3
        data["category"] = "2001" if international else "1001"
        data["priority_tags"] = [] if international else data["priority_tags"]
        subject, action = rng.choice(SUBJECTS), rng.choice(ACTIONS)
        data["title"] = f"{subject}{action}研究（{i}）"
        data["abstract"] = "".join(rng.choice(PHRASES) for _ in range(8))
        if i % 97 == 0 and i:  # renamed re-submission of an earlier one
            data["title"] = "改进的" + applications[i - 1]["title"]
            data["abstract"] = applications[i - 1]["abstract"]
        data["lead_unit"]["uscc"] = rng.choice(units)
        data["lead_unit"]["unit_type"] = rng.choice(["科研院所", "高等院校", "企业", "企业", "事业单位"])
        data["pi"]["id_number"] = _id_number(rng)
        data["subprojects"][0]["leader_id_number"] = data["pi"]["id_number"]
        partners = []
        for p in range(rng.randint(1, 4)):
            if international and p == 0:
                partners.append(
                    {
                        "name": f"外方{p}",
                        "unit_type": "科研院所",
                        "location": {"scope": "foreign", "country": rng.choice(COUNTRIES)},
                    }
                )
            else:
                in_region = rng.random() < 0.5
                partners.append(
                    {
                        "name": f"合作单位{i}-{p}",
                        "uscc": _uscc(rng, "150102" if in_region else "110105"),
                        "unit_type": "企业",
                        "location": {
                            "scope": "domestic_in_region" if in_region else "domestic_out_of_region",
                            "province": "内蒙古自治区" if in_region else rng.choice(PROVINCES),
                        },
                    }
                )
        data["partners"] = partners
        # The example's 课题 and team member sit at its Beijing partner: here at the first partner, so no
        # unit is made a partner by its people (一(三)9) unless a case wants it.
        data["team"][0]["unit"] = data["subprojects"][1]["unit"] = partners[0]["name"]
        cap = 500_000 if international else 1_000_000
        fiscal_total = rng.randrange(cap // 2, int(cap * 1.1), 10_000)
        equipment = fiscal_total // 5
        indirect = int((fiscal_total - equipment) * rng.choice([0.1, 0.2, 0.28]))
        labour = fiscal_total // 5
        data["budget"]["fiscal"] = {
            "设备费": equipment,
            "业务费": fiscal_total - equipment - labour - indirect,
            "劳务费": labour,
            "间接费用": indirect,
        }
        self_raised = rng.choice([0, fiscal_total // 2, fiscal_total])
        data["budget"]["self_raised"] = {"设备费": self_raised, "业务费": 0, "劳务费": 0, "间接费用": 0}
        lead_share = int(fiscal_total * rng.choice([0.4, 0.6, 0.8]))
        data["budget"]["by_unit"] = [
            {"unit": data["lead_unit"]["name"], "fiscal": lead_share, "self_raised": self_raised},
            {"unit": partners[0]["name"], "fiscal": fiscal_total - lead_share, "self_raised": 0},
        ]
        data["attachments"] = [{"kind": "integrity_commitment", "file": "c.pdf"}] + [
            {"kind": "joint_agreement", "partner": p["name"], "file": "a.pdf"} for p in partners
        ]
        applications.append(data)
    return applications


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    call, unit, applicant = call_with_a_unit()
    spec = call.spec
    documents = generate(args.applications)
    created = Application.objects.bulk_create(
        [
            Application(
                call=call,
                unit=unit,
                applicant=applicant,
                state="submitted",
                category=d["category"],
                title=d["title"],
                pi_id_number=d["pi"]["id_number"],
                data=d,
            )
            for d in documents
        ],
        batch_size=1000,
    )
    # The uploaded files the documents list, as rows (the review reads rows, never the files).
    Attachment.objects.bulk_create(
        [
            Attachment(
                application=application,
                kind=row["kind"],
                partner=row.get("partner", ""),
                original_name=row["file"],
                file=f"bench/{row['file']}",
                size=1,
                sha256="0" * 64,
                pages=1,
                uploaded_by=applicant,
            )
            for application, d in zip(created, documents, strict=True)
            for row in d["attachments"]
        ],
        batch_size=2000,
    )

    snapshots = [Snapshot(d, str(i)) for i, d in enumerate(documents)]
    context = ReviewContext(spec, Registries(), applications_by_pi=peers_by_pi(snapshots))

    def forget():
        check_uscc.cache_clear()
        check_id_number.cache_clear()
        place_of.cache_clear()
        normalise.forget()

    def rules_only():  # one process, garbage collector on: the plain loop
        forget()
        for snapshot in [Snapshot(s.data, s.key) for s in snapshots]:
            review(snapshot, context)

    n, repeat = args.applications, args.repeat
    baseline = median_seconds(lambda: [json.dumps(d, ensure_ascii=False) for d in documents], repeat)
    rules = median_seconds(rules_only, repeat)
    duplicates = median_seconds(lambda: find_similar([document(s) for s in snapshots]), repeat)

    def whole_call(workers=None):
        forget()  # no help from an earlier run
        review_call(call, workers=workers)

    whole = median_seconds(whole_call, repeat)
    one_process = median_seconds(lambda: whole_call(workers=1), repeat)
    with CaptureQueriesContext(connection) as queries:
        result = review_call(call)
    barred = sum(1 for f in result.findings.values() if any(x.severity == "bar" for x in f))
    similar = sum(1 for f in result.findings.values() if any(x.code == "project.near_duplicate" for x in f))

    print(f"applications: {n} (with a bar: {barred}, near-duplicates flagged: {similar}); median of {repeat} runs")
    print(f"{'what':<34}{'total s':>10}{'per app µs':>12}{'× baseline':>12}")
    for label, seconds in [
        ("baseline: JSON-serialise all", baseline),
        ("rules only", rules),
        ("near-duplicates (LSH+rapidfuzz)", duplicates),
        ("whole call (manage.py review)", whole),
        ("whole call, one process", one_process),
    ]:
        print(f"{label:<34}{seconds:>10.3f}{seconds / n * 1e6:>12.1f}{seconds / baseline:>12.1f}")
    print(f"queries for the whole call: {len(queries)} (independent of the number of applications)")
    print(f"goal: whole call < 2 s — {'met' if whole < 2 else 'NOT met'}")


if __name__ == "__main__":
    main()
