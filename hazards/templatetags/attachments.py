"""`{% attachments_section s %}`: the evidence files and links of a scenario or mitigation, on its page."""

from django import template

from hazards.views.attachments import section_context

register = template.Library()


@register.inclusion_tag("hazards/partials/attachments.html", takes_context=True)
def attachments_section(context, target):
    return section_context(context["request"], target)
