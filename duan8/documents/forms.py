from django import forms
from django.utils.translation import gettext_lazy as _

from duan8.documents.models import DocumentTemplate, Kind, Letterhead, OfficialDocument

DATE_WIDGET = forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"})
MAX_TEMPLATE_MB = 5
# What a template may unpack to, and its parts: far above any letter, far below a zip bomb.
MAX_TEMPLATE_UNPACKED_MB = 50
MAX_TEMPLATE_PARTS = 500


class GenerateForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of document"), choices=Kind.choices)
    period = forms.CharField(
        label=_("Period"),
        required=False,
        max_length=12,
        help_text=_("2024-H1, 2024-H2 or 2024 (not for a decision)."),
    )
    appointment = forms.ModelChoiceField(
        label=_("Trainer appointment (for a decision)"), queryset=None, required=False
    )

    def __init__(self, *args, appointments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["appointment"].queryset = appointments


class DraftForm(forms.ModelForm):
    """The header fields of a draft; its text sections are added as fields ``section-KEY``."""

    class Meta:
        model = OfficialDocument
        fields = [
            "summary",
            "place",
            "doc_date",
            "recipients",
            "signer_authority",
            "signer_title",
            "signer_name",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 2}),
            "doc_date": DATE_WIDGET,
            "recipients": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "signer_authority": _("e.g. TM. BAN THƯỜNG VỤ; several lines separated by “/”."),
            "recipients": _("One a line; the last one “Lưu: VT.”."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for section in self.instance.sections:
            self.fields[f"section-{section['key']}"] = forms.CharField(
                label=section["label"],
                required=False,
                initial=section["text"],
                max_length=20000,
                widget=forms.Textarea(attrs={"rows": 5}),
            )

    def sections(self) -> dict:
        return {
            name.removeprefix("section-"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("section-")
        }

    def header(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class IssueForm(forms.Form):
    number = forms.IntegerField(
        label=_("Number"),
        required=False,
        min_value=1,
        max_value=999999,
        help_text=_("Leave empty to take the next free number."),
    )


class LetterheadForm(forms.ModelForm):
    class Meta:
        model = Letterhead
        fields = [
            "parent_body",
            "issuing_body",
            "name_in_text",
            "issuer_code",
            "place",
            "show_motto",
            "signer_authority",
            "signer_title",
            "signer_name",
            "recipients",
        ]
        widgets = {"recipients": forms.Textarea(attrs={"rows": 6})}


class TemplateForm(forms.ModelForm):
    class Meta:
        model = DocumentTemplate
        fields = ["kind", "file"]
        help_texts = {"kind": _("Empty: every kind of document.")}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = (getattr(upload, "name", "") or "").lower()
        if not name.endswith(".docx"):
            raise forms.ValidationError(_("Upload a Word file (.docx)."))
        if getattr(upload, "size", 0) > MAX_TEMPLATE_MB * 1024 * 1024:
            raise forms.ValidationError(
                _("The file is larger than %(n)d MB.") % {"n": MAX_TEMPLATE_MB}
            )
        self._check_unpacked_size(upload)
        try:
            import io

            from docx import Document

            position = upload.tell() if hasattr(upload, "tell") else 0
            text = "\n".join(p.text for p in Document(io.BytesIO(upload.read())).paragraphs)
            upload.seek(position)
        except Exception:
            raise forms.ValidationError(_("This file cannot be read as a Word document.")) from None
        if "{{body}}" not in text:
            raise forms.ValidationError(
                _("The template has no {{body}} paragraph: start from the default template.")
            )
        return upload

    @staticmethod
    def _check_unpacked_size(upload) -> None:
        """A Word file is a zip: what it unpacks to is checked before it is parsed, so that a
        small file that unpacks to gigabytes (a "zip bomb") is refused at once. Python's zip
        reader never unpacks a part beyond the size its directory declares."""
        import zipfile

        position = upload.tell() if hasattr(upload, "tell") else 0
        try:
            with zipfile.ZipFile(upload) as package:
                parts = package.infolist()
        except (zipfile.BadZipFile, OSError, EOFError, ValueError):
            raise forms.ValidationError(_("This file cannot be read as a Word document.")) from None
        finally:
            upload.seek(position)
        unpacked = sum(part.file_size for part in parts)
        if len(parts) > MAX_TEMPLATE_PARTS or unpacked > MAX_TEMPLATE_UNPACKED_MB * 1024 * 1024:
            raise forms.ValidationError(
                _("The file unpacks to more than %(n)d MB: it is not a template to keep.")
                % {"n": MAX_TEMPLATE_UNPACKED_MB}
            )
