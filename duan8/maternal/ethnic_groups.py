"""The 54 official ethnic groups (reference data) and the 16 very small groups of Decree 39's
third-child case, as the project's sources give them (../shared/domain/brief.md §8).

Codes: the 2008 list (QĐ 1019/QĐ-TCTK) is confirmed for 01–20 only; the others are left
without a code rather than guessed. Very small groups (dân tộc rất ít người, under 10.000
people): the 16 named in the government's rule as reported; which list applies to a birth is
part of its rule set, so a later list is a new rule set, not a change here."""

# (code or "", name, other spellings)
GROUPS = [
    ("01", "Kinh", "Việt"),
    ("02", "Tày", ""),
    ("03", "Thái", ""),
    ("04", "Mường", ""),
    ("05", "Khmer", "Khơ-me|Khơ me|Khơme"),
    ("06", "Hoa", ""),
    ("07", "Nùng", ""),
    ("08", "Mông", "H'Mông|Hmông|HMông|Hmong|Mèo"),
    ("09", "Dao", ""),
    ("10", "Gia Rai", "Gia-rai|Jrai"),
    ("11", "Ê Đê", "Ê-đê|Êđê|Rađê"),
    ("12", "Ba Na", "Ba-na|Bahnar"),
    ("13", "Sán Chay", "Cao Lan|Sán Chí"),
    ("14", "Chăm", "Chàm"),
    ("15", "Cơ Ho", "Cơ-ho|K'Ho"),
    ("16", "Xơ Đăng", "Xơ-đăng"),
    ("17", "Sán Dìu", ""),
    ("18", "Hrê", "H'rê"),
    ("19", "Ra Glai", "Ra-glai"),
    ("20", "Mnông", "M'Nông"),
    ("", "Xtiêng", "X'tiêng|Stiêng"),
    ("", "Bru-Vân Kiều", "Bru Vân Kiều|Vân Kiều"),
    ("", "Thổ", ""),
    ("", "Giáy", ""),
    ("", "Cơ Tu", "Cơ-tu"),
    ("", "Giẻ Triêng", "Giẻ-Triêng|Gié Triêng"),
    ("", "Mạ", ""),
    ("", "Khơ Mú", "Khơ-mú|Khơmú|Khmu"),
    ("", "Co", ""),
    ("", "Tà Ôi", "Tà-ôi|Tà ôi"),
    ("", "Chơ Ro", "Chơ-ro"),
    ("", "Kháng", ""),
    ("", "Xinh Mun", "Xinh-mun"),
    ("", "Hà Nhì", ""),
    ("", "Chu Ru", "Chu-ru"),
    ("", "Lào", ""),
    ("", "La Chí", ""),
    ("", "La Ha", ""),
    ("", "Phù Lá", ""),
    ("", "La Hủ", ""),
    ("", "Lự", ""),
    ("", "Lô Lô", ""),
    ("", "Chứt", ""),
    ("", "Mảng", ""),
    ("", "Pà Thẻn", ""),
    ("", "Cờ Lao", "Cơ Lao"),
    ("", "Cống", ""),
    ("", "Bố Y", ""),
    ("", "Si La", ""),
    ("", "Pu Péo", ""),
    ("", "Brâu", ""),
    ("", "Ơ Đu", ""),
    ("", "Rơ Măm", "Rơ-măm"),
    ("", "Ngái", ""),
]

VERY_SMALL = [
    "Si La",
    "Ơ Đu",
    "Brâu",
    "Rơ Măm",
    "Pu Péo",
    "Cống",
    "Mảng",
    "Bố Y",
    "Lô Lô",
    "Cờ Lao",
    "Ngái",
    "Lự",
    "Pà Thẻn",
    "Chứt",
    "La Ha",
    "La Hủ",
]


def folded(text: str) -> str:
    """How a group's name is compared: folded, without "dân tộc" before it or spaces."""
    from duan8.geo.matching import fold

    written = fold(text or "")
    for prefix in ("dan toc ", "dt "):
        if written.startswith(prefix):
            written = written[len(prefix) :]
    return written.replace(" ", "")


def index(groups) -> dict[str, object]:
    """The groups by every way officers write them — name or other spelling, with or
    without diacritics, hyphens, spaces or "dân tộc" before it ("H'Mông", "hmong", "Dân tộc
    Mông" are one group)."""
    found: dict[str, object] = {}
    for group in groups:
        for written in [group.name, *filter(None, (group.aliases or "").split("|"))]:
            found.setdefault(folded(written), group)
    return found


def find(text: str, groups=None):
    """The ethnic group ``text`` names, or None."""
    if groups is None:
        from duan8.maternal.models import EthnicGroup

        groups = EthnicGroup.objects.all()
    return index(groups).get(folded(text)) if text and text.strip() else None
