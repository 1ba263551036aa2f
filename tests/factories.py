"""A tiny factory: the objects tests need, built inline with sensible defaults."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

from duan8.accounts.models import ApiToken, Membership, Role, User
from duan8.geo.models import (
    AdminUnit,
    Classification,
    ClassificationKind,
    ProjectAreaEntry,
    UnitKind,
)

PASSWORD = "mat-khau-thu-nghiem-9"
_codes = itertools.count(90000)

LEGACY_FROM = datetime.date(2021, 1, 1)
REFORM = datetime.date(2025, 7, 1)


def unit(
    kind: str,
    name: str,
    parent: AdminUnit | None = None,
    *,
    code: str | None = None,
    valid_from: datetime.date = LEGACY_FROM,
    valid_until: datetime.date | None = None,
    short_name: str | None = None,
) -> AdminUnit:
    return AdminUnit.objects.create(
        kind=kind,
        code=code if code is not None else str(next(_codes)),
        name=name,
        short_name=short_name or (name if kind == UnitKind.VILLAGE else name.split(" ", 1)[-1]),
        parent=parent,
        valid_from=valid_from,
        valid_until=valid_until,
    )


def nation() -> AdminUnit:
    return unit(
        UnitKind.NATION,
        "Việt Nam",
        code="VN",
        valid_from=datetime.date(1945, 9, 2),
        short_name="Việt Nam",
    )


def user(
    username: str,
    *,
    role: str | None = None,
    on: AdminUnit | None = None,
    national_admin: bool = False,
    password: str = PASSWORD,
) -> User:
    account = User(
        username=username,
        full_name=username.replace(".", " ").title(),
        is_national_admin=national_admin,
    )
    account.set_password(password)
    account.save()
    if role and on is not None:
        Membership.objects.create(user=account, unit=on, role=role)
    return account


def token(account: User) -> str:
    return ApiToken.issue(account, "test")[1]


class World:
    """Lai Châu with two districts and a commune in each, Sơn La beside it, and one account
    per persona of the access matrix."""

    def __init__(self) -> None:
        self.nation = nation()
        self.province = unit(UnitKind.PROVINCE, "Tỉnh Lai Châu", self.nation, code="12")
        self.district = unit(UnitKind.DISTRICT, "Huyện Phong Thổ", self.province, code="109")
        self.commune = unit(UnitKind.COMMUNE, "Xã Mồ Sì San", self.district, code="03553")
        self.sibling_district = unit(UnitKind.DISTRICT, "Huyện Sìn Hồ", self.province, code="108")
        self.sibling_commune = unit(
            UnitKind.COMMUNE, "Xã Pa Tần", self.sibling_district, code="03442"
        )
        self.other_province = unit(UnitKind.PROVINCE, "Tỉnh Sơn La", self.nation, code="14")
        self.other_commune = unit(
            UnitKind.COMMUNE,
            "Xã Chiềng Sơn",
            unit(UnitKind.DISTRICT, "Huyện Mộc Châu", self.other_province, code="118"),
            code="04015",
        )
        self.village = unit(UnitKind.VILLAGE, "Bản Sì Choang", self.commune, code="")
        AdminUnit.objects.filter(pk=self.village.pk).update(needs_review=True)
        self.village.needs_review = True
        self.classification = Classification.objects.create(
            unit=self.commune,
            kind=ClassificationKind.REGION,
            value="III",
            valid_from=datetime.date(2021, 6, 4),
            legal_basis="Quyết định 861/QĐ-TTg",
        )
        self.area_entry = ProjectAreaEntry.objects.create(
            year=2024, unit=self.commune, origin=ProjectAreaEntry.Origin.PROPOSED
        )
        from duan8.community.models import CommunityModel

        self.team = CommunityModel.objects.create(
            kind="communication_team",
            unit=self.village,
            name="Tổ truyền thông bản Sì Choang",
            established_on=datetime.date(2022, 3, 1),
            members_women=8,
            members_men=2,
        )
        from duan8.activities.models import Activity, Trainer

        self.trainer = Trainer.objects.create(unit=self.province, name="Lò Thị Mai")
        self.dialogue = Activity.objects.create(
            kind="dialogue",
            dialogue_level="commune",
            title="Đối thoại về tảo hôn",
            unit=self.commune,
            start_on=datetime.date(2024, 8, 20),
            end_on=datetime.date(2024, 8, 20),
            organiser="Hội LHPN xã",
            participants=60,
            participants_women=45,
            participants_ethnic=58,
        )
        from django.core.files.base import ContentFile

        from duan8.activities.models import Attachment

        self.attachment = Attachment(activity=self.dialogue, title="Danh sách tham dự")
        self.attachment.file.save("danh-sach.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
        self.attachment.save()
        self.personas = {
            "commune_editor": user("xa.nhaplieu", role=Role.EDITOR, on=self.commune),
            "district_approver": user("huyen.pheduyet", role=Role.APPROVER, on=self.district),
            "province_admin": user("tinh.quantri", role=Role.UNIT_ADMIN, on=self.province),
            "sibling_viewer": user("sinho.xem", role=Role.VIEWER, on=self.sibling_district),
            "outsider": user("sonla.xem", role=Role.VIEWER, on=self.other_province),
            "national_admin": user("tw.quantri", national_admin=True),
        }

    def __getattr__(self, name: str):
        personas = self.__dict__.get("personas", {})
        if name in personas:
            return personas[name]
        raise AttributeError(name)


def xlsx(rows: list[list], name: str = "import.xlsx"):
    """An uploaded Excel file whose first sheet holds ``rows`` (the first is the header)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from duan8.core.sheets import workbook

    content = workbook(rows[0], iter(rows[1:]))
    return SimpleUploadedFile(
        name,
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def successor_commune(world: World, name: str = "Xã Mồ Sì San mới") -> AdminUnit:
    """End the world's commune at the reform and give it a successor under the province."""
    from duan8.geo.models import Succession

    for old in (world.commune, world.sibling_commune):
        AdminUnit.objects.filter(pk=old.pk).update(valid_until=REFORM)
        old.refresh_from_db()
    AdminUnit.objects.filter(kind="village").update(valid_until=REFORM)
    new = unit(UnitKind.COMMUNE, name, world.province, valid_from=REFORM)
    Succession.objects.create(predecessor=world.commune, successor=new, effective_on=REFORM)
    return new


class ReformWorld:
    """A small Lai Châu before and after 1/7/2025: the former province with Phong Thổ district
    and its communes Mù Sang and Ma Ly Pho; today's province with Dào San (which took Mù Sang)
    and two communes that each took a share of Ma Ly Pho."""

    def __init__(self) -> None:
        self.nation = nation()
        self.old_lai_chau = unit(
            UnitKind.PROVINCE, "Tỉnh Lai Châu", self.nation, code="12", valid_until=REFORM
        )
        self.phong_tho = unit(
            UnitKind.DISTRICT, "Huyện Phong Thổ", self.old_lai_chau, code="109", valid_until=REFORM
        )
        self.mu_sang = unit(
            UnitKind.COMMUNE, "Xã Mù Sang", self.phong_tho, code="03562", valid_until=REFORM
        )
        self.ma_ly_pho = unit(
            UnitKind.COMMUNE, "Xã Ma Ly Pho", self.phong_tho, code="03565", valid_until=REFORM
        )
        self.lai_chau = unit(
            UnitKind.PROVINCE, "Tỉnh Lai Châu", self.nation, code="12", valid_from=REFORM
        )
        self.dao_san = unit(
            UnitKind.COMMUNE, "Xã Dào San", self.lai_chau, code="03560", valid_from=REFORM
        )
        self.khong_lao = unit(
            UnitKind.COMMUNE, "Xã Khổng Lào", self.lai_chau, code="03577", valid_from=REFORM
        )
        self.phong_tho_commune = unit(
            UnitKind.COMMUNE, "Xã Phong Thổ", self.lai_chau, code="03580", valid_from=REFORM
        )
        from duan8.geo.models import Succession

        link = lambda a, b, **kw: Succession.objects.create(  # noqa: E731
            predecessor=a, successor=b, effective_on=REFORM, **kw
        )
        link(self.old_lai_chau, self.lai_chau)
        link(self.phong_tho, self.lai_chau)
        link(self.mu_sang, self.dao_san)
        link(self.ma_ly_pho, self.khong_lao, share=Decimal("0.6"))
        link(self.ma_ly_pho, self.phong_tho_commune, is_default=False, share=Decimal("0.4"))
        from duan8.framework import defaults

        self.phase = defaults.load()
        self.teams = self.phase.indicators().get(code="TTCĐ")


def downloaded(response) -> bytes:
    """The body of a download, streamed (exports, files) or not."""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def run_jobs() -> None:
    """What a worker does when it starts (``duan8 worker --batch``): every job waiting now.

    The worker closes connections it finds in the middle of a transaction — a real worker
    never is, but a test runs inside one; that step is left out here (the test's own
    connection must survive), everything else is the real worker."""
    from unittest import mock

    from django.core.management import call_command

    with mock.patch(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    ):
        call_command("worker", "--batch", verbosity=0)


def form_fields(response, form_index: int = -1) -> dict:
    """What a browser would send for a page's form as it stands (inputs, checked boxes,
    selected options, text areas): the data an officer submits without touching anything."""
    from html.parser import HTMLParser

    class Reader(HTMLParser):
        def __init__(self):
            super().__init__()
            self.forms: list[dict] = []
            self.select = None
            self.textarea = None

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "form":
                self.forms.append({})
                return
            if not self.forms:
                return
            data = self.forms[-1]
            name = a.get("name")
            if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
                if a.get("type") in ("checkbox", "radio"):
                    if "checked" in a:
                        data.setdefault(name, []).append(a.get("value", "on"))
                else:
                    data.setdefault(name, []).append(a.get("value") or "")
            elif tag == "select" and name:
                self.select = name
                data.setdefault(name, [])
            elif tag == "option" and self.select and "selected" in a:
                data[self.select].append(a.get("value") or "")
            elif tag == "textarea" and name:
                self.textarea = name
                data[name] = [""]

        def handle_endtag(self, tag):
            if tag == "select":
                self.select = None
            elif tag == "textarea" and self.textarea:
                text = self.forms[-1][self.textarea][0]
                self.forms[-1][self.textarea][0] = text.removeprefix("\r\n").removeprefix("\n")
                self.textarea = None

        def handle_data(self, text):
            if self.textarea and self.forms:
                self.forms[-1][self.textarea][0] += text

    reader = Reader()
    reader.feed(response.content.decode())
    fields = reader.forms[form_index]
    return {k: v if len(v) > 1 else (v[0] if v else "") for k, v in fields.items()}
