from modeltranslation.translator import TranslationOptions, register

from .models import Ceremony, ProgrammeItem, SeatCategory, Series


@register(Series)
class SeriesTranslationOptions(TranslationOptions):
    fields = ("name", "description")
    required_languages = {"en": ("name",)}


@register(Ceremony)
class CeremonyTranslationOptions(TranslationOptions):
    fields = (
        "title",
        "motto",
        "venue_name",
        "summary",
        "description",
        "status_note",
        "photo_alt_text",
        "accessibility_info",
    )
    required_languages = {"en": ("title", "summary")}


@register(ProgrammeItem)
class ProgrammeItemTranslationOptions(TranslationOptions):
    fields = ("title", "description", "place")
    required_languages = {"en": ("title",)}


@register(SeatCategory)
class SeatCategoryTranslationOptions(TranslationOptions):
    fields = ("name", "description")
    required_languages = {"en": ("name",)}
