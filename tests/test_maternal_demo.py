"""The demo's mothers and births in Phong Thổ: some eligible, the others not, each for a
different reason, every birth judged; loading twice adds nothing."""

from __future__ import annotations

from duan8.geo import demo as geo_demo
from duan8.geo import official
from duan8.maternal import demo
from duan8.maternal.models import Birth, Decision


def test_the_demo_births_are_judged_each_for_its_own_reason(db):
    official.load()
    geo_demo.load_phong_tho_project_area()
    assert demo.load() == len(demo.MOTHERS)
    decisions = {
        d.birth.mother.full_name: (d.result, {c["code"]: c["outcome"] for c in d.criteria})
        for d in Decision.objects.select_related("birth__mother")
    }
    assert len(decisions) == Birth.objects.count() == len(demo.MOTHERS)
    eligible = {name for name, (result, _c) in decisions.items() if result == "met"}
    assert eligible == {"Lò Thị Mai", "Giàng Thị Sua", "Tẩn Thị Mẩy", "Lò Thị Phương"}
    why = {
        "Vàng Thị Dợ": "age",
        "Nguyễn Thị Hoa": "ethnicity",
        "Sùng Thị Chơ": "facility",
        "Phàn Thị Lan": "population_policy",
        "Lý Thị Mừng": "residence",
    }
    for name, code in why.items():
        result, criteria = decisions[name]
        assert result == "not_met", name
        assert [c for c, outcome in criteria.items() if outcome == "not_met"] == [code], name
    assert decisions["Chảo Thị Sì"][0] == "unknown"
    assert decisions["Chảo Thị Sì"][1]["population_policy"] == "unknown"
    assert decisions["Hảng Thị Dua"][1]["residence"] == "unknown"
    assert demo.load() == 0
