"""Demo letterheads from the seeds: the Standing Committee of Lai Châu's Women's Union (notice
32/TB-BTV, seed 000) and the People's Committee of Phong Thổ district (plan 117/KH-UBND, seed
003). They are data an administrator changes on the letterhead page, like any other."""

from __future__ import annotations

from duan8.documents.models import Letterhead
from duan8.geo import official
from duan8.geo.models import AdminUnit, UnitKind

LAI_CHAU = {
    "parent_body": "HỘI LHPN TỈNH LAI CHÂU",
    "issuing_body": "BAN THƯỜNG VỤ",
    "name_in_text": "Ban Thường vụ Hội LHPN tỉnh Lai Châu",
    "issuer_code": "BTV",
    "place": "Lai Châu",
    "signer_authority": "TM. BAN THƯỜNG VỤ",
    "signer_title": "CHỦ TỊCH",
    "signer_name": "Khoàng Thị Thanh Nga",
    "recipients": "- Sở Lao động, Thương binh và Xã hội;\n- UBND các huyện, thành phố;\n"
    "- Hội LHPN các huyện, thành phố;\n- Lãnh đạo Hội LHPN tỉnh;\n"
    "- Các Phòng, Ban chuyên môn Hội LHPN tỉnh;\n- Lưu: VT, BTGCSLP.",
}
PHONG_THO = {
    "parent_body": "",
    "issuing_body": "ỦY BAN NHÂN DÂN HUYỆN PHONG THỔ",
    "name_in_text": "Ủy ban nhân dân huyện Phong Thổ",
    "issuer_code": "UBND",
    "place": "Phong Thổ",
    "signer_authority": "TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH",
    "signer_title": "PHÓ CHỦ TỊCH",
    "signer_name": "Mai Thị Hồng Sim",
    "recipients": "- Hội LHPN tỉnh;\n- TT. Huyện ủy (B/c);\n- TT HĐND huyện;\n"
    "- Lãnh đạo UBND huyện;\n- UBND các xã thuộc Dự án;\n- Hội LHPN các xã thuộc Dự án;\n"
    "- Lưu: VT.",
}


def _legacy(kind: str, code: str) -> AdminUnit | None:
    return AdminUnit.objects.filter(
        kind=kind, code=code, valid_from=official.LEGACY_VALID_FROM
    ).first()


def load() -> int:
    """Set the two letterheads where none is set yet; the number set."""
    made = 0
    for unit, values in (
        (_legacy(UnitKind.PROVINCE, "12"), LAI_CHAU),
        (_legacy(UnitKind.DISTRICT, "109"), PHONG_THO),
    ):
        if unit is None or Letterhead.objects.filter(unit=unit).exists():
            continue
        Letterhead(unit=unit, **values).save()
        made += 1
    return made
