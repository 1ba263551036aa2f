from django import template

register = template.Library()


@register.filter
def bs(field):
    """Render a form field's widget with Bootstrap's classes (and its error state)."""
    widget = field.field.widget
    css = "form-select" if getattr(widget, "input_type", "") == "select" else "form-control"
    if field.errors:
        css += " is-invalid"
    return field.as_widget(attrs={"class": css})
