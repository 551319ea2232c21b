from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import (
    TranslationAdmin,
    TranslationStackedInline,
    TranslationTabularInline,
)

from .models import HistoryNote, MemorialSite, Photo, SiteDate, Source


class PhotoInline(TranslationStackedInline):
    model = Photo
    extra = 0
    fields = (
        "thumbnail",
        "image",
        "caption",
        "alt_text",
        "credit",
        "licence",
        "is_placeholder",
        "position",
    )
    readonly_fields = ("thumbnail",)
    ordering = ("position", "pk")

    @admin.display(description=_("thumbnail"))
    def thumbnail(self, photo):
        if not photo.pk or not photo.renditions:
            return "—"
        width = photo.renditions[0]
        return format_html(
            '<img src="{}" width="{}" height="{}" alt="{}">',
            photo.rendition_url(width),
            width,
            photo.rendition_height(width) or "",
            photo.alt_text,
        )


class SiteDateInline(TranslationTabularInline):
    model = SiteDate
    extra = 0


@admin.register(MemorialSite)
class MemorialSiteAdmin(TranslationAdmin):
    list_display = ("name", "kind", "town", "country", "is_published", "updated_at")
    list_filter = ("is_published", "kind", "country", "location_precision")
    search_fields = ("name", "town", "summary", "address")
    prepopulated_fields = {"slug": ("name_en",)}
    filter_horizontal = ("sources",)
    inlines = [SiteDateInline, PhotoInline]
    list_editable = ("is_published",)
    fieldsets = (
        (None, {"fields": ("name", "slug", "kind", "summary", "is_published")}),
        (_("History"), {"fields": ("history", "creator", "dedicated_by")}),
        (
            _("Inscription"),
            {
                "fields": (
                    "inscription",
                    "inscription_language",
                    "inscription_note",
                    "inscription_translation",
                )
            },
        ),
        (
            _("Location"),
            {
                "fields": (
                    "town",
                    "address",
                    "country",
                    ("latitude", "longitude"),
                    "location_precision",
                )
            },
        ),
        (
            _("Visiting"),
            {"fields": ("visiting_info", "step_free_access", "seating", "accessibility_notes")},
        ),
        (_("Sources"), {"fields": ("sources",)}),
    )


@admin.register(Source)
class SourceAdmin(TranslationAdmin):
    list_display = ("title", "author", "caution", "year")
    list_filter = ("caution",)
    search_fields = ("title", "author", "url")


@admin.register(HistoryNote)
class HistoryNoteAdmin(TranslationAdmin):
    list_display = ("__str__", "position", "is_published")
    list_editable = ("position", "is_published")
    filter_horizontal = ("sources",)
